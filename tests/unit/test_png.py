"""The PNG writer: every mode's pixels come back exactly, in Pillow and in libpng (OpenCV), with or without isal."""
from __future__ import annotations

import builtins
import io

import cv2
import numpy as np
import pytest
from PIL import Image

from stylecut.core import png

RNG = np.random.default_rng(3)


def _image(mode: str, w: int, h: int) -> Image.Image:
    """Noise over a gradient: rows that differ, bytes that wrap around in the Up filter."""
    bands = len(mode)
    ramp = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    a = ((ramp + RNG.integers(0, 256, (h, w, bands))) % 256).astype(np.uint8)
    return Image.fromarray(a[:, :, 0] if bands == 1 else a, mode)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
@pytest.mark.parametrize(("w", "h"), [(1, 1), (7, 3), (300, png.ROWS_PER_BLOCK + 5)])
def test_pixels_come_back_exactly(mode, w, h):
    img = _image(mode, w, h)
    data = png.encode_png(img)
    back = Image.open(io.BytesIO(data))
    back.load()  # Pillow checks each chunk's CRC
    assert back.mode == mode and back.size == (w, h)
    assert np.array_equal(np.asarray(back), np.asarray(img))
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)  # libpng, another decoder
    assert decoded is not None and decoded.shape[:2] == (h, w)


def test_without_isal_zlib_writes_the_same_pixels(monkeypatch):
    real_import = builtins.__import__

    def no_isal(name, *args, **kwargs):
        if name.startswith("isal"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_isal)
    img = _image("RGB", 64, 40)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png.encode_png(img)))), np.asarray(img))


def test_other_modes_go_through_pillow():
    img = _image("RGB", 32, 16).convert("P")
    back = Image.open(io.BytesIO(png.encode_png(img)))
    assert back.mode == "P" and np.array_equal(np.asarray(back), np.asarray(img))
