"""Person segmentation: a soft alpha mask from the bundled selfie models, refined along edges."""
from __future__ import annotations

import cv2
import numpy as np

from ..filters import guided_upsample, luminance, resize_max
from .maskfile import load_mask
from .refine import REFINE_METHODS, refine
from .selfie import load_model, run_squashed

__all__ = ["person_probability", "person_alpha", "coarse", "refine_alpha", "load_mask", "REFINE_METHODS", "finish_alpha", "has_person"]

WORK_SIDE = 1024  # segmentation and refinement run at most at this size, then upsample with the photo as guide
TILE_ASPECT = 1.34  # frames longer than this (either way) are also read in overlapping square windows


def _tta(model, rgb: np.ndarray) -> np.ndarray:
    """Model prediction averaged over the image and its mirror."""
    return 0.5 * (run_squashed(model, rgb) + run_squashed(model, rgb, flip=True))


def _starts(n: int, win: int, overlap: float = 0.5) -> list[int]:
    """Window offsets covering [0, n) with at least `overlap` between neighbours."""
    if win >= n:
        return [0]
    k = int(np.ceil((n - win) / (win * (1.0 - overlap)))) + 1
    return [round(i * (n - win) / (k - 1)) for i in range(k)]


def _tiled(model, rgb: np.ndarray) -> np.ndarray:
    """Square windows along the long side, feathered (Hann) and averaged.

    A small person in a wide or tall frame gets several times more model pixels, and a
    person at the edge of a panorama is no longer squashed out of existence.
    """
    h, w = rgb.shape[:2]
    side = min(h, w)
    win_h, win_w = (h, side) if w > h else (side, w)
    feather = np.outer(np.hanning(win_h + 2)[1:-1] + 0.05, np.hanning(win_w + 2)[1:-1] + 0.05).astype(np.float32)
    acc = np.zeros((h, w), np.float32)
    weight = np.zeros((h, w), np.float32)
    for y in _starts(h, win_h):
        for x in _starts(w, win_w):
            acc[y:y + win_h, x:x + win_w] += _tta(model, rgb[y:y + win_h, x:x + win_w]) * feather
            weight[y:y + win_h, x:x + win_w] += feather
    return acc / weight


def person_probability(rgb: np.ndarray) -> np.ndarray:
    """Coarse person probability (H, W) for an RGB uint8 image (run at work resolution).

    Near-square frames: the general model on the whole frame, mirrored. Tall frames (full body):
    that, averaged with square tiles. Wide frames: square tiles only - measured on the eval set and
    on a person at the edge of a panorama, the landscape model's whole-frame view lost that person
    and did not help elsewhere (see README, "Masks").
    """
    h, w = rgb.shape[:2]
    general = load_model("selfie_general")
    if max(h, w) / min(h, w) <= TILE_ASPECT:
        return _tta(general, rgb)
    tiles = _tiled(general, rgb)
    return tiles if w > h else 0.5 * (_tta(general, rgb) + tiles)


SNAP = 0.02


def finish_alpha(alpha: np.ndarray) -> np.ndarray:
    """Snap near-certain values: >= 0.98 becomes exactly 1 (pixel kept), <= 0.02 exactly 0."""
    alpha = np.clip(alpha, 0.0, 1.0).astype(np.float32)
    alpha[alpha >= 1.0 - SNAP] = 1.0
    alpha[alpha <= SNAP] = 0.0
    return alpha


def has_person(alpha: np.ndarray) -> bool:
    """True if the mask holds a person-sized confident region (≥ 0.2 % of the frame)."""
    return float((alpha > 0.5).mean()) >= 0.002


def refine_alpha(rgb: np.ndarray, work: np.ndarray, prob: np.ndarray, refine_method: str = "guided") -> np.ndarray:
    """Refine a work-resolution probability along the photo's edges and bring it to full size."""
    alpha = refine(work, prob, refine_method)
    if work.shape != rgb.shape:
        alpha = guided_upsample(luminance(work), alpha.astype(np.float32), luminance(rgb), r=1, eps=1e-4)
    return np.clip(alpha, 0.0, 1.0)


def coarse(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(work-resolution photo, coarse person probability on it): the fast first half of segmentation."""
    work = resize_max(rgb, WORK_SIDE)
    return work, person_probability(work)


def person_alpha(rgb: np.ndarray, refine_method: str = "guided") -> np.ndarray:
    """Refined soft person alpha (H, W) float32 in [0, 1] at the photo's full size."""
    if refine_method not in REFINE_METHODS:
        refine(rgb[:1, :1], np.zeros((1, 1), np.float32), refine_method)  # raises the clear error
    return refine_alpha(rgb, *coarse(rgb), refine_method)
