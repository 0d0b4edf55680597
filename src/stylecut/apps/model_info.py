"""`stylecut models`: every model file (package, licence, size, native input) and a timing of each here."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

import numpy as np

from stylecut.core.registry import ENGINES, SEGMENTERS
from stylecut.runtime.assets import model_path
from stylecut.runtime.model_files import MODELS

BENCH_SIDES = (512, 1024)


def native_input(key: str) -> str:
    """The model's input shape as it declares it ('any' where a side is free)."""
    m = MODELS[key]
    if m.runtime == "litert":
        from stylecut.runtime.litert import load_model

        model = load_model(key)
        return f"{model.width}x{model.height}"
    if m.runtime == "onnx":
        from stylecut.runtime.onnx_session import session

        shapes = []
        for i in session(key).get_inputs():
            dims = [d if isinstance(d, int) else "any" for d in i.shape]
            shapes.append(f"{i.name}[{','.join(map(str, dims))}]")
        return " ".join(shapes)
    if m.runtime == "torch":
        return "any (convolutional)"
    return "-"


def model_rows() -> list[str]:
    rows = [f"{'model':<20}{'MB':>7}  {'input':<64}{'package':<30}licence / file"]
    for key, m in MODELS.items():
        path = model_path(key)
        rows.append(f"{key:<20}{path.stat().st_size / 1e6:>7.1f}  {native_input(key):<64}{m.pip_name:<30}"
                    f"{m.licence}; {m.relpath}")
    return rows


def backend_row() -> str:
    """Where the ONNX networks run on this machine, and how to change it."""
    from stylecut.runtime.openvino_net import wanted

    if wanted():
        return "networks: OpenVINO, bfloat16 (this CPU has bf16 units; STYLECUT_PRECISION=float32: onnxruntime)"
    return "networks: onnxruntime, float32"


def registry_rows() -> list[str]:
    rows = [f"{'kind':<12}{'name':<12}{'family':<8}{'models':<50}about"]
    for kind, reg in (("segmenter", SEGMENTERS), ("engine", ENGINES)):
        for e in reg:
            rows.append(f"{kind:<12}{e.name:<12}{e.info.get('family', '-'):<8}{', '.join(e.models) or '-':<50}"
                        f"{e.info.get('about', '')}")
    return rows


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: the first call loads and packs weights
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def _photo(side: int) -> np.ndarray:
    import cv2

    from stylecut.core.imageio import to_photo
    from stylecut.ops.filters import resize_max

    rgb = to_photo(model_path("sample_portrait")).rgb
    return resize_max(cv2.resize(rgb, (side, side), interpolation=cv2.INTER_CUBIC), side)


def _timings() -> Iterator[tuple[str, str, Callable[[], object]]]:
    """(name, what, call) for each model at its native input, and each engine/segmenter at 512/1024 px."""
    from stylecut.runtime.litert import load_model
    from stylecut.runtime.onnx_session import session

    for key, m in MODELS.items():
        if m.runtime == "litert":
            model = load_model(key)
            x = np.random.default_rng(0).random((model.height, model.width, 3), dtype=np.float32)
            yield key, f"{model.width}x{model.height}", lambda model=model, x=x: model.run(x)
        elif key == "arbitrary_predict":
            x = np.random.default_rng(0).random((1, 256, 256, 3), dtype=np.float32)
            sess = session(key)
            yield key, "256x256", lambda sess=sess, x=x: sess.run(None, {sess.get_inputs()[0].name: x})
    from stylecut.core.options import DEFAULT_PRESET
    from stylecut.segmentation.person import PersonSegmenter
    from stylecut.style.spec import StyleSpec, engine_for, parse_style

    seg = PersonSegmenter()
    preset, image = parse_style(DEFAULT_PRESET), StyleSpec("painting", image=_photo(256))
    for side in BENCH_SIDES:
        rgb = _photo(side)
        yield "person (segmenter)", f"{side} px", lambda rgb=rgb: seg.alpha(rgb, seg.look(rgb))
        yield "presets (multistyle26)", f"{side} px", lambda rgb=rgb: engine_for(preset).stylize(rgb, preset)
        yield "arbitrary (transform)", f"{side} px", lambda rgb=rgb: engine_for(image).stylize(rgb, image)


def bench_rows(runs: int = 3) -> list[str]:
    """Median milliseconds per call on this machine (weights loaded and warmed first)."""
    rows = [f"{'timing':<26}{'input':<12}{'ms (median of ' + str(runs) + ')':>18}"]
    for name, what, fn in _timings():
        rows.append(f"{name:<26}{what:<12}{_median_ms(fn, runs):>18.1f}")
    rows.append("gatys: minutes per image by design; see benchmarks/bench_gatys.py")
    return rows
