"""Every cache stylecut keeps, in one place: bounded LRU caches of arrays (a Session's Cache), and the
process-wide ones (model sessions, interpreters, selectors, loaded weights) that register here so
that clear_all() drops them all."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

_clearers: dict[str, Callable[[], None]] = {}


def process_cache(name: str, clear: Callable[[], None]) -> None:
    """Register a process-wide cache under `name` by the function that empties it."""
    _clearers[name] = clear


def process_caches() -> tuple[str, ...]:
    """The names of the process-wide caches registered so far (those of the modules imported)."""
    return tuple(_clearers)


def clear_all() -> None:
    """Drop every process-wide cache (models load again on their next use); a Session's Cache has its own clear()."""
    for clear in list(_clearers.values()):
        clear()


def key_of(arr: np.ndarray, *extra: object) -> str:
    """A content key for an array (sha1 of its bytes and shape) plus any extra parts."""
    h = hashlib.sha1(np.ascontiguousarray(arr).data)
    return "|".join([h.hexdigest(), str(arr.shape), *map(str, extra)])


class LRU:
    """Maps keys to numpy arrays or tuples of them; evicts the least recently used past max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.used = max_bytes, 0
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def _size(value: object) -> int:
        if isinstance(value, tuple):
            return sum(v.nbytes for v in value if isinstance(v, np.ndarray))
        return value.nbytes if isinstance(value, np.ndarray) else 0

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.used = 0

    def get(self, key: str) -> object:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: str, value: object) -> None:
        size = self._size(value)
        with self.lock:
            if key in self.items or size > self.max_bytes:
                return
            self.items[key] = value
            self.used += size
            while self.used > self.max_bytes:
                _, old = self.items.popitem(last=False)
                self.used -= self._size(old)


class Cache:
    """What a Session keeps between images: coarse person masks and style vectors, by content.

    A session makes its own (style vectors only: a video's frames never repeat); a server shares
    one between requests, so the page's mask preview and the stylize call after it segment once.
    """

    def __init__(self, mask_bytes: int = 0, vector_bytes: int = 1024 * 1024):
        self.masks = LRU(mask_bytes)
        self.vectors = LRU(vector_bytes)  # 100 floats each: thousands of styles

    def clear(self) -> None:
        self.masks.clear()
        self.vectors.clear()
