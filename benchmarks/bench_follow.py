"""Following a selection through a clip, on all eight DAVIS sequences in two halves, against plain flow.

    python benchmarks/bench_follow.py [--followers now flow features] [--clicks 5]

Each sequence: the simulated user clicks `--clicks` times on frame 0 from scratch (no person prior),
then the selection is followed to the last frame; J is the mean IoU over all frames (frame 0 included).
tuning:     dog, cows (the old engine's dev clips), bmx-trees, dance-twirl
validation: car-shadow, horsejump-high, soapbox, breakdance (nothing chosen on them)

now:      the product's Follower (flow-warped mask re-cut by GrabCut, necks dropped)
flow:     the plain baseline: the last mask warped along the same DIS flow, nothing else
features: a tried variant (issue #26): the re-cut made by the pointing engine's per-photo model
          (VGG19 components + colour, click_model.py) fitted to the warped mask, in its graph cut
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from common import EVAL  # noqa: E402
from stylecut.ops.masks import iou  # noqa: E402
from stylecut.segmentation.follow import Follower  # noqa: E402
from stylecut.segmentation.graph_cut import drop_necks, sized  # noqa: E402
from tests.simulated_user import next_click  # noqa: E402

HALVES = {"tuning": ["dog", "cows", "bmx-trees", "dance-twirl"],
          "validation": ["car-shadow", "horsejump-high", "soapbox", "breakdance"]}
FEATURE_RIDGE = 0.003  # the click model's ridge suits a few clicks; a carried mask needs far less (0.03: worse)


class FlowOnly(Follower):
    """The last mask carried along the flow, no re-cut."""

    def next(self, rgb: np.ndarray) -> np.ndarray:
        self.mask, _ = self._warped(rgb)
        return sized(self.mask, rgb.shape[1], rgb.shape[0])

    def _warped(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from stylecut.ops.filters import resize_max
        from stylecut.segmentation.select import CUT_SIDE

        small = resize_max(rgb, CUT_SIDE)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        h, w = grey.shape
        back = self.flow.calc(grey, self.prev, None)  # type: ignore[call-overload]
        grid = np.dstack(np.meshgrid(np.arange(w), np.arange(h))).astype(np.float32) + back
        self.prev = grey
        return cv2.remap(self.mask.astype(np.uint8), grid[..., 0], grid[..., 1], cv2.INTER_NEAREST) > 0, small


class FeatureCut(FlowOnly):
    """The warped mask re-cut with the pointing engine's model (features + colour) and graph cut."""

    def next(self, rgb: np.ndarray) -> np.ndarray:
        import stylecut.segmentation.click_model as click_model
        from stylecut.segmentation.features import semantic
        from stylecut.segmentation.min_cut import ImageGraph

        warped, small = self._warped(rgb)
        self.mask = warped
        if warped.any():
            h, w = warped.shape
            r = max(2, round(max(h, w) * 0.02))  # the margins the product's Follower uses
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
            core = cv2.erode(warped.astype(np.uint8), k) > 0
            far = ~(cv2.dilate(warped.astype(np.uint8), k, iterations=3) > 0)
            ridge, click_model.RIDGE = click_model.RIDGE, FEATURE_RIDGE
            try:
                evidence = click_model.ClickModel(small, semantic(small)).evidence(warped, core, far, [], [])
            finally:
                click_model.RIDGE = ridge
            cut = ImageGraph(small).cut(evidence, core, far)
            self.mask = drop_necks(cut, max(1, round(max(h, w) * 0.015)))
        return sized(self.mask, rgb.shape[1], rgb.shape[0])


FOLLOWERS = {"now": Follower, "flow": FlowOnly, "features": FeatureCut}


def clip(seq: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    frames = sorted((EVAL / "video" / seq / "frames").glob("*.jpg"))
    truth = [np.asarray(Image.open(EVAL / "video" / seq / "masks" / f"{f.stem}.png").convert("L")) > 127
             for f in frames]
    return [np.asarray(Image.open(f).convert("RGB")) for f in frames], truth


def first_mask(rgb: np.ndarray, truth: np.ndarray, clicks: int) -> np.ndarray:
    """The simulated user's selection on the first frame, from scratch."""
    from stylecut.core.selection import Selection
    from stylecut.segmentation.select import Selector, select_mask

    selector, done, pred = Selector(rgb), [], np.zeros_like(truth)
    for _ in range(clicks):
        point, positive = next_click(pred, truth)
        done.append((*point, positive))
        pred = select_mask(rgb, Selection(clicks=tuple(done)), None, selector=selector)
    return pred


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--followers", nargs="+", default=["now", "flow"], choices=list(FOLLOWERS))
    ap.add_argument("--clicks", type=int, default=5)
    args = ap.parse_args()
    from stylecut.core.config import configure

    configure()
    print(f"{'sequence':<16}{'start':>7}  " + "  ".join(f"{n + ' J':>12}{'ms/frame':>9}" for n in args.followers))
    for half, seqs in HALVES.items():
        means: dict[str, list[float]] = {n: [] for n in args.followers}
        for seq in seqs:
            rgbs, truth = clip(seq)
            start = first_mask(rgbs[0], truth[0], args.clicks)
            cells = []
            for name in args.followers:
                follower, js = FOLLOWERS[name](rgbs[0], start), [iou(start, truth[0])]
                t = time.perf_counter()
                js += [iou(follower.next(rgb), gt) for rgb, gt in zip(rgbs[1:], truth[1:])]
                ms = 1000 * (time.perf_counter() - t) / (len(rgbs) - 1)
                means[name].append(float(np.mean(js)))
                cells.append(f"{means[name][-1]:>12.3f}{ms:>9.0f}")
            print(f"{seq:<16}{iou(start, truth[0]):>7.3f}  " + "  ".join(cells), flush=True)
        print(f"{'= ' + half:<16}{'':>7}  " + "  ".join(f"{np.mean(v):>12.3f}{'':>9}" for v in means.values()))


if __name__ == "__main__":
    main()
