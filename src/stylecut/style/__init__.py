"""Style engines and the parser for style specifications."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import StylecutError
from ..imageio import to_photo
from ..registry import NUM_PRESETS
from .arbitrary import ArbitraryStylizer
from .base import Stylizer
from .presets import PresetStylizer

__all__ = ["Stylizer", "StyleSpec", "parse_style", "PresetStylizer", "ArbitraryStylizer"]

_PRESET = re.compile(r"^preset:(\d+)$")


@dataclass
class StyleSpec:
    """A parsed style: preset indices (1..26) or a style image, with a printable label."""

    label: str
    presets: tuple[int, ...] = ()
    image: np.ndarray | None = None

    def stylizer(self) -> Stylizer:
        if self.presets:
            return PresetStylizer(list(self.presets))
        return ArbitraryStylizer(self.image)

    def prepare(self) -> None:
        """Load what this style needs that does not depend on the photo (sessions, style vector)."""
        from .onnx_session import session

        if self.presets:
            session("multistyle26")
        else:
            from .arbitrary import style_vector

            session("arbitrary_transform")
            style_vector(self.image)

    def preview(self, side: int = 256) -> np.ndarray | None:
        """The style image (for comparison sheets); None for presets."""
        return self.image


def parse_style(spec: object) -> StyleSpec | None:
    """Parse 'preset:N', 'preset:3+preset:7', 'none', a path, or an image (PIL / numpy / bytes)."""
    if spec is None:
        return None
    if isinstance(spec, StyleSpec):
        return spec
    if isinstance(spec, (Image.Image, np.ndarray, bytes)):
        return StyleSpec("custom image", image=to_photo(spec).rgb)
    text = os.fspath(spec) if isinstance(spec, os.PathLike) else str(spec)
    if text.strip().lower() == "none":
        return None
    parts = [p.strip() for p in text.split("+")]
    if all(p.lower().startswith("preset:") for p in parts):
        idx = []
        for p in parts:
            m = _PRESET.match(p.lower())
            if not m or not 1 <= int(m.group(1)) <= NUM_PRESETS:
                raise StylecutError(f"unknown preset {p!r}; use preset:1 to preset:{NUM_PRESETS}")
            idx.append(int(m.group(1)))
        return StyleSpec("+".join(f"preset:{i}" for i in idx), presets=tuple(idx))
    if text.lower().startswith("preset"):
        raise StylecutError(f"unknown preset {text!r}; use preset:1 to preset:{NUM_PRESETS}")
    return StyleSpec(os.path.basename(text), image=to_photo(text).rgb)
