"""Selecting by pointing (clicks/box), measured with the standard simulated user.

Each next click goes to the point deepest inside the largest error region: positive where object is
missed, negative where background is taken. Up to 20 clicks. Reports mean IoU after 1, 3, 5 clicks and
NoC@85 / NoC@90 (clicks to reach that IoU; 20 when never), and the time per click at 1024 px.

    python benchmarks/bench_select.py [--sets objects people fix held video] [--clicks 20] [--step 10]

objects: DAVIS dog and cows, every `step`th frame, clicks from scratch; scored on the hard cut, and
         again on the delivered mask (the cut's edges refined with the guided filter, > 0.5); and
         "as run": as the CLI and the page run clicks without a box, from the automatic person mask
         where the person model finds one (it does on most of these frames: the selfie model takes
         a near, large animal for its foreground), shown to the user first.
people:  DAVIS breakdance (the ground truth is the one dancer in a crowd): the person prior (everyone) is
         the selector's start, and the simulated user's clicks follow the standard protocol (an empty
         prediction at first, so the first click points at the dancer); also with the prior shown first
         (the first click then goes negative into the crowd).
fix:     ../shared/eval/seg photos, clicks correcting the default automatic person mask.
held:    DAVIS dance-twirl (one dancer), which no setting was tuned on: as run (from the automatic
         person mask, shown first) and from scratch (as an object). Also the seg photos' people from
         scratch, as objects of several colours (a white top over dark jeans): not held out any more,
         the rule for clicks on a part of a new colour was made on them.
video:   DAVIS dog and cows: 5 clicks on the first frame, then the selection followed through the clip (mean J).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from common import EVAL  # noqa: E402
from stylecut.ops.masks import iou  # noqa: E402
from tests.simulated_user import davis, next_click, noc, person_prior, run_user, seg_photos  # noqa: E402,F401


def propagate(seq: str, clicks: int = 5, prior: bool = False) -> tuple[float, float]:
    """A first-frame selection by the simulated user (5 clicks) followed through the clip: (mean J, fps).

    prior: the person prior is the selector's start (a person clip), the first click points at the subject."""
    from stylecut.core.selection import Selection
    from stylecut.segmentation.follow import Follower
    from stylecut.segmentation.select import Selector, select_mask

    frames = sorted((EVAL / "video" / seq / "frames").glob("*.jpg"))
    truth = [
        np.asarray(Image.open(EVAL / "video" / seq / "masks" / f"{f.stem}.png").convert("L")) > 127 for f in frames
    ]
    first = np.asarray(Image.open(frames[0]).convert("RGB"))
    start = person_prior(first) if prior else None
    selector, done, pred = Selector(first, start), [], np.zeros_like(truth[0])
    for _ in range(clicks):
        point, positive = next_click(pred, truth[0])
        done.append((*point, positive))
        pred = select_mask(first, Selection(clicks=tuple(done)), start, selector=selector)
    follower = Follower(first, pred, selector.person(Selection(clicks=tuple(done))))
    js = [iou(pred, truth[0])]
    t = time.perf_counter()
    for f, gt in zip(frames[1:], truth[1:]):
        js.append(iou(follower.next(np.asarray(Image.open(f).convert("RGB"))), gt))
    return float(np.mean(js)), (len(frames) - 1) / (time.perf_counter() - t)


def report(name: str, rows: list[list[float]], clicks: int) -> None:
    at = {k: statistics.mean(r[k - 1] for r in rows) for k in (1, 3, 5)}
    n85 = statistics.mean(noc(r, 0.85, clicks) for r in rows)
    n90 = statistics.mean(noc(r, 0.90, clicks) for r in rows)
    print(
        f"{name:<30}{len(rows):>4}  IoU@1 {at[1]:.3f}  @3 {at[3]:.3f}  @5 {at[5]:.3f}  "
        f"NoC@85 {n85:.1f}  NoC@90 {n90:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["objects", "people", "fix", "held", "video"])
    ap.add_argument("--clicks", type=int, default=20)
    ap.add_argument("--step", type=int, default=10)
    args = ap.parse_args()
    from stylecut.core.config import configure

    configure()
    all_times = []
    print(f"{'set':<30}{'n':>4}  mean IoU after 1/3/5 clicks, clicks to 85 / 90 % IoU (max {args.clicks})")
    if "objects" in args.sets:
        for seq in ("dog", "cows"):
            rows = []
            for _, rgb, gt in davis(seq, args.step):
                ious, times = run_user(rgb, gt, args.clicks, None)
                rows.append(ious)
                all_times += times
            report(f"objects: {seq}", rows, args.clicks)
        for seq in ("dog", "cows"):
            rows = [run_user(rgb, gt, args.clicks, None, delivered=True)[0] for _, rgb, gt in davis(seq, args.step)]
            report(f"objects: {seq}, delivered", rows, args.clicks)
        for seq in ("dog", "cows"):  # what the CLI and the page do with clicks and no box
            rows = [run_user(rgb, gt, args.clicks, person_prior(rgb))[0] for _, rgb, gt in davis(seq, args.step)]
            report(f"objects: {seq}, as run", rows, args.clicks)
    if "people" in args.sets:
        for shown in (False, True):
            rows = [run_user(rgb, gt, min(args.clicks, 10), person_prior(rgb), shown)[0]
                    for _, rgb, gt in davis("breakdance", args.step)]
            report(f"one dancer: breakdance{', prior shown' if shown else ''}", rows, min(args.clicks, 10))
    if "fix" in args.sets:
        rows = []
        for _, rgb, gt in seg_photos():
            prior = person_prior(rgb)
            start = iou(prior > 0.5, gt) if prior is not None else 0.0
            rows.append([start] + run_user(rgb, gt, 5, prior)[0])
        at0 = statistics.mean(r[0] for r in rows)
        at3 = statistics.mean(r[3] for r in rows)
        print(
            f"{'fix person masks: seg':<30}{len(rows):>4}  automatic {at0:.3f}  "
            f"after 1 {statistics.mean(r[1] for r in rows):.3f}"
            f"  after 3 clicks {at3:.3f}"
        )
    if "held" in args.sets:
        frames = davis("dance-twirl", args.step)
        rows = [run_user(rgb, gt, args.clicks, person_prior(rgb))[0] for _, rgb, gt in frames]
        report("held out: dance-twirl, as run", rows, args.clicks)
        rows = [run_user(rgb, gt, args.clicks, None)[0] for _, rgb, gt in frames]
        report("held out: dance-twirl, scratch", rows, args.clicks)
        rows = [run_user(rgb, gt, args.clicks, None)[0] for _, rgb, gt in seg_photos()]
        report("seg people as objects, scratch", rows, args.clicks)
    if "video" in args.sets:
        for seq, prior in (("dog", False), ("cows", False), ("breakdance", True)):
            j, fps = propagate(seq, prior=prior)
            print(f"{'video: ' + seq:<30}      J mean {j:.3f} (5 clicks on frame 0, then followed), {fps:.1f} fps "
                  "(decoding included)")
    click_times(all_times)


def click_times(dev_times: list[float]) -> None:
    """Time per click at 1024 px as the page and server run it: the photo's person mask is asked for
    when the photo is loaded (not timed), then each click is one /api/mask call (compute_alpha with
    the clicks so far, the server's cache). Also the first click on a photo nobody asked about
    before (it then also runs the person model: is there a person to start from?).
    """
    from stylecut.core.imageio import Photo
    from stylecut.core.selection import Selection
    from stylecut.pipeline.session import compute_alpha
    from stylecut.runtime.caches import Cache
    from stylecut.segmentation import select

    def clicked(rgb: np.ndarray, clicks: list, cache: Cache) -> float:
        t = time.perf_counter()
        compute_alpha(Photo(rgb), mask=Selection(clicks=tuple(clicks)), cache=cache)
        return time.perf_counter() - t

    first, further, cold, picks = [], [], [], []
    for f in sorted((EVAL / "video" / "dog" / "frames").glob("*.jpg"))[:25:5]:
        rgb = np.asarray(Image.open(f).convert("RGB").resize((1024, 576)))
        clicks = [(500.0, 300.0, True), (100.0, 100.0, False), (700.0, 420.0, False), (420.0, 250.0, True)]
        cold.append(clicked(rgb, clicks[:1], Cache(mask_bytes=256 << 20)))
        select._SELECTORS.clear()  # the server's memory of this photo's clicks, which the cold click made
        cache = Cache(mask_bytes=256 << 20)
        compute_alpha(Photo(rgb), cache=cache)  # the page shows the person mask (or that there is none)
        for k in range(1, len(clicks) + 1):
            (first if k == 1 else further).append(clicked(rgb, clicks[:k], cache))
    for _, frame, gt in davis("breakdance", 10)[:5]:  # a click picking one person of a crowd
        rgb = cv2.resize(frame, (1024, 576), interpolation=cv2.INTER_AREA)
        (x, y), _ = next_click(np.zeros_like(gt), gt)  # on the dancer
        cache = Cache(mask_bytes=256 << 20)
        select._SELECTORS.clear()
        compute_alpha(Photo(rgb), cache=cache)
        picks.append(clicked(rgb, [(x * 1024 / 854, y * 1.2, True)], cache))
    ms = lambda v: f"{statistics.median(v) * 1000:.0f} ms"  # noqa: E731
    print(
        f"time per click at 1024x576 (the page's /api/mask calls, refined alpha), medians: first click "
        f"{ms(first)} (range {min(first) * 1000:.0f}-{max(first) * 1000:.0f}), each further click {ms(further)}, "
        f"a click picking one person of a crowd {ms(picks)}; a first click on a photo not seen before "
        f"{ms(cold)}" + (f"; every click of the objects set (854x480, cut only) {ms(dev_times)}" if dev_times else "")
    )


if __name__ == "__main__":
    main()
