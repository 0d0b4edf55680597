"""End-to-end stylization: what changes, what stays, sizes, options, concurrency."""
from __future__ import annotations

import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest
from PIL import Image

import stylecut
from stylecut import StylecutError
from stylecut.core.options import Options
from stylecut.pipeline.session import NoPersonError, run

from ..conftest import HOKUSAI, STARRY


@pytest.fixture(scope="module")
def bg_result(portrait_small):
    return run(portrait_small, Options(style=STARRY))


def _diff(a, b):
    return np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean(axis=-1)


def test_background_changes_person_kept(bg_result):
    photo, out, alpha = bg_result.photo.rgb, np.asarray(bg_result.image), bg_result.alpha
    assert out.shape == photo.shape
    inside, outside = alpha >= 0.98, alpha <= 0.02
    assert inside.mean() > 0.2 and outside.mean() > 0.2
    assert np.array_equal(out[inside], photo[inside])  # person's pixels unchanged, exactly
    assert _diff(out, photo)[outside].mean() > 25  # background clearly restyled


def test_foreground_region(portrait_small):
    r = run(portrait_small, Options(style=STARRY, region="foreground"))
    photo, out = r.photo.rgb, np.asarray(r.image)
    assert np.array_equal(out[r.alpha <= 0.0], photo[r.alpha <= 0.0])
    assert _diff(out, photo)[r.alpha >= 0.98].mean() > 20


def test_two_styles(portrait_small):
    r = run(portrait_small, Options(style=STARRY, fg_style="preset:19"))
    only_bg = run(portrait_small, Options(style=STARRY))
    out, photo = np.asarray(r.image), r.photo.rgb
    inside, outside = r.alpha >= 0.98, r.alpha <= 0.02
    assert _diff(out, photo)[inside].mean() > 20
    assert _diff(out, photo)[outside].mean() > 20
    assert np.array_equal(out[outside], np.asarray(only_bg.image)[outside])  # the same background style


def test_region_all_and_presets_blend(portrait_small):
    a = np.asarray(stylecut.stylize(portrait_small, style="preset:3", region="all"))
    b = np.asarray(stylecut.stylize(portrait_small, style="preset:7", region="all"))
    ab = np.asarray(stylecut.stylize(portrait_small, style="preset:3+preset:7", region="all"))
    assert _diff(a, b).mean() > 20
    assert _diff(ab, a).mean() > 5 and _diff(ab, b).mean() > 5


def test_strength_moves_in_style_space(portrait_small):
    photo = np.asarray(Image.open(portrait_small))
    d = [_diff(stylecut.stylize(portrait_small, style=STARRY, region="all", strength=s), photo).mean()
         for s in (0.0, 0.5, 1.0)]
    assert d[0] < d[1] < d[2]
    # not a pixel cross-fade: half strength is not the average of the two ends
    s0, s1, sh = (np.asarray(stylecut.stylize(portrait_small, style=STARRY, region="all", strength=s), np.float32)
                  for s in (0.0, 1.0, 0.5))
    assert np.abs(sh - (s0 + s1) / 2).mean() > 3


def test_preserve_color_keeps_chroma(portrait_small):
    photo = np.asarray(Image.open(portrait_small))
    plain = np.asarray(stylecut.stylize(portrait_small, style=HOKUSAI, region="all"))
    kept = np.asarray(stylecut.stylize(portrait_small, style=HOKUSAI, region="all", preserve_color=True))

    def chroma(x):
        return cv2.cvtColor(x, cv2.COLOR_RGB2YCrCb)[..., 1:].astype(np.float32)

    assert np.abs(chroma(kept) - chroma(photo)).mean() < 0.4 * np.abs(chroma(plain) - chroma(photo)).mean()


def test_blur_portrait_mode(portrait_small):
    r = run(portrait_small, Options(blur=8))
    photo, out = r.photo.rgb, np.asarray(r.image)
    inside, outside = r.alpha >= 0.98, r.alpha <= 0.02
    assert np.array_equal(out[inside], photo[inside])

    def sharpness(x):
        return np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_32F))[outside].mean()

    assert sharpness(out) < 0.5 * sharpness(photo)


def test_output_keeps_alpha(portrait_small):
    rgba = np.asarray(Image.open(portrait_small).convert("RGBA")).copy()
    rgba[:20, :, 3] = 0
    out = stylecut.stylize(rgba, style="preset:5")
    assert out.mode == "RGBA" and np.asarray(out)[0, 0, 3] == 0 and np.asarray(out)[200, 150, 3] == 255


def test_user_mask_is_used(portrait_small):
    mask = np.zeros((400, 300), np.uint8)
    mask[:, :150] = 255  # left half is "the person"
    out = np.asarray(stylecut.stylize(portrait_small, style="preset:5", mask=mask))
    photo = np.asarray(Image.open(portrait_small))
    assert np.array_equal(out[:, :140], photo[:, :140]) and _diff(out, photo)[:, 160:].mean() > 20


def test_no_person(tmp_path):
    sky = np.zeros((200, 300, 3), np.uint8)
    sky[:] = (120, 170, 230)
    with pytest.raises(NoPersonError, match="no person found"):
        stylecut.stylize(sky, style="preset:5")
    out = np.asarray(stylecut.stylize(sky, style="preset:5", on_no_person="all"))
    assert _diff(out, sky).mean() > 20


@pytest.mark.parametrize("kwargs,needle", [
    (dict(style="preset:27"), "unknown preset"),
    (dict(style="preset:0"), "unknown preset"),
    (dict(style="preset:x"), "unknown preset"),
    (dict(style="preset:5", strength=1.5), "strength"),
    (dict(style="preset:5", region="sky"), "region"),
    (dict(style="/no/such/painting.jpg"), "file not found"),
    (dict(), "nothing to do"),
    (dict(style="preset:5", style_size=10), "style size"),
])
def test_bad_options(portrait_small, kwargs, needle):
    with pytest.raises(StylecutError, match=needle):
        stylecut.stylize(portrait_small, **kwargs)


def test_segmentation_and_style_run_concurrently(monkeypatch, portrait_small):
    """Mask refinement and the style network must be in flight at once: each waits for the other."""
    from stylecut.segmentation.person import PersonSegmenter
    from stylecut.style.presets import PresetEngine

    barrier = threading.Barrier(2, timeout=20)
    real_alpha, real_style = PersonSegmenter.alpha, PresetEngine.stylize

    def alpha(*a, **k):
        barrier.wait()
        return real_alpha(*a, **k)

    def style(*a, **k):
        barrier.wait()
        return real_style(*a, **k)

    monkeypatch.setattr(PersonSegmenter, "alpha", alpha)
    monkeypatch.setattr(PresetEngine, "stylize", style)
    run(portrait_small, Options(style="preset:5"))  # a BrokenBarrierError here means they ran one after the other


def test_fast_path_never_imports_torch(portrait_small, tmp_path):
    code = (
        "import sys, stylecut; stylecut.stylize(sys.argv[1], style=sys.argv[2]);"
        "print('torch' in sys.modules, 'mediapipe' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(portrait_small), str(STARRY)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.slow
def test_large_photo_full_size_sharp_and_within_memory(tmp_path):
    """4000x2500 in, 4000x2500 out, with detail (not a blurry upscale), under 2 GB peak RSS with the
    networks' first compile, under 1 GB for the photo's own work (the models loaded on a small photo
    first, then the peak reset)."""
    from ..conftest import WIDE

    big = tmp_path / "big.jpg"
    Image.open(WIDE).convert("RGB").resize((4000, 2500), Image.LANCZOS).save(big, quality=92)
    out = tmp_path / "out.jpg"
    code = (
        "import resource, sys, numpy as np, stylecut\n"
        "stylecut.stylize(np.full((300, 400, 3), 128, np.uint8), style=sys.argv[2], region='all')\n"
        "first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "open('/proc/self/clear_refs', 'w').write('5')  # resets the peak (VmHWM)\n"
        "stylecut.stylize(sys.argv[1], style=sys.argv[2]).save(sys.argv[3], quality=92)\n"
        "hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "print(max(first, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), hwm.split()[1])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(big), str(STARRY), str(out)],
                          capture_output=True, text=True, check=True)
    peak_mb, photo_mb = (int(v) / 1024 for v in proc.stdout.split()[-2:])
    assert peak_mb < 2048, peak_mb
    assert photo_mb < 1024, photo_mb  # 1.1 GB before the full-size steps ran in bands (docs/speed.md)
    res = np.asarray(Image.open(out).convert("L"), np.float32)
    assert res.shape == (2500, 4000)
    # detail: high-frequency energy at full size vs the same result made soft by a 4x down/up-scale
    soft = cv2.resize(
        cv2.resize(res, (1000, 625), interpolation=cv2.INTER_AREA), (4000, 2500), interpolation=cv2.INTER_CUBIC
    )
    lap = lambda x: np.abs(cv2.Laplacian(x, cv2.CV_32F)).mean()
    assert lap(res) > 1.5 * lap(soft)


