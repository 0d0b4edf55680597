"""Full-size steps made in bands of rows: the same values as the whole-image operations."""
from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stylecut.ops.bands import BAND_ROWS, RowResize, assemble, in_bands


@settings(max_examples=40, deadline=None)
@given(src_h=st.integers(1, 90), src_w=st.integers(1, 60), h=st.integers(1, 300), w=st.integers(1, 200),
       channels=st.sampled_from([0, 1, 3, 4]), y0=st.integers(0, 299), n=st.integers(1, 80), seed=st.integers(0, 99))
def test_rows_of_a_resize_equal_opencvs_whole_resize(src_h, src_w, h, w, channels, y0, n, seed):
    """Any band of any bilinear resize (up or down, 2-D or 1/3/4 channels) equals the rows of cv2.resize."""
    y0 = min(y0, h - 1)
    y1 = min(h, y0 + n)
    shape = (src_h, src_w) if channels == 0 else (src_h, src_w, channels)
    img = np.random.default_rng(seed).random(shape, dtype=np.float32)
    whole = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, -1)
    band = RowResize(src_h, h, w).rows(img, y0, y1).reshape(y1 - y0, w, -1)
    np.testing.assert_allclose(band, whole[y0:y1], atol=1e-5)  # float rounding: 0.003 of a level


def test_bands_cover_every_row_once_on_any_number_of_threads():
    seen = np.zeros(1000, int)

    def mark(y0, y1):
        seen[y0:y1] += 1

    for threads in (1, 2, 5):
        seen[:] = 0
        in_bands(1000, mark, threads)
        assert (seen == 1).all()
    out = assemble(lambda y0, y1: np.full((y1 - y0, 3), y0 // BAND_ROWS, np.float32), (1000, 3), threads=2)
    assert (out[:, 0] == np.arange(1000) // BAND_ROWS).all()


def test_compose_in_bands_on_two_threads_equals_one_and_the_whole_image_formula():
    """compose_layers on 2 threads gives the same bytes as on 1; both equal the blend of the whole-image
    upsample (guided_upsample) to within a level."""
    from stylecut.ops.compose import clean_layer, compose_layers, decontaminate, to_uint8
    from stylecut.ops.filters import guided_upsample, luminance
    from stylecut.ops.layers import Layers

    rng = np.random.default_rng(3)
    rgb = cv2.resize((rng.random((40, 60, 3)) * 255).astype(np.uint8), (600, 400), interpolation=cv2.INTER_CUBIC)
    alpha = np.zeros((400, 600), np.float32)
    cv2.circle(alpha, (300, 200), 120, 1.0, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 4)
    small = cv2.resize(rgb, (384, 256), interpolation=cv2.INTER_AREA)
    look = rng.random((256, 384, 3), dtype=np.float32)
    layers = Layers.of_person(alpha)
    one = compose_layers(rgb, small, layers, {"background": look, "person": None}, threads=1)
    two = compose_layers(rgb, small, layers, {"background": look, "person": None}, threads=2)
    assert np.array_equal(one, two)
    small_alpha = cv2.resize(alpha, (384, 256), interpolation=cv2.INTER_AREA)
    cleaned = clean_layer(look, small_alpha, max(2, round(384 / 200)))
    bg = np.clip(guided_upsample(luminance(small), cleaned, luminance(rgb), r=1, eps=2e-3), 0, 1)
    fg = decontaminate(rgb, alpha)
    formula = to_uint8(alpha[..., None] * fg + (1 - alpha[..., None]) * bg)
    assert np.abs(one.astype(int) - formula.astype(int)).max() <= 1
