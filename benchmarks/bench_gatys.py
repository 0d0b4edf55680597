"""Gatys engine vs pastiche (the peer) on the same 512 px photo and painting, scored by one measure.

    .venv/bin/python benchmarks/bench_gatys.py [--iterations 40 60] [--sheet docs/gatys_vs_pastiche.jpg]
    .venv/bin/python benchmarks/bench_gatys.py --full-size [--sheet docs/gatys_full_size.jpg]

--full-size (issue #29): a 1024 px photo with --size 512 --iterations 30 --region all; the result at the
photo's size brought back to 512 px and scored apart on style and content, beside pastiche at 512 px
with 30 steps on the same photo and painting, the working-size result, and the full-size step as
photo-guided upsampling (before) and as a plain Lanczos enlargement (now).

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
    ap.add_argument("--full-size", action="store_true")
    args = ap.parse_args()
    if args.full_size:
        full_size(args.sheet)
        return
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


def full_size(sheet: Path | None) -> None:
    """Style and content loss at 512 px of each full-size result (see the module's docstring)."""
    from dataclasses import replace

    import cv2

    from stylecut.core.options import GatysParams, Options
    from stylecut.ops.compose import compose_layers
    from stylecut.ops.sheet import make_sheet
    from stylecut.pipeline.session import Session
    from stylecut.style.gatys import GatysEngine, Region, loss_of
    from stylecut.style.spec import parse_style

    tmp = Path(tempfile.mkdtemp())
    im = Image.open(EVAL / "content" / "avril.jpg").convert("RGB")
    photo = np.asarray(im.resize((1024, round(1024 * im.height / im.width)), Image.LANCZOS))
    style_path = EVAL / "styles" / "vangogh_starry_night.jpg"
    style = np.asarray(Image.open(style_path).convert("RGB"))
    at512 = lambda x: cv2.resize(x, (512, round(512 * x.shape[0] / x.shape[1])), interpolation=cv2.INTER_AREA)
    content = at512(photo)
    Image.fromarray(content).save(tmp / "content.png")
    params = GatysParams()
    parts = {"style": replace(params, content_weight=0.0), "content": replace(params, style_weight=0.0)}

    def score(rgb: np.ndarray) -> dict[str, float]:
        x = at512(rgb).astype(np.float32) / 255.0
        return {k: loss_of(x, content, [Region(style)], p) for k, p in parts.items()}

    t = timed([str(BIN / "pastiche"), "--content", str(tmp / "content.png"), "--styles", str(style_path), "--output",
               str(tmp / "peer.png"), "--num-steps", "30", "--size", "512", "--device", "cpu", "--no-verbose"])
    peer = np.asarray(Image.open(tmp / "peer.png").convert("RGB"))
    opts = Options(style=str(style_path), region="all", engine="gatys", gatys=GatysParams(iterations=30, size=512))
    session = Session(opts)
    t0 = time.perf_counter()
    small, out = GatysEngine().render(photo, None, {"background": parse_style(str(style_path))}, opts,
                                      lambda *a: None, None, session._warm_start)
    ours_t = time.perf_counter() - t0
    rows = {f"pastiche 30 steps at 512 ({t:.0f} s)": peer,
            f"ours, working size 512 ({ours_t:.0f} s)": (out * 255 + 0.5).astype(np.uint8),
            "ours full size, photo-guided (before)": compose_layers(photo, small, None, {"background": out}),
            "ours full size, Lanczos (now)": compose_layers(photo, small, None, {"background": out}, guided=False)}
    ref = score(peer)
    print("| result | style loss | / pastiche | content loss | / pastiche |\n|---|---|---|---|---|")
    for name, rgb in rows.items():
        sc = score(rgb)
        print(f"| {name} | {sc['style']:.4g} | {sc['style'] / ref['style']:.2f} | {sc['content']:.4g} | "
              f"{sc['content'] / ref['content']:.2f} |")
    if sheet:
        crop = lambda x: cv2.resize(x, (1024, round(1024 * x.shape[0] / x.shape[1])))[200:584, 300:812]
        make_sheet([(n, crop(r)) for n, r in rows.items()], height=384).convert("RGB").save(sheet, quality=88)
        print(f"wrote {sheet}")


if __name__ == "__main__":
    main()
