"""Portrait into painting: cut the person out, paint them in the painting's style, place and blend."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from stylecut.core.errors import StylecutError
from stylecut.core.imageio import ImageLike, to_photo, to_pil
from stylecut.core.options import DEFAULT_STYLE_SIZE, PaintOptions
from stylecut.core.selection import MaskLike
from stylecut.ops import compose
from stylecut.ops.filters import resize_max
from stylecut.pipeline.session import NoPersonError, segment_photo
from stylecut.style import StyleSpec, parse_style, stylize


@dataclass
class PaintResult:
    image: Image.Image
    cutout: Image.Image  # the (stylized, scaled) person as RGBA, as placed
    box: tuple[int, int, int, int]  # where it went in the painting: left, top, right, bottom (may exceed it)


def _person_box(alpha: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(alpha > 0.02)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def feather_cut_sides(a: np.ndarray, sides: tuple[bool, bool, bool], frac: float = 0.05) -> np.ndarray:
    """Fade alpha toward the left / right / top side where the person was cut by the photo's frame.

    Otherwise the photo's border becomes a straight hard edge inside the painting. The bottom
    is left alone: a person cut at the waist stands on the painting's bottom edge.
    """
    h, w = a.shape
    out = a.copy()
    n = max(2, int(round(frac * max(h, w))))
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    left, right, top = sides
    if left:
        out[:, :n] *= ramp[None, :min(n, w)]
    if right:
        out[:, -n:] *= ramp[::-1][None, -min(n, w):]
    if top:
        out[:n, :] *= ramp[:min(n, h), None]
    return out


def _harmonize_color(fg: np.ndarray, alpha: np.ndarray, backdrop: np.ndarray, amount: float = 0.6) -> np.ndarray:
    """Move the person's Lab mean and spread part of the way to the painting's around them."""
    lab_f = cv2.cvtColor(fg, cv2.COLOR_RGB2LAB)
    lab_b = cv2.cvtColor(backdrop, cv2.COLOR_RGB2LAB)
    w = alpha > 0.5
    if w.sum() < 16:
        return fg
    for c in range(3):
        mf, sf = lab_f[..., c][w].mean(), lab_f[..., c][w].std() + 1e-6
        mb, sb = lab_b[..., c].mean(), lab_b[..., c].std() + 1e-6
        target_m = (1 - amount) * mf + amount * mb
        target_s = (1 - amount) * sf + amount * min(sb, 1.5 * sf)
        lab_f[..., c] = (lab_f[..., c] - mf) * (target_s / sf) + target_m
    return np.clip(cv2.cvtColor(lab_f, cv2.COLOR_LAB2RGB), 0.0, 1.0)


def _harmonize_poisson(fg: np.ndarray, alpha: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Poisson (seamless) cloning of the person's gradients onto the painting's colours at the edge."""
    h, w = alpha.shape
    src = (np.clip(fg, 0, 1) * 255).astype(np.uint8)
    dst = (np.clip(backdrop, 0, 1) * 255).astype(np.uint8)
    mask = (alpha > 0.02).astype(np.uint8) * 255
    mask[0, :] = mask[-1, :] = 0
    mask[:, 0] = mask[:, -1] = 0  # seamlessClone needs the mask off the border
    if mask.max() == 0:
        return fg
    pad = 2
    big_src = cv2.copyMakeBorder(src, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    big_dst = cv2.copyMakeBorder(dst, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    big_mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    x, y, bw, bh = cv2.boundingRect(big_mask)
    center = (x + bw // 2, y + bh // 2)
    out = cv2.seamlessClone(cv2.cvtColor(big_src, cv2.COLOR_RGB2BGR), cv2.cvtColor(big_dst, cv2.COLOR_RGB2BGR),
                            big_mask, center, cv2.NORMAL_CLONE)
    out = cv2.cvtColor(out, cv2.COLOR_BGR2RGB)[pad:pad + h, pad:pad + w]
    return out.astype(np.float32) / 255.0


def paint(portrait: ImageLike, painting: ImageLike, options: PaintOptions | None = None, *,
          mask: MaskLike = None, **fields: Any) -> PaintResult:
    """Place the portrait's person (or the subject `mask` selects) into the painting.

    options: a PaintOptions, or its fields as keywords (None: that field's default): x, y (where the
    cut-out's bottom centre goes), height (a fraction of the painting's), style ('painting': the
    painting's own brush work, any style spec, or 'none'), harmonize ('color', 'poisson', 'none'), refine.
    """
    # None keeps a field's default, but for style, where None means the photo's own look
    opts = options or PaintOptions(**{k: v for k, v in fields.items() if v is not None or k == "style"})
    style = opts.style
    canvas_photo = to_photo(painting)
    canvas = canvas_photo.rgb
    H, W = canvas.shape[:2]
    spec: StyleSpec | None = (parse_style(canvas) if isinstance(style, str) and style == "painting"
                              else parse_style(style))
    photo = to_photo(portrait)
    alpha, found = segment_photo(photo, opts.refine, mask)
    if not found:
        raise NoPersonError("no person found in the portrait; give your own mask")
    x0, y0, x1, y1 = _person_box(alpha)
    rgb, a = photo.rgb[y0:y1, x0:x1], alpha[y0:y1, x0:x1]
    a = feather_cut_sides(a, (x0 == 0, x1 == alpha.shape[1], y0 == 0))
    # scale first: the style is applied at the size the person will have in the painting
    target_h = max(8, round(opts.height * H))
    s = target_h / rgb.shape[0]
    size = (max(1, round(rgb.shape[1] * s)), target_h)
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    rgb = cv2.resize(rgb, size, interpolation=interp)
    a = np.clip(cv2.resize(a, size, interpolation=cv2.INTER_LINEAR), 0.0, 1.0)
    fg = compose.decontaminate(rgb, a)
    if spec is not None:
        small = resize_max(rgb, DEFAULT_STYLE_SIZE)
        a_small = cv2.resize(a, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
        styled = stylize(spec, compose.fill_out(small, 1.0 - a_small))
        styled = compose.clean_layer(styled, 1.0 - a_small, 2)
        fg = compose.upsample_layer(small, styled, rgb)
    # placement: bottom centre at (x, y)
    cx = W // 2 if opts.x is None else int(opts.x)
    by = H if opts.y is None else int(opts.y)
    left, top = cx - size[0] // 2, by - size[1]
    box = (left, top, left + size[0], top + size[1])
    # the part of the cut-out that lands on the canvas
    cl, ct, cr, cb = max(0, left), max(0, top), min(W, box[2]), min(H, box[3])
    if cl >= cr or ct >= cb:
        raise StylecutError(f"the cut-out ({size[0]}x{size[1]}) at x={cx}, y={by} falls outside the painting ({W}x{H})")
    sl, st = cl - left, ct - top
    fg_c = fg[st:st + cb - ct, sl:sl + cr - cl]
    a_c = a[st:st + cb - ct, sl:sl + cr - cl]
    backdrop = canvas[ct:cb, cl:cr].astype(np.float32) / 255.0
    if opts.harmonize == "color":
        fg_c = _harmonize_color(fg_c, a_c, backdrop)
    elif opts.harmonize == "poisson":
        fg_c = _harmonize_poisson(fg_c, a_c, backdrop)
    out = canvas.copy()
    out[ct:cb, cl:cr] = compose.to_uint8(compose.blend(fg_c, backdrop, a_c))
    cut = to_pil(compose.to_uint8(fg), compose.to_uint8(a))
    return PaintResult(to_pil(out, canvas_photo.alpha), cut, box)
