"""Compositing on synthetic arrays: no halo, decontaminated edges, cut sides that fade."""
from __future__ import annotations

import cv2
import numpy as np

import stylecut


def test_blur_has_no_halo():
    """A dark person on a white background: blurring must not smear dark into the background."""
    img = np.full((300, 300, 3), 255, np.uint8)
    img[60:260, 110:190] = 20
    mask = np.zeros((300, 300), np.float32)
    mask[60:260, 110:190] = 1.0
    out = np.asarray(stylecut.stylize(img, blur=20, mask=mask))
    ring = cv2.dilate(mask, np.ones((9, 9), np.uint8)) - mask  # 4 px just outside the person
    assert out[ring > 0].min() > 235


def test_soft_edge_loses_the_old_background():
    """I = a*red + (1-a)*white on a soft edge: the recovered person colour is red, not pink."""
    from stylecut.ops.compose import decontaminate

    h, w = 64, 200
    a = np.tile(np.clip((np.arange(w) - 80) / 40.0, 0, 1), (h, 1)).astype(np.float32)[:, ::-1].copy()
    red, white = np.array([0.9, 0.1, 0.1], np.float32), np.ones(3, np.float32)
    photo = a[..., None] * red + (1 - a[..., None]) * white
    fg = decontaminate(photo, a)
    band = (a >= 0.3) & (a < 1.0)
    assert np.abs(fg[band] - red).max() < 0.05
    assert np.array_equal(fg[a >= 1.0], photo[a >= 1.0])


def test_the_clean_up_keeps_the_background_texture_along_the_edge():
    """A stylized background of dark and light strokes seen through a person's soft edge: the
    clean-up replaces the person's smear by strokes, not by their average (a light band)."""
    from stylecut.ops.compose import clean_layer

    h, w = 80, 120
    strokes = np.where((np.arange(w) // 2) % 2 == 0, 0.1, 0.9).astype(np.float32)
    look = np.repeat(np.tile(strokes, (h, 1))[..., None], 3, axis=2)
    person = np.zeros((h, w), np.float32)
    person[:, 70:] = 1.0
    person = cv2.GaussianBlur(person, (0, 0), 2.0)
    look[:, 64:] = 0.5  # the network's smear of the person
    shows = (person > 0.2) & (person < 0.8)  # where the soft edge lets the background show
    cleaned = clean_layer(look, person, band=3)
    assert cleaned[shows].std() > 0.3  # strokes (std 0.4), not one flat tone
    assert np.array_equal(cleaned[:, :55], look[:, :55])


def test_cut_sides_fade_but_bottom_stays():
    from stylecut.pipeline.into_painting import feather_cut_sides

    a = np.ones((100, 80), np.float32)
    f = feather_cut_sides(a, (True, False, True))
    assert f[50, 0] == 0.0 and f[0, 40] == 0.0  # left and top fade to nothing
    assert f[50, 79] == 1.0 and f[99, 40] == 1.0  # right (not cut) and bottom stay solid
    assert 0.0 < f[50, 2] < 1.0


def test_fills_at_points_match_the_full_size_fill():
    """The edge-only fills (decontaminate) sample the reduced fill where the full-size resize would put it,
    corners and a list of points longer than one OpenCV map row included."""
    from stylecut.ops.filters import fill_estimate, fill_estimates_at

    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.random((700, 1100, 3), dtype=np.float32), (0, 0), 8)
    known = [(rng.random((700, 1100)) > p).astype(np.float32) for p in (0.3, 0.8)]
    ys, xs = np.nonzero(rng.random((700, 1100)) > 0.95)  # ~38000 points: several rows of the folded map
    ys, xs = np.r_[ys, 0, 699, 0, 699], np.r_[xs, 0, 0, 1099, 1099]
    for k, at in zip(known, fill_estimates_at(img, known, ys, xs)):
        assert at.shape == (len(ys), 3)
        np.testing.assert_allclose(at, fill_estimate(img, k)[ys, xs], atol=1e-5)


def test_to_uint8_rounds_and_clips_like_the_formula():
    from stylecut.ops.compose import to_uint8

    x = np.random.default_rng(1).random((50, 60, 3), dtype=np.float32) * 1.4 - 0.2
    want = (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    half = (x * np.float32(255.0)) % 1 == 0.5  # exact halves round to even in OpenCV: one level either way
    got = to_uint8(x)
    assert (got[~half] == want[~half]).all() and (np.abs(got.astype(int) - want)[half] <= 1).all()
    assert (to_uint8(x[..., 0]) == got[..., 0]).all()
    assert to_uint8(np.array([[-3.0, 0.5, 9.0]])).tolist() == [[0, 128, 255]]  # float64 in, clipped
