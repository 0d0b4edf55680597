"""The person segmenter: selfie model, BlazePose body crops, cleanup, colour models, edge refinement.

Each step can be switched off with a Recipe, for the ablation rows of `stylecut evaluate-masks`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from stylecut.core.registry import register_segmenter
from stylecut.ops.filters import guided_upsample_photo, resize_max
from stylecut.ops.layers import has_person, snap
from stylecut.runtime.caches import LRU, key_of
from stylecut.runtime.litert import load_model
from stylecut.segmentation.base import Look
from stylecut.segmentation.color_models import carve
from stylecut.segmentation.pose import MIN_PRESENCE, BodyTracker, People, PersonLayer, fuse
from stylecut.segmentation.refine import check_method, refine
from stylecut.segmentation.selfie import selfie_probability

SURE, CORE_SHARE = 0.9, 0.35  # a real person: >= 35 % of their region is >= 0.9 sure (see PersonSegmenter.found)
PERSON_SIDE = 1024  # segmentation and refinement run at most at this size, then upsample with the photo as guide


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
    "video": Recipe(flip=False),  # a clip's segmenter: the temporal filter averages frames instead
}


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
    x, y, bw, bh, area = hs.T
    pin = ~((x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)) & (area < 0.0005 * h * w)
    pin[0] = False  # label 0: the person itself
    if pin.any():
        fill = pin[hl]
        out[fill] = np.maximum(out[fill], 0.75)
    return out


def finish_probability(rgb: np.ndarray, selfie: np.ndarray, recipe: Recipe = Recipe(),
                       layers: list[PersonLayer] | None = None, people: People | None = None) -> np.ndarray:
    """The selfie probability with each person's body-crop segmentation blended in, cleaned up, carved.

    layers: the body crops when the caller has them (a clip's tracker), else they are detected (in
    `people`, the photo's shared pose view, when given)."""
    if layers is None:
        layers = (people or People(rgb)).layers() if recipe.pose else []
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


def refine_alpha(rgb: np.ndarray, work: np.ndarray, prob: np.ndarray, refine_method: str = "guided") -> np.ndarray:
    """Refine a work-resolution probability along the photo's edges and bring it to full size."""
    alpha = refine(work, prob, refine_method)
    if work.shape == rgb.shape:
        return np.clip(alpha, 0.0, 1.0)
    alpha = guided_upsample_photo(work, alpha.astype(np.float32), rgb, r=1, eps=1e-4)
    return np.clip(alpha, 0.0, 1.0, out=alpha)  # a new array: clipped where it is


def first_look(
    rgb: np.ndarray, recipe: Recipe = Recipe(), cache: LRU | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """(work-resolution photo, the selfie model's probability, content key): ~25 ms.

    Where the person roughly is, e.g. to fill them out of a style network's input while the body
    crops and the refinement run alongside the network.
    """
    work = resize_max(rgb, PERSON_SIDE)
    key = key_of(work, recipe) if cache is not None and cache.max_bytes else ""
    selfie = _cached(cache, key and key + "|selfie", lambda: selfie_probability(work, recipe.tiles, recipe.flip))
    return work, selfie, key


def coarse(rgb: np.ndarray, recipe: Recipe = Recipe(), look: tuple | None = None,
           cache: LRU | None = None, layers: list[PersonLayer] | None = None,
           people: People | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(work-resolution photo, coarse person probability on it): segmentation before refinement.

    With a cache, results are kept by the photo's content, so a server asked for the mask and then
    the stylized photo (or the same photo in several styles) runs the models once. `look` is
    first_look's result when the caller already has it.
    """
    work, selfie, key = look or first_look(rgb, recipe, cache)
    return work, _cached(cache, key, lambda: finish_probability(work, selfie, recipe, layers, people))


def _cached(cache: LRU | None, key: str, compute) -> np.ndarray:
    if not key:
        return compute()
    hit = cache.get(key)
    if hit is None:
        hit = compute()
        hit.setflags(write=False)  # shared between requests
        cache.put(key, hit)
    return hit


@register_segmenter("person", models=("selfie_general", "pose_detection", "pose_landmark"),
                    about="people: MediaPipe selfie model, BlazePose body crops, colour models, edge refinement")
class PersonSegmenter:
    """Every person in the photo: the default segmenter."""

    def __init__(self, recipe: Recipe = Recipe(), cache: LRU | None = None, tracker: BodyTracker | None = None):
        self.recipe, self.cache, self.tracker = recipe, cache, tracker

    @staticmethod
    def accepts(mask: object) -> bool:
        """Chosen when the user gave no mask and no selection."""
        return mask is None

    @classmethod
    def for_request(cls, mask: object, cache: LRU | None = None, **kwargs: Any) -> PersonSegmenter:
        return cls(cache=cache, **kwargs)

    def prepare(self) -> None:
        load_models(self.recipe)

    def for_clip(self, first_index: int = 0) -> PersonSegmenter:
        """For the frames of one clip, in order: the video recipe, the people tracked (BodyTracker).

        No cache (frames do not repeat). look() then also runs the body crops, so the tracker's
        state advances in frame order even when several frames are in flight.
        """
        tracker = BodyTracker(first_index=first_index) if self.recipe.pose else None
        return PersonSegmenter(RECIPES["video"] if self.recipe == Recipe() else self.recipe, None, tracker)

    def look(self, rgb: np.ndarray) -> Look:
        look = first_look(rgb, self.recipe, self.cache)
        if self.tracker is not None:
            return Look(guide=look[1], data=(look, self.tracker.layers(look[0]), None))
        return Look(guide=look[1], data=(look, None, People(look[0])))  # shared by alpha() and found()

    def found(self, alpha: np.ndarray, look: Look) -> bool:
        """Is there a person? A person-sized region, and the pose model sees a person in the photo.

        The selfie model alone took bears, birds and cows for people (15 of 21 animal photos) and
        refused riders; the landmark model's presence refused 3 of 33 people and accepted 5 of 21
        animals (docs/masks.md). A clip's frames keep the quicker selfie rule (its core is >= SURE
        in CORE_SHARE of the largest region): a clip needs a person in any frame, at no cost per frame.
        """
        if not has_person(alpha):
            return False
        if self.tracker is None:
            return look.data[2].presence() >= MIN_PRESENCE
        return selfie_sure(alpha, look.guide)

    def alpha(self, rgb: np.ndarray, look: Look | None = None, refine_method: str = "guided") -> np.ndarray:
        check_method(refine_method)  # before the model runs
        first, layers, people = (None, None, None) if look is None else look.data
        work_prob = coarse(rgb, self.recipe, first, self.cache, layers, people)
        key = first[2] if first is not None else ""  # the page's mask, then its clicks: refined once
        key = key and f"{key}|alpha|{refine_method}|{rgb.shape[1]}x{rgb.shape[0]}"
        alpha = _cached(self.cache, key, lambda: snap(refine_alpha(rgb, *work_prob, refine_method), in_place=True))
        return alpha.copy() if key else alpha  # a cached mask is shared: the caller gets its own


def selfie_sure(alpha: np.ndarray, guide: np.ndarray) -> bool:
    """The selfie model is sure of the core of the mask's largest region (>= SURE in CORE_SHARE of it).

    Paintings and textures draw lukewarm "people" (The Starry Night: 20 % of the frame): the share
    is 0.00-0.30 on seven people-free paintings and 0.43-0.97 on 19 photos of people."""
    region = cv2.resize(alpha, (guide.shape[1], guide.shape[0]), interpolation=cv2.INTER_AREA) > 0.5
    n, labels, stats, _ = cv2.connectedComponentsWithStats(region.astype(np.uint8), connectivity=8)
    if n <= 1:
        return False
    largest = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return float((guide[largest] > SURE).mean()) >= CORE_SHARE


def person_alpha(rgb: np.ndarray, refine_method: str = "guided", recipe: Recipe = Recipe()) -> np.ndarray:
    """Refined soft person alpha (H, W) float32 in [0, 1] at the photo's full size (for ablations)."""
    seg = PersonSegmenter(recipe)
    return seg.alpha(rgb, seg.look(rgb), refine_method)
