"""Masks as named soft layers that sum to 1: 'person' and 'background' today, more later.

The explicit layers (e.g. 'person') are stored; the last one, 'background', is what they leave
(1 - their sum), so two layers cost one array and 1 - (1 - a) never blurs a value.
"""
from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

SNAP = 0.02
BACKGROUND = "background"
PERSON = "person"


def snap(alpha: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Snap near-certain values: >= 0.98 becomes exactly 1 (pixel kept), <= 0.02 exactly 0.

    in_place: alpha (float32) is the caller's own new array: changed where it is, no full-size copy."""
    if in_place and alpha.dtype == np.float32:
        alpha = np.clip(alpha, 0.0, 1.0, out=alpha)
    else:
        alpha = np.clip(alpha, 0.0, 1.0).astype(np.float32, copy=False)
    alpha[alpha >= 1.0 - SNAP] = 1.0
    alpha[alpha <= SNAP] = 0.0
    return alpha


def has_person(alpha: np.ndarray) -> bool:
    """True if the mask holds a person-sized confident region (>= 0.2 % of the frame)."""
    return float((alpha > 0.5).mean()) >= 0.002


class Layers:
    """Named soft layers (H, W) float32 in [0, 1] over one frame; the background takes the rest."""

    def __init__(self, explicit: dict[str, np.ndarray]):
        if not explicit or BACKGROUND in explicit:
            raise ValueError("give the explicit layers; 'background' is what they leave")
        self.explicit = explicit
        self._background: np.ndarray | None = None

    @classmethod
    def of_person(cls, alpha: np.ndarray) -> Layers:
        return cls({PERSON: alpha})

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.explicit, BACKGROUND)

    @property
    def shape(self) -> tuple[int, int]:
        return next(iter(self.explicit.values())).shape

    def __getitem__(self, name: str) -> np.ndarray:
        if name != BACKGROUND:
            return self.explicit[name]
        if self._background is None:
            self._background = 1.0 - self._covered()
        return self._background

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def _covered(self) -> np.ndarray:
        arrays = list(self.explicit.values())
        return arrays[0] if len(arrays) == 1 else np.clip(sum(arrays), 0.0, 1.0)

    def others(self, name: str) -> np.ndarray:
        """Everything that is not layer `name` (what its style input and its edge should leave out)."""
        if name == BACKGROUND:
            return self._covered()
        if len(self.explicit) == 1:
            return self[BACKGROUND]
        return 1.0 - self.explicit[name]

    def resized(self, size: tuple[int, int]) -> Layers:
        """The layers at size=(w, h) (area-averaged when shrinking)."""
        h, w = self.shape
        if (w, h) == tuple(size):
            return self
        return Layers({k: cv2.resize(v, size, interpolation=cv2.INTER_AREA) for k, v in self.explicit.items()})
