"""Every process-wide cache registers in runtime.caches, so one call drops them all."""
from __future__ import annotations

import numpy as np

from stylecut.runtime import caches


def test_clear_all_empties_every_registered_cache():
    import stylecut.runtime.litert  # noqa: F401 (registers its interpreters)
    import stylecut.runtime.onnx_session as onnx_session
    import stylecut.segmentation.select as select

    assert {"onnx sessions", "litert interpreters", "selectors", "model paths"} <= set(caches.process_caches())
    mine: dict[str, int] = {"a": 1}
    caches.process_cache("test", mine.clear)
    key = ("fake", None, None, False)
    onnx_session._sessions[key] = object()
    select._SELECTORS["fake"] = object()
    try:
        stylecut.clear_caches()
        assert mine == {} and key not in onnx_session._sessions and "fake" not in select._SELECTORS
    finally:
        caches._clearers.pop("test", None)


def test_a_session_cache_is_bounded_by_bytes():
    lru = caches.LRU(max_bytes=1000)
    for i in range(5):
        lru.put(str(i), np.zeros(300, np.uint8))
    assert lru.used <= 1000 and lru.get("0") is None and lru.get("4") is not None
