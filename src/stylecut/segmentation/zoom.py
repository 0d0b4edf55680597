"""Zooming in on a small subject: where a selection from scratch is cut, and the mask carried between views.

The selection works at CUT_SIDE px on the whole photo, where a subject of 1 % of the photo is a few
feature cells and its click discs cover it: clicks then add little more than their discs. As
interactive segmentation methods do (RITM's zoom-in), a small subject is cut again in a crop around
it, brought to CUT_SIDE, with as much context around it as the subject's own size.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from stylecut.core.selection import Selection
from stylecut.segmentation.graph_cut import sized

CONTEXT = 1.0  # the crop holds the subject's box and its size again on every side: background to learn from
ZOOM_MIN = 2.0  # zoom only where it at least doubles the subject's pixels: for less, the photo's context weighs more
ZOOM_MAX = 4.0  # and at most this much: past it the crop is upscaled blur, whose features say little

Crop = tuple[int, int, int, int]  # x0, y0, x1, y1 in photo pixels
View = tuple  # (crop or None for the whole photo, index of the first click cut in it)
MEMO = 64  # masks of recent click prefixes kept per photo (packed bits: ~1.5 MB each at 12 MP)


def crop_for(mask: np.ndarray, positives: list[tuple[float, float]], current: Crop | None) -> Crop | None:
    """The view for the next click: `current` while it holds every positive click, else a crop around
    the mask and the positive clicks when that subject is small enough to gain, else None (the photo)."""
    if current is not None and all(inside(current, x, y) for x, y in positives) and not touches(mask, current):
        return current  # a zoom ends where the user or the cut says the subject reaches beyond it
    h, w = mask.shape
    x, y, bw, bh = cv2.boundingRect(mask.astype(np.uint8))
    xs: list[float] = [x, x + bw - 1] if bw else []
    ys: list[float] = [y, y + bh - 1] if bh else []
    xs += [px for px, _ in positives]
    ys += [py for _, py in positives]
    if not xs:
        return None
    long = max(h, w)
    subject = max(max(xs) - min(xs), max(ys) - min(ys)) + 1
    side = max((1 + 2 * CONTEXT) * subject, long / ZOOM_MAX)
    if side > long / ZOOM_MIN:
        return None
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    (x0, x1), (y0, y1) = _span(cx, side, w), _span(cy, side, h)
    return x0, y0, x1, y1


def _span(centre: float, side: float, size: int) -> tuple[int, int]:
    """[lo, hi) of length `side` around `centre`, shifted to lie inside [0, size)."""
    side = min(size, int(round(side)))
    lo = int(round(centre - side / 2))
    lo = min(max(0, lo), size - side)
    return lo, lo + side


def touches(mask: np.ndarray, crop: Crop) -> bool:
    """Whether the mask reaches a side of the crop that is not the photo's own edge (the subject goes on)."""
    x0, y0, x1, y1 = crop
    h, w = mask.shape
    sides = [mask[y0, x0:x1] if y0 > 0 else None, mask[y1 - 1, x0:x1] if y1 < h else None,
             mask[y0:y1, x0] if x0 > 0 else None, mask[y0:y1, x1 - 1] if x1 < w else None]
    return any(side is not None and side.any() for side in sides)


def inside(crop: Crop, x: float, y: float) -> bool:
    x0, y0, x1, y1 = crop
    return x0 <= x < x1 and y0 <= y < y1


def view_of(rgb: np.ndarray, crop: Crop, side: int) -> np.ndarray:
    """The crop brought to `side` px on its long side (upscaled when smaller)."""
    x0, y0, x1, y1 = crop
    part = rgb[y0:y1, x0:x1]
    f = side / max(part.shape[:2])
    size = (max(1, round(part.shape[1] * f)), max(1, round(part.shape[0] * f)))
    return cv2.resize(part, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)


def clicks_in(clicks, crop: Crop, view_shape: tuple[int, ...]) -> tuple:
    """The clicks inside the crop, in the view's pixels (those outside it are background there anyway)."""
    x0, y0, x1, y1 = crop
    fx, fy = view_shape[1] / (x1 - x0), view_shape[0] / (y1 - y0)
    return tuple(((x - x0) * fx, (y - y0) * fy, p) for x, y, p in clicks if inside(crop, x, y))


def from_scratch(rgb: np.ndarray, clicks: tuple, selector: Any, side: int) -> np.ndarray:
    """Clicks with no box and no person mask: cut in the whole photo or, around a small subject, in a
    zoomed view (zoom.py). A change of view carries the mask so far into the new one: the clicks
    before it are kept as seeds, not cut again (a fresh cut in the new view lost what they had made)."""
    if len(selector.zooms) > MEMO:
        selector.zooms.clear()
    # the prefixes are remembered together from the first click on (cleared all at once): resume after
    # the longest one, whose mask alone is unpacked
    done = next((k for k in range(len(clicks), 0, -1) if clicks[:k] in selector.zooms), 0)
    view: View = selector.zooms[clicks[:done]][0] if done else (None, 0)
    mask = _unpacked(selector.zooms[clicks[:done]][1], rgb.shape[:2]) if done else np.zeros(rgb.shape[:2], bool)
    for k in range(done + 1, len(clicks) + 1):
        prefix = clicks[:k]
        before, mask = mask, _in_view(rgb, prefix, view, selector, side)
        crop = view[0]
        if crop is not None or _stuck(prefix, before, mask, selector):
            new = crop_for(mask, [(x, y) for x, y, p in prefix if p], crop)
            if new != crop:
                view, mask = _moved(rgb, prefix, view, (new, k - 1), mask, selector, side)
        selector.zooms[prefix] = (view, np.packbits(mask))
    return mask


def _moved(rgb: np.ndarray, clicks: tuple, view: View, new: View, mask: np.ndarray,
           selector: Any, side: int) -> tuple[View, np.ndarray]:
    """The view the last click is cut in: `new` where its cut stays inside its crop, else the photo
    (a cut that reaches its view's border has found more subject than the view holds)."""
    cut = _in_view(rgb, clicks, new, selector, side)
    if new[0] is None or not touches(cut, new[0]):
        return new, cut
    if view[0] is None:
        return view, mask
    whole = (None, new[1])
    return whole, _in_view(rgb, clicks, whole, selector, side)


def _stuck(clicks: tuple, before: np.ndarray, mask: np.ndarray, selector: Any) -> bool:
    """A positive click (not the first) that added nothing beyond its own disc: the subject is too
    small in this view for its clicks to say more (the sign that zooming in may help)."""
    x, y, positive = clicks[-1]
    if not positive or len(clicks) < 2:
        return False
    disc = np.zeros(mask.shape, np.uint8)
    cv2.circle(disc, (int(x), int(y)), int(np.ceil((selector.radius + 1) / selector.scale)), 1, -1)
    return not (mask & ~before & (disc == 0)).any()


def _in_view(rgb: np.ndarray, clicks: tuple, view: View, selector: Any, side: int) -> np.ndarray:
    """The clicks' mask at the photo's size, cut in the view: from the start (the whole photo, first
    view), or from the mask before the view's first click, the earlier clicks as seeds."""
    crop, first = view
    h0, w0 = rgb.shape[:2]
    if crop is None and first == 0:
        return sized(selector.run(Selection(clicks=clicks)), w0, h0)
    x0, y0, x1, y1 = _bounds(crop, rgb.shape)
    out = np.zeros((h0, w0), bool)
    out[y0:y1, x0:x1] = sized(_work(rgb, clicks, view, selector, side), x1 - x0, y1 - y0)
    return out


def _work(rgb: np.ndarray, clicks: tuple, view: View, selector: Any, side: int) -> np.ndarray:
    """The view's work-size mask after `clicks`: the one before it (remembered) and the last click."""
    key = (view, clicks)
    if key in selector.segments:
        return selector.segments[key]
    if len(selector.segments) > MEMO:
        selector.segments.clear()
    crop, first = view
    cutter = selector if crop is None else _viewer(rgb, crop, selector, side)
    if len(clicks) > first + 1:
        work = _work(rgb, clicks[:-1], view, selector, side)
    else:  # the view's first click: the mask so far, brought into the view
        start = _unpacked(selector.zooms[clicks[:first]][1], rgb.shape[:2]) if first else np.zeros(rgb.shape[:2], bool)
        x0, y0, x1, y1 = _bounds(crop, rgb.shape)
        h, w = cutter.small.shape[:2]
        work = cv2.resize(start[y0:y1, x0:x1].astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) > 0.5
    if crop is None:
        work = cutter.click(work, clicks[:-1], clicks[-1])
    elif inside(crop, *clicks[-1][:2]):  # a click outside the view is background there anyway
        inner = clicks_in(clicks, crop, cutter.small.shape)
        work = cutter.click(work, inner[:-1], inner[-1])
    selector.segments[key] = work
    return work


def _bounds(crop: Crop | None, shape: tuple) -> Crop:
    """The crop, or the whole photo for None."""
    return crop if crop is not None else (0, 0, shape[1], shape[0])


def _unpacked(bits: np.ndarray, shape: tuple) -> np.ndarray:
    return np.unpackbits(bits, count=shape[0] * shape[1]).reshape(shape).astype(bool)


def _viewer(rgb: np.ndarray, crop: Crop, selector: Any, side: int) -> Any:
    """The Selector of a zoomed view (the two most recent kept: each holds its view's features)."""
    view = selector.views.get(crop)
    if view is None:
        view = selector.views[crop] = type(selector)(view_of(rgb, crop, side))
        while len(selector.views) > 2:
            selector.views.popitem(last=False)
    selector.views.move_to_end(crop)
    return view
