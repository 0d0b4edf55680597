"""A fast PNG writer for 8-bit L, LA, RGB and RGBA images: same pixels as Pillow's, ~8x sooner.

Pillow at compress_level=1 spent ~105 ms on a 1600x1000 photo, a quarter of a warm photo's time:
its per-row adaptive filter choice and zlib. Here every row uses PNG's "Up" filter (one numpy
subtraction) and the deflate is ISA-L's (the `isal` package, PSF-2.0; ISA-L BSD-3-Clause) at
level 1, ~13 ms for the same photo, files ~10 % smaller than Pillow's; without isal, zlib's.
"""
from __future__ import annotations

import struct
import zlib
from typing import Any

import numpy as np
from PIL import Image

COLOUR_TYPES = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}  # PNG colour type per Pillow mode, 8 bits a sample
UP = 2  # PNG filter type: each byte minus the byte above it
ROWS_PER_BLOCK = 256  # rows filtered and compressed at a time: memory stays bounded on 8K images
LEVEL = 1  # the fastest deflate level: a PNG's size matters less here than the seconds to write it


def _compressor() -> Any:
    try:
        from isal import isal_zlib

        return isal_zlib.compressobj(LEVEL)
    except ImportError:  # the optional fast path: stdlib zlib gives the same PNG, ~4x slower
        return zlib.compressobj(LEVEL)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(img: Image.Image) -> bytes:
    """The image as PNG bytes (modes L, LA, RGB, RGBA; Pillow writes any other mode)."""
    if img.mode not in COLOUR_TYPES:
        import io

        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=LEVEL)
        return buf.getvalue()
    w, h = img.size
    rows = np.asarray(img).reshape(h, -1)
    deflate = _compressor()
    parts = []
    for y in range(0, h, ROWS_PER_BLOCK):
        block = rows[y:y + ROWS_PER_BLOCK]
        above = rows[y - 1:y + len(block) - 1] if y else np.vstack([np.zeros_like(rows[:1]), block[:-1]])
        filtered = np.empty((len(block), rows.shape[1] + 1), np.uint8)
        filtered[:, 0] = UP
        np.subtract(block, above, out=filtered[:, 1:])  # wraps modulo 256, as PNG's filter does
        parts.append(deflate.compress(filtered.tobytes()))
    parts.append(deflate.flush())
    header = struct.pack(">IIBBBBB", w, h, 8, COLOUR_TYPES[img.mode], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")
