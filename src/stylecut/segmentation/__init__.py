"""Segmenters (see stylecut.core.registry): the person recipe (person.py) and the user's own mask (maskfile.py).

    person.py        the default: selfie model + body crops + cleanup + colour models + refinement
    selfie.py        MediaPipe selfie segmentation: whole frame, mirrored, square tiles
    pose.py          BlazePose: find each person, segment their upright body crop
    color_models.py  per-person colour histograms decide the uncertain band
    refine.py        edge refinement: guided filter or closed-form matting
    litert.py        LiteRT interpreters for the registered .tflite files
    maskfile.py      a user's mask file as a segmenter
"""
from __future__ import annotations

from stylecut.segmentation.base import Look, Segmenter
from stylecut.segmentation.maskfile import MaskFileSegmenter, load_mask
from stylecut.segmentation.person import RECIPES, PersonSegmenter, Recipe, load_models

__all__ = ["Look", "Segmenter", "MaskFileSegmenter", "load_mask", "PersonSegmenter", "Recipe", "RECIPES", "load_models"]
