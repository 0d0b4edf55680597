"""Any subject by pointing: positive/negative clicks and/or a box -> a soft mask (no class list, no model).

GrabCut (colour models + graph cut, OpenCV) with the clicks as hard seeds. Where it starts from:
a box (outside is background), else the automatic person mask when the photo has a person (clicks
correct it), else a region around the first click. Clicks apply in order, each locally (see
Selector.click). The cut runs at CUT_SIDE px (a correction of a subject cut from scratch in a window
around its click at up to the photo's resolution; a positive click stuck on a part of a colour the
subject lacks cuts that part afresh, as a first click does); the parts that hold a positive click (or
the largest) are kept, then the edge is refined at full size like the person masks (guided filter or matting).
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
from stylecut.segmentation.graph_cut import Models, core_point, grabcut, has_both, keep_parts, ring_pixels, sized

CUT_SIDE = 400  # the graph cut's working size (long side, px); corrections may run finer in a window
ITERATIONS = 3  # GrabCut rounds for a box or a first click
UPDATE_ITERATIONS = 1  # and for each correction
WINDOW = 1.5  # a correction of a subject cut from scratch runs in a window this many times its reach around its click
WINDOW_PIXELS = 150_000  # at up to the photo's resolution, with at most this many pixels
LOCAL = 0.25  # a correction reaches this far from its click (of the long side)
LOCAL_PRIOR = 0.05  # and when it corrects the automatic person mask, which is mostly right
REACH = 8.0  # and at most this many times its click's distance to the mask's edge
REACH_NEGATIVE = 3.0  # a negative click's: taking off a band between a cow's legs must not take half the cow
REACH_PRIOR = 1.5  # the same, correcting the person mask (its errors are thin slivers along the edge)
FIRST_SPANS = (0.15, 0.2, 0.25)  # a first click on nothing cuts in regions this far around it (of the long side)
FIRST_SPAN = 0.2  # whose cut is kept when every one spills past its region
FIRST_FILL = 0.9  # a cut larger than this share of its region has spilled
FIRST_MARGIN = 0.4  # into a margin this wide (of the region's half side) around it
ACROSS = 4.0  # a negative click's part beyond its reach stays where the way there costs this many times the reach
GEODESIC_EDGE = 10.0  # how much a colour edge costs to cross, against a flat step
ONE_OF_MANY = 0.25  # a first click picks one person when the person mask holds this much more (of that person's area)
WELL_INSIDE = 0.2  # and the click is this deep inside the person found (of the person's deepest point)
ALREADY = 1 / 3  # and, clicked outside the mask, no more than this share of that person is in the mask already
STUCK = 2.0  # a positive correction adding no more than this many times its own disc is stuck
NEW_COLOUR = -1.0  # on a part of a new colour when its disc's colours are this much less likely in the mask
LIKENESS_BINS = 16  # than beyond it (mean log density ratio, histograms with this many bins per channel)


class Selector:
    """Applies clicks one after another to a working-size mask; remembers recent prefixes per photo.

    A click changes the mask locally: a negative click inside a part that holds no positive click
    removes that part; otherwise GrabCut reruns (the current mask as its start, every click so far
    as hard seeds) and only the changed region that touches the new click is taken.
    """

    def __init__(self, rgb: np.ndarray, prior: np.ndarray | None = None):
        self.small = resize_max(rgb, CUT_SIDE)
        self.bgr = cv2.cvtColor(self.small, cv2.COLOR_RGB2BGR)
        h, w = self.small.shape[:2]
        self.scale = w / rgb.shape[1]
        self.radius = max(2, round(max(h, w) / 100))
        self.prior = None if prior is None else \
            cv2.resize(prior.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) > 0.5
        self.full_prior = None if prior is None else prior > 0.5  # kept at full size: clicks change only parts of it
        self.photo = rgb  # for corrections at full resolution and for finding the one person a click points at
        self.picked: dict = {}  # first clicks that picked one person of the person mask -> (PersonLayer, work mask)
        self.memo: dict[tuple, np.ndarray] = {}
        self.lock = threading.Lock()  # one photo's clicks may come from concurrent requests
        self.cost: np.ndarray | None = None  # geodesic step costs, made on first use
        self.outside: np.ndarray | None = None  # outside the box: background for every click
        self.half: np.ndarray | None = None  # the work image at half size, made on first use
        self.colours: np.ndarray | None = None  # the work image's colour bins (_likeness), made on first use

    def _outside(self, box) -> np.ndarray | None:
        if box is None:
            return None
        h, w = self.small.shape[:2]
        x0, y0, x1, y1 = (int(round(v * self.scale)) for v in box)
        inside = np.zeros((h, w), bool)
        inside[max(0, y0):y1, max(0, x0):x1] = True
        return ~inside

    def start(self) -> np.ndarray:
        """The mask before any click: the box's cut (self.outside set), the person mask, or nothing."""
        if self.outside is not None:
            mask = np.where(self.outside, cv2.GC_BGD, cv2.GC_PR_FGD).astype(np.uint8)
            return keep_parts(self._cut(mask, ITERATIONS, (), coarse=True), [])
        if self.prior is not None:
            return self.prior.copy()
        return np.zeros(self.small.shape[:2], bool)

    def _seeds(self, mask: np.ndarray, clicks, last_radius: int | None = None,
               origin: tuple[int, int] = (0, 0), zoom: float = 1.0) -> None:
        """The clicks as hard seeds on `mask`: a mask of the work image, or of a window of it whose
        corner is `origin` (work pixels), `zoom` times larger."""
        for i, (x, y, positive) in enumerate(clicks):
            r = last_radius if last_radius is not None and i == len(clicks) - 1 else self.radius
            cv2.circle(mask, (round((x * self.scale - origin[0]) * zoom), round((y * self.scale - origin[1]) * zoom)),
                       max(1, round(r * zoom)), int(cv2.GC_FGD if positive else cv2.GC_BGD), -1)

    def _cut(self, mask: np.ndarray, iterations: int, clicks, coarse: bool = False,
             last_radius: int | None = None) -> np.ndarray:
        """GrabCut from `mask` with the clicks as seeds -> object pixels (bool).

        coarse: a first cut, far from the answer, where most of GrabCut's time goes to its first
        iterations: they run at half size (_coarse), then one iteration at full size from their
        result and colour models (measured: a first click at 1024 px 864 -> ~440 ms, and better masks).
        """
        self._seeds(mask, clicks, last_radius)
        if has_both(mask):
            models = self._coarse(mask, iterations) if coarse else None
            grabcut(self.bgr, mask, 1 if models is not None else iterations, models)
        return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))

    def _coarse(self, mask: np.ndarray, iterations: int) -> Models | None:
        """GrabCut's iterations at half size; the mask's undecided pixels take their result (in place)."""
        h, w = mask.shape
        if min(h, w) < 64:
            return None
        half = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
        if self.half is None:
            self.half = cv2.resize(self.bgr, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        models = grabcut(self.half, half, iterations)
        if models is not None:
            taken = cv2.resize(np.isin(half, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8), (w, h),
                               interpolation=cv2.INTER_LINEAR) > 0
            soft = (mask == cv2.GC_PR_FGD) | (mask == cv2.GC_PR_BGD)
            mask[soft] = np.where(taken[soft], cv2.GC_PR_FGD, cv2.GC_PR_BGD)
        return models

    def click(self, current: np.ndarray, clicks, new) -> np.ndarray:
        x, y, positive = new
        cx, cy = self._work_point(x, y)
        positives = [self._work_point(px, py) for px, py, p in clicks if p]
        depth = self._depth(current, cx, cy)
        if positive and not clicks and self.prior is not None and self.outside is None:
            one = self._one_person(x, y, current)
            if one is not None:
                self.picked[new] = (one[1], one[0])
                return one[0]
        # correcting the automatic person mask, unless a first click picked one person from it
        fixing = self.prior is not None and not (clicks and clicks[0] in self.picked)
        # the click's own disc is set as it says: no wider than the error it sits in (a thin sliver
        # along a person's edge must not become a disc of new error around it)
        own = int(max(1, min(self.radius, depth)))
        reach = self._reach(current, depth, fixing, REACH if positive else REACH_NEGATIVE)
        if not positive and current[cy, cx]:
            n, labels, stats, _ = cv2.connectedComponentsWithStats(current.astype(np.uint8), connectivity=8)
            part = labels == labels[cy, cx]
            claimed = [p for p in positives if part[p[1], p[0]]]
            if not claimed and n > 2 and labels[cy, cx] != 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])):
                return current & ~part  # one of several parts, not the largest, none wanted: another person, a bowl
            # else cut off what is nearer (along the image) to this click than to what it must keep:
            # the part's wanted points and its pixels just beyond the click's reach (a leg running on
            # past the band of ground the click takes off is nearer its own far end: it stays)
            if claimed or self.full_prior is None:  # a person mask is cut only where a click claimed part of it
                keep = claimed + core_point(part, (cx, cy), 3 * self.radius)
                cut = self._nearer(part, (cx, cy), keep, ring_pixels(part, (cx, cy), reach), reach)
                local = np.zeros(cut.shape, np.uint8)
                cv2.circle(local, (cx, cy), reach, 1, -1)
                current = current & ~(cut & (local > 0))
        if not current.any() and positive:  # the first click on nothing: a region around it, cut globally
            return self._first_cut(list(clicks) + [new], positives + [(cx, cy)])
        mask = np.where(current, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
        if self.outside is not None:
            mask[self.outside] = cv2.GC_BGD
        if self.prior is None:
            cut = self._window_cut(mask, list(clicks) + [new], own, (cx, cy), reach)
        else:
            cut = self._cut(mask, UPDATE_ITERATIONS, list(clicks) + [new], last_radius=own)
        changed = (cut != current).astype(np.uint8)
        n, labels = cv2.connectedComponents(changed, connectivity=8)
        out = current.copy()
        if changed[cy, cx]:
            region = labels == labels[cy, cx]
            near = np.zeros_like(changed)
            cv2.circle(near, (cx, cy), reach, 1, -1)
            region &= near > 0  # a click corrects around itself
            out[region] = cut[region]
        disc = np.zeros_like(changed)
        cv2.circle(disc, (cx, cy), own, 1, -1)
        out[disc > 0] = positive
        if (positive and self.prior is None and self.outside is None and not current[cy, cx]
                and (out & ~current).sum() <= STUCK * (disc > 0).sum()
                and self._likeness(current, (cx, cy)) < NEW_COLOUR):
            # stuck on a part of a colour the subject's model lacks (jeans under a white top): the cut
            # kept them background. The part is cut afresh around the click, as a first click is
            part = self._new_part(list(clicks) + [new], (cx, cy))
            if part is not None:
                out = current | part
        if fixing and self.outside is None:
            return out  # correcting the person mask: every person in it stays unless removed
        return keep_parts(out, positives + ([(cx, cy)] if positive else []), largest=self.outside is not None)

    def _new_part(self, clicks, point: tuple[int, int]) -> np.ndarray | None:
        """The part a first cut around the last click finds there (None when it misses the click)."""
        cut = self._first_cut(clicks, [point])
        if not cut[point[1], point[0]]:
            return None
        _, labels = cv2.connectedComponents(cut.astype(np.uint8), connectivity=8)
        return labels == labels[point[1], point[0]]

    def _likeness(self, current: np.ndarray, point: tuple[int, int]) -> float:
        """How much more the colours of a click's disc belong to the mask than to the rest of the
        photo: the mean log ratio of their densities (colour_models' histograms)."""
        from stylecut.segmentation.color_models import colour_index, log_density

        if self.colours is None:
            self.colours = colour_index(self.small, LIKENESS_BINS)
        disc = np.zeros(current.shape, np.uint8)
        cv2.circle(disc, point, self.radius, 1, -1)
        c = self.colours[disc > 0]
        inside, outside = (log_density(self.colours[m], LIKENESS_BINS) for m in (current, ~current))
        return float((inside[c] - outside[c]).mean())

    def _window_cut(self, mask: np.ndarray, clicks, own: int, centre: tuple[int, int], reach: int) -> np.ndarray:
        """A correction's GrabCut in a window around its click (WINDOW x its reach), at up to the
        photo's resolution (WINDOW_PIXELS at most), from `mask` (GC_* labels at work size) with the
        clicks as seeds (the last one `own` work pixels wide) -> object pixels at work size (bool).

        A cow's legs are twice as wide at 854 px as at CUT_SIDE, and a graph cut keeps a thin part
        only when it is wide enough to pay for its long edge (objects IoU@5 0.837 -> 0.849, NoC@90
        12.5 -> 10.4; the colour models from the window alone, at work size: no gain)."""
        h, w = mask.shape
        side = int(reach * WINDOW) + 2 * self.radius
        x0, y0 = max(0, centre[0] - side), max(0, centre[1] - side)
        x1, y1 = min(w, centre[0] + side + 1), min(h, centre[1] + side + 1)
        k = max(1.0, min(1 / self.scale, np.sqrt(WINDOW_PIXELS / ((x1 - x0) * (y1 - y0)))))
        size = (round((x1 - x0) * k), round((y1 - y0) * k))
        s = 1 / self.scale
        photo = self.photo[int(y0 * s):int(np.ceil(y1 * s)), int(x0 * s):int(np.ceil(x1 * s))]
        bgr = cv2.cvtColor(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)
        labels = cv2.resize(np.ascontiguousarray(mask[y0:y1, x0:x1]), size, interpolation=cv2.INTER_NEAREST)
        self._seeds(labels, clicks, own, (x0, y0), k)
        if has_both(labels):
            grabcut(bgr, labels, UPDATE_ITERATIONS)
        out = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))
        fg = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
        out[y0:y1, x0:x1] = cv2.resize(fg, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) > 0.5
        return out

    def _first_cut(self, clicks, positives: list[tuple[int, int]]) -> np.ndarray:
        """The subject around the first positive click(s): half-size cuts (_coarse) in regions of a
        few sizes around them (FIRST_SPANS), each free to spill into a margin around its region
        (FIRST_MARGIN; beyond it is background, which keeps the cut fast); the largest that stays
        inside its region (FIRST_FILL) is finished at full size. A cut that spills past its region
        has leaked into look-alike surroundings."""
        from concurrent.futures import ThreadPoolExecutor

        h, w = self.small.shape[:2]
        pts = np.array(positives)

        def coarse(share: float) -> tuple:
            span = int(max(h, w) * share)
            x0, y0 = np.maximum(pts.min(0) - span, 0)
            x1, y1 = np.minimum(pts.max(0) + span, (w, h))
            m = int(span * FIRST_MARGIN)
            mask = np.full((h, w), cv2.GC_BGD, np.uint8)
            mask[max(0, y0 - m):y1 + m, max(0, x0 - m):x1 + m] = cv2.GC_PR_BGD
            mask[y0:y1, x0:x1] = cv2.GC_PR_FGD
            if self.outside is not None:
                mask[self.outside] = cv2.GC_BGD
            self._seeds(mask, clicks)
            models = self._coarse(mask, ITERATIONS) if has_both(mask) else None
            area = int(np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).sum())
            inside = models is not None and area <= FIRST_FILL * (x1 - x0) * (y1 - y0)
            return (inside, area if inside else -1, share == FIRST_SPAN), mask, models

        if self.half is None:
            self.half = cv2.resize(self.bgr, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        with ThreadPoolExecutor(2) as pool:  # OpenCV's GrabCut lets go of the GIL
            # the largest regions (the slowest cuts) first: the smallest then fits beside the second
            tried = list(pool.map(coarse, sorted(FIRST_SPANS, reverse=True)))
        _, mask, models = max(tried, key=lambda t: t[0])
        # finished at full size in the region and its margin only, beyond is background (the whole
        # image: 90 -> 55 ms at 1024 px; objects IoU@5 0.840 -> 0.837, NoC@90 12.5 either way)
        ys, xs = np.nonzero(mask != cv2.GC_BGD)
        if len(ys):
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            part = np.ascontiguousarray(mask[y0:y1, x0:x1])
            if has_both(part):
                grabcut(
                    np.ascontiguousarray(self.bgr[y0:y1, x0:x1]), part, 1 if models is not None else ITERATIONS, models
                )
            mask[y0:y1, x0:x1] = part
        return keep_parts(np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)), positives)

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

    @staticmethod
    def _depth(current: np.ndarray, cx: int, cy: int) -> float:
        """The click's distance to the mask's edge (inside or outside it), in work pixels."""
        side = current if current[cy, cx] else ~current
        return float(cv2.distanceTransform(np.pad(side, 1).astype(np.uint8), cv2.DIST_L2, 5)[cy + 1, cx + 1])

    def _reach(self, current: np.ndarray, depth: float, fixing: bool, factor: float = REACH) -> int:
        """How far a correction may change the mask: LOCAL of the long side, and at most REACH times
        the click's depth (a click near the edge, between a dog's legs, fixes a small piece, not half
        the dog)."""
        local, reach = (LOCAL_PRIOR, REACH_PRIOR) if fixing else (LOCAL, factor)
        if not fixing and self.prior is not None:  # one person picked from the person mask: its errors
            reach = REACH_PRIOR  # lie along its edges too, but wider (a lost leg, a neighbour included)
        return min(int(local * max(current.shape)), int(reach * depth) + self.radius)

    def _nearer(self, region: np.ndarray, point: tuple[int, int], others: list[tuple[int, int]],
                beyond: list[tuple[int, int]] = (), reach: float = 0.0) -> np.ndarray:
        """Pixels of region geodesically nearer to point than to any of others (colour edges cost more)
        and than to the points `beyond` its reach that lie across an edge from it."""
        from skimage.graph import MCP_Geometric

        if self.cost is None:
            lab = cv2.GaussianBlur(cv2.cvtColor(self.small, cv2.COLOR_RGB2LAB).astype(np.float32), (0, 0), 1.0)
            g = np.sqrt((cv2.Sobel(lab, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(lab, cv2.CV_32F, 0, 1) ** 2).sum(2))
            self.cost = 1.0 + GEODESIC_EDGE * g / (np.percentile(g, 90) + 1e-6)
        cost = np.where(region, self.cost, np.inf)
        d_point = MCP_Geometric(cost).find_costs([(point[1], point[0])])[0]
        others = list(others) + [(x, y) for x, y in beyond if d_point[y, x] > ACROSS * reach]
        if not others:  # nothing in the part to keep (no wanted point, too small for a core): all of it goes
            return region & np.isfinite(d_point)
        d_other = MCP_Geometric(cost).find_costs([(y, x) for x, y in others])[0]
        return region & (d_point < d_other)

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


def select_mask(rgb: np.ndarray, sel: Selection, prior: np.ndarray | None = None,
                selector: Selector | None = None) -> np.ndarray:
    """Hard subject mask (H, W) bool at the photo's size (pass a Selector to reuse work across clicks)."""
    if not sel and prior is None:
        raise StylecutError("nothing to select: give a box or at least one point on the subject")
    selector = selector or Selector(rgb, prior)
    work = selector.run(sel)
    h0, w0 = rgb.shape[:2]
    if sel.box is not None or selector.full_prior is None:
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
