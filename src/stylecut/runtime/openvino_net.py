"""The style and feature networks on OpenVINO in bfloat16, where the CPU has bf16 units (AMX, AVX-512 BF16).

On this project's machine (Xeon with AMX) multistyle26 at 1024x816 runs in ~110 ms against onnxruntime's
~370 ms in float32; outputs move by ~0.5 level on average, a texture's fine phase at most (docs/speed.md,
Backends). Elsewhere, or with precision 'float32', the networks stay on onnxruntime, bit for bit as before.
"""
from __future__ import annotations

import functools
import logging
import sys
import threading
from typing import Any

import numpy as np

from stylecut.core.config import settings, user_dir

log = logging.getLogger(__name__)


_import_lock = threading.Lock()
OVC = "openvino.tools.ovc"  # the model converter: openvino imports it if it can, ~150 ms we never use


@functools.cache
def _core() -> Any:
    """OpenVINO's Core, imported without its converter (a None in sys.modules makes that import fail,
    which openvino catches); the entry is removed after, so a later `import openvino.tools.ovc` works."""
    with _import_lock:  # functools.cache lets two first callers in at once
        if "openvino" not in sys.modules and OVC not in sys.modules:
            sys.modules[OVC] = None  # type: ignore[assignment]
            try:
                import openvino  # noqa: F401 (imported here, without the converter)
            finally:
                del sys.modules[OVC]
        import openvino as ov

    return ov.Core()


@functools.cache
def bf16_available() -> bool:
    """openvino installed and the CPU reports bfloat16 units."""
    try:
        return "BF16" in _core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception as exc:  # not installed, no wheel for this platform, a plugin that fails to load
        log.debug("openvino unavailable: %s", exc)
        return False


def wanted() -> bool:
    """Whether the networks should run here in bfloat16 (the precision setting, then the CPU)."""
    return settings.precision != "float32" and bf16_available()


class _Input:
    """An input's name and shape (an int per fixed side, a name per free one), as onnxruntime gives them."""

    def __init__(self, port: Any) -> None:
        self.name = port.get_any_name()
        self.shape = [d.get_length() if d.is_static else f"d{i}" for i, d in enumerate(port.get_partial_shape())]


class OpenVinoNet:
    """A compiled network with the two onnxruntime calls the engines use: get_inputs() and run(None, feed).

    Runs are serialised per network: two threads running one compiled network at once (a new input
    size each) deadlocked inside OpenVINO on this 2-core machine (a CLI run with a painting for the
    background and a preset for the person hung 2 times in 10). Different networks still run together.
    """

    def __init__(self, path: str, threads: int | None, precision: str = "bf16") -> None:
        config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        cache = user_dir("cache") / "openvino"  # compiled blobs: a later start compiles in ~100 ms, not ~250
        try:
            cache.mkdir(parents=True, exist_ok=True)
            self._net = _core().compile_model(path, "CPU", {**config, "CACHE_DIR": str(cache)})
        except (OSError, RuntimeError):  # a read-only cache folder: compile without it
            self._net = _core().compile_model(path, "CPU", config)
        self._inputs = [_Input(i) for i in self._net.inputs]
        self._lock = threading.Lock()

    def get_inputs(self) -> list[_Input]:
        return self._inputs

    def run(self, names: None, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        with self._lock:
            result = self._net.create_infer_request().infer(feed, share_inputs=True)  # outputs are copies
        return [result[out] for out in self._net.outputs]
