"""Learned styles (`stylecut learn-style`) against the arbitrary network and the Gatys engine.

For each painting: learn it with the default settings (training photos: scikit-image's samples),
then on held-out photos (../shared/eval/content, never trained on) measure the Gatys objective's
style (Gram) and content losses at 512 px for: the arbitrary network, the learned style, and the Gatys
engine's default result. Also: training time, the loss curve, inference time learned vs a built-in
preset (same network), and a sheet photo | arbitrary | learned | Gatys per painting.

    python benchmarks/bench_learn.py [--paintings a.jpg b.jpg c.jpg] [--photos 3] [--steps 300] [--out DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CONTENT, STYLES, at_side, median_time  # noqa: E402

DEFAULT_PAINTINGS = ("hokusai_great_wave.jpg", "matisse_woman_with_a_hat.jpg", "vangogh_starry_night.jpg")
SIDE = 512


def losses(loss, rgb: np.ndarray, content) -> tuple[float, float]:
    import torch

    x = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    with torch.no_grad():
        _, s, c = loss(x, content)
    return float(s), float(c)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paintings", nargs="+", default=[str(STYLES / p) for p in DEFAULT_PAINTINGS])
    ap.add_argument("--photos", type=int, default=3, help="held-out photos per painting")
    ap.add_argument("--steps", type=int, default=None, help="training steps (default: learn-style's default)")
    ap.add_argument("--no-gatys", action="store_true", help="skip the Gatys column (slow)")
    ap.add_argument("--out", type=Path, default=Path("bench_learn_out"))
    args = ap.parse_args()
    os.environ.setdefault("STYLECUT_DATA_DIR", tempfile.mkdtemp(prefix="stylecut-bench-"))
    import torch

    import stylecut
    from stylecut.core.config import configure
    from stylecut.style.learn import LearnSettings, Loss, learn_style

    configure()
    args.out.mkdir(parents=True, exist_ok=True)
    photos = [at_side(p, SIDE) for p in CONTENT[: args.photos]]
    print(f"held-out photos: {', '.join(p.name for p in CONTENT[: args.photos])} at {SIDE} px")
    rows = []
    for painting in map(Path, args.paintings):
        name = "bench-" + painting.stem.split("_")[0]
        settings = LearnSettings() if args.steps is None else LearnSettings(steps=args.steps)
        result = learn_style(painting, name, settings)
        curve = result.losses
        marks = [curve[i] for i in np.linspace(0, len(curve) - 1, 6).astype(int)]
        print(f"\n{painting.name}: learned in {result.seconds:.0f} s ({len(curve)} steps, start "
              f"{result.style.meta['start']}); loss curve " + " -> ".join(f"{m:.4g}" for m in marks))
        loss = Loss(np.asarray(Image.open(painting).convert("RGB")), SIDE, "cpu", 1.0, 1.0)
        per = {"arbitrary": [], "learned": [], "gatys": []}
        tiles = []
        for rgb in photos:
            content = loss.content_of(torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None])
            outs = {
                "arbitrary": np.asarray(stylecut.stylize(rgb, style=str(painting), region="all", style_size=SIDE)),
                "learned": np.asarray(stylecut.stylize(rgb, style=f"preset:{name}", region="all", style_size=SIDE)),
            }
            if not args.no_gatys:
                outs["gatys"] = np.asarray(stylecut.stylize(rgb, style=str(painting), region="all", engine="gatys"))
            for key, out in outs.items():
                per[key].append(losses(loss, out, content))
            tiles.append(
                np.concatenate(
                    [rgb] + [np.asarray(Image.fromarray(o).resize(rgb.shape[1::-1])) for o in outs.values()], 1
                )
            )
        w = max(t.shape[1] for t in tiles)  # rows of different widths: pad, never crop a column away
        tiles = [np.pad(t, ((0, 0), (0, w - t.shape[1]), (0, 0)), constant_values=255) for t in tiles]
        Image.fromarray(np.concatenate(tiles, 0)).save(args.out / f"sheet_{painting.stem}.jpg", quality=90)
        base = np.array(per["arbitrary"])
        for key in ("learned", "gatys"):
            if per[key]:
                v = np.array(per[key])
                rows.append(
                    (
                        painting.name,
                        key,
                        statistics.median(v[:, 0] / base[:, 0]),
                        statistics.median(v[:, 1] / base[:, 1]),
                    )
                )
        print(
            f"  style loss (mean): arbitrary {base[:, 0].mean():.4g}, "
            f"learned {np.array(per['learned'])[:, 0].mean():.4g}"
            + (f", gatys {np.array(per['gatys'])[:, 0].mean():.4g}" if per["gatys"] else "")
        )
        print(
            f"  content loss (mean): arbitrary {base[:, 1].mean():.4g}, "
            f"learned {np.array(per['learned'])[:, 1].mean():.4g}"
            + (f", gatys {np.array(per['gatys'])[:, 1].mean():.4g}" if per["gatys"] else "")
        )

    print("\nratios to the arbitrary network (median over photos; target learned: style <= 0.7x, content <= 1.2x)")
    print(f"{'painting':<34}{'method':<10}{'style':>8}{'content':>9}")
    for painting, key, s, c in rows:
        print(f"{painting:<34}{key:<10}{s:>8.3f}{c:>9.3f}")

    rgb = at_side(CONTENT[0], 1024)
    last = f"preset:bench-{Path(args.paintings[-1]).stem.split('_')[0]}"
    from stylecut.style import engine_for, parse_style

    for label, text in (("preset:20", "preset:20"), ("learned", last), ("preset:20", "preset:20"), ("learned", last)):
        spec = parse_style(text)
        engine = engine_for(spec)
        t = median_time(lambda: engine.stylize(rgb, spec), 5)
        print(f"inference at 1024 px, {label:<10} {t * 1000:.0f} ms (median of 5)")
    print(f"sheets in {args.out}/ (photo | arbitrary | learned" + (" | gatys)" if not args.no_gatys else ")"))


if __name__ == "__main__":
    main()
