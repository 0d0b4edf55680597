"""Loading every common image mode, EXIF orientation, alpha, and atomic saving."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from stylecut import StylecutError, load_image, save_image
from stylecut.core.imageio import check_output_path, to_photo


def _rgb(w=64, h=48):
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :, None]
    return np.broadcast_to(x, (h, w, 3)).copy()


def test_exif_orientation_is_applied(tmp_path):
    img = Image.fromarray(_rgb(80, 40))
    exif = img.getexif()
    exif[274] = 6  # rotate 90 degrees clockwise on display
    p = tmp_path / "rot.jpg"
    img.save(p, exif=exif)
    assert Image.open(p).size == (80, 40)
    assert load_image(p).size == (40, 80)


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "1", "I;16", "I", "F", "LA", "RGBA", "PA"])
def test_modes_load_as_rgb(mode, tmp_path):
    base = Image.fromarray(_rgb())
    if mode == "I;16":
        img = Image.fromarray(np.asarray(base.convert("L")).astype(np.uint16) * 257)
    elif mode in ("I", "F"):
        img = base.convert("L").convert(mode)
    elif mode == "PA":
        img = base.convert("P").convert("PA")
    else:
        img = base.convert(mode)
    photo = to_photo(img)
    assert photo.rgb.shape == (48, 64, 3) and photo.rgb.dtype == np.uint8
    if mode == "I;16":  # 16-bit scaled down, not clipped to white
        assert 100 < photo.rgb.mean() < 160


def test_16bit_png_file(tmp_path):
    arr = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    p = tmp_path / "deep.png"
    Image.fromarray(arr).save(p)
    photo = to_photo(p)
    assert photo.rgb[0, 0, 0] == 0 and photo.rgb[-1, -1, 0] == 255


def test_alpha_is_kept_and_flattened_on_white():
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 3] = 0
    rgba[8:24, 8:24] = (255, 0, 0, 255)
    photo = to_photo(rgba)
    assert photo.alpha is not None and photo.alpha[0, 0] == 0 and photo.alpha[16, 16] == 255
    assert tuple(photo.rgb[0, 0]) == (255, 255, 255) and tuple(photo.rgb[16, 16]) == (255, 0, 0)


def test_bytes_and_float_arrays():
    buf = io.BytesIO()
    Image.fromarray(_rgb()).save(buf, "PNG")
    assert to_photo(buf.getvalue()).size == (64, 48)
    assert to_photo(_rgb().astype(np.float32) / 255.0).rgb.max() == 255


@pytest.mark.parametrize("content,needle", [
    (None, "file not found"),
    (b"this is not an image", "not an image"),
])
def test_bad_inputs(tmp_path, content, needle):
    p = tmp_path / "x.jpg"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(StylecutError, match=needle):
        to_photo(p)


def test_truncated_image(tmp_path):
    p = tmp_path / "t.jpg"
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)).save(buf, "JPEG")
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(StylecutError, match="cannot read"):
        to_photo(p)


def test_too_small():
    with pytest.raises(StylecutError, match="too small"):
        to_photo(np.zeros((8, 100, 3), np.uint8))


def test_output_checks(tmp_path):
    with pytest.raises(StylecutError, match="unsupported output extension"):
        check_output_path(tmp_path / "x.gif")
    with pytest.raises(StylecutError, match="output folder does not exist"):
        check_output_path(tmp_path / "nope" / "x.png")
    assert check_output_path(tmp_path / "x.JPG") == "JPEG"


def test_save_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    import stylecut.core.imageio as io_mod

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(io_mod.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        save_image(Image.fromarray(_rgb()), target)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp"])
def test_save_formats_roundtrip(tmp_path, ext):
    p = save_image(Image.fromarray(_rgb()), tmp_path / f"o{ext}")
    back = Image.open(p)
    assert back.size == (64, 48)
    assert back.format == {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP"}[ext]


def test_saved_files_get_the_umask_permissions(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        save_image(Image.new("RGB", (20, 20)), tmp_path / "a.png")
        os.umask(0o077)
        save_image(Image.new("RGB", (20, 20)), tmp_path / "b.png")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.png").stat().st_mode) == 0o644  # as a plain open() would give
    assert stat.S_IMODE((tmp_path / "b.png").stat().st_mode) == 0o600


def test_pixel_limit_from_the_header_without_touching_pillow(tmp_path):
    import time
    import warnings

    from stylecut.core.errors import ImageTooLargeError

    big = tmp_path / "big.png"
    Image.new("L", (12000, 12000)).save(big)  # 144 MP, ~140 KB
    before = Image.MAX_IMAGE_PIXELS
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning either
        with pytest.raises(ImageTooLargeError, match="too large"):
            to_photo(big)
    assert time.perf_counter() - t < 1.0 and Image.MAX_IMAGE_PIXELS == before
