"""The registered segmenters for what the user points at: one photo (select), and a clip (following)."""
from __future__ import annotations

import numpy as np

from stylecut.core.registry import register_segmenter
from stylecut.core.selection import Selection
from stylecut.ops.layers import snap
from stylecut.segmentation.base import Look
from stylecut.segmentation.follow import Follower
from stylecut.segmentation.graph_cut import sized
from stylecut.segmentation.select import Selector, select_mask, selector_for


@register_segmenter("select", models=("selfie_general", "pose_landmark", "vgg19"),
                    about="any subject by pointing: a box and/or clicks (VGG19 features and colour in a graph cut, "
                          "clicks as seeds; the person mask as the start when the photo has a person)")
class SelectSegmenter:
    """The subject the user points at; with a person photo and no box, clicks correct the person mask."""

    @staticmethod
    def accepts(mask: object) -> bool:
        """Chosen for a Selection: a box and/or clicks."""
        return isinstance(mask, Selection)

    @classmethod
    def for_request(cls, mask: Selection, cache=None) -> SelectSegmenter:
        return cls(mask, cache=cache)

    def __init__(self, selection: Selection, cache=None):
        self.selection, self.cache = selection, cache
        self.selector: Selector | None = None  # the last photo's (look sets it)

    def prepare(self) -> None:
        if self.selection.box is None:  # the person mask may be the start
            from stylecut.segmentation.person import load_models

            load_models()

    def for_clip(self, first_index: int = 0) -> FollowingSegmenter:
        """The selection made on a clip's first frame, then followed through the next ones."""
        return FollowingSegmenter(self.selection)

    def look(self, rgb: np.ndarray) -> Look:
        sel = self.selection.check(rgb.shape[1], rgb.shape[0])
        self.selector = selector_for(rgb, with_prior=sel.box is None, cache=self.cache)
        hard = select_mask(rgb, sel, selector=self.selector).astype(np.float32)
        return Look(guide=hard, data=hard)

    def found(self, alpha: np.ndarray, look: Look) -> bool:
        return bool(look.data.any())

    def alpha(self, rgb: np.ndarray, look: Look | None = None, refine_method: str = "guided") -> np.ndarray:
        from stylecut.segmentation.refine import refine

        hard = (look or self.look(rgb)).data
        return snap(np.clip(refine(rgb, hard, refine_method), 0.0, 1.0).astype(np.float32)) if hard.any() else hard


class FollowingSegmenter(SelectSegmenter):
    """A selection through a clip: made on its first frame (or the ClipSelection's), then followed
    (Follower); frames in order."""

    def __init__(self, selection: Selection):
        super().__init__(selection)
        self.follower: Follower | None = None
        self.before = list(getattr(selection, "before", ()))

    def look(self, rgb: np.ndarray) -> Look:
        if self.before:  # a frame before the selection frame: its mask from the backward pass
            bits, shape = self.before.pop(0)
            small = np.unpackbits(bits, count=shape[0] * shape[1]).reshape(shape)
            hard = sized(small, rgb.shape[1], rgb.shape[0]).astype(np.float32)
            return Look(guide=hard, data=hard)
        if self.follower is None:
            look = super().look(rgb)
            assert self.selector is not None  # look() made it
            self.follower = Follower(rgb, look.data > 0, self.selector.person(self.selection))
            return look
        hard = self.follower.next(rgb).astype(np.float32)
        return Look(guide=hard, data=hard)
