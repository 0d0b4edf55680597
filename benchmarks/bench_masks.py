"""Mask timings at 1024 px: the default recipe and closed-form matting, against the naive model.

    .venv/bin/python benchmarks/bench_masks.py [--runs 5] [--side 1024]

Every photo of ../shared/eval/seg and ../shared/eval/content is resized to --side pixels on its
long side; each method is timed in process (models loaded first, the mask cache cleared before
every run), median of --runs per photo, then the median over photos. The peer is the naive use of
the bundled model (squash to 256x256, no refinement), the issue's baseline.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2

from stylecut.imageio import to_photo
from stylecut.segmentation import RECIPES, _coarse_cache, load_models, person_alpha

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
METHODS = {  # label: (recipe, refine)
    "naive (peer)": ("naive", "none"),
    "default": ("default", "guided"),
    "matting": ("default", "matting"),
}


def at_side(path: Path, side: int):
    rgb = to_photo(path).rgb
    h, w = rgb.shape[:2]
    s = side / max(h, w)
    return cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def timed(rgb, recipe: str, refine: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        _coarse_cache.clear()
        t = time.perf_counter()
        person_alpha(rgb, refine, RECIPES[recipe])
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--side", type=int, default=1024)
    args = ap.parse_args()
    photos = sorted((EVAL / "seg" / "images").glob("*.jpg")) + sorted((EVAL / "content").glob("*"))
    load_models()
    print(f"{'photo':<30}{'size':>11}" + "".join(f"{m:>15}" for m in METHODS))
    per_method: dict[str, list[float]] = {m: [] for m in METHODS}
    for p in photos:
        rgb = at_side(p, args.side)
        person_alpha(rgb)  # first call per size pays for allocations
        row = f"{p.name:<30}{f'{rgb.shape[1]}x{rgb.shape[0]}':>11}"
        for m, (recipe, refine) in METHODS.items():
            t = timed(rgb, recipe, refine, args.runs)
            per_method[m].append(t)
            row += f"{t * 1000:>12.0f} ms"
        print(row, flush=True)
    print(f"{'median over photos':<41}" + "".join(f"{statistics.median(v) * 1000:>12.0f} ms" for v in per_method.values()))
    base = statistics.median(per_method["naive (peer)"])
    print("ratio to the naive model: " + ", ".join(f"{m} {statistics.median(v) / base:.1f}x" for m, v in per_method.items()))


if __name__ == "__main__":
    main()
