"""The style network alone on each backend: onnxruntime (the peer's graph and ours) and OpenVINO.

    .venv/bin/python benchmarks/bench_network.py [--runs 7] [--threads 2] [--size 1024x816]

multistyle26 at one size, interleaved runs, median and best; the difference of each output from our
onnxruntime float32 graph; and the share of this CPU's float32 FMA peak (--gflops-peak, default
2 cores x 32 FLOP/cycle x 3.6 GHz) that the best run reaches (32.4 GFLOP at 1024x816).
OpenVINO runs with a dynamic input (what stylecut does: every photo has its own size) and, for
reference, compiled for this one size.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

GFLOP_AT_1024x816 = 32.4  # 16.2 GMAC (issue #29's count)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", default="1024x816")
    ap.add_argument("--gflops-peak", type=float, default=2 * 32 * 3.6)
    args = ap.parse_args()
    import onnxruntime as ort
    import openvino as ov

    from stylecut.runtime.assets import model_path
    from stylecut.runtime.onnx_session import _source

    w_, h_ = (int(v) for v in args.size.split("x"))
    x = np.random.default_rng(0).random((1, 3, h_, w_), np.float32)
    weights = np.zeros(26, np.float32)
    weights[19] = 1
    feed = {"image": x, "style_weights": weights}
    ours = _source("multistyle26", None)
    assert isinstance(ours, str), "the rewritten graph needs a writable cache folder"

    def on_ort(path: str) -> Callable[[], np.ndarray]:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.log_severity_level = args.threads, 3
        sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
        return lambda: sess.run(None, feed)[0]

    core = ov.Core()

    def on_ov(precision: str, static: bool) -> Callable[[], np.ndarray]:
        model = core.read_model(ours)
        if static:
            model.reshape({"image": [1, 3, h_, w_], "style_weights": [26]})
        net = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": precision,
                                                "INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": "LATENCY"})
        return lambda: net.create_infer_request().infer(feed)[net.outputs[0]]

    runs = {"onnxruntime, peer's graph": on_ort(str(model_path("multistyle26"))), "onnxruntime, ours": on_ort(ours),
            "openvino f32": on_ov("f32", False), "openvino f32 static": on_ov("f32", True),
            "openvino bf16": on_ov("bf16", False), "openvino bf16 static": on_ov("bf16", True)}
    ref = runs["onnxruntime, ours"]()
    diffs = {}
    for name, fn in runs.items():
        d = np.abs(fn() - ref) * 255
        diffs[name] = f"mean {d.mean():.2f} max {d.max():.1f} levels"
    times: dict[str, list[float]] = {n: [] for n in runs}
    for _ in range(args.runs):
        for name, fn in runs.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    gflop = GFLOP_AT_1024x816 * (w_ * h_) / (1024 * 816)
    print(f"multistyle26 at {w_}x{h_}, {args.threads} threads, {args.runs} interleaved runs")
    for name, v in times.items():
        best = min(v)
        print(f"  {name:<28}median {1000 * statistics.median(v):5.0f} ms  best {1000 * best:5.0f} ms  "
              f"{100 * gflop / best / args.gflops_peak:4.0f} % of fp32 FMA peak   vs ours: {diffs[name]}")


if __name__ == "__main__":
    main()
