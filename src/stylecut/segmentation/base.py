"""The Segmenter protocol: a photo in, a soft subject alpha out, in two steps.

`look` is quick (tens of ms) and says roughly where the subject is, so a style network can start
on an input with the subject filled out; `alpha` finishes the mask (refined edges, full size) and
runs beside the style network. Register a new segmenter with `stylecut.core.registry.register_segmenter`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass
class Look:
    """A segmenter's first view: guide (h, w) in [0, 1] at any resolution, and what alpha() reuses."""

    guide: np.ndarray
    data: Any = None


class Segmenter(Protocol):
    def prepare(self) -> None: ...

    def look(self, rgb: np.ndarray) -> Look: ...

    def found(self, alpha: np.ndarray, look: Look) -> bool:
        """Whether the mask holds a subject (False: 'no person found', or region 'all' by choice)."""

    def alpha(self, rgb: np.ndarray, look: Look | None = None, refine_method: str = "guided") -> np.ndarray:
        """Soft alpha (H, W) float32 in [0, 1] at the photo's size, snapped (see layers.snap)."""

    # optional: def for_clip(self, first_index: int = 0) -> Segmenter
    #   a segmenter for the consecutive frames of one clip, which may carry state from frame to frame
    #   (people tracked, a selection followed) in look(), called once per frame in order;
    #   first_index: the first frame's index in the clip. Without it, the segmenter serves every frame.
