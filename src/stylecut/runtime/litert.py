"""LiteRT (TensorFlow Lite) interpreters for the registered .tflite model files, loaded once per process."""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

import numpy as np

from stylecut.runtime.assets import model_path
from stylecut.runtime.caches import process_cache


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Mute file descriptor 2 (LiteRT's C++ logger prints an INFO line when it creates a delegate)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# One thread per interpreter: these models run beside a style network that keeps the cores busy, where a
# second interpreter thread spins waiting for a core (a video on 2 cores: 4-6 % faster on one; outputs
# identical); alone on an idle machine two threads gain only on the pose models (docs/speed.md).
THREADS = 1


class TFLiteModel:
    """One LiteRT interpreter; calls are serialised because an interpreter is not thread-safe."""

    def __init__(self, key: str, threads: int = THREADS):
        from ai_edge_litert.interpreter import Interpreter

        with _quiet_stderr():
            self.interp = Interpreter(model_path=str(model_path(key)), num_threads=threads)
            self.interp.allocate_tensors()
        inp = self.interp.get_input_details()[0]
        self.in_index = inp["index"]
        self.outputs = {d["name"]: d["index"] for d in self.interp.get_output_details()}
        self.height, self.width = int(inp["shape"][1]), int(inp["shape"][2])
        self.lock = threading.Lock()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """x: (height, width, 3) float32 in [0, 1] -> (height, width) probability (the first output)."""
        return next(iter(self.run(x).values()))[:, :, 0]

    def run(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """x: (height, width, 3) float32 -> every output tensor by name, batch axis dropped."""
        with self.lock:
            self.interp.set_tensor(self.in_index, x[None].astype(np.float32, copy=False))
            self.interp.invoke()
            return {name: self.interp.get_tensor(i)[0].copy() for name, i in self.outputs.items()}


_models: dict[str, TFLiteModel] = {}
process_cache("litert interpreters", _models.clear)
_loading = threading.Lock()


def load_model(key: str) -> TFLiteModel:
    """Load (once per process, whichever thread asks first) a LiteRT model from the registry, e.g. 'selfie_general'."""
    with _loading:
        if key not in _models:
            _models[key] = TFLiteModel(key)
        return _models[key]
