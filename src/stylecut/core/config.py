"""Process-wide settings, applied by the entry points (CLI, server, batch workers, Ray actors).

Importing stylecut changes nothing in the host process; `configure()` does, once, on purpose.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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


def _count(lowest: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not value.strip().isdigit() or int(value) < lowest:
            raise StylecutError(f"must be a whole number >= {lowest}, not {value!r}")
        return int(value)
    return parse


_BAD_ENV: list[str] = []  # environment variables that could not be read: configure() reports them


T = TypeVar("T")


def _env(name: str, parse: Callable[[str], T], default: T) -> T:
    """The variable's value parsed, or the default (empty or unreadable: remembered for configure())."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return parse(raw)
    except StylecutError as exc:
        _BAD_ENV.append(f"{name}: {exc}")
        return default


settings = Settings(threads=_env("STYLECUT_THREADS", _count(0), Settings.threads),
                    max_pixels=_env("STYLECUT_MAX_PIXELS", _count(1), Settings.max_pixels),
                    precision=_env("STYLECUT_PRECISION", _precision, Settings.precision))


def configure(threads: int | None = None, max_pixels: int | None = None, precision: str | None = None) -> Settings:
    """Apply stylecut's process-wide settings (call from an entry point, before the first image).

    OpenCV runs single-threaded: its thread pool beside the style network only contended for the
    cores (measured: part of the CLI's 1.52x -> 1.27x). threads: the networks' compute threads.
    precision: "float32" keeps the networks on onnxruntime in float32 (outputs equal on every CPU).
    A STYLECUT_* variable that cannot be read is reported here (StylecutError), not at import.
    glibc's allocator is told to keep image-sized blocks (keep_freed_images).
    """
    import cv2

    if _BAD_ENV:
        raise StylecutError("; ".join(_BAD_ENV))
    cv2.setNumThreads(1)
    keep_freed_images()
    if threads is not None:
        settings.threads = int(threads)
    if max_pixels is not None:
        settings.max_pixels = int(max_pixels)
    if precision is not None:
        settings.precision = _precision(precision)
    return settings


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (glibc malloc.h)
MMAP_THRESHOLD = 32 << 20  # glibc's largest on 64-bit: image-sized blocks come from the heap, reused
TRIM_THRESHOLD = 64 << 20  # free heap kept per arena for the next frame's arrays (256 MB: no faster)


def keep_freed_images() -> bool:
    """Keep freed image-sized blocks for reuse instead of returning them to the system (glibc only).

    By default glibc unmaps every freed block over its mmap threshold, so each new multi-MB temporary
    faults its pages in again: an elementwise op on a 768x432x3 float image took ~3 ms in the
    pipeline against 0.3 ms warm, and system time was 10-15 % of a video run (docs/speed.md).
    The user's own MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ win. True when applied.
    """
    if not sys.platform.startswith("linux") or any(
            k in os.environ for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries: nothing to tune
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


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
