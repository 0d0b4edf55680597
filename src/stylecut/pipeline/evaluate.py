"""Measure person masks against ground truth: IoU, boundary F-score, alpha error, time."""
from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from stylecut.core.errors import StylecutError
from stylecut.core.formats import IMAGE_EXTS
from stylecut.core.imageio import to_photo
from stylecut.ops import masks

BOUNDARY_TOLERANCE = 0.008  # of the image diagonal, as in the DAVIS benchmark's F measure


@dataclass
class Score:
    name: str
    iou: float
    boundary_f: float
    mae: float
    seconds: float


def _boundary(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8))) > 0


def boundary_f(pred: np.ndarray, gt: np.ndarray) -> float:
    """F-score of boundary pixels matched within a tolerance of 0.8 % of the image diagonal."""
    tol = max(1, int(round(BOUNDARY_TOLERANCE * np.hypot(*gt.shape))))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tol + 1, 2 * tol + 1))
    bp, bg = _boundary(pred), _boundary(gt)
    if not bp.any() and not bg.any():
        return 1.0
    if not bp.any() or not bg.any():
        return 0.0
    precision = (bp & (cv2.dilate(bg.astype(np.uint8), k) > 0)).sum() / bp.sum()
    recall = (bg & (cv2.dilate(bp.astype(np.uint8), k) > 0)).sum() / bg.sum()
    return float(0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))


def iou(alpha: np.ndarray, gt: np.ndarray) -> float:
    """Intersection over union of alpha > 0.5 and a binary ground truth (1 when both are empty)."""
    return masks.iou(alpha > 0.5, gt)


def score(name: str, alpha: np.ndarray, gt: np.ndarray, seconds: float) -> Score:
    """All metrics for one predicted alpha against a binary ground truth."""
    return Score(name, iou(alpha, gt), boundary_f(alpha > 0.5, gt), float(np.abs(alpha - gt).mean()), seconds)


def pairs(images_dir: Path, masks_dir: Path) -> list[tuple[Path, Path]]:
    """(image, mask) pairs matched by file stem; raises naming any image without a mask."""
    for d in (images_dir, masks_dir):
        if not d.is_dir():
            raise StylecutError(f"not a folder: {d}")
    masks = {p.stem: p for p in masks_dir.iterdir() if p.suffix.lower() in IMAGE_EXTS}
    images = sorted(p for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_EXTS)
    if not images:
        raise StylecutError(f"no images in {images_dir}")
    missing = [p.name for p in images if p.stem not in masks]
    if missing:
        raise StylecutError(f"no ground-truth mask in {masks_dir} for: {', '.join(missing)}")
    return [(p, masks[p.stem]) for p in images]


def load_gt(mask_path: Path, size: tuple[int, int]) -> np.ndarray:
    """A ground-truth mask as bool; it must match the photo's size."""
    gt = to_photo(mask_path).rgb[:, :, 0]
    if (gt.shape[1], gt.shape[0]) != size:
        raise StylecutError(f"{mask_path.name} is {gt.shape[1]}x{gt.shape[0]} but its photo is {size[0]}x{size[1]}")
    return gt > 127


def evaluate(images_dir: Path, masks_dir: Path, segment: Callable[[np.ndarray], np.ndarray],
             on_image: Callable[[Score], None] | None = None) -> tuple[list[Score], dict[str, tuple]]:
    """Segment every image and score it; returns the scores and {name: (photo, alpha, gt)} for sheets.

    Every pair is checked before any model runs, and all unreadable or mismatched pairs are named.
    """
    loaded, problems = [], []
    for img_p, mask_p in pairs(images_dir, masks_dir):
        try:
            photo = to_photo(img_p)
            loaded.append((img_p.stem, photo, load_gt(mask_p, photo.size)))
        except StylecutError as exc:
            problems.append(str(exc))
    if problems:
        raise StylecutError("unusable pairs: " + "; ".join(problems))
    scores, keep = [], {}
    for name, photo, gt in loaded:
        t = time.perf_counter()
        alpha = segment(photo.rgb)
        s = score(name, alpha, gt, time.perf_counter() - t)
        scores.append(s)
        keep[name] = (photo.rgb, alpha, gt)
        if on_image:
            on_image(s)
    return scores, keep


def write_report(scores: list[Score], path: Path) -> None:
    """CSV with one row per image."""
    import io

    from stylecut.core.imageio import write_atomic

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(asdict(scores[0])))
    w.writeheader()
    for s in scores:
        w.writerow(asdict(s))
    write_atomic(path, buf.getvalue().encode())


def overlay(rgb: np.ndarray, alpha: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Photo dimmed outside the mask; red = false positive, blue = missed person pixels."""
    out = rgb.astype(np.float32) * (0.35 + 0.65 * alpha[:, :, None])
    pred = alpha > 0.5
    out[pred & ~gt] = 0.5 * out[pred & ~gt] + 0.5 * np.array([255, 0, 0])
    out[~pred & gt] = 0.5 * out[~pred & gt] + 0.5 * np.array([0, 80, 255])
    return np.clip(out, 0, 255).astype(np.uint8)


def worst_sheet(scores: list[Score], keep: dict[str, tuple], n: int = 6):
    """Overlay sheet of the n lowest-IoU images."""
    from stylecut.ops.sheet import make_sheet

    worst = sorted(scores, key=lambda s: s.iou)[:n]
    tiles = [(f"{s.name} IoU {s.iou:.3f}", overlay(*keep[s.name])) for s in worst]
    return make_sheet(tiles, height=320, columns=3)


def warping_error(outputs: list[np.ndarray], inputs: list[np.ndarray]) -> float:
    """Temporal instability (Lai et al. 2018): mean |O_t - warp(O_t-1)| over non-occluded pixels, 0-255 scale.

    The warp is the optical flow of the input frames (DIS), so a stable output changes only where
    the scene does; occluded pixels (forward-backward check) do not count.
    """
    from stylecut.ops.temporal import reliability, warp

    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    errors = []
    for t in range(1, len(inputs)):
        g0, g1 = (cv2.cvtColor(inputs[i], cv2.COLOR_RGB2GRAY) for i in (t - 1, t))
        back, fwd = dis.calc(g1, g0, None), dis.calc(g0, g1, None)
        visible = reliability(back, fwd) > 0.5
        diff = np.abs(outputs[t].astype(np.float32) - warp(outputs[t - 1].astype(np.float32), back)).mean(axis=2)
        errors.append(float(diff[visible].mean()))
    return float(np.mean(errors))


def read_video(path) -> list[np.ndarray]:
    """Every frame of a (short) clip as RGB arrays, for measuring."""
    from stylecut.pipeline.video import frames

    return [rgb for _, rgb in frames(path)]
