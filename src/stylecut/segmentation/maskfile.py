"""The user's own mask as a segmenter: any size, grey or with alpha, same aspect ratio as the photo."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from stylecut.core.errors import StylecutError
from stylecut.core.imageio import ImageLike, open_image
from stylecut.core.registry import register_segmenter
from stylecut.core.selection import Selection
from stylecut.ops.layers import snap
from stylecut.segmentation.base import Look

ASPECT_TOLERANCE = 0.02


def load_mask(mask: ImageLike, size: tuple[int, int]) -> np.ndarray:
    """Load a mask as float32 (H, W) in [0, 1] at size=(width, height).

    RGBA/LA masks use their alpha channel when it is not constant, otherwise their grey level.
    Raises StylecutError if the mask's aspect ratio differs from the photo's.
    """
    if isinstance(mask, np.ndarray):
        arr = mask.astype(np.float32)
        if arr.ndim == 3:
            arr = arr[:, :, 3] if arr.shape[2] == 4 else arr.mean(axis=2)
        if arr.max() > 1.0:
            arr /= 255.0 if arr.max() <= 255 else 65535.0
    else:
        img: Image.Image = open_image(mask)
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            alpha = np.asarray(img.convert("RGBA"))[:, :, 3]
            arr = alpha if alpha.min() != alpha.max() else np.asarray(img.convert("L"))
            arr = arr.astype(np.float32) / 255.0
        elif img.mode.startswith("I") or img.mode == "F":
            a = np.asarray(img, dtype=np.float32)
            arr = a / (65535.0 if a.max() > 255 else (255.0 if a.max() > 1 else 1.0))
        else:
            arr = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    h, w = arr.shape[:2]
    W, H = size
    if abs((w / h) / (W / H) - 1.0) > ASPECT_TOLERANCE:
        raise StylecutError(
            f"mask is {w}x{h} but the photo is {W}x{H}: the aspect ratios differ, so the mask cannot fit"
        )
    if (w, h) != (W, H):
        arr = cv2.resize(arr, (W, H), interpolation=cv2.INTER_AREA if w > W else cv2.INTER_LINEAR)
    return np.clip(arr, 0.0, 1.0).astype(np.float32)


@register_segmenter("mask-file", models=(), about="your own mask: a grey or alpha image, any size, same aspect")
class MaskFileSegmenter:
    """The user's own mask (path, bytes, PIL image or array), used as it is."""

    @staticmethod
    def accepts(mask: object) -> bool:
        """Chosen for a mask given as a file or an image (a Selection goes to 'select')."""
        return mask is not None and not isinstance(mask, Selection)

    @classmethod
    def for_request(cls, mask: ImageLike, cache: object = None) -> MaskFileSegmenter:
        return cls(mask)

    def __init__(self, mask: ImageLike):
        self.mask = mask

    def prepare(self) -> None:
        pass

    def found(self, alpha: np.ndarray, look: Look) -> bool:
        return True  # the user's own mask is taken as it is

    def look(self, rgb: np.ndarray) -> Look:
        user = load_mask(self.mask, (rgb.shape[1], rgb.shape[0]))
        return Look(guide=user, data=user)

    def alpha(self, rgb: np.ndarray, look: Look | None = None, refine_method: str = "guided") -> np.ndarray:
        return snap((look or self.look(rgb)).data)
