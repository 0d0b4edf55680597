"""Arbitrary style transfer (Magenta, Ghiasi et al. 2017): any painting as the style."""
from __future__ import annotations

import cv2
import numpy as np

from stylecut.core.registry import register_engine
from stylecut.runtime.caches import LRU, key_of
from stylecut.runtime.onnx_session import session
from stylecut.style.presets import pad_to
from stylecut.style.spec import StyleSpec

PREDICT_SIDE = 256


def _center_square(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return cv2.resize(rgb[y:y + s, x:x + s], (side, side), interpolation=cv2.INTER_AREA)


def style_vector(rgb: np.ndarray, cache: LRU | None = None) -> np.ndarray:
    """The 100-float style embedding of an image (kept in `cache` by content when one is given)."""
    key = key_of(rgb) if cache is not None else ""
    vec = cache.get(key) if key else None
    if vec is None:
        x = _center_square(rgb, PREDICT_SIDE).astype(np.float32)[None] * (1.0 / 255.0)
        sess = session("arbitrary_predict")
        vec = sess.run(None, {sess.get_inputs()[0].name: x})[0].astype(np.float32)
        if key:
            cache.put(key, vec)
    return vec


@register_engine("arbitrary", family="fast", models=("arbitrary_predict", "arbitrary_transform"),
                 about="any painting as the style (Magenta); strength interpolates style vectors")
class ArbitraryEngine:
    """Stylize with the style of any image; strength interpolates style vectors (as Magenta does)."""

    joint = False

    @staticmethod
    def accepts(spec: StyleSpec) -> bool:
        return spec.image is not None

    def prepare(self, spec: StyleSpec, cache: LRU | None = None) -> None:
        session("arbitrary_transform")
        style_vector(spec.image, cache)

    def stylize(self, rgb: np.ndarray, spec: StyleSpec, strength: float = 1.0, cache: LRU | None = None) -> np.ndarray:
        vec = style_vector(spec.image, cache)
        if strength < 1.0:
            vec = strength * vec + (1.0 - strength) * style_vector(rgb, cache)
        x, h, w = pad_to(rgb.astype(np.float32) * (1.0 / 255.0), 8)
        sess = session("arbitrary_transform")
        names = [i.name for i in sess.get_inputs()]
        out = sess.run(None, {names[0]: x[None], names[1]: vec})[0][0][:h, :w]
        return np.ascontiguousarray(np.clip(out, 0.0, 1.0), dtype=np.float32)
