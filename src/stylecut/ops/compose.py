"""Blend stylized layers with the photo along the soft person alpha, without halos."""
from __future__ import annotations

import cv2
import numpy as np

from stylecut.ops.filters import fill_estimates_at, guided_upsample, luminance, mirror_fill, smooth_fill
from stylecut.ops.layers import BACKGROUND, Layers

BLUR_REFERENCE_SIDE = 1024  # --blur SIGMA is in pixels of a 1024 px-long version of the photo
HIDDEN = 1.0 - 1.0 / 255.0  # a layer under the others' alpha above this changes no output level
UPSAMPLE_REACH = np.ones((3, 3), np.uint8)  # the guided upsample's window (r=1) at style resolution


def grow(alpha: np.ndarray, px: int) -> np.ndarray:
    """Dilate a soft mask by px pixels (grey-level dilation)."""
    if px <= 0:
        return alpha
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(alpha, k)


def fill_out(small: np.ndarray, region: np.ndarray) -> np.ndarray:
    """A style network's input with `region` (soft, grown) filled from its surroundings (uint8).

    Stylizing the background with the person still in it makes the network draw the person's
    contour as a stroke, which shows as a ring around them after compositing.
    """
    h, w = small.shape[:2]
    if region.shape != (h, w):
        region = cv2.resize(region, (w, h), interpolation=cv2.INTER_LINEAR)
    grown = grow(np.clip(region * 2.0, 0.0, 1.0), max(2, round(max(h, w) / 100)))
    filled = smooth_fill(small.astype(np.float32), 1.0 - grown)
    return np.clip(filled + 0.5, 0, 255).astype(np.uint8)


def clean_layer(layer: np.ndarray, other: np.ndarray, band: int, textured: bool = True) -> np.ndarray:
    """Replace a layer's pixels near and inside `other` (the rest of the frame) by a fill from its own.

    A style network or a blur smears the person's colours a few pixels into the background (and the
    reverse); where the soft alpha lets the layer show through, that smear would be a halo. The fill
    keeps the layer's texture (mirror_fill) where the layer shows, so no flat band follows the edge;
    textured False: a smooth fill (for a layer about to be blurred: the texture would not show).
    """
    known = 1.0 - np.clip(grow(other, band) * 1.5, 0.0, 1.0)
    if known.max() <= 0.0:
        return layer
    if not textured:
        return smooth_fill(layer, known.astype(np.float32))
    shows = cv2.dilate((other < HIDDEN).view(np.uint8), UPSAMPLE_REACH).view(bool)
    return mirror_fill(layer, known.astype(np.float32), shows)


def decontaminate(photo: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The photo's own colours of the region `alpha` marks, with the other region removed from the soft edge.

    A photo pixel on a soft edge is I = a*F + (1-a)*B. Pasting I over a new background keeps the old
    B in it: a light or dark ring around hair. We estimate B by filling from the confident other
    region and solve for F; where a is small that is unstable, so F leans on a fill from the inside.
    Pixels with a == 1 are returned unchanged.
    """
    ys, xs = np.nonzero((alpha > 0.0) & (alpha < 1.0))
    if not len(ys):
        return photo
    other, inside = fill_estimates_at(photo, [(alpha <= 0.0).astype(np.float32), (alpha >= 1.0).astype(np.float32)],
                                      ys, xs)
    a = alpha[ys, xs][:, None]
    i = photo[ys, xs]
    solved = np.clip((i - (1.0 - a) * other) / np.maximum(a, 0.05), 0.0, 1.0)
    trust = np.clip((a - 0.1) / 0.4, 0.0, 1.0)
    out = photo.copy()
    out[ys, xs] = trust * solved + (1.0 - trust) * inside
    return out


def upsample_layer(small_rgb: np.ndarray, small_layer: np.ndarray, full_rgb: np.ndarray,
                   guided: bool = True) -> np.ndarray:
    """Bring a stylized layer from style resolution to full resolution: with photo-guided detail (a
    network's look), or plainly (Lanczos) where the look is the texture itself (an optimised painting:
    the photo's guide would put its texture back over the brush strokes)."""
    if small_layer.shape[:2] == full_rgb.shape[:2]:
        return small_layer
    if not guided:
        out = cv2.resize(small_layer, (full_rgb.shape[1], full_rgb.shape[0]), interpolation=cv2.INTER_LANCZOS4)
        return np.clip(out, 0.0, 1.0, out=out)
    out = guided_upsample(luminance(small_rgb), small_layer, luminance(full_rgb), r=1, eps=2e-3)
    return np.clip(out, 0.0, 1.0, out=out)


def preserve_color(stylized: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Keep the photo's chroma; take the stylized luminance, matched to the photo's mean and spread."""
    ys = cv2.cvtColor(stylized, cv2.COLOR_RGB2YCrCb)
    yp = cv2.cvtColor(photo.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2YCrCb)
    y = ys[:, :, 0]
    y = (y - y.mean()) * (yp[:, :, 0].std() / max(float(y.std()), 1e-6)) + yp[:, :, 0].mean()
    yp[:, :, 0] = np.clip(y, 0.0, 1.0)
    return cv2.cvtColor(yp, cv2.COLOR_YCrCb2RGB)


def blur_background(layer: np.ndarray, alpha: np.ndarray, sigma: float) -> np.ndarray:
    """Portrait-mode blur of the background layer; alpha (the rest: the person) is filled out first, no glow."""
    h, w = alpha.shape
    clean = clean_layer(layer, alpha, band=max(2, round(max(h, w) / 400)), textured=False)
    s = sigma * max(h, w) / BLUR_REFERENCE_SIDE
    if s <= 0:
        return clean
    f = max(1, int(s // 4))  # blur a reduced copy: same look, a fraction of the cost
    small = cv2.resize(clean, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else clean
    small = cv2.GaussianBlur(small, (0, 0), s / f)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR) if f > 1 else small


def blend(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """alpha * fg + (1 - alpha) * bg in a new float32 array: one OpenCV pass (it blends one type: the
    inputs are taken as float32, no copy when they are)."""
    fg, bg, alpha = (np.asarray(x, np.float32) for x in (fg, bg, alpha))
    return cv2.blendLinear(fg, bg, alpha, np.float32(1.0) - alpha)


def compose_layers(rgb: np.ndarray, small: np.ndarray, layers: Layers | None, styled: dict[str, np.ndarray | None],
                   preserve: bool = False, blur: float | None = None, guided: bool = True) -> np.ndarray:
    """The final frame (uint8): each layer's stylized look (or the photo's own) blended by its alpha.

    rgb: the photo; small: the photo at style resolution; styled: layer name -> its stylized look at
    style resolution, or None to keep the photo there. layers None: one look for the whole frame.
    Every layer is cleaned of the others' smear, brought to full size with the photo as guide, and
    summed by weight: background + sum over the other layers of alpha * (layer - background).
    guided False: looks brought to full size plainly (upsample_layer), for an optimiser's result.
    """
    if layers is None:  # region 'all', one style, no blur: the whole frame
        whole = next(look for look in styled.values() if look is not None)
        layer = upsample_layer(small, whole, rgb, guided)
        return to_uint8(preserve_color(layer, rgb) if preserve else layer)
    photo_f = rgb.astype(np.float32) * np.float32(1.0 / 255.0)
    h, w = small.shape[:2]
    layers_small = layers.resized((w, h))
    band = max(2, round(max(h, w) / 200))

    def look(name: str) -> np.ndarray:
        small_look = styled.get(name)
        if small_look is None:  # the photo itself, its edge colours freed of the other layers'
            return decontaminate(photo_f, layers[name])
        full = upsample_layer(small, clean_layer(small_look, layers_small.others(name), band), rgb, guided)
        return preserve_color(full, rgb) if preserve else full

    base = look(BACKGROUND)
    if blur is not None:
        base = blur_background(base, layers.others(BACKGROUND), float(blur))
    if len(layers.explicit) == 1:
        (name, alpha), = layers.explicit.items()
        return to_uint8(blend(look(name), base, alpha))
    out = base
    for name in layers.explicit:
        diff = look(name) - base
        diff *= layers[name][:, :, None]
        out = out + diff
    return to_uint8(out)


def to_uint8(x: np.ndarray) -> np.ndarray:
    """float [0, 1] -> uint8, rounded (OpenCV's saturating conversion: one pass, where numpy's clip,
    scale, round and cast took four)."""
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    return cv2.convertScaleAbs(cv2.max(x, 0.0), alpha=255.0)
