"""Gatys engine vs pastiche (the peer) on the same 512 px photo and painting, scored by one measure.

    .venv/bin/python benchmarks/bench_gatys.py [--iterations 40 60] [--sheet docs/gatys_vs_pastiche.jpg]

The peer runs its CLI with --num-steps 200 and its default layers and weights (content block4_relu2,
style block1..5_relu1, TV 0). Ours runs `stylecut stylize --engine gatys --region all` with the same
layers and weights and its own speed-ups (coarse-to-fine, warm start, L-BFGS). Both outputs are then
scored with the same objective (content + weighted Gram style loss) on VGG19 features at 512 px.
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from common import BIN, EVAL


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, nargs="+", default=[30, 50])
    ap.add_argument("--peer-steps", type=int, default=200)
    ap.add_argument("--sheet", type=Path, default=None)
    args = ap.parse_args()
    from stylecut.ops.sheet import make_sheet
    from stylecut.style.gatys import GatysParams, Region, loss_of

    tmp = Path(tempfile.mkdtemp())
    content_path, style_path = tmp / "content.png", EVAL / "styles" / "vangogh_starry_night.jpg"
    im = Image.open(EVAL / "content" / "astronaut_eileen_collins.png").convert("RGB")  # public domain
    s = 512 / max(im.size)
    im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS).save(content_path)
    content = np.asarray(Image.open(content_path).convert("RGB"))
    style = np.asarray(Image.open(style_path).convert("RGB"))
    params = GatysParams()
    score = lambda p: loss_of(
        np.asarray(Image.open(p).convert("RGB"), np.float32) / 255.0, content, [Region(style)], params
    )

    rows = [
        (
            "photo (start)",
            0.0,
            loss_of(content.astype(np.float32) / 255, content, [Region(style)], params),
            content_path,
        )
    ]
    peer_out = tmp / "peer.png"
    t = timed([str(BIN / "pastiche"), "--content", str(content_path), "--styles", str(style_path), "--output",
               str(peer_out), "--num-steps", str(args.peer_steps), "--size", "512", "--device", "cpu", "--no-verbose"])
    rows.append((f"pastiche {args.peer_steps} steps", t, score(peer_out), peer_out))
    print(f"peer: {t:.1f} s, loss {rows[-1][2]:.4g}", flush=True)
    for n in args.iterations:
        out = tmp / f"ours_{n}.png"
        t = timed([str(BIN / "stylecut"), "stylize", str(content_path), "-o", str(out), "--style", str(style_path),
                   "--region", "all", "--engine", "gatys", "--iterations", str(n), "--size", "512"])
        rows.append((f"stylecut gatys --iterations {n}", t, score(out), out))
        print(f"ours {n}: {t:.1f} s, loss {rows[-1][2]:.4g}", flush=True)
    peer_t, peer_l = rows[1][1], rows[1][2]
    print("\n| run | wall s | loss at 512 px | time / peer | loss / peer |\n|---|---|---|---|---|")
    for name, t, loss, _ in rows:
        print(f"| {name} | {t:.1f} | {loss:.4g} | {t / peer_t:.2f} | {loss / peer_l:.2f} |")
    if args.sheet:
        tiles = [
            (f"{name}: {t:.0f} s, loss {loss:.3g}", np.asarray(Image.open(p).convert("RGB")))
            for name, t, loss, p in rows
        ]
        make_sheet(tiles + [("style", style)], height=384).convert("RGB").save(args.sheet, quality=88)
        print(f"\nwrote {args.sheet}")


if __name__ == "__main__":
    main()
