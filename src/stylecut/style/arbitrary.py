"""Arbitrary style transfer (Magenta, Ghiasi et al. 2017): any painting as the style."""
from __future__ import annotations

import cv2
import numpy as np

from ..cache import LRU, key_of
from .onnx_session import session
from .presets import pad_to

PREDICT_SIDE = 256
_vectors = LRU(1024 * 1024)  # 100 floats each: thousands of styles

def _center_square(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return cv2.resize(rgb[y:y + s, x:x + s], (side, side), interpolation=cv2.INTER_AREA)


def style_vector(rgb: np.ndarray) -> np.ndarray:
    """The 100-float style embedding of an image (cached by content)."""
    key = key_of(rgb)
    vec = _vectors.get(key)
    if vec is None:
        x = _center_square(rgb, PREDICT_SIDE).astype(np.float32)[None] * (1.0 / 255.0)
        sess = session("arbitrary_predict")
        vec = sess.run(None, {sess.get_inputs()[0].name: x})[0].astype(np.float32)
        _vectors.put(key, vec)
    return vec


class ArbitraryStylizer:
    """Stylize with the style of any image; strength interpolates style vectors (as Magenta does)."""

    def __init__(self, style_rgb: np.ndarray):
        self.style_rgb = style_rgb

    def stylize(self, rgb: np.ndarray, strength: float = 1.0) -> np.ndarray:
        vec = style_vector(self.style_rgb)
        if strength < 1.0:
            vec = strength * vec + (1.0 - strength) * style_vector(rgb)
        x, h, w = pad_to(rgb.astype(np.float32) * (1.0 / 255.0), 8)
        sess = session("arbitrary_transform")
        names = [i.name for i in sess.get_inputs()]
        out = sess.run(None, {names[0]: x[None], names[1]: vec})[0][0][:h, :w]
        return np.ascontiguousarray(np.clip(out, 0.0, 1.0), dtype=np.float32)
