"""The one exception type users see: a clear, single-line message."""
from __future__ import annotations

from collections.abc import Callable


class StylecutError(Exception):
    """Bad input or an unusable environment; the message is meant for the user."""


class NotAnImageError(StylecutError):
    """The bytes are not an image we can decode (or the file is truncated)."""


class ImageTooLargeError(StylecutError):
    """The image has more pixels than allowed (decompression-bomb guard)."""


class Cancelled(StylecutError):
    """The caller asked the work to stop (a client that went away, a server that is stopping)."""


def stop_if_cancelled(cancel: Callable[[], bool] | None) -> None:
    """Raise Cancelled when `cancel` (a callable, or None for work nobody can stop) says so."""
    if cancel is not None and cancel():
        raise Cancelled("cancelled")
