"""onnxruntime sessions for the bundled style networks, created once per process."""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from stylecut.core.config import compute_threads, settings, user_dir
from stylecut.core.errors import StylecutError
from stylecut.core.imageio import write_atomic
from stylecut.runtime.assets import model_path
from stylecut.runtime.caches import process_cache
from stylecut.runtime.openvino_net import OpenVinoNet, wanted
from stylecut.runtime.vgg_graph import features_model

log = logging.getLogger(__name__)
_lock = threading.Lock()
_here = threading.local()  # network settings of this thread: threads (threads_per_run), float32 (float32_here)


@contextlib.contextmanager
def _in_this_thread(name: str, value: object) -> Iterator[None]:
    """Set one of this thread's network settings (_here) for the block, then put the old one back."""
    before = getattr(_here, name, None)
    setattr(_here, name, value)
    try:
        yield
    finally:
        setattr(_here, name, before)


def threads_per_run(threads: int | None) -> contextlib.AbstractContextManager[None]:
    """Networks run from this thread inside the block use `threads` compute threads (None: the setting).

    A video keeps several frames in flight, each network on one core: on 2 cores two 1-thread runs
    beside the other work beat one 2-thread run that waits for it (measured in the README, Video).
    """
    return _in_this_thread("threads", threads)


def float32_here() -> contextlib.AbstractContextManager[None]:
    """Networks run from this thread inside the block stay on onnxruntime in float32 (an exactness check)."""
    return _in_this_thread("float32", True)


def threads_here() -> int | None:
    """The compute threads asked for by the enclosing threads_per_run of this thread (None: none)."""
    return getattr(_here, "threads", None)


def shared_threads(at_once: int) -> int:
    """Compute threads for each network when `at_once` images are in flight: the cores shared out.

    Measured on 2 cores, 12 photos at 1024 px (docs/speed.md): two in flight with one thread per
    network 408 ms a photo, with every core per network 446, one at a time 548.
    """
    return max(1, compute_threads() // max(1, at_once))


def _options(threads: int | None) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    return opts


def _symbolic_hw(model: Any) -> None:
    """The arbitrary transform is exported at 384x384; free its spatial dims so it runs at any size."""
    for value in list(model.graph.input[:1]) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        dims[1].dim_param, dims[2].dim_param = "height", "width"
    del model.graph.value_info[:]  # stale 384x384 shape annotations


def _open_style_tables(model: Any) -> None:
    """The 26-style network with its per-layer scale/shift tables as inputs, so any style runs in it.

    The graph mixes rows as sum(style_weights[:, None] * table); fed one row and weight 1 it runs a
    blend mixed beforehand, a learned style included (measured: same speed, outputs bit-identical).
    """
    from onnx import TensorProto, helper

    graph = model.graph
    for init in [i for i in graph.initializer if i.name.endswith((".norm.gamma", ".norm.beta"))]:
        graph.initializer.remove(init)
        graph.input.append(helper.make_tensor_value_info(init.name, TensorProto.FLOAT, ["styles", init.dims[1]]))
    graph.input[1].type.tensor_type.shape.dim[0].dim_param = "styles"


def _instance_norms(model: Any) -> None:
    """Each instance norm of the 26-style network, exported as ten element-wise ops (mean, subtract,
    square, mean, add eps, sqrt, invert, multiply, scale, shift), becomes one InstanceNormalization
    with the style's scale and shift as its inputs.

    Measured at 854x480 on one thread: 343 -> 302 ms (the element-wise ops took ~70 ms; the norm op
    16); outputs differ by at most 3e-6.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    nodes = list(graph.node)
    made = {o: n for n in nodes for o in n.output}
    users: dict[str, list[Any]] = {}
    for n in nodes:
        for i in n.input:
            users.setdefault(i, []).append(n)

    def follow(name: str, op: str) -> Any:
        found = [n for n in users.get(name, ()) if n.op_type == op]
        return found[0] if len(found) == 1 else None

    def other(node: Any, name: str) -> str:
        return node.input[1] if node.input[0] == name else node.input[0]

    flat = "stylecut.flat"
    graph.initializer.append(numpy_helper.from_array(np.array([-1], np.int64), flat))
    replaced: dict[str, list[Any]] = {}
    for mean in [n for n in nodes if n.op_type == "ReduceMean"]:
        x, chain = mean.input[0], [mean]
        for op in ("Sub", "Pow", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Mul", "Add"):
            nxt = follow(chain[-1].output[0], op) if chain[-1] is not None else None
            chain.append(nxt)
        if None in chain or x not in chain[1].input:
            continue
        _, sub, _, _, add_eps, _, inv, norm, scale, shift = chain
        if sub.output[0] not in norm.input or made.get(add_eps.input[1]) is None:
            continue
        eps = float(numpy_helper.to_array(made[add_eps.input[1]].attribute[0].t))
        name = shift.output[0]
        gamma, beta = f"{name}.gamma", f"{name}.beta"
        replaced[name] = [
            helper.make_node("Reshape", [other(scale, norm.output[0]), flat], [gamma]),
            helper.make_node("Reshape", [other(shift, scale.output[0]), flat], [beta]),
            helper.make_node("InstanceNormalization", [x, gamma, beta], [name], epsilon=eps),
        ]
    del graph.node[:]  # the new ops in place of each norm's last op; what no output needs then goes
    graph.node.extend(m for n in nodes for m in (replaced.get(n.output[0], [n]) if n.output else [n]))
    _prune(graph)


def _uint8_hwc_io(model: Any) -> None:
    """The photo in as uint8 (1, h, w, 3), the result out as float32 (1, h, w, 3): the scale to [0, 1] and
    both layout changes run inside the graph instead of four numpy passes (~25 ms at 1024 px); the
    float32 input the old graph saw is bit for bit the same (x * float32(1/255))."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    image, out = graph.input[0], graph.output[0]
    for node in graph.node:
        node.input[:] = ["image.nchw" if i == image.name else i for i in node.input]
        node.output[:] = ["result.nchw" if o == out.name else o for o in node.output]
    graph.initializer.append(numpy_helper.from_array(np.array(1.0 / 255.0, np.float32), "image.scale"))
    graph.node.insert(0, helper.make_node("Cast", [image.name], ["image.float"], to=TensorProto.FLOAT))
    graph.node.insert(1, helper.make_node("Mul", ["image.float", "image.scale"], ["image.scaled"]))
    graph.node.insert(2, helper.make_node("Transpose", ["image.scaled"], ["image.nchw"], perm=[0, 3, 1, 2]))
    graph.node.append(helper.make_node("Transpose", ["result.nchw"], [out.name], perm=[0, 2, 3, 1]))
    graph.input[0].CopyFrom(helper.make_tensor_value_info(image.name, TensorProto.UINT8, [1, "h", "w", 3]))
    graph.output[0].CopyFrom(helper.make_tensor_value_info(out.name, TensorProto.FLOAT, [1, "h", "w", 3]))


SHAPE_OPS = ("Reshape", "Transpose", "Squeeze", "Unsqueeze", "Flatten")  # commute with (de)quantisation


def _dequantized(model: Any) -> None:
    """The int8 QDQ graph as a float graph: weights dequantised once, activation Q/DQ pairs dropped.

    Integer kernels differ by CPU (AVX2's saturating multiply-add against VNNI): outputs moved by 9
    levels on average between machines. In float they agree to rounding, and run faster here
    (arbitrary transform at 768x480, 2 threads: 356 -> 239 ms; docs/benchmarks.md).
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    made = {o: n for n in graph.node for o in n.output}
    alias: dict[str, str] = {}
    gone = []
    for node in [n for n in graph.node if n.op_type == "DequantizeLinear"]:
        if node.input[0] in inits and node.input[1] in inits:  # a weight: computed once
            graph.initializer.append(numpy_helper.from_array(_dequantize(node, inits), node.output[0]))
            gone.append(node)
            continue
        src = made.get(node.input[0])
        if src is not None and src.op_type in SHAPE_OPS:  # Q -> Reshape -> DQ: reshape the float instead
            quant = made.get(src.input[0])
            if quant is not None and quant.op_type == "QuantizeLinear":
                src.input[0] = quant.input[0]
                alias[node.output[0]] = src.output[0]
                gone.append(node)
        elif src is not None and src.op_type == "QuantizeLinear":
            alias[node.output[0]] = src.input[0]
            gone.append(node)
    outputs = {o.name for o in graph.output}
    for node in gone:
        graph.node.remove(node)
    for node in graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = alias.get(name, name)
    graph.node.extend(helper.make_node("Identity", [alias[o]], [o]) for o in outputs & alias.keys())
    _prune(graph)


def _dequantize(node: Any, inits: dict[str, Any]) -> np.ndarray:
    """A DequantizeLinear of initializers, computed: (q - zero point) * scale along its axis."""
    from onnx import numpy_helper

    q = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
    scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
    zero = (numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
            if len(node.input) > 2 and node.input[2] else np.zeros_like(scale))
    if scale.size > 1:  # per channel
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        shape = [1] * q.ndim
        shape[axis] = scale.size
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    return ((q - zero) * scale).astype(np.float32)


def _prune(graph: Any) -> None:
    """Keep only the nodes and initializers that some output of the graph needs."""
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)


def _derived(key: str, variant: str | None, make: Callable[[], Any]) -> str | bytes:
    """The model `make()` builds from the registered file `key`: a file in the user cache folder, written
    the first time (the onnx package's import alone costs ~190 ms of a start-up), else the bytes when
    it cannot be written."""
    path = model_path(key)
    stat = path.stat()
    cached = (
        user_dir("cache") / "models" / f"{key}-{variant or 'plain'}-{REWRITES}-{stat.st_size}-{stat.st_mtime_ns}.onnx"
    )
    if cached.is_file():
        return str(cached)
    data = make().SerializeToString()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, data)
    except (OSError, StylecutError):  # a read-only home: rebuild at every start
        return data
    return str(cached)


def _rewritten(key: str, passes: tuple[Callable[[Any], None], ...]) -> Any:
    """The registered ONNX file `key` with `passes` applied (an onnx ModelProto)."""
    import onnx

    model = onnx.load(str(model_path(key)))
    for rewrite in passes:
        rewrite(model)
    return model


# the rewrites each model (and variant) runs with; REWRITES names this set in the cached files
_PASSES = {
    ("arbitrary_predict", None): (_dequantized,),
    ("arbitrary_transform", None): (_symbolic_hw, _dequantized),
    ("multistyle26", None): (_instance_norms, _uint8_hwc_io),
    ("multistyle26", "open_tables"): (_open_style_tables, _instance_norms, _uint8_hwc_io),
}
REWRITES = "r4"
# models built from a registered file that is not ONNX: (key, variant) -> the builder
_BUILT: dict[tuple[str, str | None], Callable[[], Any]] = {("vgg19", "features"): features_model}


def session(key: str, variant: str | None = None) -> Any:
    """A network session for a registered ONNX model ('multistyle26', 'arbitrary_predict', 'arbitrary_transform').

    variant 'open_tables' (multistyle26): the style tables as inputs; ('vgg19', 'features'): VGG19's
    first layers (vgg_graph.features_model). The graphs run rewritten
    (_PASSES), from the user cache folder after the first time; on OpenVINO in bfloat16 where the CPU
    has bf16 units (openvino_net), else on onnxruntime. One session per model, variant, thread count
    and backend, created once per process. Either answers get_inputs() and run(None, feed).
    """
    bf16 = wanted() and not getattr(_here, "float32", None)
    return _session(key, variant, threads_here() or settings.threads or None, bf16)


_sessions: dict[tuple[str, str | None, int | None, bool], Any] = {}
process_cache("onnx sessions", _sessions.clear)


def _session(key: str, variant: str | None, threads: int | None, bf16: bool) -> Any:
    """Made once, whichever thread asks first (a background prepare and a first frame may race)."""
    with _lock:
        made = _sessions.get((key, variant, threads, bf16))
        if made is None:
            precision = None if not bf16 else "f32" if key in FLOAT32_ONLY else "bf16"
            made = _sessions[(key, variant, threads, bf16)] = _open(_source(key, variant), threads, precision)
        return made


def _source(key: str, variant: str | None) -> str | bytes:
    """The graph to run: a rewritten or built one (a cached file, or bytes), else the registered file."""
    passes, build = _PASSES.get((key, variant)), _BUILT.get((key, variant))
    if build is not None:
        return _derived(key, variant, build)
    if passes:
        return _derived(key, variant, lambda: _rewritten(key, passes))
    return str(model_path(key))


# in bfloat16 the painting's style vector moves and with it every pixel (mean 7.7 levels, against 0.5
# for the transform alone): the predictor (256 px, ~10 ms) stays in float32, on OpenVINO beside the others
FLOAT32_ONLY = ("arbitrary_predict",)


def _open(src: str | bytes, threads: int | None, precision: str | None) -> Any:
    """On OpenVINO at `precision` ('bf16', 'f32') when given and the graph is a file, else (or when it
    fails) onnxruntime in float32."""
    if precision is not None and isinstance(src, str):
        try:
            return OpenVinoNet(src, threads, precision)
        except Exception as exc:  # an op or a plugin OpenVINO cannot handle: the float32 path still works
            log.warning("openvino could not compile %s (%s); using onnxruntime", src, exc)
    import onnxruntime as ort

    return ort.InferenceSession(src, _options(threads), providers=["CPUExecutionProvider"])
