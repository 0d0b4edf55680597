"""The Segmenter protocol: an RGB photo in, a person probability map out."""
from __future__ import annotations

from typing import Protocol

import numpy as np


class Segmenter(Protocol):
    """Anything that maps an (H, W, 3) uint8 photo to an (H, W) float32 probability in [0, 1]."""

    def predict(self, rgb: np.ndarray) -> np.ndarray: ...
