"""The StyleEngine protocols. Register a new engine with `stylecut.core.registry.register_engine`.

Feed-forward engines (family 'fast') stylize one layer's input at a time; an optimiser (family
'gatys') renders every layer's style in one optimisation (`joint = True`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np


class StyleEngine(Protocol):
    joint: bool  # False: stylize() per layer; True: render() all layers at once

    @staticmethod
    def accepts(spec: Any) -> bool: ...

    def prepare(self, spec: Any, cache: Any = None) -> None:
        """Load what this style needs that does not depend on the photo (sessions, style vector)."""

    def stylize(self, rgb: np.ndarray, spec: Any, strength: float = 1.0, cache: Any = None) -> np.ndarray:
        """(h, w, 3) uint8 -> (h, w, 3) float32 in [0, 1]."""


class JointEngine(Protocol):
    joint: bool

    def render(self, rgb: np.ndarray, layers: Any, styles: dict, options: Any,
               progress: Callable[[str, float], None], cancel: Callable[[], bool] | None,
               warm_start: Callable[[np.ndarray, np.ndarray | None, int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(the photo at the engine's size uint8, every styled layer's look on it, float32 [0, 1]).

        warm_start(small photo, person mask there or None, style size) -> uint8 image: the fast
        engines' result for the same request, given by the pipeline (engines never run a Session)."""
