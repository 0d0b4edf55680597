"""Style specifications: 'preset:N', 'preset:3+preset:7', a painting (path or image), or none.

Parsing asks each registered engine that knows a text form (its `parse`), then falls back to
reading the text as a path to a painting.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

from stylecut.core.errors import StylecutError
from stylecut.core.imageio import to_photo
from stylecut.core.options import Options
from stylecut.core.registry import ENGINES


@dataclass
class StyleSpec:
    """A parsed style: presets (built-in indices 1..26, learned names) or a style image, with a label."""

    label: str
    presets: tuple[int | str, ...] = ()
    image: np.ndarray | None = None



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
    for entry in ENGINES:
        parse = getattr(entry.factory, "parse", None)
        parsed = parse(text) if parse is not None else None
        if parsed is not None:
            return parsed
    return StyleSpec(os.path.basename(text), image=to_photo(text).rgb)


def layer_styles(options: Options) -> dict[str, StyleSpec | None]:
    """The style of each mask layer ('background', 'person'), parsed; None keeps that layer as in the photo."""
    style, fg_style = parse_style(options.style), parse_style(options.fg_style)
    background = style if options.region in ("background", "all") else None
    person = fg_style or (style if options.region in ("foreground", "all") else None)
    return {"background": background, "person": person}


def engine_for(spec: StyleSpec, family: str = "fast"):
    """The first registered engine of `family` that takes this style (an instance)."""
    for entry in ENGINES:
        if entry.family == family and entry.factory.accepts(spec):
            return entry.factory()
    needs = next((e.needs for e in ENGINES if e.family == family), "another style")
    raise StylecutError(f"the {family} engine needs {needs}, not {spec.label}")


def stylize(spec: StyleSpec, rgb: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """One-off: stylize an (h, w, 3) uint8 image with a feed-forward engine -> float32 [0, 1]."""
    return engine_for(spec).stylize(rgb, spec, strength)
