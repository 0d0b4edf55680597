"""Person segmentation: a soft alpha mask from the bundled selfie models, refined along edges."""
from __future__ import annotations

import cv2
import numpy as np

from ..filters import guided_upsample, luminance, resize_max
from .maskfile import load_mask
from .refine import REFINE_METHODS, refine
from .selfie import load_model, pick_model, run_squashed

__all__ = ["person_probability", "person_alpha", "load_mask", "REFINE_METHODS", "finish_alpha", "has_person"]

WORK_SIDE = 1024  # segmentation and refinement run at most at this size, then upsample with the photo as guide
ZOOM_MARGIN = 0.15


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _tta(rgb: np.ndarray) -> np.ndarray:
    """Model prediction averaged over the image and its mirror."""
    model = pick_model(rgb.shape[1], rgb.shape[0])
    return 0.5 * (run_squashed(model, rgb) + run_squashed(model, rgb, flip=True))


def person_probability(rgb: np.ndarray) -> np.ndarray:
    """Coarse person probability (H, W) for an RGB uint8 image of any size (work resolution)."""
    prob = _tta(rgb)
    h, w = prob.shape
    box = _bbox(prob > 0.5)
    if box is not None:
        x0, y0, x1, y1 = box
        mx, my = ZOOM_MARGIN * (x1 - x0), ZOOM_MARGIN * (y1 - y0)
        x0, y0 = max(0, int(x0 - mx)), max(0, int(y0 - my))
        x1, y1 = min(w, int(x1 + mx)), min(h, int(y1 + my))
        if (x1 - x0) * (y1 - y0) < 0.6 * h * w:  # person is small: look again, closer
            zoom = np.zeros_like(prob)
            zoom[y0:y1, x0:x1] = _tta(rgb[y0:y1, x0:x1])
            prob = zoom
    return prob


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


def person_alpha(rgb: np.ndarray, refine_method: str = "guided") -> np.ndarray:
    """Refined soft person alpha (H, W) float32 in [0, 1] at the photo's full size."""
    if refine_method not in REFINE_METHODS:
        refine(rgb[:1, :1], np.zeros((1, 1), np.float32), refine_method)  # raises the clear error
    work = resize_max(rgb, WORK_SIDE)
    prob = person_probability(work)
    alpha = refine(work, prob, refine_method)
    if work.shape != rgb.shape:
        alpha = guided_upsample(luminance(work), alpha.astype(np.float32), luminance(rgb), r=1, eps=1e-4)
    return np.clip(alpha, 0.0, 1.0)
