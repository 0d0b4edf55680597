"""Process-wide settings, applied by the entry points (CLI, server, batch workers, Ray actors).

Importing stylecut changes nothing in the host process; `configure()` does, once, on purpose.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from stylecut.core.errors import StylecutError


@dataclass
class Settings:
    threads: int = 0  # compute threads for the networks and torch; 0 = every core
    max_pixels: int = 100_000_000  # images larger than this are refused from their header (decompression bombs)
    precision: str = "auto"  # the networks: "auto" = bfloat16 where the CPU has bf16 units, "float32" = exact


PRECISIONS = ("auto", "float32")


def _precision(value: str) -> str:
    if value not in PRECISIONS:
        raise StylecutError(f"precision must be one of {', '.join(PRECISIONS)}, not {value!r}")
    return value


settings = Settings(threads=int(os.environ.get("STYLECUT_THREADS", "0") or 0),
                    max_pixels=int(os.environ.get("STYLECUT_MAX_PIXELS", "") or Settings.max_pixels),
                    precision=os.environ.get("STYLECUT_PRECISION", "") or Settings.precision)


def configure(threads: int | None = None, max_pixels: int | None = None, precision: str | None = None) -> Settings:
    """Apply stylecut's process-wide settings (call from an entry point, before the first image).

    OpenCV runs single-threaded: its thread pool beside the style network only contended for the
    cores (measured: part of the CLI's 1.52x -> 1.27x). threads: the networks' compute threads.
    precision: "float32" keeps the networks on onnxruntime in float32 (outputs equal on every CPU).
    """
    import cv2

    cv2.setNumThreads(1)
    if threads is not None:
        settings.threads = int(threads)
    if max_pixels is not None:
        settings.max_pixels = int(max_pixels)
    if precision is not None:
        settings.precision = _precision(precision)
    return settings


def user_dir(kind: str) -> Path:
    """stylecut's user folder of this kind ("data": learned styles, "cache": rewritten model graphs):
    STYLECUT_DATA_DIR / STYLECUT_CACHE_DIR, else platformdirs' folder for it."""
    env = os.environ.get(f"STYLECUT_{kind.upper()}_DIR")
    if env:
        return Path(env)
    import platformdirs

    where = platformdirs.user_data_dir if kind == "data" else platformdirs.user_cache_dir
    return Path(where("stylecut", appauthor=False))


def compute_threads() -> int:
    """How many threads the networks and torch may use."""
    return settings.threads or max(1, os.cpu_count() or 1)


def torch_device(name: str = "auto") -> str:
    """'auto' -> 'cuda' when torch sees a GPU, else 'cpu'; 'cuda' without one is a clear error."""
    import torch

    name = (name or "auto").lower()
    if name not in ("auto", "cpu", "cuda"):
        raise StylecutError(f"--device {name!r}: use auto, cpu or cuda")
    if name == "cpu":
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    if name == "cuda":
        build = (
            "a CPU-only build" if torch.version.cuda is None else f"CUDA {torch.version.cuda}, but no GPU is visible"
        )
        raise StylecutError(f"--device cuda: torch {torch.__version__} ({build}); use --device cpu or auto")
    return "cpu"
