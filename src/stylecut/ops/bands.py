"""Full-size images made a band of rows at a time: small temporaries that stay in cache and are reused.

A full-size step written as whole-image operations allocates a fresh 20-40 MB array per operation
(at 1600x1000); in a fresh process each of their pages is zeroed by the kernel on first touch, which
was a third of a whole `stylize` command's CPU (docs/speed.md). Made in bands, the same arithmetic
touches a few MB, and the bands can run on several threads.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

BAND_ROWS = 64  # rows per band: a 1600 px wide float RGB band is 1.2 MB, within a core's L2 cache

Rows = Callable[[int, int], np.ndarray]  # rows y0:y1 of a full-size image


def in_bands(height: int, fn: Callable[[int, int], None], threads: int = 1) -> None:
    """fn(y0, y1) over bands of rows covering [0, height), on `threads` threads."""
    starts = list(range(0, height, BAND_ROWS))

    def one(y0: int) -> None:
        fn(y0, min(y0 + BAND_ROWS, height))

    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(starts)), thread_name_prefix="stylecut-band") as ex:
            list(ex.map(one, starts))
    else:
        for y0 in starts:
            one(y0)


def sliced(img: np.ndarray) -> Rows:
    """A whole image already made, as Rows."""
    return lambda y0, y1: img[y0:y1]


def assemble(rows: Rows, shape: tuple[int, ...], threads: int = 1) -> np.ndarray:
    """The float32 image of this shape that a Rows function describes, made band by band (for the steps
    that need all of it at once)."""
    out = np.empty(shape, np.float32)

    def put(y0: int, y1: int) -> None:
        out[y0:y1] = rows(y0, y1)

    in_bands(shape[0], put, threads)
    return out


class RowResize:
    """cv2.resize's bilinear resize of an image to (width, height), made a band of rows at a time.

    The same source rows and weights as OpenCV's (pixel centres aligned, edges replicated): the
    horizontal pass is OpenCV's own on the band's source rows, the vertical one is written here;
    values equal OpenCV's whole-image resize up to float rounding (the order of a multiply-add).
    """

    def __init__(self, src_height: int, height: int, width: int):
        self.height, self.width = height, width
        scale = 1.0 / (height / src_height)  # as OpenCV computes it
        f = ((np.arange(height) + 0.5) * scale - 0.5).astype(np.float32)
        low = np.floor(f).astype(np.int64)
        weight = f - low
        top, bottom = low < 0, low >= src_height - 1
        low[top], weight[top] = 0, 0.0
        low[bottom], weight[bottom] = src_height - 1, 0.0
        self.low, self.high = low, np.minimum(low + 1, src_height - 1)
        self.weight = weight.astype(np.float32)

    def rows(self, img: np.ndarray, y0: int, y1: int) -> np.ndarray:
        """Rows y0:y1 of cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR), float32."""
        if y0 == 0 and y1 == self.height:  # the whole image: OpenCV's own resize
            return cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        low, high = self.low[y0:y1], self.high[y0:y1]
        r0, r1 = int(low[0]), int(high[-1]) + 1
        wide = cv2.resize(img[r0:r1], (self.width, r1 - r0), interpolation=cv2.INTER_LINEAR)
        if wide.ndim < img.ndim:  # OpenCV drops a lone channel
            wide = wide[..., None]
        shape = (-1,) + (1,) * (wide.ndim - 1)
        w = self.weight[y0:y1].reshape(shape)
        out = wide[low - r0] * (np.float32(1.0) - w)
        out += wide[high - r0] * w
        return out
