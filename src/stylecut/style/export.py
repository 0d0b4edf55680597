"""Export one preset style (built-in, learned, or a blend) as a standalone ONNX model."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stylecut.core.errors import StylecutError
from stylecut.core.imageio import write_atomic
from stylecut.style.cin_network import LAYERS
from stylecut.style.presets import style_params
from stylecut.style.spec import parse_style

INPUT_NOTE = "input 'image': (1, 3, H, W) RGB in [0, 1], H and W multiples of 8; output 'stylized': the same"


def export_onnx(style: str, path: str | Path, check: bool = True) -> float:
    """Write the 26-style network with `style` baked in (input: image only); returns the check's max difference.

    The check runs the file in a plain onnxruntime session and compares it with stylecut's own output.
    """
    import onnx
    from onnx import numpy_helper

    from stylecut.runtime.assets import model_path

    text = style if str(style).lower().startswith("preset:") else f"preset:{style}"
    spec = parse_style(text)
    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise StylecutError(f"{path}: the export is an ONNX model; name it FILE.onnx")
    gammas, betas = style_params(spec.presets)
    model = onnx.load(str(model_path("multistyle26")))
    graph = model.graph
    rows = {f"{l}.norm.gamma": g for l, g in zip(LAYERS, gammas)} | {f"{l}.norm.beta": b for l, b in zip(LAYERS, betas)}
    for init in graph.initializer:
        if init.name in rows:
            init.CopyFrom(numpy_helper.from_array(rows[init.name][None].astype(np.float32), init.name))
    weights = next(i for i in graph.input if i.name == "style_weights")
    graph.input.remove(weights)
    graph.initializer.append(numpy_helper.from_array(np.ones(1, np.float32), "style_weights"))
    model.doc_string = f"stylecut {spec.label}: {INPUT_NOTE}"
    onnx.checker.check_model(model)
    write_atomic(path, model.SerializeToString())
    return check_export(path, spec) if check else 0.0


def check_export(path: Path, spec) -> float:
    """Max absolute difference between the exported file (plain onnxruntime) and stylecut's engine."""
    import onnxruntime as ort

    from stylecut.runtime.onnx_session import float32_here
    from stylecut.style.presets import run_network

    rng = np.random.default_rng(0)
    rgb = (rng.random((64, 96, 3)) * 255).astype(np.uint8)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    if [i.name for i in sess.get_inputs()] != ["image"]:
        raise StylecutError(f"{path}: the exported model should take only 'image'")
    out = sess.run(None, {"image": rgb.astype(np.float32).transpose(2, 0, 1)[None] / 255.0})[0][0].transpose(1, 2, 0)
    with float32_here():  # the file runs in float32: compare with our float32 path
        diff = float(np.abs(out - run_network(rgb, *style_params(spec.presets))).max())
    if diff > 1e-4:
        path.unlink(missing_ok=True)
        raise StylecutError(f"the exported model differs from stylecut's output by {diff:.2g}; nothing written")
    return diff
