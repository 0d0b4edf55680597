"""Batch throughput (images per second at 1024 px): --jobs 1, --jobs 2, and the Ray backend.

    .venv/bin/python benchmarks/bench_batch.py [--images 12]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from common import BIN, CONTENT, SEG_IMAGES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=12)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    src = tmp / "in"
    src.mkdir()
    photos = SEG_IMAGES + CONTENT
    for i in range(args.images):
        im = Image.open(photos[i % len(photos)]).convert("RGB")
        s = 1024 / max(im.size)
        im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS).save(src / f"{i:03d}.jpg", quality=95)
    exe = str(BIN / "stylecut")
    print("| backend | images | seconds | images/s |\n|---|---|---|---|")
    for name, extra in [("local --jobs 1", ["--jobs", "1"]), ("local --jobs 2", ["--jobs", "2"]),
                        ("ray (local instance) --jobs 2", ["--backend", "ray", "--jobs", "2"])]:
        out = tmp / name.split()[0] / extra[-1]
        t = time.perf_counter()
        subprocess.run([exe, "batch", str(src), "-o", str(out), "--style", "preset:20", *extra],
                       check=True, capture_output=True)
        dt = time.perf_counter() - t
        print(f"| {name} | {args.images} | {dt:.1f} | {args.images / dt:.2f} |")
    shutil.rmtree(tmp)
    print("\n(wall time of the whole command: process start and model loading included)")


if __name__ == "__main__":
    main()
