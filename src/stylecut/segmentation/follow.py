"""A selection carried through a clip: forwards along the optical flow (Follower), and back from a later frame."""
from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from stylecut.core.selection import ClipSelection, Selection
from stylecut.ops.compose import grow
from stylecut.ops.filters import resize_max
from stylecut.ops.masks import iou
from stylecut.segmentation.graph_cut import drop_necks, grabcut, sized
from stylecut.segmentation.select import CUT_SIDE, select_mask, selector_for

FOLLOW_NEAR = 0.08  # a followed person's mask is kept this near (of the long side) the last one carried by the flow
SAME_PERSON = 0.2  # a person followed into the next frame overlaps their last mask at least this much (IoU)
NECK = 0.015  # a followed mask loses blobs hanging on its body by a neck thinner than twice this (of the long side)


def follow_back(selection: Selection, at_rgb: np.ndarray, earlier: Iterable[np.ndarray]) -> ClipSelection:
    """The selection made on `at_rgb`, followed backwards through `earlier`: the frames before it
    (work size, CUT_SIDE), nearest first."""
    sel = selection.check(at_rgb.shape[1], at_rgb.shape[0])
    selector = selector_for(at_rgb, with_prior=sel.box is None)
    hard = select_mask(at_rgb, sel, selector=selector)
    follower, masks = Follower(at_rgb, hard, selector.person(sel)), []
    for small in earlier:
        m = follower.next(small)
        masks.append((np.packbits(m), m.shape))
    return ClipSelection(sel.box, sel.clicks, tuple(reversed(masks)))


class Follower:
    """Carries a selection through a clip: the last mask warped by dense optical flow (DIS), then re-cut.

    Each frame: flow from the previous frame, the previous mask warped along it, then GrabCut at
    CUT_SIDE with the warped mask's eroded core as object, its far surroundings as background and
    the band between left to the colour models; blobs hanging on the body by a thin neck go (drop_necks).
    Follows a dog or an object the clicks picked.

    A person picked from a crowd (`person`) is followed as the pose tracker follows people: each
    frame's crop placed from their landmarks in the last one (and found again around the last mask's
    deepest point when lost); the cut above is the fallback when the person cannot be found.
    """

    def __init__(self, first_rgb: np.ndarray, first_mask: np.ndarray, person=None):
        self.prev = cv2.cvtColor(resize_max(first_rgb, CUT_SIDE), cv2.COLOR_RGB2GRAY)
        h, w = self.prev.shape
        self.mask = cv2.resize(first_mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
        self.flow = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        self.person = person

    def next(self, rgb: np.ndarray) -> np.ndarray:
        """This frame's hard mask (H, W) bool at the frame's size."""
        small = resize_max(rgb, CUT_SIDE)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        h, w = grey.shape
        if grey.shape != self.prev.shape:  # frames of another size (not one clip): carry the mask over as it is
            self.prev = cv2.resize(self.prev, (w, h), interpolation=cv2.INTER_AREA)
            self.mask = cv2.resize(self.mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
        # back: where each pixel of this frame was in the last one
        back = self.flow.calc(grey, self.prev, None)  # type: ignore[call-overload]  # flow None: calc makes it
        grid = np.dstack(np.meshgrid(np.arange(w), np.arange(h))).astype(np.float32) + back
        warped = cv2.remap(self.mask.astype(np.uint8), grid[..., 0], grid[..., 1], cv2.INTER_NEAREST) > 0
        self.prev = grey
        if self.person is not None:
            found = self._follow_person(rgb, warped)
            if found is not None:
                return found
        if not warped.any():
            self.mask = warped
        else:
            r = max(2, round(max(h, w) * 0.02))
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
            core = cv2.erode(warped.astype(np.uint8), k) > 0
            near = cv2.dilate(warped.astype(np.uint8), k, iterations=3) > 0
            mask = np.full((h, w), cv2.GC_BGD, np.uint8)
            mask[near] = cv2.GC_PR_BGD
            mask[warped] = cv2.GC_PR_FGD
            mask[core] = cv2.GC_FGD
            if grabcut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, 2):
                self.mask = drop_necks(np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)), max(1, round(max(h, w) * NECK)))
            else:
                self.mask = warped
        return sized(self.mask, rgb.shape[1], rgb.shape[0])

    def _follow_person(self, rgb: np.ndarray, warped: np.ndarray) -> np.ndarray | None:
        """The picked person in this frame (full-size hard mask), or None when they are not found.

        The person's crop follows their landmarks; what it segments is kept only near the last mask
        carried along the optical flow (`warped`), so a neighbour the crop also covers is not taken
        and the track cannot slide onto them; a crop that no longer overlaps it is lost."""
        from stylecut.segmentation.pose import person_at, person_in

        h, w = warped.shape
        r = max(2, round(max(h, w) * FOLLOW_NEAR))
        near = grow(warped.astype(np.uint8), r) > 0

        def small(layer) -> np.ndarray:
            return cv2.resize(layer.prob, (w, h), interpolation=cv2.INTER_AREA) > 0.5

        layer = person_in(rgb, self.person.follow) if self.person.follow is not None else None
        if layer is None or iou(small(layer), warped, empty=0.0) < SAME_PERSON:  # lost, or jumped to someone else
            if not warped.any():
                return None
            inner = cv2.distanceTransform(np.pad(warped, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
            y, x = np.unravel_index(np.argmax(inner), inner.shape)
            k = rgb.shape[1] / w
            layer = person_at(rgb, x * k, y * k)
            if layer is None or iou(small(layer), warped, empty=0.0) < SAME_PERSON:
                return None
        self.person = layer
        self.mask = small(layer) & near
        return (layer.prob > 0.5) & sized(near, rgb.shape[1], rgb.shape[0])
