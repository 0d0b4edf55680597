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

from common import CONTENT, SEG_IMAGES, at_side, median_time
from stylecut import configure
from stylecut.segmentation import RECIPES, load_models
from stylecut.segmentation.person import person_alpha

METHODS = {  # label: (recipe, refine)
    "naive (peer)": ("naive", "none"),
    "default": ("default", "guided"),
    "matting": ("default", "matting"),
}


def timed(rgb, recipe: str, refine: str, runs: int) -> float:
    return median_time(lambda: person_alpha(rgb, refine, RECIPES[recipe]), runs)  # no cache: the model each time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--side", type=int, default=1024)
    args = ap.parse_args()
    photos = SEG_IMAGES + CONTENT
    configure()
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
    print(
        f"{'median over photos':<41}" + "".join(f"{statistics.median(v) * 1000:>12.0f} ms" for v in per_method.values())
    )
    base = statistics.median(per_method["naive (peer)"])
    print(
        "ratio to the naive model: "
        + ", ".join(f"{m} {statistics.median(v) / base:.1f}x" for m, v in per_method.items())
    )


if __name__ == "__main__":
    main()
