"""Portrait into painting: placement, scaling, alpha, harmonisation, errors."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from stylecut import StylecutError
from stylecut.pipeline.into_painting import paint

from ..conftest import HOKUSAI, STARRY, assert_one_line_error, run_cli

PAINTING = np.asarray(Image.open(STARRY).convert("RGB"))  # 1024x640


@pytest.fixture(scope="module")
def placed(portrait_small):
    return paint(portrait_small, STARRY, x=300, y=600, height=0.5)


def test_placement_and_scale(placed):
    left, top, right, bottom = placed.box
    assert bottom == 600 and abs((left + right) / 2 - 300) <= 1
    assert bottom - top == 320  # 0.5 x 640
    a = np.asarray(placed.cutout)[..., 3]
    assert a.shape[0] == 320
    ys, xs = np.nonzero(a > 128)
    assert ys.max() > 300 and ys.min() < 20  # the person fills the cut-out's height


def test_painting_unchanged_outside_the_cutout(placed):
    out = np.asarray(placed.image)
    assert out.shape == PAINTING.shape
    left, top, right, bottom = placed.box
    outside = np.ones(out.shape[:2], bool)
    outside[max(0, top):bottom, max(0, left):right] = False
    assert np.array_equal(out[outside], PAINTING[outside])
    a = np.zeros(out.shape[:2], np.float32)
    a[top:bottom, left:right] = np.asarray(placed.cutout)[..., 3] / 255.0
    assert np.array_equal(out[a == 0], PAINTING[a == 0])  # transparent parts of the cut-out too
    inside = a > 0.98
    assert np.abs(out[inside].astype(int) - PAINTING[inside]).mean() > 20  # the person is really there


def test_default_placement_stands_on_the_bottom(portrait_small):
    r = paint(portrait_small, HOKUSAI, style=None, harmonize="none")
    W, H = Image.open(HOKUSAI).size
    left, top, right, bottom = r.box
    assert bottom == H and abs((left + right) / 2 - W / 2) <= 1 and bottom - top == round(0.6 * H)


def test_style_none_keeps_photo_look_and_harmonize_moves_colour(portrait_small):
    plain = paint(portrait_small, STARRY, style=None, harmonize="none")
    tuned = paint(portrait_small, STARRY, style=None, harmonize="color")
    a = np.asarray(plain.cutout)[..., 3] > 250
    p = np.asarray(plain.cutout)[..., :3][a].astype(np.float32).mean(0)
    l, t, r, b = tuned.box
    region = np.asarray(tuned.image)[t:b, l:r][a].astype(np.float32).mean(0)
    # Starry Night is blue: colour harmonisation must move the person toward blue
    assert (region[2] - region[0]) > (p[2] - p[0]) + 20


def test_poisson_runs_and_keeps_outside(portrait_small):
    r = paint(portrait_small, STARRY, harmonize="poisson", x=20, height=0.4)  # partly off the left edge
    out = np.asarray(r.image)
    l, t, rr, b = r.box
    assert l < 0
    assert np.array_equal(out[:, rr:], PAINTING[:, rr:])


@pytest.mark.parametrize("kwargs,needle", [
    (dict(harmonize="magic"), "harmonize"),
    (dict(height=0), "height"),
    (dict(x=5000, y=5000), "outside the painting"),
])
def test_paint_errors(portrait_small, kwargs, needle):
    with pytest.raises(StylecutError, match=needle):
        paint(portrait_small, STARRY, **kwargs)


def test_paint_cli(portrait_small, tmp_path):
    out, cut = tmp_path / "p.png", tmp_path / "c.png"
    p = run_cli("paint", portrait_small, STARRY, "-o", out, "--x", 500, "--y", 640, "--height", 0.7,
                "--harmonize", "color", "--save-cutout", cut)
    assert p.returncode == 0, p.stderr
    assert Image.open(out).size == (1024, 640) and Image.open(cut).mode == "RGBA"
    bad = run_cli("paint", portrait_small, STARRY, "-o", tmp_path / "x.png", "--harmonize", "magic")
    assert bad.returncode != 0 and not (tmp_path / "x.png").exists()
    sky = tmp_path / "sky.png"
    Image.new("RGB", (300, 200), (120, 170, 230)).save(sky)
    assert_one_line_error(run_cli("paint", sky, STARRY, "-o", tmp_path / "y.png"), "no person")


