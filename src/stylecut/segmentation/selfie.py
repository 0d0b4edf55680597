"""MediaPipe Selfie Segmentation on a whole frame, mirrored, or in square tiles for long frames."""
from __future__ import annotations

import cv2
import numpy as np

from stylecut.ops.filters import bounded_window, window_starts
from stylecut.runtime.litert import TFLiteModel, load_model

TILE_ASPECT = 1.34  # frames longer than this (either way) are also read in overlapping square windows


def run_squashed(model: TFLiteModel, rgb: np.ndarray, flip: bool = False) -> np.ndarray:
    """Resize the whole image to the model's input (no letterbox), predict, resize back."""
    h, w = rgb.shape[:2]
    x = cv2.resize(rgb, (model.width, model.height), interpolation=cv2.INTER_AREA).astype(np.float32)
    x *= 1.0 / 255.0
    if flip:
        p = model(np.ascontiguousarray(x[:, ::-1]))[:, ::-1]
    else:
        p = model(x)
    return cv2.resize(np.ascontiguousarray(p), (w, h), interpolation=cv2.INTER_LINEAR)


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
    win_h, win_w = (h, bounded_window(w, side)) if w > h else (bounded_window(h, side), w)
    feather = np.outer(np.hanning(win_h + 2)[1:-1] + 0.05, np.hanning(win_w + 2)[1:-1] + 0.05).astype(np.float32)
    acc = np.zeros((h, w), np.float32)
    weight = np.zeros((h, w), np.float32)
    for y in window_starts(h, win_h):
        for x in window_starts(w, win_w):
            acc[y:y + win_h, x:x + win_w] += _tta(model, rgb[y:y + win_h, x:x + win_w], flip) * feather
            weight[y:y + win_h, x:x + win_w] += feather
    return acc / weight


def selfie_probability(rgb: np.ndarray, tiles: bool = True, flip: bool = True) -> np.ndarray:
    """The selfie model's person probability (H, W) for an RGB uint8 image (at work resolution).

    Near-square frames: the general model on the whole frame, mirrored. Tall frames (full body):
    that, averaged with square tiles. Wide frames: square tiles only - measured on the eval set and
    on a person at the edge of a panorama, the landscape model's whole-frame view lost that person
    and did not help elsewhere (see README, "Masks").
    """
    h, w = rgb.shape[:2]
    general = load_model("selfie_general")
    if not tiles or max(h, w) / min(h, w) <= TILE_ASPECT:
        return _tta(general, rgb, flip)
    tiled = _tiled(general, rgb, flip)
    return tiled if w > h else 0.5 * (_tta(general, rgb, flip) + tiled)
