"""Measures on binary masks."""
from __future__ import annotations

import numpy as np


def iou(a: np.ndarray, b: np.ndarray, empty: float = 1.0) -> float:
    """Intersection over union of two boolean masks; `empty` when both are empty."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else empty
