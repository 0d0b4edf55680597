"""Edge-aware filters shared by mask refinement and style upsampling."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from stylecut.ops.bands import RowResize, Rows, assemble, sliced


def box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window, edges replicated."""
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT)


def _channels_of(x: np.ndarray, like: np.ndarray) -> np.ndarray:
    """x (H, W) repeated to like's channel count, so OpenCV's elementwise ops pair them up.

    cv2.multiply on two same-shape arrays is ~8x faster than numpy broadcasting a (H, W, 1) view.
    """
    return x if like.ndim == 2 else cv2.merge([x] * like.shape[2])


def guided_coefficients(guide: np.ndarray, src: np.ndarray, r: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Local linear model src ~ a * guide + b (He et al.'s guided filter), smoothed.

    guide: (H, W) float32; src: (H, W) or (H, W, C) float32. Returns mean a, mean b.
    """
    mean_g = box(guide, r)
    var = box(cv2.multiply(guide, guide), r) - cv2.multiply(mean_g, mean_g)
    mean_s = box(src, r)
    mg = _channels_of(mean_g, src)
    cov = box(cv2.multiply(src, _channels_of(guide, src)), r) - cv2.multiply(mg, mean_s)
    a = cv2.divide(cov, _channels_of(var + np.float32(eps), src))
    b = cv2.subtract(mean_s, cv2.multiply(a, mg))
    return box(a, r), box(b, r)


def guided_upsample(guide_small: np.ndarray, src_small: np.ndarray, guide_full: np.ndarray,
                    r: int = 2, eps: float = 1e-4) -> np.ndarray:
    """Fast guided upsampling (He & Sun 2015): fit at low resolution, apply at full resolution.

    The result follows src_small's appearance with guide_full's sharp edges and detail.
    All inputs in [0, 1] (taken as float32); guides are (H, W) luminance.
    """
    guide_full = np.asarray(guide_full, np.float32)
    h, w = guide_full.shape[:2]
    return guided_upsampler(guide_small, src_small, (h, w), sliced(guide_full), r, eps)(0, h)


def guided_upsample_photo(small_rgb: np.ndarray, src_small: np.ndarray, rgb: np.ndarray,
                          r: int = 1, eps: float = 1e-4) -> np.ndarray:
    """guided_upsample of src_small to the photo's size, the photo's luminance the guide at both sizes,
    made in bands of rows (no full-size guide or coefficient images: ~4x less memory at 24 MP)."""
    h, w = rgb.shape[:2]
    rows = guided_upsampler(luminance(small_rgb), src_small, (h, w), lambda y0, y1: luminance(rgb[y0:y1]), r, eps)
    return assemble(rows, (h, w, *src_small.shape[2:]))


def guided_upsampler(guide_small: np.ndarray, src_small: np.ndarray, size: tuple[int, int], guide_rows: Rows,
                     r: int = 2, eps: float = 1e-4) -> Rows:
    """guided_upsample to size (h, w), a band of rows at a time (ops.bands): fitted once at low
    resolution; guide_rows(y0, y1) gives the full-size guide's rows (H, W) float32 in [0, 1]."""
    a, b = guided_coefficients(np.asarray(guide_small, np.float32), np.asarray(src_small, np.float32), r, eps)
    up = RowResize(a.shape[0], *size)

    def rows(y0: int, y1: int) -> np.ndarray:
        out = up.rows(a, y0, y1).reshape(y1 - y0, size[1], *src_small.shape[2:])
        out = cv2.multiply(out, _channels_of(guide_rows(y0, y1), out))
        return cv2.add(out, up.rows(b, y0, y1).reshape(out.shape), dst=out)

    return rows


def color_guided_filter(guide: np.ndarray, src: np.ndarray, r: int, eps: float, step: int = 1) -> np.ndarray:
    """He et al.'s guided filter with a colour guide, fitted on a copy reduced `step` times.

    guide: (H, W, 3) float32 in [0, 1]; src: (H, W) float32. The 3x3 local covariances are
    solved per pixel (closed-form inverse) at the reduced size and the smoothed coefficients are
    applied to the full-size guide (He & Sun's fast guided filter): with step 2 the result
    differs from step 1 by ~2e-3 on average and costs about a quarter as much.
    """
    h, w = src.shape
    if step > 1:
        size = (max(1, w // step), max(1, h // step))
        g = cv2.resize(guide, size, interpolation=cv2.INTER_AREA)
        p = cv2.resize(src, size, interpolation=cv2.INTER_AREA)
        r = max(1, round(r / step))
    else:
        g, p = guide, src
    mean_g = box(g, r)
    mean_p = box(p, r)
    cov_p = box(g * p[:, :, None], r) - mean_g * mean_p[:, :, None]
    c = [0, 1, 2]
    var: list[list[Any]] = [[None] * 3 for _ in c]
    for i in c:
        for j in c[i:]:
            var[i][j] = var[j][i] = (
                box(g[:, :, i] * g[:, :, j], r) - mean_g[:, :, i] * mean_g[:, :, j] + (eps if i == j else 0.0)
            )
    # adjugate of the symmetric 3x3 covariance, then a = inv(cov) @ cov_p
    adj = [[var[(j + 1) % 3][(i + 1) % 3] * var[(j + 2) % 3][(i + 2) % 3]
            - var[(j + 1) % 3][(i + 2) % 3] * var[(j + 2) % 3][(i + 1) % 3] for j in c] for i in c]
    inv_det = 1.0 / (var[0][0] * adj[0][0] + var[0][1] * adj[1][0] + var[0][2] * adj[2][0])
    coef = np.empty(p.shape + (4,), np.float32)  # a_r, a_g, a_b, b
    coef[:, :, 3] = mean_p
    for i in c:
        coef[:, :, i] = (adj[i][0] * cov_p[:, :, 0] + adj[i][1] * cov_p[:, :, 1] + adj[i][2] * cov_p[:, :, 2]) * inv_det
        coef[:, :, 3] -= coef[:, :, i] * mean_g[:, :, i]
    coef = box(coef, r)
    if step > 1:
        coef = cv2.resize(coef, (w, h), interpolation=cv2.INTER_LINEAR)
    return (
        coef[:, :, 0] * guide[:, :, 0] + coef[:, :, 1] * guide[:, :, 1] + coef[:, :, 2] * guide[:, :, 2] + coef[:, :, 3]
    )


MAX_WINDOWS = 6  # tiling a very long frame: at most this many windows, each longer than square


def bounded_window(n: int, win: int, most: int = MAX_WINDOWS) -> int:
    """A window size >= win such that window_starts(n, size) gives at most `most` windows.

    Square tiles of a 20000x50 strip would be 800 model runs; past `most` the windows stretch
    along the long side instead (the model squashes them), so work stays bounded by the pixel count.
    """
    return max(win, int(np.ceil(2 * n / (most + 1))))


def window_starts(n: int, win: int, overlap: float = 0.5) -> list[int]:
    """Offsets of windows of size `win` covering [0, n) with at least `overlap` between neighbours."""
    if win >= n:
        return [0]
    k = int(np.ceil((n - win) / (win * (1.0 - overlap)))) + 1
    return [round(i * (n - win) / (k - 1)) for i in range(k)]


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec.601 luma of a uint8 or float RGB image, as float32 in [0, 1]."""
    scale = 1.0 / 255.0 if rgb.dtype == np.uint8 else 1.0
    y = cv2.cvtColor(rgb if rgb.dtype == np.uint8 else rgb.astype(np.float32), cv2.COLOR_RGB2GRAY)
    return y.astype(np.float32) * np.float32(scale)


def resize_max(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (area filter) so that the longer side is at most max_side; never upscales."""
    h, w = rgb.shape[:2]
    s = max_side / max(h, w)
    if s >= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def push_pull_fill(img: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill pixels where known == 0 with a smooth extension of the known pixels (pyramid push-pull).

    img: (H, W, C) float32; known: (H, W) float32 weights in [0, 1].
    Fast (linear time) stand-in for inpainting, used so that a region's colours do not bleed
    into the style or blur of its neighbour. Computed in float32 (OpenCV's ops pair equal types).
    """
    img, known = np.asarray(img, np.float32), np.asarray(known, np.float32)
    levels = []
    cur_i, cur_w = cv2.multiply(img, _channels_of(known, img)), known
    while min(cur_w.shape[:2]) > 4:
        levels.append((cur_i, cur_w))
        cur_i = cv2.pyrDown(cur_i)
        cur_w = cv2.pyrDown(cur_w)
    fill = cv2.divide(cur_i, _channels_of(np.maximum(cur_w, 1e-6), cur_i))
    fill[cur_w < 1e-6] = (cur_i.reshape(-1, _channels(img)).sum(0) / max(cur_w.sum(), 1e-6))
    for lev_i, lev_w in reversed(levels):
        up = cv2.pyrUp(fill, dstsize=(lev_i.shape[1], lev_i.shape[0]))
        wn = np.clip(lev_w * 4.0, 0.0, 1.0)  # trust local data where there is enough of it
        est = cv2.divide(lev_i, _channels_of(np.maximum(lev_w, 1e-6), lev_i))
        fill = _mix(est, up, wn)
    return _mix(img, fill, known).reshape(img.shape)  # OpenCV drops a lone channel


def _channels(img: np.ndarray) -> int:
    return 1 if img.ndim == 2 else img.shape[2]


def _mix(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a * w + b * (1 - w) per pixel, w (H, W): numpy's rounding, OpenCV's speed (no blendLinear: its
    1e-5 in the divisor shifted the style network's input enough to move its texture by up to 27 levels)."""
    return cv2.add(cv2.multiply(a, _channels_of(w, a)), cv2.multiply(b, _channels_of(1.0 - w, a)))


FILL_SIDE = 384  # fills are smooth: computing them on a copy this size looks the same and costs ~1/10


def _fill_size(h: int, w: int, max_side: int) -> tuple[int, int] | None:
    """(w, h) of the reduced copy a fill is computed on; None when the image is that small already."""
    s = max_side / max(h, w)
    return None if s >= 1.0 else (max(1, round(w * s)), max(1, round(h * s)))


def fill_estimate(img: np.ndarray, known: np.ndarray, max_side: int = FILL_SIDE) -> np.ndarray:
    """push_pull_fill of a reduced copy, resized back: a smooth estimate everywhere (known pixels too)."""
    h, w = known.shape
    size = _fill_size(h, w, max_side)
    if size is None:
        return push_pull_fill(img, known)
    small = push_pull_fill(cv2.resize(img, size, interpolation=cv2.INTER_AREA),
                           cv2.resize(known, size, interpolation=cv2.INTER_AREA))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def fill_estimates_at(img: np.ndarray, knowns: list[np.ndarray], ys: np.ndarray, xs: np.ndarray,
                      max_side: int = FILL_SIDE) -> list[np.ndarray]:
    """fill_estimate's values for each of `knowns`, at the pixels (ys, xs) only, (N, C) each: the reduced
    fills sampled there as the full-size resize would (bilinear, pixel centres aligned), without
    making full-size images; the image is reduced once for all.

    img may be uint8 (taken as [0, 1]) and a known a bool mask: both are reduced as 8-bit (a quarter
    of a float copy's memory at full size; the reduced values within half a level of it)."""
    h, w = img.shape[:2]
    size = _fill_size(h, w, max_side)
    if size is None:
        return [push_pull_fill(unit(img), unit(known))[ys, xs] for known in knowns]
    small = unit(cv2.resize(img, size, interpolation=cv2.INTER_AREA))
    map_x = _rows((xs + 0.5) * (size[0] / w) - 0.5)
    map_y = _rows((ys + 0.5) * (size[1] / h) - 0.5)
    fills = [push_pull_fill(small, unit(cv2.resize(_bytes(known), size, interpolation=cv2.INTER_AREA)))
             for known in knowns]
    return [cv2.remap(f, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            .reshape(-1, _channels(img))[:len(ys)] for f in fills]


def unit(x: np.ndarray) -> np.ndarray:
    """An image as float32 in [0, 1]: uint8 scaled by 1/255 (a bool mask is 0 or 1), float taken as it is."""
    if x.dtype == np.bool_:
        return x.astype(np.float32)
    if x.dtype == np.uint8:
        out = x.astype(np.float32)
        out *= np.float32(1.0 / 255.0)
        return out
    return np.asarray(x, np.float32)


def _bytes(mask: np.ndarray) -> np.ndarray:
    """A bool mask as uint8 0/255 (OpenCV resizes no bool images), anything else unchanged."""
    return mask.view(np.uint8) * np.uint8(255) if mask.dtype == np.bool_ else mask


REMAP_ROW = 4096  # cv2.remap takes maps under 32767 px a side: a long list of points is folded into rows


def _rows(v: np.ndarray) -> np.ndarray:
    """A 1-D list of coordinates folded into a (rows, REMAP_ROW) float32 map, padded with its last value."""
    n = max(1, len(v))
    out = np.empty(-(-n // REMAP_ROW) * REMAP_ROW, np.float32)
    out[:len(v)] = v
    out[len(v):] = v[-1] if len(v) else 0.0
    return out.reshape(-1, REMAP_ROW)


def smooth_fill(img: np.ndarray, known: np.ndarray, max_side: int = FILL_SIDE) -> np.ndarray:
    """Like push_pull_fill (known pixels kept exactly), with the fill computed on a reduced copy."""
    img, known = np.asarray(img, np.float32), np.asarray(known, np.float32)
    fill = fill_estimate(img, known, max_side)
    return cv2.blendLinear(img, fill, known, 1.0 - known)  # one pass (numpy's broadcasting: 6x slower)




def mirror_fill(img: np.ndarray, known: np.ndarray, needed: np.ndarray | None = None,
                max_side: int = FILL_SIDE) -> np.ndarray:
    """Like smooth_fill, but with the known pixels' texture: an unknown pixel takes its mirror image
    across the nearest known pixel (the smooth fill where that falls off the frame or is unknown).

    For a stylized look near a person: a smooth fill there is the average of the brush strokes, a
    flat tone lighter or darker than any of them, which shows as a band along the soft edge.
    needed: the pixels whose texture matters (e.g. those that will show); the others get the smooth
    fill. Known pixels are kept exactly; soft ones are blended with the fill by their weight.
    """
    img, known = np.asarray(img, np.float32), np.asarray(known, np.float32)
    fill = fill_estimate(img, known, max_side)
    inside = known >= 0.5
    todo = known < 1.0 if needed is None else (known < 1.0) & needed
    at = np.flatnonzero(todo)
    if len(at) and inside.any():
        h, w = known.shape
        _, label = cv2.distanceTransformWithLabels((~inside).view(np.uint8), cv2.DIST_L2, 5,
                                                   labelType=cv2.DIST_LABEL_PIXEL)
        ys, xs = np.divmod(at, w)
        ky, kx = np.divmod(np.flatnonzero(inside)[label.ravel()[at] - 1], w)  # labels: known pixels in raster order
        my, mx = 2 * ky - ys, 2 * kx - xs
        ok = (my >= 0) & (my < h) & (mx >= 0) & (mx < w)
        ok[ok] = inside[my[ok], mx[ok]]
        fill[ys[ok], xs[ok]] = img[my[ok], mx[ok]]
    return _mix(img, fill, known).reshape(img.shape)
