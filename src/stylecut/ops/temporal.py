"""Temporal stability for video: the previous frame's mask and stylized looks, warped by optical flow.

Each frame's flow to the previous one (OpenCV's DIS) tells where every pixel was. Where the flow is
reliable (forward and backward flows agree: not occluded, not newly revealed), the warped previous
alpha and stylized looks are blended into the current ones; elsewhere the current frame stands.
Edges follow motion instead of shimmering, and brush strokes stay on the scenery instead of boiling.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

FLOW_SIDE = 480  # flow is computed at this long side (DIS is fast and smooth there), then scaled
PHOTO_TOLERANCE = 12.0  # grey levels: a warped pixel this far from the current one has half the trust


def _gray(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(1.0, side / max(h, w))
    small = (
        cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA) if s < 1 else rgb
    )
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)


def _resize_flow(flow: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A flow field brought to size=(w, h), its vectors scaled with it."""
    h, w = flow.shape[:2]
    if (w, h) == tuple(size):
        return flow
    out = cv2.resize(flow, size, interpolation=cv2.INTER_LINEAR)
    out[..., 0] *= size[0] / w
    out[..., 1] *= size[1] / h
    return out


def _maps(flow: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """remap's fixed-point maps for a flow field brought to size=(w, h) (faster to sample with)."""
    w, h = size
    flow = _resize_flow(flow, (w, h))
    mx = flow[..., 0] + np.arange(w, dtype=np.float32)[None, :]
    my = flow[..., 1] + np.arange(h, dtype=np.float32)[:, None]
    return cv2.convertMaps(mx, my, cv2.CV_16SC2)


def warp(image: np.ndarray, flow: np.ndarray, maps: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """image (previous frame) sampled where each current pixel came from (flow: current -> previous)."""
    h, w = image.shape[:2]
    m1, m2 = maps if maps is not None else _maps(flow, (w, h))
    return cv2.remap(image, m1, m2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def reliability(back: np.ndarray, fwd: np.ndarray, tolerance: float = 1.0) -> np.ndarray:
    """1 where following the backward flow and then the forward flow returns to the start, falling to 0.

    The standard occlusion check (Sundaram et al. 2010, as in Ruder et al.'s video style transfer).
    """
    there = warp(fwd, back)  # the forward flow, read at where each pixel came from
    err = cv2.magnitude(*cv2.split(back + there)) ** 2
    scale = 0.01 * (cv2.magnitude(*cv2.split(back)) ** 2 + cv2.magnitude(*cv2.split(there)) ** 2) + tolerance
    return np.exp(-err / scale).astype(np.float32)


@dataclass
class Temporal:
    """The state one clip carries from frame to frame (give a new one to each clip)."""

    mask_weight: float = 0.5  # share of the warped previous alpha where the flow is reliable
    style_weight: float = 0.7  # share of the warped previous stylized look there
    flow_side: int = FLOW_SIDE
    _gray: np.ndarray | None = field(default=None, repr=False)
    _alpha: np.ndarray | None = field(default=None, repr=False)
    _styled: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _dis: Any = field(default=None, repr=False)  # cv2.DISOpticalFlow, made on the first frame

    def reset(self) -> None:
        """Forget the previous frame (a cut, a seek)."""
        self._gray, self._alpha, self._styled = None, None, {}

    def _flows(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._dis is None:
            self._dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        back = self._dis.calc(gray, self._gray, None)  # current -> previous
        fwd = self._dis.calc(self._gray, gray, None)  # previous -> current
        return back, fwd

    def apply(self, rgb: np.ndarray, alpha: np.ndarray | None,
              styled: dict[str, np.ndarray]) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """This frame's alpha and stylized looks, stabilised with the previous frame's; remembers them."""
        gray = _gray(rgb, self.flow_side)
        if self._gray is not None and self._gray.shape == gray.shape:
            back, fwd = self._flows(gray)
            rel = reliability(back, fwd)
            # brightness constancy: where the warped previous frame does not look like this one, the flow
            # is wrong (fast motion, blur) - take the current frame alone there
            seen = cv2.absdiff(warp(self._gray, back), gray).astype(np.float32) * (1.0 / PHOTO_TOLERANCE)
            rel *= np.exp(-seen * seen)
            maps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}  # per size: the flow as remap maps

            def warped(prev: np.ndarray) -> np.ndarray:
                size = (prev.shape[1], prev.shape[0])
                if size not in maps:
                    maps[size] = _maps(back, size)
                return warp(prev, back, maps[size])

            if alpha is not None and self._alpha is not None and self._alpha.shape == alpha.shape:
                before = warped(self._alpha)
                agree = np.clip(1.0 - 2.0 * np.abs(alpha - before), 0.0, 1.0)  # edge shimmer, not a new person
                w = self.mask_weight * _fit(rel, alpha.shape) * agree
                alpha = _mix(alpha, before, w)
            for name, look in styled.items():
                prev = self._styled.get(name)
                if prev is not None and prev.shape == look.shape:
                    styled[name] = _mix(look, warped(prev), self.style_weight * _fit(rel, look.shape[:2]))
        self._gray, self._alpha, self._styled = gray, alpha, dict(styled)
        return alpha, styled


def _mix(now: np.ndarray, before: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(1 - w) * now + w * before, per pixel (w: (h, w)), computed in `before`'s memory."""
    before -= now
    before *= w[..., None] if before.ndim == 3 else w
    before += now
    return before


def _fit(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    return a if a.shape == shape else cv2.resize(a, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
