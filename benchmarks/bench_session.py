"""Warm in-process throughput: one Session reused across N photos against N one-shot calls (issue #11).

    .venv/bin/python benchmarks/bench_session.py [--photos 20] [--side 1024] [--rounds 3]

The photos are the eval set's seg and content photos at --side px (mirrored copies fill up to
--photos, so no two are the same content; each round crops one more row off every photo, so no
round can reuse a content-keyed cache entry of an earlier one). One-shot = `session.run()` per photo (before
the redesign: `stylecut.pipeline.run()`); session = one `Session(options)` prepared once.
Models are loaded before timing in both cases (a warm process, as in a server or batch worker).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from common import CONTENT, SEG_IMAGES, at_side, peak_rss_mb


def photos(n: int, side: int) -> list[np.ndarray]:
    base = [at_side(p, side) for p in SEG_IMAGES + CONTENT]
    out = list(base)
    while len(out) < n:
        out.append(np.ascontiguousarray(base[len(out) % len(base)][:, ::-1]))
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=20)
    ap.add_argument("--side", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--style", default="preset:20")
    args = ap.parse_args()
    try:
        from stylecut import configure
        from stylecut.core.options import Options
        from stylecut.pipeline.session import Session, run

        configure()  # what every entry point does (before the redesign: an import side effect)
    except ImportError:  # the code before the redesign: one-shot calls only
        from stylecut.pipeline import Options, run
        Session = None
    opts = Options(style=args.style)
    batch = photos(args.photos, args.side)
    run(batch[0], opts)  # load every model once
    rows = {}
    one_shot, cpu = [], {}
    for r in range(args.rounds):
        t, c = time.perf_counter(), time.process_time()
        for rgb in batch:
            run(rgb[r + 1:], opts)
        one_shot.append(len(batch) / (time.perf_counter() - t))
        cpu.setdefault("one-shot run() per photo", []).append((time.process_time() - c) / len(batch))
    rows["one-shot run() per photo"] = one_shot
    if Session is not None:
        reused = []
        for r in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            with Session(opts) as session:
                session.prepare()
                for rgb in batch:
                    session.process(rgb[args.rounds + r + 1:])
            reused.append(len(batch) / (time.perf_counter() - t))
            cpu.setdefault("one Session, prepared once", []).append((time.process_time() - c) / len(batch))
        rows["one Session, prepared once"] = reused
        mapped = []
        for r in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            with Session(opts, workers=6) as session:
                session.prepare()
                for _ in session.map(rgb[2 * args.rounds + r + 1:] for rgb in batch):
                    pass
            mapped.append(len(batch) / (time.perf_counter() - t))
            cpu.setdefault("Session.map, 2 in flight", []).append((time.process_time() - c) / len(batch))
        rows["Session.map, 2 in flight"] = mapped
    print(f"{len(batch)} photos at {args.side} px, {args.style}; images/s, median of {args.rounds} rounds")
    for name, v in rows.items():
        print(f"  {name:<28}{statistics.median(v):6.2f} img/s  (rounds: {', '.join(f'{x:.2f}' for x in v)}); "
              f"CPU {1000 * statistics.median(cpu[name]):.0f} ms per photo")
    print(f"  peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
