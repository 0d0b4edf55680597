"""The 26 built-in styles (Dumoulin et al.'s conditional instance norm network), blendable."""
from __future__ import annotations

import numpy as np

from ..registry import NUM_PRESETS
from .onnx_session import session


def pad_to(x: np.ndarray, multiple: int) -> tuple[np.ndarray, int, int]:
    """Reflect-pad an (h, w, c) array so both sides are multiples of `multiple`."""
    h, w = x.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        x = np.pad(x, ((0, ph), (0, pw), (0, 0)), mode="reflect")
    return x, h, w


class PresetStylizer:
    """Stylize with one preset or an equal blend of several (indices 1..26)."""

    def __init__(self, indices: list[int]):
        self.weights = np.zeros(NUM_PRESETS, np.float32)
        for i in indices:
            self.weights[i - 1] += 1.0
        self.weights /= self.weights.sum()

    def stylize(self, rgb: np.ndarray, strength: float = 1.0) -> np.ndarray:
        x, h, w = pad_to(rgb.astype(np.float32) * (1.0 / 255.0), 8)
        x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
        out = session("multistyle26").run(None, {"image": x, "style_weights": self.weights})[0][0]
        out = np.clip(out.transpose(1, 2, 0)[:h, :w], 0.0, 1.0)
        if strength < 1.0:  # this network has no style vector to interpolate: blend pixels
            out = strength * out + (1.0 - strength) * (rgb.astype(np.float32) / 255.0)
        return np.ascontiguousarray(out, dtype=np.float32)
