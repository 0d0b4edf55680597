"""Person segmentation: a soft alpha mask from the bundled selfie models, refined along edges."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..cache import LRU, key_of
from ..filters import guided_upsample, luminance, resize_max, window_starts
from .maskfile import load_mask
from .refine import REFINE_METHODS, check_method, refine
from .carve import carve
from .pose import fuse, person_layers
from .selfie import load_model, run_squashed

__all__ = ["Recipe", "RECIPES", "cleanup", "selfie_probability", "finish_probability", "person_alpha", "first_look", "coarse", "refine_alpha", "load_mask", "load_models", "REFINE_METHODS", "check_method", "finish_alpha", "has_person"]

WORK_SIDE = 1024  # segmentation and refinement run at most at this size, then upsample with the photo as guide
TILE_ASPECT = 1.34  # frames longer than this (either way) are also read in overlapping square windows


@dataclass(frozen=True)
class Recipe:
    """Which steps turn the model's output into a mask (for ablations with `evaluate-masks`)."""

    flip: bool = True  # average with the mirrored image
    tiles: bool = True  # square tiles for frames longer than 4:3
    pose: bool = True  # blend in BlazePose's segmentation of each detected person's body crop
    cleanup: bool = True  # drop spurious small blobs, fill pin-holes; every person-sized region stays
    carve: bool = True  # per-person colour models decide the uncertain band (needs pose)


RECIPES = {
    "naive": Recipe(flip=False, tiles=False, pose=False, cleanup=False),
    "flip": Recipe(flip=True, tiles=False, pose=False, cleanup=False),
    "tiles": Recipe(flip=True, tiles=True, pose=False, cleanup=False),
    "pose": Recipe(flip=True, tiles=True, pose=True, cleanup=False, carve=False),
    "cleanup": Recipe(carve=False),
    "default": Recipe(),
}


def _tta(model, rgb: np.ndarray, flip: bool = True) -> np.ndarray:
    """Model prediction, averaged with the mirrored image's when flip is set."""
    p = run_squashed(model, rgb)
    return 0.5 * (p + run_squashed(model, rgb, flip=True)) if flip else p


def _tiled(model, rgb: np.ndarray, flip: bool = True) -> np.ndarray:
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
    for y in window_starts(h, win_h):
        for x in window_starts(w, win_w):
            acc[y:y + win_h, x:x + win_w] += _tta(model, rgb[y:y + win_h, x:x + win_w], flip) * feather
            weight[y:y + win_h, x:x + win_w] += feather
    return acc / weight


def cleanup(prob: np.ndarray) -> np.ndarray:
    """Remove blobs much smaller than the largest person region and fill pin-holes.

    A blob is kept if it is at least 4 % of the largest one's area (a second, distant person is
    kept; a shadow patch or a reflection is not). Holes under 0.05 % of the frame are filled.
    """
    sure = (prob > 0.5).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sure, connectivity=8)
    if n <= 1:
        return prob
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= 0.04 * areas.max()
    kept = keep[labels].astype(np.uint8)
    # soft edges around kept blobs survive: suppress only what lies well away from them
    near = cv2.dilate(kept, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))).astype(np.float32)
    out = prob * near
    holes = (1 - sure).astype(np.uint8)
    hn, hl, hs, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    h, w = prob.shape
    for i in range(1, hn):
        x, y, bw, bh, area = hs[i]
        touches_border = x == 0 or y == 0 or x + bw == w or y + bh == h
        if not touches_border and area < 0.0005 * h * w:
            out[hl == i] = np.maximum(out[hl == i], 0.75)
    return out


def selfie_probability(rgb: np.ndarray, recipe: Recipe = Recipe()) -> np.ndarray:
    """The selfie model's person probability (H, W) for an RGB uint8 image (at work resolution).

    Near-square frames: the general model on the whole frame, mirrored. Tall frames (full body):
    that, averaged with square tiles. Wide frames: square tiles only - measured on the eval set and
    on a person at the edge of a panorama, the landscape model's whole-frame view lost that person
    and did not help elsewhere (see README, "Masks").
    """
    h, w = rgb.shape[:2]
    general = load_model("selfie_general")
    if not recipe.tiles or max(h, w) / min(h, w) <= TILE_ASPECT:
        return _tta(general, rgb, recipe.flip)
    tiles = _tiled(general, rgb, recipe.flip)
    return tiles if w > h else 0.5 * (_tta(general, rgb, recipe.flip) + tiles)


def finish_probability(rgb: np.ndarray, selfie: np.ndarray, recipe: Recipe = Recipe()) -> np.ndarray:
    """The selfie probability with each person's body-crop segmentation blended in, cleaned up, carved."""
    layers = person_layers(rgb) if recipe.pose else []
    prob = fuse(selfie, layers)
    if recipe.cleanup:
        prob = cleanup(prob)
    return carve(rgb, prob, layers) if recipe.carve else prob


def load_models(recipe: Recipe = Recipe()) -> None:
    """Load the recipe's models now (so a timing or a first request does not pay for it)."""
    load_model("selfie_general")
    if recipe.pose:
        load_model("pose_detection")
        load_model("pose_landmark")


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


_coarse_cache = LRU(192 * 1024 * 1024)


def _cached(key: str, compute) -> np.ndarray:
    hit = _coarse_cache.get(key)
    if hit is None:
        hit = compute()
        hit.setflags(write=False)  # shared between requests
        _coarse_cache.put(key, hit)
    return hit


def first_look(rgb: np.ndarray, recipe: Recipe = Recipe()) -> tuple[np.ndarray, np.ndarray, str]:
    """(work-resolution photo, the selfie model's probability, content key): ~25 ms.

    Where the person roughly is, e.g. to fill them out of a style network's input while the body
    crops and the refinement run alongside the network.
    """
    work = resize_max(rgb, WORK_SIDE)
    key = key_of(work, recipe)
    return work, _cached(key + "|selfie", lambda: selfie_probability(work, recipe)), key


def coarse(rgb: np.ndarray, recipe: Recipe = Recipe(), look: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(work-resolution photo, coarse person probability on it): segmentation before refinement.

    Cached by the photo's content, so a server asked for the mask and then the stylized photo
    (or the same photo in several styles) runs the models once. `look` is first_look's result
    when the caller already has it.
    """
    work, selfie, key = look or first_look(rgb, recipe)
    return work, _cached(key, lambda: finish_probability(work, selfie, recipe))


def person_alpha(rgb: np.ndarray, refine_method: str = "guided", recipe: Recipe = Recipe()) -> np.ndarray:
    """Refined soft person alpha (H, W) float32 in [0, 1] at the photo's full size."""
    check_method(refine_method)  # before the model runs
    return refine_alpha(rgb, *coarse(rgb, recipe), refine_method)
