"""GrabCut and the mask surgery around it, shared by pointing (select.py) and following (follow.py)."""
from __future__ import annotations

import cv2
import numpy as np

KEEP_SHARE = 0.25  # parts of the cut this big (against the largest wanted one) are kept without a click
GRABCUT_SEED = 0x5EED


Models = tuple[np.ndarray, np.ndarray]  # GrabCut's background and object colour models


def grabcut(bgr: np.ndarray, mask: np.ndarray, iterations: int) -> Models | None:
    """OpenCV's GrabCut on `mask` (GC_* labels, changed in place) -> its colour models; None when it cannot run.

    Its k-means draws from OpenCV's random generator: seeded here (the calling thread's), so the same
    clicks give the same mask whatever ran before.
    """
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(GRABCUT_SEED)
    try:
        cv2.grabCut(bgr, mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]  # rect None: unused with a mask
    except cv2.error:  # too few pixels of one kind for its colour model: the mask stays as it was
        return None
    return bgd, fgd


def sized(mask: np.ndarray, w: int, h: int) -> np.ndarray:
    """A hard mask brought to (w, h) with smooth edges (bool)."""
    if mask.shape == (h, w):
        return mask.astype(bool)
    return cv2.resize(mask.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_LINEAR) > 127


def keep_parts(fg: np.ndarray, positives: list[tuple[int, int]], largest: bool = False) -> np.ndarray:
    """Keep the parts that hold a positive click, the largest part (when asked, or when no click holds
    one), and parts at least KEEP_SHARE of the largest kept one (a dog's head that a negative click
    between its legs cut from the body); GrabCut's stray specks go."""
    if not fg.any():
        return fg
    n, labels, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8), connectivity=8)
    keep = {labels[py, px] for px, py in positives} - {0}
    if not keep or largest:
        keep |= {1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))}
    areas = stats[:, cv2.CC_STAT_AREA]
    big = KEEP_SHARE * max(areas[k] for k in keep)
    keep |= {k for k in range(1, n) if areas[k] >= big}
    return np.isin(labels, list(keep))


def drop_necks(mask: np.ndarray, r: int) -> np.ndarray:
    """The mask's largest part, less the blobs that hang on its body by a neck thinner than 2r: thin
    parts (legs, a tail) stay, a patch of look-alike fence reached through a tail's tip goes (else
    the follower grows it frame after frame)."""
    mask = keep_parts(mask, [], largest=True)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, k)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if n <= 2:
        return mask
    main = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    others = cv2.dilate(((labels > 0) & (labels != main)).astype(np.uint8), k) > 0
    return keep_parts(mask & ~others, [], largest=True)

