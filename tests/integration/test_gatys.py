"""The Gatys engine at small size: the loss falls, regions take their own style, colour, errors."""
from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")

from stylecut import StylecutError  # noqa: E402
from stylecut.core.errors import Cancelled  # noqa: E402
from stylecut.core.options import GatysParams, Options  # noqa: E402
from stylecut.pipeline.session import run  # noqa: E402
from stylecut.style.gatys import Region, gram, loss_of, optimise  # noqa: E402
from stylecut.style.vgg import VGG19Features  # noqa: E402

from ..conftest import HOKUSAI, PORTRAIT, STARRY, assert_one_line_error, run_cli  # noqa: E402

SMALL = GatysParams(iterations=30, size=96)


def _rgb(path, size):
    return np.asarray(Image.open(path).convert("RGB").resize(size, Image.LANCZOS))


@pytest.fixture(scope="module")
def content():
    return _rgb(PORTRAIT, (72, 96))


def test_loss_falls(content):
    style = _rgb(STARRY, (128, 80))
    regions = [Region(style)]
    start = loss_of(content.astype(np.float32) / 255, content, regions, SMALL)
    calls = []
    out = optimise(content, regions, SMALL, progress=lambda d, n: calls.append((d, n)))
    assert out.shape == (96, 72, 3)
    assert loss_of(out, content, regions, SMALL) < 0.3 * start
    assert calls[-1][0] == calls[-1][1] and len(calls) > 10  # progress reaches the end


def _style_loss(img, style, mask):
    net = VGG19Features(["block2_relu1", "block3_relu1"])
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, np.float32)).permute(2, 0, 1)[None].flip(1) * 255 - \
        torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)
    fi, fs = net(t(img)), net(t(style.astype(np.float32) / 255))
    total = 0.0
    for l in fi:
        h, w = fi[l].shape[2:]
        m = torch.from_numpy(cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA))
        total += float(((gram(fi[l], m) - gram(fs[l])) ** 2).mean() / fi[l].shape[1] ** 2)
    return total


def test_regions_get_their_own_style(content):
    a, b = _rgb(STARRY, (128, 80)), _rgb(HOKUSAI, (128, 72))
    mask = np.zeros((96, 72), np.float32)
    mask[:, 36:] = 1.0  # right half is "the person"
    out = optimise(content, [Region(a, 1.0 - mask), Region(b, mask)], GatysParams(iterations=40, size=96))
    left, right = 1.0 - mask, mask
    assert _style_loss(out, a, left) < _style_loss(out, b, left)
    assert _style_loss(out, b, right) < _style_loss(out, a, right)


def test_pipeline_background_keeps_person_and_preserve_color(portrait_small):
    params = GatysParams(iterations=15, size=96)
    r = run(portrait_small, Options(style=STARRY, engine="gatys", gatys=params))
    out, photo = np.asarray(r.image), r.photo.rgb
    assert out.shape == photo.shape
    inside, outside = r.alpha >= 0.98, r.alpha <= 0.02
    assert np.array_equal(out[inside], photo[inside])
    assert np.abs(out.astype(int) - photo)[outside].mean() > 15
    kept = np.asarray(run(portrait_small, Options(style=HOKUSAI, region="all", preserve_color=True,
                                                  engine="gatys", gatys=params)).image)
    ycc = lambda x: cv2.cvtColor(x, cv2.COLOR_RGB2YCrCb)[..., 1:].astype(np.float32)
    assert np.abs(ycc(kept) - ycc(photo)).mean() < 4


def test_cancel(content):
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        optimise(content, [Region(_rgb(STARRY, (64, 40)))], SMALL, cancel=stop.is_set)


@pytest.mark.parametrize("kwargs,needle", [
    (dict(iterations=0), "iterations"),
    (dict(size=8), "size"),
    (dict(style_weight=-1), "style-weight"),
    (dict(tv_weight=float("nan")), "tv-weight"),
])
def test_bad_parameters(kwargs, needle):
    with pytest.raises(StylecutError, match=needle):
        GatysParams(**kwargs)


def test_gatys_needs_a_painting(portrait_small):
    with pytest.raises(StylecutError, match="needs a painting"):
        run(portrait_small, Options(style="preset:3", engine="gatys"))


def test_cli_gatys(portrait_small, tmp_path):
    out = tmp_path / "g.png"
    p = run_cli("stylize", portrait_small, "-o", out, "--style", STARRY, "--fg-style", HOKUSAI, "--engine", "gatys",
                "--iterations", "10", "--size", "96", "--tv-weight", "1", "--seed", "3")
    assert p.returncode == 0, p.stderr
    assert Image.open(out).size == (300, 400)
    assert "optimising" in p.stderr  # the progress bar
    assert_one_line_error(run_cli("stylize", portrait_small, "-o", tmp_path / "x.png", "--style", STARRY,
                                  "--engine", "gatys", "--iterations", "0"), "iterations")
    assert not (tmp_path / "x.png").exists()
