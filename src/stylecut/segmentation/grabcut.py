"""Per-person colour models (GrabCut) decide the uncertain band around each detected body.

The networks see each person at 256x256, so the background between an arm and the torso, between
the legs, or under a bag comes out as a smooth "maybe". GrabCut learns the person's and the
surroundings' colours from the pixels the networks are sure of (one Gaussian mixture each, per
person, inside that person's body crop) and cuts the uncertain band along colour edges.
"""
from __future__ import annotations

import cv2
import numpy as np

from .pose import PersonLayer

SURE_BG, SURE_FG = 0.2, 0.8  # outside this band the networks' verdict is kept as is
SIDE = 320  # each crop is cut at most this size (GrabCut's cost grows with the pixels)
ITERATIONS = 3
MIX = 0.5  # the cut's verdict, averaged with the probability (keeps a soft edge for refinement)


def _cut(rgb: np.ndarray, prob: np.ndarray) -> np.ndarray | None:
    """GrabCut's foreground (float 0/1, at this size) of one crop, or None without sure pixels of both kinds."""
    h, w = prob.shape
    s = min(1.0, SIDE / max(h, w))
    size = (max(8, round(w * s)), max(8, round(h * s)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    p = cv2.resize(prob, size, interpolation=cv2.INTER_AREA)
    mask = np.full(p.shape, cv2.GC_PR_BGD, np.uint8)
    mask[p > 0.5] = cv2.GC_PR_FGD
    mask[p > SURE_FG] = cv2.GC_FGD
    mask[p < SURE_BG] = cv2.GC_BGD
    if not (mask == cv2.GC_FGD).any() or not (mask == cv2.GC_BGD).any():
        return None
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float32)
    return cv2.resize(fg, (w, h), interpolation=cv2.INTER_LINEAR)


def carve(rgb: np.ndarray, prob: np.ndarray, layers: list[PersonLayer]) -> np.ndarray:
    """prob with each person's uncertain band decided by a GrabCut inside that person's crop box.

    Where crops overlap, a pixel is person if any person's cut says so. Outside every crop (and
    in close-ups, which get no crop) prob is returned unchanged.
    """
    if not layers:
        return prob
    cut = np.zeros_like(prob)
    seen = np.zeros(prob.shape, bool)
    for layer in layers:
        x0, y0, x1, y1 = layer.box
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        fg = _cut(rgb[y0:y1, x0:x1], prob[y0:y1, x0:x1])
        if fg is not None:
            np.maximum(cut[y0:y1, x0:x1], fg, out=cut[y0:y1, x0:x1])
            seen[y0:y1, x0:x1] = True
    return np.where(seen, MIX * cut + (1.0 - MIX) * prob, prob).astype(np.float32)
