"""The arbitrary-style networks as shipped (int8 QDQ) against the dequantised float graphs stylecut runs.

    .venv/bin/python benchmarks/bench_dequantized.py [--runs 9]

Interleaved runs in one process, medians; and how far the two outputs are apart (levels of 255).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import onnx
import onnxruntime as ort

from benchmarks.common import CONTENT, STYLES, at_side
from stylecut.runtime import onnx_session
from stylecut.runtime.assets import model_path


def graphs(key: str) -> tuple[bytes, bytes]:
    """(as shipped, with the shape fix only; as stylecut runs it) serialised."""
    shipped, ours = onnx.load(str(model_path(key))), onnx.load(str(model_path(key)))
    if key == "arbitrary_transform":
        onnx_session._symbolic_hw(shipped)
    for rewrite in onnx_session._PASSES[(key, None)]:
        rewrite(ours)
    return shipped.SerializeToString(), ours.SerializeToString()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--side", type=int, default=768)
    args = ap.parse_args()
    photo = at_side(CONTENT[0], args.side).astype(np.float32)[None] / 255
    style = at_side(STYLES / "vangogh_starry_night.jpg", 420)[:256, :256].astype(np.float32)[None] / 255
    for threads in (1, 2):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.log_severity_level = threads, 3
        runs = {}
        for key in ("arbitrary_predict", "arbitrary_transform"):
            for label, graph in zip(("int8", "float"), graphs(key)):
                runs[key, label] = ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])
        vec = {
            label: runs["arbitrary_predict", label].run(None, {"style_image": style})[0] for label in ("int8", "float")
        }
        times: dict[str, list[float]] = {"int8": [], "float": []}
        outs = {}
        for _ in range(args.runs):
            for label in ("int8", "float"):
                sess = runs["arbitrary_transform", label]
                names = [i.name for i in sess.get_inputs()]
                t = time.perf_counter()
                outs[label] = sess.run(None, {names[0]: photo, names[1]: vec[label]})[0]
                times[label].append(time.perf_counter() - t)
        diff = np.abs(np.clip(outs["int8"], 0, 1) - np.clip(outs["float"], 0, 1)) * 255
        print(f"{threads} thread(s), transform at {photo.shape[2]}x{photo.shape[1]}: "
              f"int8 {1e3 * statistics.median(times['int8']):.0f} ms, "
              f"float {1e3 * statistics.median(times['float']):.0f} ms "
              f"(ratio {statistics.median(times['float']) / statistics.median(times['int8']):.2f}); "
              f"outputs apart: mean {diff.mean():.1f}, p99 {np.percentile(diff, 99):.0f} levels")


if __name__ == "__main__":
    main()
