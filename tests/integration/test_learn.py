"""Learned styles: the torch rebuild, learning, storage, use everywhere, export, and bad input."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from stylecut.core.errors import StylecutError
from tests.conftest import HOKUSAI, assert_one_line_error, run_cli

QUICK = dict(steps=6, size=256, crop=128, pool=1)  # one crop: the loss must fall step after step


@pytest.fixture(scope="module")
def wave(data_dir):
    """A style learnt in a few quick steps (enough to test plumbing; bench_learn.py measures quality)."""
    from stylecut.style import learned
    from stylecut.style.learn import LearnSettings, learn_style

    yield learn_style(HOKUSAI, "wave", LearnSettings(**QUICK))
    learned.remove("wave")  # the data folder is shared by the whole run


def test_torch_network_matches_onnxruntime(float32):
    import torch

    from stylecut.style.cin_network import build
    from stylecut.style.presets import run_network, style_params

    rgb = np.asarray(Image.open(HOKUSAI).convert("RGB").resize((200, 136)))
    g, b = style_params((3, 7))  # a blend
    with torch.no_grad():
        x = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
        ours = (
            build()(x, [torch.from_numpy(v) for v in g], [torch.from_numpy(v) for v in b])[0].permute(1, 2, 0).numpy()
        )
    assert np.abs(ours - run_network(rgb, g, b)).max() < 1e-4


def test_learning_lowers_the_loss_and_writes_one_file(wave, data_dir):
    assert wave.losses[-1] < 0.9 * wave.losses[0], wave.losses
    assert not wave.interrupted
    assert sorted(p.name for p in (data_dir / "styles").iterdir()) == ["wave.npz"]
    assert (data_dir / "styles" / "wave.npz").stat().st_size < 40_000
    assert wave.style.meta["start"].startswith("preset:") and wave.style.preview_jpeg[:2] == b"\xff\xd8"


def test_learned_style_everywhere_on_the_cli(wave, portrait_small, tmp_path):
    listed = run_cli("styles")
    assert listed.returncode == 0 and "preset:wave" in listed.stdout, listed.stdout
    outs = {}
    for style in ("preset:wave", wave.style.meta["start"], "preset:3+preset:wave"):
        out = tmp_path / f"{style.replace(':', '_').replace('+', '_')}.png"
        proc = run_cli("stylize", portrait_small, "-o", out, "--style", style, "--region", "all")
        assert proc.returncode == 0, proc.stderr
        outs[style] = np.asarray(Image.open(out).convert("RGB")).astype(np.float32)
    learned, start, blend = outs.values()
    assert np.abs(learned - start).mean() > 1.0  # learning moved the style away from its starting preset
    assert np.abs(blend - learned).mean() > 1.0


def test_export_runs_in_plain_onnxruntime(wave, tmp_path, float32):
    import onnxruntime as ort

    from stylecut.style.presets import run_network

    out = tmp_path / "wave.onnx"
    proc = run_cli("models", "export", "wave", "-o", out)
    assert proc.returncode == 0, proc.stderr
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["image"]
    rgb = np.asarray(Image.open(HOKUSAI).convert("RGB").resize((96, 64)))
    got = sess.run(None, {"image": rgb.astype(np.float32).transpose(2, 0, 1)[None] / 255.0})[0][0].transpose(1, 2, 0)
    assert np.abs(got - run_network(rgb, wave.style.gammas, wave.style.betas)).max() < 1e-4


def test_interrupt_keeps_the_best_so_far(data_dir):
    from stylecut.style import learned
    from stylecut.style.learn import LearnSettings, learn_style

    calls = iter(range(100))
    result = learn_style(HOKUSAI, "stopped", LearnSettings(**{**QUICK, "steps": 50}), cancel=lambda: next(calls) >= 3)
    assert result.interrupted and len(result.losses) == 3
    assert learned.load("stopped").meta["interrupted"] is True
    learned.remove("stopped")


def test_remove_then_use_is_a_clear_error(data_dir, portrait_small, tmp_path):
    from stylecut.style import learned
    from stylecut.style.learn import LearnSettings, learn_style

    learn_style(HOKUSAI, "gone", LearnSettings(**{**QUICK, "steps": 1}))
    assert run_cli("styles", "--remove", "gone").returncode == 0
    assert not learned.exists("gone")
    assert_one_line_error(run_cli("stylize", portrait_small, "-o", tmp_path / "o.png", "--style", "preset:gone"),
                          "unknown preset")
    assert not (tmp_path / "o.png").exists()


def test_damaged_style_file_is_named(data_dir, portrait_small, tmp_path):
    (data_dir / "styles").mkdir(exist_ok=True)
    (data_dir / "styles" / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    proc = run_cli("stylize", portrait_small, "-o", tmp_path / "o.png", "--style", "preset:broken")
    assert_one_line_error(proc, "broken.npz", "damaged", "--remove broken")
    assert not (tmp_path / "o.png").exists()
    (data_dir / "styles" / "broken.npz").unlink()


@pytest.mark.parametrize("args, needle", [
    (["--name", "7"], "style name"),
    (["--name", "preset:12"], "style name"),
    (["--name", "../evil"], "style name"),
    (["--name", "none"], "taken"),
    (["--name", "ok", "--device", "cuda"], "--device cuda"),
])
def test_bad_learn_style_input(args, needle, data_dir):
    import torch

    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("a GPU is present")
    before = sorted((data_dir / "styles").glob("*")) if (data_dir / "styles").exists() else []
    assert_one_line_error(run_cli("learn-style", HOKUSAI, *args, "--steps", "1"), needle)
    after = sorted((data_dir / "styles").glob("*")) if (data_dir / "styles").exists() else []
    assert after == before


def test_bad_paintings_and_existing_name(wave, tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (40, 30), "red").save(tiny)
    assert_one_line_error(run_cli("learn-style", tiny, "--name", "tiny"), "at least 64")
    text = tmp_path / "painting.jpg"
    text.write_text("not an image")
    assert_one_line_error(run_cli("learn-style", text, "--name", "text"), "painting.jpg")
    assert_one_line_error(run_cli("learn-style", HOKUSAI, "--name", "wave"), "exists", "--force")


def test_gatys_device_cuda_without_gpu_is_clear(portrait_small):
    import torch

    import stylecut

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(StylecutError, match="--device cuda"):
        stylecut.stylize(portrait_small, style=str(HOKUSAI), engine="gatys",
                         gatys=dict(iterations=1, size=64, device="cuda"))


def test_server_lists_and_uses_learned_styles(wave, live_server, portrait_small):
    import httpx

    styles = httpx.get(live_server + "/api/styles").json()["presets"]
    entry = next(s for s in styles if s["name"] == "preset:wave")
    preview = httpx.get(live_server + entry["preview"])
    assert preview.status_code == 200 and preview.content == wave.style.preview_jpeg
    r = httpx.post(live_server + "/api/stylize", data={"style": "preset:wave", "region": "all"},
                   files={"image": ("p.jpg", portrait_small.read_bytes(), "image/jpeg")}, timeout=120)
    assert r.status_code == 200, r.text
    bad = httpx.post(live_server + "/api/stylize", data={"style": "preset:../../wave"},
                     files={"image": ("p.jpg", portrait_small.read_bytes(), "image/jpeg")}, timeout=120)
    assert bad.status_code == 400 and "unknown preset" in bad.json()["error"]
