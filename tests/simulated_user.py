"""The simulated user of interactive segmentation (the standard protocol), shared by tests and benchmarks.

Each next click goes to the point deepest inside the largest error region: positive where the
object is missed, negative where background is taken.
"""
from __future__ import annotations

import time

import cv2
import numpy as np
from PIL import Image

from stylecut.ops.masks import iou
from tests.eval_data import EVAL, SEG_IMAGES


def next_click(pred: np.ndarray, gt: np.ndarray) -> tuple[tuple[float, float], bool]:
    """The simulated user's click: deepest point of the largest error region; True = positive."""
    fn, fp = np.logical_and(gt, ~pred), np.logical_and(~gt, pred)
    best = None
    for err, positive in ((fn, True), (fp, False)):
        if not err.any():
            continue
        padded = np.pad(err, 1).astype(np.uint8)  # the image border counts as outside the region
        dist = cv2.distanceTransform(padded, cv2.DIST_L2, 5)[1:-1, 1:-1]
        if best is None or dist.max() > best[0]:
            y, x = np.unravel_index(np.argmax(dist), dist.shape)
            best = (dist.max(), (float(x), float(y)), positive)
    return best[1], best[2]


def run_user(rgb: np.ndarray, gt: np.ndarray, clicks: int, prior: np.ndarray | None,
             shown: bool = True, delivered: bool = False) -> tuple[list[float], list[float]]:
    """IoU after each click (and the seconds each click took). shown: the user sees the prior before
    the first click (else an empty mask: the first click points at the subject). delivered: the mask
    scored (and clicked on) is the refined soft mask > 0.5 that stylecut delivers, not the hard cut."""
    from stylecut.core.selection import Selection
    from stylecut.segmentation.refine import refine
    from stylecut.segmentation.select import Selector, select_mask

    done, ious, times = [], [], []
    selector = Selector(rgb, prior)  # what a server keeps per photo between clicks
    pred = prior > 0.5 if prior is not None and shown else np.zeros_like(gt)
    for _ in range(clicks):
        point, positive = next_click(pred, gt)
        done.append((*point, positive))
        t = time.perf_counter()
        pred = select_mask(rgb, Selection(clicks=tuple(done)), prior, selector)
        times.append(time.perf_counter() - t)
        if delivered:
            pred = refine(rgb, pred.astype(np.float32), "guided") > 0.5
        ious.append(iou(pred, gt))
    return ious, times


def noc(ious: list[float], target: float, clicks: int) -> int:
    return next((i + 1 for i, v in enumerate(ious) if v >= target), clicks)


def davis(seq: str, step: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    frames = sorted((EVAL / "video" / seq / "frames").glob("*.jpg"))[::step]
    return [
        (
            f"{seq}/{f.stem}",
            np.asarray(Image.open(f).convert("RGB")),
            np.asarray(Image.open(EVAL / "video" / seq / "masks" / f"{f.stem}.png").convert("L")) > 127,
        )
        for f in frames
    ]


def seg_photos() -> list[tuple[str, np.ndarray, np.ndarray]]:
    return [
        (
            p.stem,
            np.asarray(Image.open(p).convert("RGB")),
            np.asarray(Image.open(p.parent.parent / "masks" / f"{p.stem}.png").convert("L")) > 127,
        )
        for p in SEG_IMAGES
    ]


def person_prior(rgb: np.ndarray) -> np.ndarray | None:
    from stylecut.core.imageio import Photo
    from stylecut.pipeline.session import segment_photo

    alpha, found = segment_photo(Photo(rgb), "guided")
    return alpha if found else None


def objects(half: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The COCO_MVal instances of one half: 'tuning' (instances 00, and 01s that share a photo with
    a 00) or 'validation' (the other 01s)."""
    images = sorted((EVAL / "objects" / "images").glob("*.jpg"))
    photo = lambda p: p.stem.split("_")[1]  # noqa: E731
    firsts = {photo(p) for p in images if p.stem.split("_")[0].endswith("00")}
    tuning = lambda p: p.stem.split("_")[0].endswith("00") or photo(p) in firsts  # noqa: E731
    picked = [p for p in images if tuning(p) == (half == "tuning")]
    return [
        (
            p.stem,
            np.asarray(Image.open(p).convert("RGB")),
            np.asarray(Image.open(EVAL / "objects" / "masks" / f"{p.stem}.png").convert("L")) > 127,
        )
        for p in picked
    ]


def plain_grabcut_user(rgb: np.ndarray, gt: np.ndarray, clicks: int, side: int = 400) -> list[float]:
    """The anchor: OpenCV's GrabCut at `side` px from the previous result (all "probably background"
    at first), the clicks so far as hard seed discs, 3 iterations per click; IoU after each click."""
    from stylecut.ops.filters import resize_max

    small = cv2.cvtColor(resize_max(rgb, side), cv2.COLOR_RGB2BGR)
    h, w = small.shape[:2]
    k, r = w / rgb.shape[1], max(2, round(max(h, w) / 100))
    pred, done, ious = np.zeros_like(gt), [], []
    work = np.zeros((h, w), bool)
    for _ in range(clicks):
        point, positive = next_click(pred, gt)
        done.append((*point, positive))
        labels = np.where(work, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
        for x, y, p in done:
            cv2.circle(labels, (min(w - 1, int(x * k)), min(h - 1, int(y * k))), r,
                       int(cv2.GC_FGD if p else cv2.GC_BGD), -1)
        try:
            cv2.setRNGSeed(0x5EED)
            cv2.grabCut(small, labels, None, np.zeros((1, 65)), np.zeros((1, 65)), 3, cv2.GC_INIT_WITH_MASK)
        except cv2.error:
            pass
        work = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD))
        pred = cv2.resize(work.astype(np.uint8), gt.shape[::-1], interpolation=cv2.INTER_LINEAR) > 0
        ious.append(iou(pred, gt))
    return ious
