"""onnxruntime sessions for the bundled style networks, created once per process."""
from __future__ import annotations

import threading
from functools import lru_cache

from ..assets import model_path
from ..config import settings

_lock = threading.Lock()


def _options():
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if settings.threads:
        opts.intra_op_num_threads = settings.threads
    return opts


def _symbolic_hw(path) -> bytes:
    """The arbitrary transform is exported at 384x384; free its spatial dims so it runs at any size."""
    import onnx

    model = onnx.load(str(path))
    for value in list(model.graph.input[:1]) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        dims[1].dim_param, dims[2].dim_param = "height", "width"
    del model.graph.value_info[:]  # stale 384x384 shape annotations
    return model.SerializeToString()


@lru_cache(maxsize=None)
def session(key: str):
    """An InferenceSession for a registered ONNX model ('multistyle26', 'arbitrary_predict', 'arbitrary_transform')."""
    import onnxruntime as ort

    with _lock:
        path = model_path(key)
        src = _symbolic_hw(path) if key == "arbitrary_transform" else str(path)
        return ort.InferenceSession(src, _options(), providers=["CPUExecutionProvider"])
