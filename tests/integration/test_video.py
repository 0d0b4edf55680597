"""Video: clips encoded from the DAVIS frames in ../shared (PyAV), stylized through the CLI and the library."""
from __future__ import annotations

import glob

import av
import numpy as np
import pytest
from PIL import Image

from ..conftest import EVAL, assert_one_line_error, run_cli


def make_clip(path, seq="dance-twirl", n=12, rotate=0, audio=True, fps=24, size=None):
    """Encode n frames of a DAVIS sequence (+ a 440 Hz tone) into path with PyAV."""
    frames = sorted(glob.glob(str(EVAL / "video" / seq / "frames" / "*.jpg")))[:n]
    c = av.open(str(path), "w")
    v = c.add_stream("libx264", rate=fps)
    first = Image.open(frames[0])
    w, h = size or first.size
    v.width, v.height, v.pix_fmt = w, h, "yuv420p"
    if rotate:
        v.set_display_rotation(rotate)
    a = c.add_stream("aac", rate=44100) if audio else None
    for f in frames:
        rgb = np.asarray(Image.open(f).convert("RGB").resize((w, h)))
        for p in v.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
            c.mux(p)
    for p in v.encode(None):
        c.mux(p)
    if a is not None:
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(int(44100 * n / fps)) / 44100)).astype(np.float32)
        for i in range(0, len(tone), 1024):
            fr = av.AudioFrame.from_ndarray(tone[None, i:i + 1024], format="fltp", layout="mono")
            fr.sample_rate = 44100
            for p in a.encode(fr):
                c.mux(p)
        for p in a.encode(None):
            c.mux(p)
    c.close()
    return path


def describe(path):
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = [f for f in c.decode(v)]
        shown = frames[0].to_ndarray(format="rgb24").shape[:2]
        rotation = frames[0].rotation or 0
        if rotation % 180:
            shown = shown[::-1]
    with av.open(str(path)) as c:
        return dict(
            size=(shown[1], shown[0]),
            frames=len(frames),
            fps=float(c.streams.video[0].average_rate),
            audio=[s.codec_context.name for s in c.streams.audio],
            duration=c.duration / 1e6 if c.duration else None,
        )


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clip") / "dance.mp4", size=(428, 240))


def test_video_keeps_size_rate_length_and_audio(clip, tmp_path):
    src = describe(clip)
    for ext in ("mp4", "webm", "gif"):
        out = tmp_path / f"out.{ext}"
        p = run_cli("video", clip, "-o", out, "--style", "preset:20", "--style-size", "256")
        assert p.returncode == 0, p.stderr
        got = describe(out)
        assert got["size"] == src["size"] and got["frames"] == src["frames"], (ext, got, src)
        assert abs(got["fps"] - src["fps"]) < 0.5 or ext == "gif"
        assert (got["audio"] != []) == (ext != "gif")  # the audio goes along (gif has none)
    assert "12 frames" in p.stdout
    assert not [f for f in tmp_path.iterdir() if ".part" in f.name]


def test_phone_rotation_is_honoured(tmp_path):
    clip = make_clip(tmp_path / "phone.mp4", n=4, rotate=90, audio=False, size=(320, 180))
    out = tmp_path / "out.mp4"
    assert run_cli("video", clip, "-o", out, "--style", "preset:3", "--style-size", "128",
                   "--on-no-person", "all").returncode == 0
    assert describe(out)["size"] == (180, 320)  # upright, as a player shows it


def test_start_end_and_bad_clips(clip, tmp_path):
    out = tmp_path / "cut.mp4"
    assert run_cli("video", clip, "-o", out, "--style", "preset:3", "--style-size", "128",
                   "--start", "0.125", "--end", "0.375").returncode == 0
    assert describe(out)["frames"] == 6
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).integers(0, 255, 5000, np.uint8).tobytes())
    half = tmp_path / "half.mp4"
    half.write_bytes(clip.read_bytes()[: len(clip.read_bytes()) // 3])
    sound = tmp_path / "sound.m4a"
    with av.open(str(sound), "w", format="mp4") as c:
        a = c.add_stream("aac", rate=44100)
        fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        fr.sample_rate = 44100
        for p in list(a.encode(fr)) + list(a.encode(None)):
            c.mux(p)
    before = set(tmp_path.iterdir())
    for args, needle in (((junk,), "not a video"), ((sound,), "no video stream"),
                         ((clip, "--start", "5"), "no frames"), ((clip, "--end", "0"), "--start"),
                         ((clip, "--start", "nan"), "--start must be a number")):
        p = run_cli("video", *args, "-o", tmp_path / "bad.mp4", "--style", "preset:3")
        assert_one_line_error(p, needle)
    p = run_cli("video", half, "-o", tmp_path / "half_out.mp4", "--style", "preset:3", "--style-size", "128")
    assert p.returncode == 0 or (p.returncode == 2 and "truncated" in p.stderr and len(p.stderr.splitlines()) == 1)
    assert_one_line_error(
        run_cli("video", clip, "-o", tmp_path / "x.avi", "--style", "preset:3"), "unsupported video output"
    )
    assert not [f for f in set(tmp_path.iterdir()) - before if f.name != "half_out.mp4"]


def test_temporal_filter_cuts_flicker(clip, tmp_path):
    from stylecut.core.options import Options
    from stylecut.pipeline.evaluate import read_video, warping_error
    from stylecut.pipeline.session import Session
    from stylecut.pipeline.video import stylize_video

    inputs = read_video(clip)
    errors = {}
    for temporal in (False, True):
        out = tmp_path / f"t{temporal}.mp4"
        with Session(Options(style="preset:20", style_size=256)) as s:
            stylize_video(clip, out, s, temporal=temporal)
        errors[temporal] = warping_error(read_video(out), inputs)
    assert errors[True] < 0.8 * errors[False], errors


def test_frames_from_python_stream_through_a_session(clip):
    from stylecut.core.options import Options
    from stylecut.pipeline.evaluate import read_video
    from stylecut.pipeline.session import Session
    from stylecut.pipeline.video import stylize_frames

    frames = read_video(clip)[:4]
    with Session(Options(style="preset:20", style_size=128)) as s:
        out = list(stylize_frames(s, iter(frames)))
    assert [o.shape for o in out] == [f.shape for f in frames]
    assert np.abs(out[0].astype(int) - frames[0]).mean() > 10  # stylized


def test_batch_takes_clips_beside_photos(clip, tmp_path, portrait_small):
    import json
    import shutil

    src = tmp_path / "in"
    (src / "clips").mkdir(parents=True)
    shutil.copy(clip, src / "clips" / "dance.mov")  # any container in, mp4 out
    shutil.copy(portrait_small, src / "p.jpg")
    out = tmp_path / "out"
    p = run_cli("batch", src, "-o", out, "--style", "preset:20", "--style-size", "128", "--report", tmp_path / "r.json")
    assert p.returncode == 0, p.stderr
    assert describe(out / "clips" / "dance.mp4")["frames"] == describe(clip)["frames"]
    assert Image.open(out / "p.jpg").size == (300, 400)
    assert json.loads((tmp_path / "r.json").read_text())["done"] == 2
    p = run_cli("batch", src, "-o", out, "--style", "preset:20", "--skip-existing")
    assert "skipped 2" in p.stdout


def test_segments_equal_the_whole_clip(tmp_path):
    """Segments rendered with a warm-up overlap give the frames of one pass over the whole clip."""
    from stylecut.core.options import Options
    from stylecut.pipeline.session import Session
    from stylecut.pipeline.video import frames, stylize_frames
    from stylecut.pipeline.video_segments import join, plan, render

    clip = make_clip(tmp_path / "c.mp4", n=40, size=(320, 180))
    opts = Options(style="preset:9")
    segments = plan(40, workers=2, min_segment=20)
    assert [(s.warm, s.start, s.end) for s in segments] == [(0, 0, 20), (8, 20, 40)]
    parts = []
    for seg in segments:
        with Session(opts) as session:
            parts.append(tmp_path / f"{seg.index}.mkv")
            assert render(clip, seg, session, parts[-1]) == 20
    with Session(opts) as session:
        whole = list(stylize_frames(session, (f for _, f in frames(clip))))
    pieces = [f for p in parts for _, f in frames(p)]
    diffs = [np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() for a, b in zip(whole, pieces)]
    assert len(pieces) == 40 and max(diffs) < 0.05 and diffs[:20] == [0.0] * 20, np.round(diffs, 3)
    assert join(clip, parts, tmp_path / "joined.mp4") == 40
    got, src = describe(tmp_path / "joined.mp4"), describe(clip)
    assert (got["size"], got["frames"], got["audio"]) == (src["size"], src["frames"], ["aac"])


@pytest.mark.ray
def test_ray_backend_cuts_clips_into_segments(tmp_path):
    from stylecut.apps.batch.local import batch
    from stylecut.apps.batch.on_ray import ray_batch
    from stylecut.core.options import Options
    from stylecut.pipeline.video import frames

    src = tmp_path / "in"
    src.mkdir()
    make_clip(src / "dance.mp4", n=40, size=(320, 180))
    opts = Options(style="preset:9")
    local = batch(src, tmp_path / "local", opts, progress=False)
    on_ray = ray_batch(str(src), str(tmp_path / "ray"), opts, jobs=2, skip_existing=False, address=None, min_segment=20)
    assert (local.done, on_ray.done, on_ray.failed) == (1, 1, 0), on_ray.items
    a, b = describe(tmp_path / "local" / "dance.mp4"), describe(tmp_path / "ray" / "dance.mp4")
    assert (a["size"], a["frames"], a["audio"]) == (b["size"], b["frames"], b["audio"])
    fa = [f for _, f in frames(tmp_path / "local" / "dance.mp4")]
    fb = [f for _, f in frames(tmp_path / "ray" / "dance.mp4")]
    assert np.mean([np.abs(x.astype(np.int16) - y.astype(np.int16)).mean() for x, y in zip(fa, fb)]) < 3  # codec noise
    assert not list((tmp_path / "ray").glob(".stylecut-parts-*"))  # segments removed after the join


def _dog_selection_run(tmp_path, box_frame: int, *extra: str):
    """The first 20 dog frames as a clip, a --box around the dog in `box_frame`, stylized.

    Returns (clip, box, truth, output frames)."""
    from stylecut.pipeline.video import frames

    clip = make_clip(tmp_path / "dog.mp4", seq="dog", n=20, audio=False)
    truth = [np.asarray(Image.open(p).convert("L")) > 127
             for p in sorted(glob.glob(str(EVAL / "video" / "dog" / "masks" / "*.png")))[:20]]
    ys, xs = np.nonzero(truth[box_frame])
    box = f"{max(0, xs.min() - 15)},{max(0, ys.min() - 15)},{min(853, xs.max() + 15)},{min(479, ys.max() + 15)}"
    out = tmp_path / "out.mp4"
    p = run_cli("video", clip, "-o", out, "--style", "preset:20", "--box", box, *extra)
    assert p.returncode == 0, p.stderr
    return clip, box, truth, [f for _, f in frames(out)]


def _assert_dog_kept(clip, truth, got, indices) -> None:
    from stylecut.pipeline.video import frames

    src = [f for _, f in frames(clip)]
    assert len(got) == len(src) == 20
    for i in indices:
        diff = np.abs(got[i].astype(np.float32) - src[i].astype(np.float32)).mean(axis=2)
        core = truth[i] & (np.abs(np.gradient(truth[i].astype(np.float32))[0]) == 0)
        assert np.median(diff[core]) < 12 and np.median(diff[~truth[i]]) > 25, i  # dog kept, rest painted


def test_a_selection_follows_the_subject_through_the_clip(tmp_path):
    """--box on the first frame of the dog clip: the dog stays as it is in every frame, the rest is painted."""
    clip, _, truth, got = _dog_selection_run(tmp_path, 0)
    _assert_dog_kept(clip, truth, got, (0, 10, 19))


def test_a_selection_made_later_in_the_clip_is_followed_both_ways(tmp_path):
    """--select-at: the box points at frame 12; the dog is kept before it (followed back) and after it."""
    clip, box, truth, got = _dog_selection_run(tmp_path, 12, "--select-at", "0.5")  # 12 / 24 fps
    _assert_dog_kept(clip, truth, got, (0, 6, 12, 19))
    bad = run_cli("video", clip, "-o", tmp_path / "x.mp4", "--style", "preset:20", "--select-at", "0.5")
    assert bad.returncode != 0 and "--select-at needs a selection" in bad.stderr and "Traceback" not in bad.stderr
    late = run_cli("video", clip, "-o", tmp_path / "y.mp4", "--style", "preset:20", "--box", box, "--select-at", "9")
    assert late.returncode != 0 and "past the clip's last frame" in late.stderr
    assert not (tmp_path / "x.mp4").exists() and not (tmp_path / "y.mp4").exists()


def _vfr_clip(path, gaps_ms=(17, 33), n=12, size=(320, 180), codec="libx264"):
    """A clip whose frame gaps alternate (as phones record): timestamps in milliseconds."""
    from fractions import Fraction

    frames = sorted(glob.glob(str(EVAL / "video" / "dance-twirl" / "frames" / "*.jpg")))[:n]
    with av.open(str(path), "w") as c:
        v = c.add_stream(codec, rate=30)
        v.width, v.height, v.pix_fmt = *size, "yuv420p"
        v.time_base = v.codec_context.time_base = Fraction(1, 1000)
        t = 0
        for i, f in enumerate(frames):
            fr = av.VideoFrame.from_ndarray(np.asarray(Image.open(f).convert("RGB").resize(size)), format="rgb24")
            fr.pts, fr.time_base = t, Fraction(1, 1000)
            for p in v.encode(fr):
                c.mux(p)
            t += gaps_ms[i % len(gaps_ms)]
        for p in v.encode(None):
            c.mux(p)
    return path


def _frame_times(path):
    """(presentation times in seconds, one time-base unit in seconds, (width, height)) of a clip's frames."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        decoded = list(c.decode(v))
        return [float(f.pts * f.time_base) for f in decoded], float(v.time_base), (decoded[0].width, decoded[0].height)


@pytest.mark.parametrize("ext", ["mp4", "webm", "gif"])
def test_variable_frame_rate_timestamps_are_kept(tmp_path, ext):
    """Issue #28: gaps of 17 and 33 ms came out as a constant 25 ms (and crashed on other patterns)."""
    src = _vfr_clip(tmp_path / "vfr.mp4")
    out = tmp_path / f"out.{ext}"
    p = run_cli("video", src, "-o", out, "--style", "preset:3", "--style-size", "128")
    assert p.returncode == 0, p.stderr
    t_in, _, _ = _frame_times(src)
    t_out, unit, _ = _frame_times(out)
    assert len(t_out) == len(t_in)
    assert max(abs(a - b) for a, b in zip(t_in, t_out)) <= unit + 1e-9, (t_in, t_out)


@pytest.mark.parametrize("ext", ["mp4", "webm"])
def test_odd_sizes_are_kept(tmp_path, ext):
    """Issue #28: a 427 px wide clip came out 426 px wide (4:2:0 wants even sides)."""
    src = _vfr_clip(tmp_path / "odd.webm", gaps_ms=(40,), n=4, size=(427, 241), codec="libvpx-vp9")
    out = tmp_path / f"out.{ext}"
    p = run_cli("video", src, "-o", out, "--style", "preset:3", "--style-size", "128")
    assert p.returncode == 0, p.stderr
    assert _frame_times(out)[2] == (427, 241)


def test_a_clip_cut_short_says_so(tmp_path):
    """Issue #28: a file cut in half, its index at the front, gave exit 0 with 22 of 48 frames and no word.
    Now its decodable frames are written and a warning says the clip ended early."""
    frames = sorted(glob.glob(str(EVAL / "video" / "dance-twirl" / "frames" / "*.jpg")))[:48]
    whole = tmp_path / "whole.mp4"
    with av.open(str(whole), "w", options={"movflags": "faststart"}) as c:
        v = c.add_stream("libx264", rate=24)
        v.width, v.height, v.pix_fmt = 320, 180, "yuv420p"
        for f in frames:
            rgb = np.asarray(Image.open(f).convert("RGB").resize((320, 180)))
            for p in v.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                c.mux(p)
        for p in v.encode(None):
            c.mux(p)
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    out = tmp_path / "out.mp4"
    p = run_cli("video", half, "-o", out, "--style", "preset:3", "--style-size", "128")
    assert p.returncode == 0, p.stderr
    warnings = [line for line in p.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "ends early" in warnings[0], p.stderr
    with av.open(str(out)) as c:
        assert 0 < sum(1 for _ in c.decode(video=0)) < 48
