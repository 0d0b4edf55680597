"""Selecting by pointing (clicks/box), measured with the standard simulated user, against plain GrabCut.

Each next click goes to the point deepest inside the largest error region: positive where object is
missed, negative where background is taken. Reports mean IoU after 1, 3, 5 clicks and NoC@85 / NoC@90
(clicks to reach that IoU; --clicks when never), for stylecut and for plain GrabCut given the same
simulated user (OpenCV's GrabCut at 400 px, the clicks as hard seed discs, 3 iterations per click).

    python benchmarks/bench_select.py [--sets coco davis box fix video time] [--clicks 20] [--step 10]

coco:  ../shared/eval/objects (COCO_MVal, 160 instances of 80 classes) in its two halves: "tuning"
       (the few constants of the engine were chosen on its first 40 instances) and "validation"
       (never used to choose anything). From scratch: no person prior.
davis: DAVIS frames (every `step`th) from scratch: dog and cows (the old engine's dev frames) and the
       six other sequences apart.
box:   a box alone (the object's bounding box, 10 px margin) on the DAVIS frames and COCO: IoU and the
       number of empty masks, against plain GrabCut's rectangle mode on the same box.
fix:   clicks correcting the automatic person mask: the seg photos (KEEP was chosen on them) and
       DAVIS dance-twirl frames (held out), 3 clicks.
video: DAVIS dog and cows: 5 clicks on the first frame, then the selection followed through the clip (mean J).
time:  time per click at 1024 px as the page and the server run it.
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
from tests.simulated_user import (  # noqa: E402
    davis,
    next_click,
    noc,
    objects,
    person_prior,
    plain_grabcut_user,
    run_user,
    seg_photos,
)


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
        f"{name:<40}{len(rows):>4}  IoU@1 {at[1]:.3f}  @3 {at[3]:.3f}  @5 {at[5]:.3f}  "
        f"NoC@85 {n85:.1f}  NoC@90 {n90:.1f}"
    )


BOX_MARGIN = 10  # px around the object's bounding box: a user's box is loose


def box_rows(items) -> tuple[list[float], list[float], int]:
    """A box alone on each item: (stylecut IoUs, plain GrabCut IoUs, empty stylecut masks)."""
    from stylecut.core.selection import Selection
    from stylecut.ops.filters import resize_max
    from stylecut.segmentation.select import select_mask

    ours, plain, empty = [], [], 0
    for _, rgb, gt in items:
        ys, xs = np.nonzero(gt)
        h, w = gt.shape
        box = (max(0, xs.min() - BOX_MARGIN), max(0, ys.min() - BOX_MARGIN),
               min(w, xs.max() + BOX_MARGIN), min(h, ys.max() + BOX_MARGIN))
        pred = select_mask(rgb, Selection(box=tuple(map(float, box))))
        empty += not pred.any()
        ours.append(iou(pred, gt))
        small = cv2.cvtColor(resize_max(rgb, 400), cv2.COLOR_RGB2BGR)
        k = small.shape[1] / w
        x0, y0, x1, y1 = (int(v * k) for v in box)
        labels = np.zeros(small.shape[:2], np.uint8)
        cv2.setRNGSeed(0x5EED)
        try:
            cv2.grabCut(small, labels, (x0, y0, max(1, x1 - x0), max(1, y1 - y0)), np.zeros((1, 65)),
                        np.zeros((1, 65)), 3, cv2.GC_INIT_WITH_RECT)
        except cv2.error:  # a box over the whole photo leaves GrabCut no background: it returns nothing
            pass
        fg = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
        plain.append(iou(cv2.resize(fg, (w, h), interpolation=cv2.INTER_LINEAR) > 0, gt))
    return ours, plain, empty


def both(name: str, items, clicks: int, times: list[float]) -> None:
    """stylecut and plain GrabCut on the same items, from scratch."""
    rows = []
    for _, rgb, gt in items:
        ious, t = run_user(rgb, gt, clicks, None)
        rows.append(ious)
        times += t
    report(name, rows, clicks)
    report(name + ", plain GrabCut", [plain_grabcut_user(rgb, gt, clicks) for _, rgb, gt in items], clicks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["coco", "davis", "box", "fix", "video", "time"])
    ap.add_argument("--clicks", type=int, default=20)
    ap.add_argument("--step", type=int, default=10)
    args = ap.parse_args()
    from stylecut.core.config import configure

    configure()
    all_times: list[float] = []
    print(f"{'set':<40}{'n':>4}  mean IoU after 1/3/5 clicks, clicks to 85 / 90 % IoU (max {args.clicks})")
    if "coco" in args.sets:
        for half in ("tuning", "validation"):
            both(f"coco: {half}", objects(half), args.clicks, all_times)
    if "davis" in args.sets:
        for name, seqs in (("dev (dog, cows)", DEV), ("six others", UNSEEN)):
            both(f"davis: {name}", [i for s in seqs for i in davis(s, args.step)], min(args.clicks, 10), all_times)
    if "box" in args.sets:
        for name, items in (("davis", [i for s in DEV + UNSEEN for i in davis(s, args.step)]),
                            ("coco", objects("tuning") + objects("validation"))):
            ours, plain, empty = box_rows(items)
            print(f"{'box alone: ' + name:<40}{len(ours):>4}  IoU {np.mean(ours):.3f} ({empty} empty), "
                  f"plain GrabCut {np.mean(plain):.3f} ({sum(v == 0 for v in plain)} empty)")
    if "fix" in args.sets:
        for name, items in (("seg photos", seg_photos()), ("dance-twirl (held out)", davis("dance-twirl", args.step))):
            rows = []
            for _, rgb, gt in items:
                prior = person_prior(rgb)
                start = iou(prior > 0.5, gt) if prior is not None else 0.0
                rows.append([start] + run_user(rgb, gt, 3, prior)[0])
            print(f"{'fix person masks: ' + name:<40}{len(rows):>4}  automatic {np.mean([r[0] for r in rows]):.3f}"
                  f"  after 1 {np.mean([r[1] for r in rows]):.3f}  after 3 clicks {np.mean([r[3] for r in rows]):.3f}")
    if "video" in args.sets:
        for seq, prior in (("dog", False), ("cows", False), ("breakdance", True)):
            j, fps = propagate(seq, prior=prior)
            print(f"{'video: ' + seq:<40}      J mean {j:.3f} (5 clicks on frame 0, then followed), {fps:.1f} fps "
                  "(decoding included)")
    if "time" in args.sets:
        click_times(all_times)


DEV = ["dog", "cows"]  # the frames the rules of the old engine were fitted on
UNSEEN = ["car-shadow", "bmx-trees", "horsejump-high", "soapbox", "breakdance", "dance-twirl"]


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
