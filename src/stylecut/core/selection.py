"""What the user points at: a box and clicks in order (Selection), and the text forms that spell them."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from stylecut.core.errors import StylecutError
from stylecut.core.imageio import ImageLike

MAX_POINTS = 20  # clicks in one selection: each costs a graph cut (20: the standard protocol's cap)
POINTS_TEXT = 4096  # characters of `points` JSON: 20 clicks of large coordinates fit several times over
POINTS_DEPTH = 2  # [[x, y, label], ...]: deeper nesting is refused before it is parsed
POINTS_FORMAT = "points must be JSON like [[x, y, 1], [x, y, 0]] (1 = subject, 0 = not; in click order)"


@dataclass(frozen=True)
class Selection:
    """Pixels in the photo's (upright) coordinates: a box (x0, y0, x1, y1) and clicks (x, y, positive) in order."""

    box: tuple[float, float, float, float] | None = None
    clicks: tuple[tuple[float, float, bool], ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, box: tuple[float, float, float, float] | None = None,
           add: Any = (), remove: Any = ()) -> Selection:
        """From separate lists (the CLI's --add/--remove): the positive clicks first."""
        return cls(box, tuple((float(x), float(y), True) for x, y in add) +
                   tuple((float(x), float(y), False) for x, y in remove))

    @property
    def add(self) -> list[tuple[float, float]]:
        return [(x, y) for x, y, p in self.clicks if p]

    @property
    def remove(self) -> list[tuple[float, float]]:
        return [(x, y) for x, y, p in self.clicks if not p]

    def __bool__(self) -> bool:
        return self.box is not None or bool(self.clicks)

    def check(self, width: int, height: int) -> Selection:
        """One clear error for points outside the photo, an empty box, contradictions, too many points."""
        if len(self.clicks) > MAX_POINTS:
            raise StylecutError(f"too many points ({len(self.clicks)}); at most {MAX_POINTS}")
        for x, y, positive in self.clicks:
            if not (0 <= x < width and 0 <= y < height):
                raise StylecutError(f"the {'subject' if positive else 'not-subject'} point {x:g},{y:g} is outside "
                                    f"the {width}x{height} image")
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
                raise StylecutError(f"the box {x0:g},{y0:g},{x1:g},{y1:g} must have x0 < x1, y0 < y1 and lie "
                                    f"inside the {width}x{height} image")
            if (x1 - x0) < 4 or (y1 - y0) < 4:
                raise StylecutError(f"the box {x0:g},{y0:g},{x1:g},{y1:g} is too small to hold a subject")
        both = {(round(x), round(y)) for x, y in self.add} & {(round(x), round(y)) for x, y in self.remove}
        if both:
            x, y = next(iter(both))
            raise StylecutError(f"the point {x},{y} is both added and removed")
        return self


def parse_point(text: str, what: str = "--add") -> tuple[float, float]:
    try:
        x, y = (float(v) for v in str(text).split(","))
    except ValueError:
        raise StylecutError(f"{what} wants X,Y in pixels, got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise StylecutError(f"{what} wants finite X,Y, got {text!r}")
    return x, y


def parse_click(text: str) -> tuple[float, float, bool]:
    """The CLI's --point: 'X,Y' is a point on the subject, '-X,Y' one that is not (a leading minus)."""
    text = str(text).strip()
    positive = not text.startswith("-")
    x, y = parse_point(text if positive else text[1:], "--point")
    return x, y, positive


def parse_points(text: str) -> tuple[tuple[float, float, bool], ...]:
    """JSON [[x, y, label], ...] (the HTTP API's `points`) -> clicks in order; label 1/true or 0/false.

    Size and nesting are checked before parsing (a body of nested brackets must not exhaust the stack)."""
    if len(text) > POINTS_TEXT:
        raise StylecutError(f"points: at most {POINTS_TEXT} characters")
    depth = deepest = 0
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        deepest = max(deepest, depth)
    if deepest > POINTS_DEPTH:
        raise StylecutError(POINTS_FORMAT)
    try:
        raw = json.loads(text)
        if not isinstance(raw, list) or not all(isinstance(c, list) and len(c) == 3 for c in raw):
            raise ValueError("not a list of [x, y, label]")
        clicks = tuple((_number(x), _number(y), _label(p)) for x, y, p in raw)
    except (ValueError, TypeError):
        raise StylecutError(POINTS_FORMAT) from None
    if not all(math.isfinite(v) for c in clicks for v in c[:2]):
        raise StylecutError("points must be finite numbers")
    if len(clicks) > MAX_POINTS:
        raise StylecutError(f"too many points ({len(clicks)}); at most {MAX_POINTS}")
    return clicks


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("not a number")
    return float(value)


def _label(value: object) -> bool:
    """1/true: the subject; 0/false: not the subject; anything else (\"0\", 5) is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError("a label is 0, 1, true or false")


def parse_box(text: str, what: str = "box") -> tuple[float, float, float, float]:
    """'X0,Y0,X1,Y1' in pixels; `what` names it in the error (the CLI: --box)."""
    try:
        vals = tuple(float(v) for v in str(text).split(","))
    except ValueError:
        vals = ()
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise StylecutError(f"{what} wants X0,Y0,X1,Y1 in pixels, got {text!r}")
    return vals[0], vals[1], vals[2], vals[3]


@dataclass(frozen=True)
class ClipSelection(Selection):
    """A selection made on a later frame of a clip; `before`: the masks of the frames before that one.

    Made by `follow_back`; the clip's segmenter gives those masks to the frames before the selection
    frame, makes the selection on it, and follows it from there.
    """

    before: tuple[Any, ...] = field(default=(), compare=False)  # (packed bits, (h, w)) per frame, at work size


# What every `mask=` parameter takes: the user's own mask (a path or an image), a Selection (box
# and/or clicks; a ClipSelection for a clip), or None for the person model. The registry's
# segmenters decide which takes which (core.registry.resolve).
MaskLike = ImageLike | Selection | None
