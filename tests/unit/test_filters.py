"""Edge-aware filters: exact on the cases their models describe, and any channel count."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stylecut.ops.filters import guided_upsample, mirror_fill, push_pull_fill, smooth_fill


@pytest.mark.parametrize("channels", [0, 3, 4])
def test_guided_upsample_reproduces_a_linear_function_of_the_guide(channels):
    rng = np.random.default_rng(1)
    guide_full = rng.random((81, 121), np.float32)
    guide_small = guide_full[::2, ::2].copy()
    gain = np.float32(0.5) if channels == 0 else np.linspace(0.2, 0.8, channels, dtype=np.float32)
    src_small = (guide_small[..., None] * gain + 0.1).squeeze() if channels else guide_small * gain + 0.1
    out = guided_upsample(guide_small, src_small, guide_full, r=2, eps=1e-8)
    expected = (guide_full[..., None] * gain + 0.1).squeeze() if channels else guide_full * gain + 0.1
    assert out.shape == expected.shape and np.abs(out - expected).max() < 2e-3


@pytest.mark.parametrize(("channels", "dtype"), [(1, np.float32), (3, np.float32), (5, np.float32), (3, np.float64)])
def test_push_pull_fill_keeps_known_pixels_and_fills_a_flat_colour(channels, dtype):
    colour = np.linspace(0.1, 0.9, channels, dtype=np.float32)
    img = np.zeros((50, 70, channels), np.float32)
    known = np.zeros((50, 70), dtype)
    known[10:20, 30:60] = 1.0
    img[known > 0] = colour
    out = push_pull_fill(img, known)
    assert out.shape == img.shape
    assert np.array_equal(out[known > 0], img[known > 0])
    assert np.abs(out - colour).max() < 1e-4  # the unknown rest takes the only colour there is


def _stripes(h: int = 60, w: int = 90) -> tuple[np.ndarray, np.ndarray]:
    """Dark and light vertical stripes (a brush texture), known left of column 60."""
    img = np.where((np.arange(w) // 3) % 2 == 0, 0.2, 0.8).astype(np.float32)
    img = np.repeat(np.tile(img, (h, 1))[..., None], 3, axis=2)
    known = np.zeros((h, w), np.float32)
    known[:, :60] = 1.0
    return img, known


def test_mirror_fill_continues_the_texture_where_a_smooth_fill_is_flat():
    img, known = _stripes()
    unknown = img.copy()
    unknown[:, 60:] = 1.0  # what is to be replaced (a person's colours)
    smooth, textured = smooth_fill(unknown, known), mirror_fill(unknown, known)
    near = slice(60, 75)
    assert np.array_equal(textured[:, :60], img[:, :60])
    assert smooth[:, near].std() < 0.1  # the stripes averaged: one flat mid tone
    assert abs(textured[:, near].std() - img[:, :60].std()) < 0.05  # as contrasted as the known stripes
    assert np.array_equal(textured[:, 60:75], img[:, 44:59][:, ::-1])  # their mirror image across column 59


def test_mirror_fill_fills_only_what_is_needed_with_texture():
    img, known = _stripes()
    needed = np.zeros(known.shape, bool)
    needed[:30] = True
    out = mirror_fill(img, known, needed)
    assert np.allclose(out[30:], smooth_fill(img, known)[30:], atol=1e-4)
    assert out[:30, 60:75].std() > 0.25


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 40), w=st.integers(1, 40), channels=st.sampled_from([0, 1, 3]), seed=st.integers(0, 2**16))
def test_mirror_fill_keeps_known_pixels_and_stays_within_the_image_range(h, w, channels, seed):
    """Any shape, 2-D or any channel count, any mask with a known pixel (all known, soft weights)."""
    rng = np.random.default_rng(seed)
    img = rng.random((h, w) if channels == 0 else (h, w, channels), np.float32)
    known = np.where(rng.random((h, w)) < 0.5, 1.0, rng.random((h, w))).astype(np.float32)
    known[rng.random((h, w)) < 0.3] = 0.0
    known[rng.integers(h), rng.integers(w)] = 1.0  # something to fill from (callers skip a frame with nothing)
    out = mirror_fill(img, known)
    assert out.shape == img.shape and out.dtype == np.float32
    assert np.array_equal(out[known == 1.0], img[known == 1.0])
    assert out.min() >= img.min() - 1e-5 and out.max() <= img.max() + 1e-5
