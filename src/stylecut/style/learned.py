"""Styles learnt by `stylecut learn-style`: one small file each in the user's data folder.

A learned style is the 26-style network's per-layer scale and shift vectors (990 floats, ~10 KB with
its preview), so it runs in the same network as the built-in presets, at the same speed, and blends
with them. Files are `<data dir>/styles/NAME.npz` (platformdirs; STYLECUT_DATA_DIR overrides the data
dir), written atomically; a damaged file is reported by name, never half-read.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from stylecut.core.config import user_dir
from stylecut.core.errors import StylecutError
from stylecut.core.imageio import write_atomic
from stylecut.runtime.caches import process_cache

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
FORMAT = 1


def data_dir() -> Path:
    """stylecut's user data folder (STYLECUT_DATA_DIR, else platformdirs' user data dir)."""
    return user_dir("data")


def styles_dir() -> Path:
    return data_dir() / "styles"


def check_name(name: str) -> str:
    """A valid new style name (lower-case letters, digits, - and _; starts with a letter; ≤ 32)."""
    text = str(name).strip()
    if text.lower().startswith("preset:"):
        text = text[len("preset:"):]
    if not NAME.match(text):
        raise StylecutError(f"style name {name!r}: use 1-32 lower-case letters, digits, - or _, starting with a "
                            "letter (it is used as preset:NAME and as a file name)")
    if text == "none":
        raise StylecutError("style name 'none' is taken (it means no style)")
    return text


@dataclass
class LearnedStyle:
    """A learned style: per-layer gamma and beta (cin_network.LAYERS order), a preview and facts."""

    name: str
    gammas: list[np.ndarray]
    betas: list[np.ndarray]
    meta: dict = field(default_factory=dict)
    preview_jpeg: bytes = b""

    def to_bytes(self) -> bytes:
        arrays = {f"gamma{i}": g.astype(np.float32) for i, g in enumerate(self.gammas)}
        arrays.update({f"beta{i}": b.astype(np.float32) for i, b in enumerate(self.betas)})
        arrays["meta"] = np.frombuffer(json.dumps({**self.meta, "format": FORMAT}).encode(), np.uint8)
        arrays["preview"] = np.frombuffer(self.preview_jpeg, np.uint8)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()


def path_of(name: str) -> Path:
    return styles_dir() / f"{check_name(name)}.npz"


def names() -> list[str]:
    """The learned styles present (by file name; a damaged one is reported when it is used)."""
    folder = styles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.npz") if NAME.match(p.stem))


def exists(name: str) -> bool:
    try:
        return path_of(name).is_file()
    except StylecutError:
        return False


def save(style: LearnedStyle) -> Path:
    """Write the style file atomically (a reader never sees half of it)."""
    path = path_of(style.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StylecutError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    write_atomic(path, style.to_bytes())
    return path


def remove(name: str) -> Path:
    path = path_of(name)
    if not path.is_file():
        raise StylecutError(f"no learned style {name!r} (in {styles_dir()})")
    path.unlink()
    return path


def load(name: str) -> LearnedStyle:
    """Read a learned style; a missing or damaged file gets one clear error naming it."""
    path = path_of(name)
    try:
        st = path.stat()
    except OSError:
        raise StylecutError(f"no learned style {name!r} (in {styles_dir()}); see `stylecut styles`") from None
    return _load(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int, size: int) -> LearnedStyle:
    from stylecut.style.cin_network import LAYERS, tables

    name = Path(path).stem
    try:
        with np.load(path, allow_pickle=False) as z:
            gammas = [z[f"gamma{i}"].astype(np.float32) for i in range(len(LAYERS))]
            betas = [z[f"beta{i}"].astype(np.float32) for i in range(len(LAYERS))]
            meta = json.loads(bytes(z["meta"]).decode())
            preview = bytes(z["preview"])
        for i, layer in enumerate(LAYERS):
            c = tables().convs[layer].shape[0]
            if gammas[i].shape != (c,) or betas[i].shape != (c,):
                raise ValueError(f"layer {layer} has {gammas[i].shape}, expected ({c},)")
            if not (np.isfinite(gammas[i]).all() and np.isfinite(betas[i]).all()):
                raise ValueError(f"layer {layer} is not finite")
    except Exception as exc:  # zip, key, json, shape errors: all mean a damaged file
        raise StylecutError(f"learned style file {path} is damaged ({type(exc).__name__}: {exc}); "
                            f"remove it with `stylecut styles --remove {name}` and learn it again") from None
    return LearnedStyle(name, gammas, betas, meta, preview)


process_cache('learned styles', _load.cache_clear)
