"""Side-by-side comparison sheets (input | mask | style | result, or any tiles)."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def _font(size: int = 14) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _as_rgb(tile: Image.Image | np.ndarray) -> Image.Image:
    if isinstance(tile, np.ndarray):
        if tile.dtype != np.uint8:
            tile = (np.clip(tile, 0, 1) * 255 + 0.5).astype(np.uint8)
        tile = Image.fromarray(tile)
    if tile.mode in ("RGBA", "LA"):
        checker = Image.new("RGB", tile.size, (200, 200, 200))
        d = ImageDraw.Draw(checker)
        for y in range(0, tile.height, 16):
            for x in range((y // 16) % 2 * 16, tile.width, 32):
                d.rectangle([x, y, x + 15, y + 15], fill=(245, 245, 245))
        checker.paste(tile.convert("RGBA"), mask=tile.convert("RGBA").split()[3])
        return checker
    return tile.convert("RGB")


def make_sheet(tiles: list[tuple[str, Image.Image | np.ndarray]], height: int = 384,
               columns: int | None = None) -> Image.Image:
    """Lay out labelled tiles, each scaled to the same height, in rows of `columns`."""
    scaled = []
    for label, tile in tiles:
        im = _as_rgb(tile)
        w = max(1, round(im.width * height / im.height))
        scaled.append((label, im.resize((w, height), Image.Resampling.LANCZOS)))
    columns = columns or len(scaled)
    pad, lab = 8, 22
    rows = [scaled[i:i + columns] for i in range(0, len(scaled), columns)]
    width = max(sum(t.width for _, t in r) + pad * (len(r) + 1) for r in rows)
    sheet = Image.new("RGB", (width, len(rows) * (height + lab + pad) + pad), "white")
    draw = ImageDraw.Draw(sheet)
    font = _font()
    y = pad
    for r in rows:
        x = pad
        for label, t in r:
            draw.text((x + 2, y + 3), label, fill="black", font=font)
            sheet.paste(t, (x, y + lab))
            x += t.width + pad
        y += height + lab + pad
    return sheet
