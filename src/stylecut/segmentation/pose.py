"""People found by MediaPipe BlazePose and segmented in their own upright body crop.

The selfie model reads the whole frame (or a square tile of it) at 256x256 and was trained on
close-ups, so a small full-body or action figure gets few model pixels and is outlined loosely.
BlazePose's detector finds each person; its landmark model then reads a 256x256 crop rotated
upright around that body and, besides landmarks, returns the body's segmentation. The crop is
placed as MediaPipe places it: first from the detector's keypoints, then again from the landmark
model's own alignment points (a tighter, better-centred crop).
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import cv2
import numpy as np

from stylecut.ops.filters import bounded_window, window_starts
from stylecut.runtime.caches import process_cache
from stylecut.runtime.litert import load_model

DETECT_SIDE = 224
CROP_SIDE = 256
MIN_SCORE = 0.5  # detector confidence
MIN_PRESENCE = 0.5  # landmark model's "a person is in this crop"
MAX_PEOPLE = 8  # the most crops segmented per photo (bounds the time on crowds)
WIDE = 1.34  # frames wider than this are also searched in square tiles


@dataclass(frozen=True)
class Body:
    """An upright square crop around one person: centre, side and rotation (radians, clockwise)."""

    cx: float
    cy: float
    side: float
    angle: float

    @classmethod
    def aligned(cls, hip: np.ndarray, scale_point: np.ndarray) -> Body:
        """MediaPipe's alignment rule: centre on the hips, side 2.5x the hip-to-scale-point distance."""
        dx, dy = float(scale_point[0] - hip[0]), float(scale_point[1] - hip[1])
        return cls(float(hip[0]), float(hip[1]), 2.5 * math.hypot(dx, dy), math.pi / 2 - math.atan2(-dy, dx))

    def matrix(self) -> np.ndarray:
        """2x3 affine taking crop pixels (0..CROP_SIDE) to image pixels."""
        k = self.side / CROP_SIDE
        c, s = math.cos(self.angle) * k, math.sin(self.angle) * k
        half = CROP_SIDE / 2
        return np.array([[c, -s, self.cx - half * (c - s)], [s, c, self.cy - half * (s + c)]], np.float32)

    def same_person(self, other: Body) -> bool:
        """Nearly the same crop (one person found twice, e.g. in two overlapping tiles)."""
        near = math.hypot(self.cx - other.cx, self.cy - other.cy) < 0.08 * max(self.side, other.side)
        return near and 0.75 < self.side / other.side < 1.33


@dataclass
class PersonLayer:
    """One person's segmentation on the photo: probability, the crop's footprint, and its scale."""

    prob: np.ndarray  # (H, W) float32, zero outside the crop
    inside: np.ndarray  # (H, W) bool: pixels the crop saw
    scale: float  # photo's long side / crop side: > 1 when the person is small in the frame
    box: tuple[int, int, int, int]  # x0, y0, x1, y1: the footprint's bounding box in the photo
    follow: Body | None = None  # the crop for this person in the next frame of a clip (from its landmarks)


@lru_cache(maxsize=1)
def _anchor_centres() -> np.ndarray:
    """Centres of the detector's 2254 SSD anchors (strides 8, 16, 32x3; two anchors per layer and cell)."""
    strides = [8, 16, 32, 32, 32]
    centres = []
    for stride in sorted(set(strides)):
        per_cell = 2 * strides.count(stride)
        n = math.ceil(DETECT_SIDE / stride)
        for y in range(n):
            for x in range(n):
                centres += [((x + 0.5) / n, (y + 0.5) / n)] * per_cell
    return np.array(centres, np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


def _detect(rgb: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """(score, box x0 y0 x1 y1, 4 keypoints) per raw detection, in this image's pixels (letterboxed)."""
    h, w = rgb.shape[:2]
    side = max(h, w)
    sh, sw = max(1, round(h * DETECT_SIDE / side)), max(1, round(w * DETECT_SIDE / side))
    oy, ox = (DETECT_SIDE - sh) // 2, (DETECT_SIDE - sw) // 2
    x = np.full((DETECT_SIDE, DETECT_SIDE, 3), -1.0, np.float32)  # letterbox: black bars
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
    x[oy:oy + sh, ox:ox + sw] = small.astype(np.float32) * (2.0 / 255.0) - 1.0
    oy, ox = oy * side / DETECT_SIDE, ox * side / DETECT_SIDE
    out = load_model("pose_detection").run(x)
    boxes, scores = out["Identity"], _sigmoid(out["Identity_1"][:, 0])
    found = []
    anchors = _anchor_centres()
    for i in np.flatnonzero(scores >= MIN_SCORE):
        r = boxes[i] / DETECT_SIDE
        points = r[4:12].reshape(4, 2) + anchors[i]
        cx, cy = r[:2] + anchors[i]
        box = np.array([cx - r[2] / 2, cy - r[3] / 2, cx + r[2] / 2, cy + r[3] / 2])
        found.append((float(scores[i]), box * side - [ox, oy, ox, oy], points * side - [ox, oy]))
    return found


def _box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _merge(found: list, overlap: float = 0.3) -> list[tuple[float, np.ndarray]]:
    """Weighted non-maximum suppression: (score, keypoints) per person, best first."""
    found = sorted(found, key=lambda d: -d[0])
    people = []
    while found:
        top = found[0][1]
        group = [d for d in found if _box_iou(top, d[1]) > overlap]
        found = [d for d in found if _box_iou(top, d[1]) <= overlap]
        weights = np.array([d[0] for d in group])
        points = np.tensordot(weights, np.stack([d[2] for d in group]), axes=1) / weights.sum()
        people.append((group[0][0], points))
    return people


def detect_people(rgb: np.ndarray) -> list[Body]:
    """Body crops of the people in the photo: the whole (letterboxed) frame, plus square tiles if wide."""
    h, w = rgb.shape[:2]
    found = _detect(rgb)
    fills_frame = any(Body.aligned(pts[0], pts[1]).side >= w for _, _, pts in found)
    if w > WIDE * h and not fills_frame:  # tiles look for the smaller people of a group
        win = bounded_window(w, h)
        for x in window_starts(w, win):
            found += [(s, box + [x, 0, x, 0], pts + [x, 0]) for s, box, pts in _detect(rgb[:, x:x + win])]
    return [Body.aligned(points[0], points[1]) for _, points in _merge(found)[:MAX_PEOPLE]]


def _segment_crop(rgb: np.ndarray, body: Body) -> tuple[float, np.ndarray, np.ndarray]:
    """(presence, 256x256 person probability, 39 landmarks in image pixels) for one crop."""
    m = body.matrix()
    crop = cv2.warpAffine(rgb, m, (CROP_SIDE, CROP_SIDE), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT)
    out = load_model("pose_landmark").run(crop.astype(np.float32) * (1.0 / 255.0))
    landmarks = out["Identity"].reshape(39, 5)[:, :2]
    landmarks = np.c_[landmarks, np.ones(39, np.float32)] @ m.T
    return float(out["Identity_1"][0]), _sigmoid(out["Identity_2"][:, :, 0]), landmarks


def _realigned(rgb: np.ndarray, body: Body) -> Body:
    """The detector's crop re-placed from the landmark model's own alignment points (hips, scale)."""
    _, _, landmarks = _segment_crop(rgb, body)
    return Body.aligned(landmarks[33], landmarks[34])


def _useful(body: Body, shape: tuple[int, ...], margin: float = 1.0) -> bool:
    """Big enough to see, and not a close-up (where the selfie view is better)."""
    return body.side >= 8 and trust(margin * max(shape[:2]) / body.side) > 0


def find_bodies(rgb: np.ndarray) -> list[Body]:
    """Each detected person's crop, re-placed from the landmark model's own alignment points."""
    return _distinct([(b, lambda b=b: _realigned(rgb, b)) for b in detect_people(rgb)], rgb.shape, lambda b: b)


T = TypeVar("T")


def _distinct(candidates: list[tuple[Body, Callable[[], T]]], shape: tuple[int, ...],
              body_of: Callable[[T], Body]) -> list[T]:
    """Of (detected crop, its re-placed view made on demand): the views of crops that are not close-ups,
    one per person (body_of: a view's re-placed crop)."""
    kept: list[T] = []
    for detected, view in candidates:
        if not _useful(detected, shape, margin=1.5):  # the detector's crop can be off by that much
            continue
        made = view()
        body = body_of(made)
        if _useful(body, shape) and not any(body.same_person(body_of(k)) for k in kept):
            kept.append(made)
    return kept


@dataclass
class Seen:
    """One detected person: the detector's crop, the re-placed crop, and the landmark model's view of it."""

    detected: Body
    body: Body
    presence: float
    prob: np.ndarray


class People:
    """The pose models' view of one photo, made once on first use and shared: the body-crop layers of
    the mask and the person check (each used to run the detector and two landmark passes per person)."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self._seen: list[Seen] | None = None
        self._lock = threading.Lock()

    def seen(self) -> list[Seen]:
        with self._lock:  # the mask's thread and the check may ask at once
            if self._seen is None:
                self._seen = [self._look(body) for body in detect_people(self.rgb)]
            return self._seen

    def _look(self, detected: Body) -> Seen:
        body = _realigned(self.rgb, detected)
        presence, prob, _ = _segment_crop(self.rgb, body)
        return Seen(detected, body, presence, prob)

    def presence(self) -> float:
        """The landmark model's surest "a person is here" over the detected people (0 when none), close-ups
        included (unlike the layers). Tells a person from an animal or a texture the selfie model takes
        for one (issue #26: docs/masks.md)."""
        return max((s.presence for s in self.seen()), default=0.0)

    def layers(self) -> list[PersonLayer]:
        """Each detected person's segmentation on the photo, from the landmark-aligned crop."""
        kept = _distinct([(s.detected, lambda s=s: s) for s in self.seen()], self.rgb.shape, lambda s: s.body)
        return [_layer(s.prob, s.body, self.rgb.shape) for s in kept if s.presence >= MIN_PRESENCE]


def _layer(prob: np.ndarray, body: Body, shape: tuple[int, ...], follow: Body | None = None) -> PersonLayer:
    """One crop's segmentation placed back on the photo."""
    h, w = shape[:2]
    m = body.matrix()
    back = cv2.warpAffine(prob, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    inside = cv2.warpAffine(np.ones((CROP_SIDE, CROP_SIDE), np.float32), m, (w, h), flags=cv2.INTER_LINEAR) > 0
    corners = np.array([[0, 0, 1], [CROP_SIDE, 0, 1], [0, CROP_SIDE, 1], [CROP_SIDE, CROP_SIDE, 1]], np.float32) @ m.T
    (x0, y0), (x1, y1) = np.floor(corners.min(0)), np.ceil(corners.max(0))
    box = (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
    return PersonLayer(back, inside, max(h, w) / body.side, box, follow)


def person_layers(rgb: np.ndarray) -> list[PersonLayer]:
    """Each detected person's segmentation on the photo, from a second, landmark-aligned crop."""
    return People(rgb).layers()


AT_SIDES = (0.75, 1.0)  # crops tried around a click, as shares of the photo's short side
AT_TURNS = 8  # at these many turns (45 degrees apart: the landmark model wants a roughly upright body)
AT_TRIED = 4  # of those, the most likely ones re-placed from their own landmarks
AT_AS_SURE = 0.05  # views this close to the surest one's presence count as as sure


def person_at(rgb: np.ndarray, x: float, y: float, inside: float = 0.2) -> PersonLayer | None:
    """The one person under the point (x, y), without the detector: a click on a person in a crowd.

    The detector misses people in crowds and upside down (a breakdancer); here the landmark model
    reads crops centred on the point at two sizes and eight turns, and the AT_TRIED most present are
    re-placed from their own landmarks (which fixes the crop's size). Of those that hold the point
    well inside (at least `inside` times their deepest point's depth: a crop around a missed bag's
    tip finds a "person" with the point at its edge), the largest of the about as present as the
    most present is the answer; None when none holds it. (Half-size first crops as a fallback when
    these find no one picked such a "person" on a one-person photo: not done.)
    """
    short = min(rgb.shape[:2])
    tried = []
    for share in AT_SIDES:
        for turn in range(AT_TURNS):
            body = Body(float(x), float(y), share * short, turn * 2 * math.pi / AT_TURNS)
            presence, _, landmarks = _segment_crop(rgb, body)
            tried.append((presence, landmarks))
    found: list[tuple[float, int, PersonLayer]] = []
    for _, landmarks in sorted(tried, key=lambda t: -t[0])[:AT_TRIED]:
        body = Body.aligned(landmarks[33], landmarks[34])
        if body.side < 8:
            continue
        presence, prob, landmarks = _segment_crop(rgb, body)
        layer = _layer(prob, body, rgb.shape, Body.aligned(landmarks[33], landmarks[34]))
        mask = layer.prob > 0.5
        if presence >= MIN_PRESENCE and _holds(mask, x, y, inside):
            found.append((presence, int(mask.sum()), layer))
    if not found:
        return None
    # of the views about as sure as the surest, the one that sees the most of the person (a crop
    # that cuts the body off sees a part of it, as surely)
    surest = max(presence for presence, _, _ in found)
    return max((f for f in found if f[0] >= surest - AT_AS_SURE), key=lambda f: f[1])[2]


def _holds(mask: np.ndarray, x: float, y: float, inside: float) -> bool:
    """The point lies in the mask at least `inside` times the mask's deepest point's depth."""
    if not mask[int(y), int(x)]:
        return False
    depth = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 5)[1:-1, 1:-1]
    return depth[int(y), int(x)] >= inside * depth.max()


def person_in(rgb: np.ndarray, body: Body) -> PersonLayer | None:
    """The person followed into this frame: the crop placed from their landmarks in the last frame."""
    if body.side < 8:
        return None
    presence, prob, landmarks = _segment_crop(rgb, body)
    if presence < MIN_PRESENCE:
        return None
    return _layer(prob, body, rgb.shape, Body.aligned(landmarks[33], landmarks[34]))


class BodyTracker:
    """People followed through a clip, as MediaPipe's pose tracking does.

    Every `every`-th frame of the clip (counted from its first frame, so that a segment of a clip
    rendered elsewhere finds the same bodies after its warm-up) the people are detected anew; in
    between, each body's crop is placed from its landmarks in the previous frame, which skips the
    detector and the first crop: one landmark-model run per person and frame.
    """

    def __init__(self, every: int = 4, first_index: int = 0):
        self.every, self.index = every, first_index
        self.bodies: list[Body] = []
        self.shape: tuple[int, ...] | None = None

    def layers(self, rgb: np.ndarray) -> list[PersonLayer]:
        """This frame's person layers (see person_layers); call once per frame, in order."""
        if self.index % self.every == 0 or not self.bodies or rgb.shape != self.shape:  # a new size: not the same shot
            self.bodies = find_bodies(rgb)
        self.shape = rgb.shape
        self.index += 1
        layers, followed = [], []
        for body in self.bodies:
            presence, prob, landmarks = _segment_crop(rgb, body)
            if presence < MIN_PRESENCE:  # lost: until the next detection
                continue
            layers.append(_layer(prob, body, rgb.shape))
            nxt = Body.aligned(landmarks[33], landmarks[34])
            if _useful(nxt, rgb.shape) and not any(nxt.same_person(b) for b in followed):
                followed.append(nxt)
        self.bodies = followed
        return layers


def trust(scale: float) -> float:
    """Weight of the body-crop view against the selfie view, by the person's size in the frame.

    0.3 when the body crop is as large as the frame, rising as the person gets smaller (0.6 when
    the crop is half the frame's long side, at most 0.8); falling to 0 for close-ups, where the
    crop is 2x the frame or more and the body model sees the person at lower resolution than the
    selfie model does.
    """
    return float(np.clip(0.3 + 0.3 * math.log2(scale), 0.0, 0.8))


def fuse(selfie: np.ndarray, layers: list[PersonLayer]) -> np.ndarray:
    """Blend the selfie probability with the body-crop segmentations where the crops saw the photo."""
    if not layers:
        return selfie
    prob = np.zeros_like(selfie)
    weight = np.zeros_like(selfie)
    for layer in layers:
        np.maximum(prob, layer.prob, out=prob)
        np.maximum(weight, np.where(layer.inside, trust(layer.scale), 0.0).astype(np.float32), out=weight)
    return weight * prob + (1.0 - weight) * selfie


process_cache('pose anchors', _anchor_centres.cache_clear)
