"""The CPU budget of one photo: each step of a Session's work in turn, in one thread (issue #29).

    .venv/bin/python benchmarks/bench_budget.py [--side 1024] [--style preset:20]

The eval set's seg and content photos at --side px; the style network on one thread (as in
Session.map); mean ms per step after two warm-up photos. The sum is what one image costs the
cores when several are in flight.
"""
from __future__ import annotations

import argparse
import statistics
import time

from common import CONTENT, SEG_IMAGES, at_side


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", type=int, default=1024)
    ap.add_argument("--style", default="preset:20")
    args = ap.parse_args()
    from stylecut import configure
    from stylecut.core.imageio import to_photo, to_pil
    from stylecut.ops import compose
    from stylecut.ops.filters import resize_max
    from stylecut.ops.layers import Layers
    from stylecut.pipeline.session import segmenter_for
    from stylecut.runtime.onnx_session import threads_per_run
    from stylecut.style import parse_style
    from stylecut.style.spec import engine_for

    configure()
    spec = parse_style(args.style)
    engine = engine_for(spec)
    photos = [at_side(p, args.side) for p in SEG_IMAGES + CONTENT]
    steps: dict[str, list[float]] = {}

    def one(rgb) -> None:
        clock = [time.perf_counter()]

        def tick(name: str) -> None:
            now = time.perf_counter()
            steps.setdefault(name, []).append(now - clock[0])
            clock[0] = now

        photo = to_photo(rgb)
        small = resize_max(photo.rgb, args.side)
        seg = segmenter_for(None)
        look = seg.look(photo.rgb)
        tick("look (selfie model)")
        inp = compose.fill_out(small, Layers.of_person(look.guide).others("background"))
        tick("fill the person out")
        with threads_per_run(1):
            styled = engine.stylize(inp, spec, 1.0, None)
        tick("style network, 1 thread")
        alpha = seg.alpha(photo.rgb, look, "guided")
        tick("mask: body crops, refine")
        seg.found(alpha, look)
        tick("person check")
        to_pil(compose.compose_layers(photo.rgb, small, Layers.of_person(alpha), {"background": styled}))
        tick("compose")

    for rgb in photos[:2]:
        one(rgb)
    steps.clear()
    for rgb in photos:
        one(rgb)
    print(f"{len(photos)} photos at {args.side} px, {args.style}: mean ms per step")
    for name, v in steps.items():
        print(f"  {name:<26}{1000 * statistics.mean(v):6.0f}")
    print(f"  {'total':<26}{1000 * sum(statistics.mean(v) for v in steps.values()):6.0f}")


if __name__ == "__main__":
    main()
