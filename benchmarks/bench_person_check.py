"""Is there a person? The check's confusion counts on labelled photos: the pose rule against the selfie rule.

    python benchmarks/bench_person_check.py

people:  the seg photos, the content portraits (close-ups), COCO_MVal's person instances and the
         five of its animal photos that also show people (labelled by eye), DAVIS frames of riders
         and dancers (every 40th frame of five sequences).
animals: the other fifteen COCO_MVal animal photos, DAVIS dog and cows (every 30th frame).
Both rules need a person-sized region in the mask first. selfie: the selfie model is sure of the
region's core (the rule before issue #26; clips keep it). pose: the landmark model's presence on
a detected person >= MIN_PRESENCE (the model's own 0.5, nothing chosen on these photos).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from common import CONTENT, EVAL, SEG_IMAGES  # noqa: E402

ANIMALS = ("bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra")
WITH_PEOPLE = {"elephant00", "giraffe00", "horse01", "sheep00", "sheep01"}  # animal photos with people in them
PEOPLE_CLIPS = ("breakdance", "dance-twirl", "bmx-trees", "horsejump-high", "soapbox")


def labelled() -> list[tuple[str, Path, bool]]:
    """(name, photo, shows a person) for every labelled photo."""
    rows = [(p.stem, p, True) for p in [*SEG_IMAGES, *CONTENT]]
    for f in sorted((EVAL / "objects" / "images").glob("*.jpg")):
        kind = f.stem.split("_")[0]
        if kind.startswith("person"):
            rows.append((f.stem, f, True))
        elif kind[:-2] in ANIMALS:
            rows.append((f.stem, f, kind in WITH_PEOPLE))
    for seq, step, person in [*((s, 40, True) for s in PEOPLE_CLIPS), ("dog", 30, False), ("cows", 30, False)]:
        frames = sorted((EVAL / "video" / seq / "frames").glob("*.jpg"))[::step]
        rows += [(f"{seq}/{f.stem}", f, person) for f in frames]
    return rows


def main() -> None:
    from stylecut.core.config import configure
    from stylecut.ops.layers import has_person
    from stylecut.segmentation.person import PersonSegmenter, selfie_sure
    from stylecut.segmentation.pose import MIN_PRESENCE

    configure()
    seg = PersonSegmenter()
    counts = {rule: {"people refused": [], "animals accepted": []} for rule in ("selfie", "pose")}
    n = {True: 0, False: 0}
    for name, path, person in labelled():
        rgb = np.asarray(Image.open(path).convert("RGB"))
        look = seg.look(rgb)
        alpha = seg.alpha(rgb, look)
        sized = has_person(alpha)
        assert seg.found(alpha, look) == (sized and look.data[2].presence() >= MIN_PRESENCE)
        verdicts = {"selfie": sized and selfie_sure(alpha, look.guide),
                    "pose": seg.found(alpha, look)}  # the product's check: the mask's own pose view
        n[person] += 1
        for rule, said in verdicts.items():
            if said != person:
                counts[rule]["people refused" if person else "animals accepted"].append(name)
    for rule, wrong in counts.items():
        print(f"{rule:<7} people refused {len(wrong['people refused'])}/{n[True]}, "
              f"animals accepted {len(wrong['animals accepted'])}/{n[False]}")
        for kind, names in wrong.items():
            print(f"        {kind}: {', '.join(names) or '-'}")


if __name__ == "__main__":
    main()
