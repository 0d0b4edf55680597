"""The Stylizer protocol and style specifications."""
from __future__ import annotations

from typing import Protocol

import numpy as np


class Stylizer(Protocol):
    """Maps an (h, w, 3) uint8 photo to an (h, w, 3) float32 stylized image in [0, 1]."""

    def stylize(self, rgb: np.ndarray, strength: float = 1.0) -> np.ndarray: ...
