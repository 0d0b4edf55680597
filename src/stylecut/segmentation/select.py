"""Any subject by pointing: positive/negative clicks and/or a box -> a mask (no class list, no trained model).

Each photo gets semantic features (VGG19, features.py) and a graph of its pixels (min_cut.py) once.
A selection's clicks, in order, each fit a per-photo model (click_model.py: features, colour,
distance to the clicks) to the current mask and the clicks, and a graph cut with the clicks as hard
seeds gives the new mask; a correction changes only the region around its click that the cut changed
(a positive one also what the cut grew at the mask's edge; a negative one is fitted without the
mask's pixels nearer it than any positive click). Where it starts from: a box (outside is
background; the box is cut as GrabCut does, fitting and cutting in turn), else the automatic person
mask when the photo has a person (clicks correct it), else nothing (the first click starts from its
cell's cluster of the features: k-means, REGIONS). The cut runs at CUT_SIDE px; the edge is refined
at full size like the person masks (guided filter or matting).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import cv2
import numpy as np

from stylecut.core.errors import StylecutError
from stylecut.core.selection import Selection
from stylecut.ops.compose import grow
from stylecut.ops.filters import resize_max
from stylecut.runtime.caches import process_cache
from stylecut.segmentation.graph_cut import KEEP_SHARE, grabcut, keep_parts, sized
from stylecut.segmentation.zoom import from_scratch

CUT_SIDE = 400  # the graph cut's working size (long side, px)
REGIONS = 8  # k-means clusters of the features: a first click's first guess is its cell's cluster (not tuned)
KEEP = 3.0  # log-odds the person mask keeps against corrections (seg photos: at 0 and 1 they spoilt masks)
FIRST_ROUNDS = 3  # fit-and-cut rounds from a box or a first click (GrabCut's alternation)
ONE_OF_MANY = 0.25  # a first click picks one person when the person mask holds this much more (of that person's area)
WELL_INSIDE = 0.2  # and the click is this deep inside the person found (of the person's deepest point)
ALREADY = 1 / 3  # and, clicked outside the mask, no more than this share of that person is in the mask already


class Selector:
    """Applies clicks one after another to a working-size mask; remembers recent prefixes per photo."""

    def __init__(self, rgb: np.ndarray, prior: np.ndarray | None = None):
        self.small = resize_max(rgb, CUT_SIDE)
        h, w = self.small.shape[:2]
        self.scale = w / rgb.shape[1]
        self.radius = max(2, round(max(h, w) / 100))
        self.prior = None if prior is None else \
            cv2.resize(prior.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) > 0.5
        self.full_prior = None if prior is None else prior > 0.5  # kept at full size: clicks change only parts of it
        self.photo = rgb  # for finding the one person a click points at
        self.picked: dict = {}  # first clicks that picked one person of the person mask -> (PersonLayer, work mask)
        self.memo: dict[tuple, np.ndarray] = {}
        self.lock = threading.RLock()  # one photo's clicks may come from concurrent requests
        self.zooms: dict[tuple, tuple] = {}  # clicks from scratch -> (the view their last one was cut in, mask)
        self.segments: dict[tuple, np.ndarray] = {}  # (view, clicks) -> their work-size mask in that view
        self.views: OrderedDict = OrderedDict()  # crop -> the Selector of that zoomed view
        self.outside: np.ndarray | None = None  # outside the box: background for every click
        self._ready: tuple | None = None  # (ClickModel, ImageGraph), made by prepare()

    def prepare(self) -> tuple:
        """The photo's model and pixel graph (the features: ~0.3 s at CUT_SIDE), made once."""
        if self._ready is None:
            from stylecut.segmentation.click_model import ClickModel
            from stylecut.segmentation.features import semantic
            from stylecut.segmentation.min_cut import ImageGraph

            self._ready = ClickModel(self.small, semantic(self.small)), ImageGraph(self.small)
        return self._ready

    def _region_at(self, cx: int, cy: int) -> np.ndarray:
        """The connected part of the clicked cell's cluster of semantic features (k-means), at work size."""
        model, _ = self.prepare()
        h, w = self.small.shape[:2]
        if model.semantic is None:
            return np.zeros((h, w), bool)
        from stylecut.segmentation.features import STRIDE

        gh, gw, d = model.semantic.shape
        cv2.setRNGSeed(1)
        _, labels, _ = cv2.kmeans(model.semantic.reshape(-1, d), REGIONS, None,
                                  (cv2.TERM_CRITERIA_MAX_ITER + cv2.TERM_CRITERIA_EPS, 20, 1e-3), 1,
                                  cv2.KMEANS_PP_CENTERS)
        labels = labels.reshape(gh, gw)
        gy, gx = min(gh - 1, cy // STRIDE), min(gw - 1, cx // STRIDE)
        same = (labels == labels[gy, gx]).astype(np.uint8)
        _, parts = cv2.connectedComponents(same, connectivity=4)
        cell = (parts == parts[gy, gx]).astype(np.uint8)
        return cv2.resize(cell, (gw * STRIDE, gh * STRIDE), interpolation=cv2.INTER_NEAREST)[:h, :w] > 0

    def _outside(self, box) -> np.ndarray | None:
        if box is None:
            return None
        h, w = self.small.shape[:2]
        x0, y0, x1, y1 = (int(round(v * self.scale)) for v in box)
        inside = np.zeros((h, w), bool)
        inside[max(0, y0):y1, max(0, x0):x1] = True
        return ~inside if inside.any() else None

    def start(self) -> np.ndarray:
        """The mask before any click: the box's cut (self.outside set), the person mask, or nothing."""
        if self.outside is not None:
            return self._box_cut()
        if self.prior is not None:
            return self.prior.copy()
        return np.zeros(self.small.shape[:2], bool)

    def _box_cut(self) -> np.ndarray:
        """The object in the box: fit and cut in turn from "all of the box", the largest part kept.
        Never empty: plain GrabCut's cut of the box, or else the ellipse inside the box, stands in."""
        mask = ~self.outside
        for _ in range(FIRST_ROUNDS):
            mask = self._cut(mask, [])
        mask = keep_parts(mask, [], largest=True)
        if not mask.any():
            labels = np.where(self.outside, cv2.GC_BGD, cv2.GC_PR_FGD).astype(np.uint8)
            grabcut(cv2.cvtColor(self.small, cv2.COLOR_RGB2BGR), labels, FIRST_ROUNDS)
            mask = keep_parts(np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)), [], largest=True)
        if not mask.any():
            ys, xs = np.nonzero(~self.outside)
            e = np.zeros(mask.shape, np.uint8)
            cv2.ellipse(e, ((xs.mean(), ys.mean()), (np.ptp(xs) + 1.0, np.ptp(ys) + 1.0), 0), 1, -1)
            mask = e > 0
        return mask

    def _discs(self, clicks, positive: bool) -> np.ndarray:
        """The discs of the clicks of one sign (work size, bool)."""
        out = np.zeros(self.small.shape[:2], np.uint8)
        for x, y, p in clicks:
            if p == positive:
                cv2.circle(out, self._work_point(x, y), self.radius, 1, -1)
        return out > 0

    def _cut(self, mask: np.ndarray, clicks, keep: float = 0.0, extent: bool = False,
             doubt: bool = False) -> np.ndarray:
        """One round: the click model fitted to `mask` and the clicks, then the graph cut -> object pixels.
        keep: log-odds the current mask adds for itself (a correction flips only what the model is sure of).
        extent: fit to the share of the photo the box around the mask and the positive clicks covers
        (a positive click outside the mask says the object reaches there: the cells between are not
        evidence of background in proportion to their number).
        doubt: leave out of the fit the mask's pixels nearer a negative click than any positive one
        (ClickModel.evidence)."""
        model, graph = self.prepare()
        fg, bg = self._discs(clicks, True), self._discs(clicks, False)
        if self.outside is not None:
            bg = bg | self.outside
        positives = [self._work_point(x, y) for x, y, p in clicks if p]
        negatives = [self._work_point(x, y) for x, y, p in clicks if not p]
        share = _box_share(mask, positives) if extent else None
        evidence = model.evidence(mask, fg, bg, positives, negatives, share, doubt)
        if keep:
            evidence = evidence + np.where(mask, keep, -keep).astype(np.float32)
        return graph.cut(evidence, fg, bg)

    def click(self, current: np.ndarray, clicks, new) -> np.ndarray:
        x, y, positive = new
        cx, cy = self._work_point(x, y)
        done = list(clicks) + [new]
        positives = [self._work_point(px, py) for px, py, p in done if p]
        if positive and not clicks and self.prior is not None and self.outside is None:
            one = self._one_person(x, y, current)
            if one is not None:
                self.picked[new] = (one[1], one[0])
                return one[0]
        # correcting the automatic person mask, unless a first click picked one person from it
        fixing = self.prior is not None and not (clicks and clicks[0] in self.picked)
        if not positive and current[cy, cx]:
            _, labels, stats, _ = cv2.connectedComponentsWithStats(current.astype(np.uint8), connectivity=8)
            part = labels == labels[cy, cx]
            areas = np.delete(stats[1:, cv2.CC_STAT_AREA], labels[cy, cx] - 1)
            wanted = any(part[py, px] for px, py in positives)
            if not wanted and areas.size and areas.max() >= KEEP_SHARE * part.sum():
                return current & ~part  # one of several parts (a second person), none wanted: another object
        if not current.any() and positive:  # a first click on nothing: the object grows from it
            mask = self._region_at(cx, cy)
            for _ in range(FIRST_ROUNDS):
                mask = self._cut(mask, done)
            return keep_parts(mask, positives)
        cut = self._cut(current, done, KEEP if fixing else 0.0, extent=positive and not fixing,
                        doubt=not positive and not fixing)
        # a click corrects the error it sits in, in its own direction: a positive click only adds,
        # a negative one only takes away (a cut that flips the background elsewhere is not applied);
        # a positive click also keeps what the cut adds at the mask's edge (the object growing)
        changed = ((cut & ~current) if positive else (current & ~cut)).astype(np.uint8)
        out = current.copy()
        if changed[cy, cx]:
            _, labels = cv2.connectedComponents(changed, connectivity=8)
            parts = {labels[cy, cx]}
            if positive:
                parts |= set(np.unique(labels[(grow(current.astype(np.uint8), 1) > 0) & (changed > 0)]))
            out[np.isin(labels, sorted(parts))] = positive
        if fixing and self.outside is None:
            return out  # correcting the person mask: every person in it stays unless removed
        return keep_parts(out, positives, largest=self.outside is not None)

    def _one_person(self, x: float, y: float, current: np.ndarray):
        """The person under a first positive click, when the person mask holds more than that person
        (a crowd, a group): pointing at someone picks them. None: no person is well under the click
        (a click on the tip of a missed bag finds a "person" around the bag, with the click at its
        edge), the mask is that person already, or the click is on a missed part (a hand) of a person
        mostly in the mask (the crowd-and-arm "person" a crop around the hand finds replaced the dancer)."""
        from stylecut.segmentation.pose import person_at

        layer = person_at(self.photo, x, y, WELL_INSIDE)
        if layer is None:
            return None
        h, w = current.shape
        one = cv2.resize(layer.prob, (w, h), interpolation=cv2.INTER_AREA) > 0.5
        cx, cy = self._work_point(x, y)
        if not current[cy, cx] and (one & current).sum() > ALREADY * one.sum():
            return None  # a click on a missed part (a hand) of a person the mask holds already: a correction
        r = max(2, round(max(h, w) * 0.02))
        near = grow(one.astype(np.uint8), r) > 0
        return (one, layer) if (current & ~near).sum() > ONE_OF_MANY * one.sum() else None

    def person(self, sel: Selection):
        """The person (PersonLayer) the selection's first click picked, if it picked one."""
        return self.start_of(sel)[0]

    def start_of(self, sel: Selection) -> tuple:
        """What the selection's clicks correct: (picked person or None, full-size mask, work-size mask)."""
        if sel.clicks and sel.clicks[0] in self.picked:
            layer, work = self.picked[sel.clicks[0]]
            return layer, layer.prob > 0.5, work
        return None, self.full_prior, self.prior

    def _work_point(self, x: float, y: float) -> tuple[int, int]:
        """A photo point in work pixels (inside the work image)."""
        h, w = self.small.shape[:2]
        return min(w - 1, int(x * self.scale)), min(h - 1, int(y * self.scale))

    def run(self, sel: Selection) -> np.ndarray:
        """The working-size mask after every click of the selection (prefixes reused from memory)."""
        with self.lock:
            return self._run(sel)

    def _run(self, sel: Selection) -> np.ndarray:
        key = (sel.box,)
        self.outside = self._outside(sel.box)
        mask = self.memo.get(key)
        if mask is None:
            mask = self.memo[key] = self.start()
        for k, c in enumerate(sel.clicks):
            key = key + (c,)
            nxt = self.memo.get(key)
            if nxt is None:
                nxt = self.memo[key] = self.click(mask, sel.clicks[:k], c)
            mask = nxt
        if len(self.memo) > 64:
            self.memo.clear()
        return mask


def _box_share(mask: np.ndarray, points: list[tuple[int, int]]) -> float:
    """The share of the frame the bounding box of the mask and the points covers."""
    ys, xs = np.nonzero(mask)
    ys = np.concatenate([ys, [y for _, y in points]])
    xs = np.concatenate([xs, [x for x, _ in points]])
    if not len(ys):
        return 0.0
    return float((np.ptp(ys) + 1) * (np.ptp(xs) + 1) / mask.size)


def select_mask(rgb: np.ndarray, sel: Selection, prior: np.ndarray | None = None,
                selector: Selector | None = None) -> np.ndarray:
    """Hard subject mask (H, W) bool at the photo's size (pass a Selector to reuse work across clicks)."""
    if not sel and prior is None:
        raise StylecutError("nothing to select: give a box or at least one point on the subject")
    selector = selector or Selector(rgb, prior)
    h0, w0 = rgb.shape[:2]
    if sel.box is None and selector.full_prior is None:
        with selector.lock:
            return from_scratch(rgb, sel.clicks, selector, CUT_SIDE)
    work = selector.run(sel)
    if sel.box is not None:
        return sized(work, w0, h0)
    # only where the clicks changed the person mask (or the person a first click picked from it):
    # its full detail stays elsewhere
    _, full, start = selector.start_of(sel)
    changed = sized(work != start, w0, h0)
    out = full.copy()
    out[changed] = sized(work, w0, h0)[changed]
    return out


_SELECTORS: OrderedDict = OrderedDict()  # recent photos' selectors: each click on the same photo costs one cut
process_cache("selectors", _SELECTORS.clear)
_SELECTORS_KEPT = 4
_lock = threading.Lock()


def selector_for(rgb: np.ndarray, with_prior: bool, cache=None) -> Selector:
    """The Selector for this photo (by content), made once: the person prior and earlier clicks are reused."""
    key = (hashlib.sha1(np.ascontiguousarray(rgb).data).hexdigest(), rgb.shape, with_prior)
    with _lock:
        found = _SELECTORS.get(key)
        if found is not None:
            _SELECTORS.move_to_end(key)
            return found
    prior = None
    if with_prior:
        from stylecut.segmentation.person import PersonSegmenter

        person = PersonSegmenter(cache=cache)
        first = person.look(rgb)
        alpha = person.alpha(rgb, first)
        prior = alpha if person.found(alpha, first) else None
    made = Selector(rgb, prior)
    with _lock:
        _SELECTORS[key] = made
        while len(_SELECTORS) > _SELECTORS_KEPT:
            _SELECTORS.popitem(last=False)
    return made
