"""The per-photo model a selection's clicks train: how likely each pixel is the object.

A logistic model on the photo's semantic features (features.py), how much more its colour belongs
to the object than to the rest (histograms), and its distance to the nearest positive and negative
click, fitted to the current mask and the clicks. The model learns the weight of each: colour on a
red car, semantics on a grey goat against grey rock, distance where far look-alikes would leak.
Its log-odds are the evidence of a graph cut (min_cut.py).
"""
from __future__ import annotations

import cv2
import numpy as np

from stylecut.segmentation.color_models import colour_index, log_density
from stylecut.segmentation.features import STRIDE

COLOUR_BINS = 16  # per channel: 4096 colours, enough samples per bin in a 400 px image
RIDGE = 0.3  # L2 penalty per unit of sample weight: unpenalised, a first click gives +-20 log-odds
CLICKS_SHARE = 0.5  # the clicks weigh as much as every other labelled cell together: they are what the user said
NEWTON_STEPS = 8  # iterations of the fit (converges in ~5 on these sizes)


class ClickModel:
    """Fits on (mask, clicks) and returns the object's log-odds at work size."""

    def __init__(self, work_rgb: np.ndarray, semantic: np.ndarray | None):
        self.shape = work_rgb.shape[:2]
        self.colours = colour_index(work_rgb, COLOUR_BINS)
        self.semantic = semantic
        h, w = self.shape
        self.grid = semantic.shape[:2] if semantic is not None else (-(-h // STRIDE), -(-w // STRIDE))

    def _to_grid(self, a: np.ndarray) -> np.ndarray:
        gh, gw = self.grid
        return cv2.resize(a.astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA)

    def _distances(self, points: list[tuple[int, int]]) -> np.ndarray:
        """Distance (work pixels, as a share of the long side) to the nearest of the points; 1 when none."""
        h, w = self.shape
        if not points:
            return np.ones((h, w), np.float32)
        free = np.ones((h, w), np.uint8)
        for x, y in points:
            free[y, x] = 0
        return cv2.distanceTransform(free, cv2.DIST_L2, 3) / max(h, w)

    def evidence(self, mask: np.ndarray, fg: np.ndarray, bg: np.ndarray,
                 positives: list[tuple[int, int]], negatives: list[tuple[int, int]],
                 share: float | None = None, doubt: bool = False) -> np.ndarray:
        """Log-odds of object per work pixel, fitted to `mask` (bool) with the seeds fg/bg (bool) over it.

        share: the object's expected share of the photo, which the mask's cells and the rest's are
        weighted to (None: the mask's own share, each cell weighing the same).
        doubt: leave out of the fit (seeds excepted) the mask's pixels nearer a negative click than any
        positive one, when there is one (a negative click on a leak says the mask is wrong there:
        fitted as object, the leak kept itself; without a positive click the mask is all that says
        where the object is)."""
        labels = (mask | fg) & ~bg
        ratio = np.zeros(self.shape, np.float32)
        if labels.any() and (~labels).any():
            table = log_density(self.colours[labels], COLOUR_BINS) - log_density(self.colours[~labels], COLOUR_BINS)
            ratio = table[self.colours].astype(np.float32)
        to_positive, to_negative = self._distances(positives), self._distances(negatives)
        work = [ratio, to_positive, to_negative]
        columns = [self._to_grid(c).ravel() for c in work]
        if self.semantic is not None:
            columns = [*self.semantic.reshape(-1, self.semantic.shape[2]).T, *columns]
        x = np.stack([*columns, np.ones_like(columns[0])], axis=1)
        y = self._to_grid(labels).ravel()
        seeds = self._to_grid(fg | bg).ravel() > 0
        weight = np.ones(len(y), np.float32)
        if share is not None:
            weight[~seeds] = _class_weights(y[~seeds] > 0.5, share)
        if doubt and positives:
            doubted = mask & (to_negative < to_positive)
            weight[(self._to_grid(doubted).ravel() > 0.5) & ~seeds] = 0.0
        if seeds.any() and (~seeds).any():
            weight[seeds] = CLICKS_SHARE / (1 - CLICKS_SHARE) * weight[~seeds].sum() / seeds.sum()
            y[seeds] = self._to_grid(fg).ravel()[seeds] > 0
        coef = _logistic(x, y, weight)
        k = len(work) + 1
        out = sum(c * v for c, v in zip(coef[-k:-1], work)) + coef[-1]
        if self.semantic is not None:
            h, w = self.shape
            sem = (self.semantic @ coef[:-k]).astype(np.float32)
            gh, gw = self.grid
            # the grid is padded past the image: bring it to (gw*STRIDE, gh*STRIDE), then crop
            out = out + cv2.resize(sem, (gw * STRIDE, gh * STRIDE), interpolation=cv2.INTER_LINEAR)[:h, :w]
        return out.astype(np.float32)


def _class_weights(inside: np.ndarray, share: float) -> np.ndarray:
    """Per-cell weights (summing to the cell count) under which the inside cells weigh `share` of all,
    never less than their own share; equal weights when either class is empty."""
    n, k = len(inside), int(inside.sum())
    if k == 0 or k == n:
        return np.ones(n, np.float32)
    share = max(share, k / n)
    return np.where(inside, share * n / k, (1.0 - share) * n / (n - k)).astype(np.float32)


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted, ridge-penalised logistic regression by Newton's method -> coefficients (last: bias)."""
    x64, y64, w64 = x.astype(np.float64), y.astype(np.float64), weight.astype(np.float64)
    coef = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], RIDGE * w64.sum())
    penalty[-1] = 0.0  # the bias is free
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x64 @ coef, -30, 30)))
        grad = x64.T @ (w64 * (p - y64)) + penalty * coef
        hess = (x64 * (w64 * p * (1 - p))[:, None]).T @ x64 + np.diag(penalty + 1e-6)
        coef -= np.linalg.solve(hess, grad)
    return coef
