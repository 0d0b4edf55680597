"""Blend stylized layers with the photo along the soft person alpha, without halos."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from stylecut.ops.bands import Rows, assemble, in_bands, sliced
from stylecut.ops.filters import fill_estimates_at, guided_upsampler, luminance, mirror_fill, smooth_fill, unit
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
    Pixels with a == 1 are returned unchanged. photo: uint8, or float in [0, 1]; the result is float32.
    """
    return photo_rows(photo, alpha)(0, photo.shape[0])


def decontaminated_at(photo: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """decontaminate's new values where they differ from the photo: (ys, xs, colours (N, 3)), in row order."""
    ys, xs = np.nonzero((alpha > 0.0) & (alpha < 1.0))
    i = unit(photo[ys, xs])
    if not len(ys):
        return ys, xs, i
    other, inside = fill_estimates_at(photo, [alpha <= 0.0, alpha >= 1.0], ys, xs)
    a = alpha[ys, xs][:, None]
    solved = np.clip((i - (1.0 - a) * other) / np.maximum(a, 0.05), 0.0, 1.0)
    trust = np.clip((a - 0.1) / 0.4, 0.0, 1.0)
    return ys, xs, trust * solved + (1.0 - trust) * inside


def photo_rows(rgb: np.ndarray, alpha: np.ndarray) -> Rows:
    """decontaminate(rgb, alpha) a band of rows at a time (the photo's own look of a layer)."""
    ys, xs, values = decontaminated_at(rgb, alpha)
    starts = np.searchsorted(ys, np.arange(rgb.shape[0] + 1))

    def rows(y0: int, y1: int) -> np.ndarray:
        out = unit(rgb[y0:y1])
        if np.shares_memory(out, rgb):  # a float photo: the band is the caller's, not ours to change
            out = out.copy()
        k0, k1 = starts[y0], starts[y1]
        out[ys[k0:k1] - y0, xs[k0:k1]] = values[k0:k1]
        return out

    return rows


def upsample_layer(small_rgb: np.ndarray, small_layer: np.ndarray, full_rgb: np.ndarray,
                   guided: bool = True) -> np.ndarray:
    """Bring a stylized layer from style resolution to full resolution: with photo-guided detail (a
    network's look), or plainly (Lanczos) where the look is the texture itself (an optimised painting:
    the photo's guide would put its texture back over the brush strokes)."""
    shape = (*full_rgb.shape[:2], *small_layer.shape[2:])
    return assemble(upsampled_rows(small_rgb, small_layer, full_rgb, guided), shape)


def upsampled_rows(small_rgb: np.ndarray, small_layer: np.ndarray, full_rgb: np.ndarray,
                   guided: bool = True) -> Rows:
    """upsample_layer a band of rows at a time (fitted once at style resolution)."""
    h, w = full_rgb.shape[:2]
    if small_layer.shape[:2] == (h, w):
        return sliced(small_layer)
    if not guided:
        full = cv2.resize(small_layer, (w, h), interpolation=cv2.INTER_LANCZOS4)
        return sliced(np.clip(full, 0.0, 1.0, out=full))
    up = guided_upsampler(luminance(small_rgb), small_layer, (h, w), lambda y0, y1: luminance(full_rgb[y0:y1]),
                          r=1, eps=2e-3)

    def rows(y0: int, y1: int) -> np.ndarray:
        out = up(y0, y1)
        return np.clip(out, 0.0, 1.0, out=out)

    return rows


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
                   preserve: bool = False, blur: float | None = None, guided: bool = True,
                   threads: int = 1) -> np.ndarray:
    """The final frame (uint8): each layer's stylized look (or the photo's own) blended by its alpha.

    rgb: the photo; small: the photo at style resolution; styled: layer name -> its stylized look at
    style resolution, or None to keep the photo there. layers None: one look for the whole frame.
    Every layer is cleaned of the others' smear, brought to full size with the photo as guide, and
    summed by weight: background + sum over the other layers of alpha * (layer - background).
    guided False: looks brought to full size plainly (upsample_layer), for an optimiser's result.
    The full-size steps run a band of rows at a time (ops.bands), on `threads` threads.
    """
    h0 = rgb.shape[0]
    out = np.empty(rgb.shape, np.uint8)
    put: Callable[[int, int], None]
    if layers is None:  # region 'all', one style, no blur: the whole frame
        only = upsampled_rows(small, next(look for look in styled.values() if look is not None), rgb, guided)
        if preserve:
            only = _colour_preserved(only, rgb, threads)

        def put(y0: int, y1: int) -> None:
            out[y0:y1] = to_uint8(only(y0, y1))
    else:
        put = _blend_rows(rgb, small, layers, styled, preserve, blur, guided, out, threads)
    in_bands(h0, put, threads)
    return out


def _blend_rows(rgb: np.ndarray, small: np.ndarray, layers: Layers, styled: dict[str, np.ndarray | None],
                preserve: bool, blur: float | None, guided: bool, out: np.ndarray,
                threads: int) -> Callable[[int, int], None]:
    """compose_layers' blend of the layers as a function writing rows y0:y1 of `out`."""
    h, w = small.shape[:2]
    layers_small = layers.resized((w, h))
    band = max(2, round(max(h, w) / 200))

    def look(name: str) -> Rows:
        small_look = styled.get(name)
        if small_look is None:  # the photo itself, its edge colours freed of the other layers'
            return photo_rows(rgb, layers[name])
        rows = upsampled_rows(small, clean_layer(small_look, layers_small.others(name), band), rgb, guided)
        return _colour_preserved(rows, rgb, threads) if preserve else rows

    names = [BACKGROUND, *layers.explicit]
    if threads > 1:  # each layer's clean-up and fit at style size is its own work: side by side
        with ThreadPoolExecutor(max_workers=min(threads, len(names)), thread_name_prefix="stylecut-look") as ex:
            made = dict(zip(names, ex.map(look, names)))
    else:
        made = {name: look(name) for name in names}
    base = made.pop(BACKGROUND)  # the rest: the layers' looks
    if blur is not None:
        base = sliced(blur_background(assemble(base, rgb.shape, threads), layers.others(BACKGROUND), float(blur)))

    def put(y0: int, y1: int) -> None:
        if len(made) == 1:
            (name, rows), = made.items()
            out[y0:y1] = to_uint8(blend(rows(y0, y1), base(y0, y1), layers[name][y0:y1]))
            return
        under = base(y0, y1)
        acc = under
        for name, rows in made.items():
            diff = rows(y0, y1) - under
            diff *= layers[name][y0:y1, :, None]
            acc = acc + diff
        out[y0:y1] = to_uint8(acc)

    return put


def _colour_preserved(rows: Rows, rgb: np.ndarray, threads: int) -> Rows:
    """preserve_color of a look given as Rows (it needs the whole look's luminance: made whole first)."""
    return sliced(preserve_color(assemble(rows, rgb.shape, threads), rgb))


def to_uint8(x: np.ndarray) -> np.ndarray:
    """float [0, 1] -> uint8, rounded (OpenCV's saturating conversion: one pass, where numpy's clip,
    scale, round and cast took four)."""
    if x.dtype != np.float32:
        x = x.astype(np.float32)
    return cv2.convertScaleAbs(cv2.max(x, 0.0), alpha=255.0)
