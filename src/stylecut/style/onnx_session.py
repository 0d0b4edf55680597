"""onnxruntime sessions for the bundled style networks, created once per process."""
from __future__ import annotations

import contextlib
import threading
from functools import lru_cache
from typing import Iterator

from ..assets import model_path
from ..config import settings

_lock = threading.Lock()
_here = threading.local()  # threads for the networks run from this thread (see threads_per_run)


@contextlib.contextmanager
def threads_per_run(threads: int | None) -> Iterator[None]:
    """Networks run from this thread inside the block use `threads` compute threads (None: the setting).

    A video keeps several frames in flight, each network on one core: on 2 cores two 1-thread runs
    beside the other work beat one 2-thread run that waits for it (measured in the README, Video).
    """
    before = getattr(_here, "threads", None)
    _here.threads = threads
    try:
        yield
    finally:
        _here.threads = before


def _options(threads: int | None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
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


def _open_style_tables(path) -> bytes:
    """The 26-style network with its per-layer scale/shift tables as inputs, so any style runs in it.

    The graph mixes rows as sum(style_weights[:, None] * table); fed one row and weight 1 it runs a
    blend mixed beforehand, a learned style included (measured: same speed, outputs bit-identical).
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    graph = model.graph
    for init in [i for i in graph.initializer if i.name.endswith((".norm.gamma", ".norm.beta"))]:
        graph.initializer.remove(init)
        graph.input.append(helper.make_tensor_value_info(init.name, TensorProto.FLOAT, ["styles", init.dims[1]]))
    graph.input[1].type.tensor_type.shape.dim[0].dim_param = "styles"
    return model.SerializeToString()


# rewritten graphs: by variant name, or by model key when the model is always run rewritten
_VARIANTS = {"arbitrary_transform": _symbolic_hw, "open_tables": _open_style_tables}


def session(key: str, variant: str | None = None):
    """An InferenceSession for a registered ONNX model ('multistyle26', 'arbitrary_predict', 'arbitrary_transform').

    variant 'open_tables' (multistyle26): the style tables as inputs. Rewriting needs the onnx package,
    whose import costs ~145 ms, so the built-in presets run the file as it is. One session per
    model, variant and thread count, created once per process.
    """
    return _session(key, variant, getattr(_here, "threads", None) or settings.threads or None)


@lru_cache(maxsize=None)
def _session(key: str, variant: str | None, threads: int | None):
    import onnxruntime as ort

    with _lock:
        path = model_path(key)
        rewrite = _VARIANTS.get(variant or key)
        src = rewrite(path) if rewrite is not None else str(path)
        return ort.InferenceSession(src, _options(threads), providers=["CPUExecutionProvider"])
