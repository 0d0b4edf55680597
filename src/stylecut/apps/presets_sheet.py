"""A sheet with every built-in preset applied to one photo."""
from __future__ import annotations

from PIL import Image

from stylecut.core.imageio import ImageLike, to_photo
from stylecut.ops.filters import resize_max
from stylecut.ops.sheet import make_sheet
from stylecut.runtime.assets import model_path
from stylecut.style import parse_style, stylize
from stylecut.style.presets import PRESETS


def presets_sheet(photo: ImageLike | None = None, tile: int = 256) -> Image.Image:
    """Every preset on `photo` (default: the bundled sample portrait), labelled preset:N."""
    rgb = resize_max(to_photo(photo if photo is not None else model_path("sample_portrait")).rgb, tile)
    tiles = [("original", rgb)] + [(name, stylize(parse_style(name), rgb)) for name in PRESETS]
    return make_sheet(tiles, height=rgb.shape[0], columns=7)
