"""Video: stream a clip's frames through a Session, stabilised in time, into mp4 / webm / gif.

PyAV (FFmpeg inside the wheel) reads and writes; frames are decoded, processed and encoded one at
a time, so memory does not grow with the clip's length. Frame timing (so the frame rate, variable
or not, and the duration), the frame size and phone rotation are kept; the audio stream is copied
(or re-encoded when the output container cannot hold its codec). The output is written to a
temporary file beside the target and renamed into place only when complete.
"""
from __future__ import annotations

import itertools
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from stylecut.core.errors import StylecutError
from stylecut.core.formats import VIDEO_OUTPUTS as OUTPUTS
from stylecut.core.imageio import normal_mode
from stylecut.core.selection import MaskLike
from stylecut.ops.temporal import Temporal
from stylecut.pipeline.session import Session

ODD_SIDES_H264 = "yuv444p"  # an odd width or height in .mp4: 4:2:0 cannot code it (webm can; players of 4:4:4 vary)
MAX_SIDE = 4096  # frames larger than 4K are refused (memory and time)


@dataclass
class ClipInfo:
    width: int  # as shown (after rotation)
    height: int
    fps: float
    frames: int | None  # as the container declares it (may be missing)
    duration: float | None
    rotation: int
    has_audio: bool


def _open(path: str | os.PathLike):
    import av

    p = Path(path)
    if not p.exists():
        raise StylecutError(f"file not found: {path}")
    try:
        container = av.open(str(p))
    except Exception:
        raise StylecutError(f"{path}: not a video we can read: damaged, truncated or another format") from None
    if not container.streams.video:
        container.close()
        raise StylecutError(f"{path}: has no video stream")
    return container


def probe(path: str | os.PathLike, scan_until: float | None = None) -> ClipInfo:
    """What a clip is: from its headers, and its first frame for the shown size and rotation.

    A clip whose header has no duration (a live recording, as browsers' MediaRecorder writes) is
    measured from its packets' timestamps, without decoding; scan_until: stop once past this many seconds."""
    with _open(path) as c:
        s = c.streams.video[0]
        rate = s.average_rate or s.guessed_rate or Fraction(25)
        dur = float(s.duration * s.time_base) if s.duration else (c.duration / 1e6 if c.duration else None)
        if dur is None:
            dur = _packet_duration(path, scan_until)
        try:
            first = next(c.decode(s))
        except StopIteration:
            raise StylecutError(f"{path}: the video has no frames") from None
        except Exception as exc:
            raise StylecutError(f"{path}: the video is damaged or truncated ({type(exc).__name__})") from None
        h, w = _upright(first).shape[:2]
        return ClipInfo(w, h, float(rate), s.frames or None, dur, int(getattr(first, "rotation", 0) or 0),
                        bool(c.streams.audio))


def _packet_duration(path: str | os.PathLike, scan_until: float | None) -> float | None:
    """The end of the last video packet (seconds), read from the packets alone; None if none has a time."""
    end = None
    with _open(path) as c:
        s = c.streams.video[0]
        for packet in c.demux(s):
            if packet.pts is None or packet.time_base is None:
                continue
            t = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            end = t if end is None else max(end, t)
            if scan_until is not None and end > scan_until:
                break
    return end


def _upright(frame) -> np.ndarray:
    """The frame as RGB, turned as a player shows it (the display matrix of phone videos)."""
    rgb = frame.to_ndarray(format="rgb24")
    k = round((getattr(frame, "rotation", 0) or 0) / 90) % 4  # counter-clockwise quarter turns
    return np.ascontiguousarray(np.rot90(rgb, k=k)) if k else rgb


def frames(path: str | os.PathLike, start: float = 0.0, end: float | None = None) -> Iterator[tuple[float, np.ndarray]]:
    """(time in seconds, upright RGB frame) for every frame in [start, end), decoded one at a time."""
    with _open(path) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        try:
            for frame in c.decode(s):
                t = float(frame.time) if frame.time is not None else 0.0
                if t < start - 1e-6:
                    continue
                if end is not None and t >= end - 1e-6:
                    break
                yield t, _upright(frame)
        except StylecutError:
            raise
        except Exception as exc:  # av.error.InvalidDataError and friends: a damaged clip
            raise StylecutError(f"{path}: the video is damaged or truncated ({type(exc).__name__})") from None


class _Writer:
    """Encodes frames (and copies or re-encodes the input's audio) into a temporary file, then renames it."""

    def __init__(
        self, out: Path, fps: float, size: tuple[int, int], audio_from: str | None, start: float, end: float | None
    ):
        import av

        ext = out.suffix.lower()
        fmt, vcodec, acodec = OUTPUTS[ext]  # checked by stylize_video
        self.final = out
        fd, self.tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".part{ext}", dir=out.parent or ".")
        os.close(fd)
        self.container = av.open(self.tmp, "w", format=fmt)
        rate = Fraction(fps).limit_denominator(1001)
        self.stream = self.container.add_stream(vcodec, rate=rate)
        w, h = size  # kept exactly: VP9 codes odd sides in 4:2:0; H.264 needs 4:4:4 for them (ODD_SIDES_H264)
        self.stream.width, self.stream.height = w, h
        odd = w % 2 or h % 2
        self.stream.pix_fmt = "rgb8" if fmt == "gif" else (ODD_SIDES_H264 if odd and vcodec == "libx264" else "yuv420p")
        if vcodec == "libx264":  # superfast at crf 16: veryfast's quality at crf 18 (PSNR 32.7 vs 32.8 dB on a
            # stylized clip) for half its CPU time (18 vs 31 ms a 854x480 frame), files ~14 % larger
            self.stream.options = {"crf": "16", "preset": "superfast"}
        # every frame keeps its own time (variable frame rates too): milliseconds, GIF's centiseconds; the
        # encoder's time base too, else it re-times frames to 1/fps (flattening or rejecting the gaps)
        self.time_base = Fraction(1, 1000) if fmt != "gif" else Fraction(1, 100)
        self.stream.time_base = self.stream.codec_context.time_base = self.time_base
        self.last_pts = -1
        self.size = (w, h)
        self.audio = None
        if audio_from and acodec:
            self._audio_setup(audio_from, acodec, start, end)

    def _audio_setup(self, src: str, acodec: str, start: float, end: float | None) -> None:
        import av

        self.audio_in = av.open(src)
        a = self.audio_in.streams.audio[0]
        self.audio_range = (start, end)
        try:
            self.audio = self.container.add_stream_from_template(a)  # copy as it is
            self.audio_copy = True
        except Exception:  # re-encode (PyAV resamples to what the encoder takes; opus: 48 kHz)
            self.audio = self.container.add_stream(acodec, rate=48000 if acodec == "libopus" else (a.rate or 48000))
            self.audio.layout = a.layout.name if a.layout else "stereo"
            self.audio_copy = False

    def write(self, t: float, rgb: np.ndarray) -> None:
        import av

        if rgb.shape[1] != self.size[0] or rgb.shape[0] != self.size[1]:
            rgb = rgb[: self.size[1], : self.size[0]]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = self.last_pts = max(int(round(t / self.time_base)), self.last_pts + 1)  # strictly increasing
        frame.time_base = self.time_base
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def _mux_audio(self) -> None:
        if self.audio is None:
            return
        start, end = self.audio_range
        a = self.audio_in.streams.audio[0]
        shift = int(start / a.time_base)
        if self.audio_copy:
            for packet in self.audio_in.demux(a):
                if packet.pts is None or packet.dts is None:
                    continue
                t = float(packet.pts * a.time_base)
                if t < start or (end is not None and t >= end):
                    continue
                packet.pts -= shift
                packet.dts -= shift
                packet.stream = self.audio
                self.container.mux(packet)
        else:
            for frame in self.audio_in.decode(a):
                t = float(frame.time or 0.0)
                if t < start or (end is not None and t >= end):
                    continue
                frame.pts = None
                for packet in self.audio.encode(frame):
                    self.container.mux(packet)
            for packet in self.audio.encode(None):
                self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self._mux_audio()
        self.container.close()
        if self.audio is not None:
            self.audio_in.close()
        os.chmod(self.tmp, normal_mode())
        os.replace(self.tmp, self.final)

    def abort(self) -> None:
        try:
            self.container.close()
        except Exception:
            pass
        if self.audio is not None:
            self.audio_in.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


@dataclass
class VideoSummary:
    frames: int
    seconds: float
    width: int
    height: int
    fps: float
    audio: bool
    warning: str | None = None  # e.g. the clip ended before its header said: its decodable frames were written


# how the HTTP API and Python spell the options an error may name (the CLI passes its flags)
API_NAMES = {"start": "start", "end": "end", "select_at": "select_at", "on_no_person": "on_no_person",
             "selection": "box or points"}


def check_times(start: float, end: float | None = None, select_at: float | None = None,
                duration: float | None = None, names: dict[str, str] = API_NAMES) -> None:
    """Refuse a time range that holds no frame, before any work: every value finite, start >= 0, end
    after start, start before the clip's end (when its duration is known), select_at inside the range.
    names: how the caller spells the three (the CLI: --start, --end, --select-at)."""
    s, e, a = names["start"], names["end"], names["select_at"]
    for name, value in ((s, start), (e, end), (a, select_at)):
        if value is not None and not math.isfinite(value):
            raise StylecutError(f"{name} must be a number of seconds, got {value}")
    if start < 0:
        raise StylecutError(f"{s} must be 0 or more seconds, got {start:g}")
    if end is not None and end <= start:
        raise StylecutError(f"{e} ({end:g} s) must come after {s} ({start:g} s)")
    if duration and start >= duration:
        raise StylecutError(f"no frames: {s} ({start:g} s) is past the end of the clip ({duration:.2f} s)")
    if select_at is None:
        return
    if duration and select_at >= duration:
        raise StylecutError(f"{a} ({select_at:g} s) is past the clip's last frame ({duration:.2f} s)")
    if select_at < start or (end is not None and select_at >= end):
        raise StylecutError(f"{a} ({select_at:g} s) must lie between {s} and {e}")


def stylize_video(src: str | os.PathLike, out: str | os.PathLike, session: Session, *, start: float = 0.0,
                  end: float | None = None, temporal: bool = True, mask: MaskLike = None,
                  select_at: float | None = None,
                  progress: Callable[[int, int | None], None] | None = None,
                  cancel: Callable[[], bool] | None = None,
                  time_names: dict[str, str] = API_NAMES) -> VideoSummary:
    """Stylize a clip frame by frame with `session` into `out` (.mp4, .webm or .gif); atomic, streaming.

    Each frame keeps the mask it gets, so a person who leaves the frame or is unsure for a frame
    does not flash. mask: a file, or a Selection made on the first frame, or on the frame at
    `select_at` seconds (then followed backwards to the start as well as forwards). With
    on_no_person 'error', a clip in which no frame has a person fails (and writes nothing); with
    'all', such a clip is stylized whole.
    """
    import time

    from stylecut.core.imageio import check_not_input, check_output_folder

    out = Path(out)
    check_output_folder(out)
    check_not_input(out, src)
    if out.suffix.lower() not in OUTPUTS:
        raise StylecutError(f"unsupported video output {out.suffix or '(none)'!r}; use .mp4, .webm or .gif")
    session.prepare_frames(mask)  # the models load while the clip is probed
    info = probe(src)
    if max(info.width, info.height) > MAX_SIDE:
        raise StylecutError(f"{src}: frames of {info.width}x{info.height} are larger than 4K")
    check_times(start, end, select_at, info.duration, time_names)
    total = None
    if info.duration:
        span = (min(end, info.duration) if end is not None else info.duration) - start
        total = max(0, round(span * info.fps))
    if select_at is not None:
        mask = _select_at(src, mask, start, end, select_at, time_names)
    state = Temporal() if temporal else None
    t0 = time.perf_counter()
    writer = _Writer(out, info.fps, (info.width, info.height), str(src) if info.has_audio else None, start, end)
    n = found = 0
    last = start
    timed, decoded = itertools.tee(frames(src, start, end))  # the session reads a few frames ahead of the writer
    try:
        results = session.process_frames((rgb for _, rgb in decoded), mask, temporal=state, cancel=cancel)
        for (t, _), result in zip(timed, results):
            writer.write(t - start, np.asarray(result.image.convert("RGB")))
            n, last = n + 1, t
            found += result.found
            if progress is not None:
                progress(n, total)
        if n == 0:
            raise StylecutError(f"{src}: no frames between {start} s and {end if end is not None else 'the end'}")
        if not found and session.options.needs_mask and mask is None and session.options.on_no_person == "error":
            raise StylecutError(f"no person found in any frame of {src}; use {time_names['on_no_person']} all "
                                "to stylize the whole clip, or give your own mask")
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return VideoSummary(n, time.perf_counter() - t0, writer.size[0], writer.size[1], info.fps,
                        writer.audio is not None, _ended_early(last, end, info.duration, info.fps, n))


EARLY_FRAMES = 2.5  # frames missing at the end before a clip counts as cut short (its last gap may be long)


def _ended_early(last: float, end: float | None, duration: float | None, fps: float, n: int) -> str | None:
    """A warning when the frames stopped well before the clip's declared end (a truncated file whose
    index survived); None when they reached it or no duration is known."""
    expected = min(x for x in (end, duration) if x is not None) if duration else None
    if expected is None or not fps or last + EARLY_FRAMES / fps >= expected:
        return None
    return (f"the clip ends early: its frames stop at {last + 1 / fps:.2f} s of the {expected:.2f} s its header "
            f"declares (truncated or damaged); the {n} decodable frames were written")


MAX_BEFORE_SELECTION = 7200  # frames kept (as work-size JPEGs, ~25 KB each) to follow a selection backwards


def _select_at(src, selection: object, start: float, end: float | None, at: float,
               names: dict[str, str] = API_NAMES):
    """The selection made on the frame at `at` seconds, with the masks of the frames before it."""
    import cv2

    from stylecut.core.selection import Selection
    from stylecut.ops.filters import resize_max
    from stylecut.segmentation.follow import follow_back
    from stylecut.segmentation.select import CUT_SIDE

    if not isinstance(selection, Selection):
        raise StylecutError(f"{names['select_at']} needs a selection to make there: {names['selection']}")
    earlier: list[bytes] = []
    at_rgb = None
    for t, rgb in frames(src, start, end):
        if t >= at - 1e-6:
            at_rgb = rgb
            break
        if len(earlier) >= MAX_BEFORE_SELECTION:
            raise StylecutError(
                f"{names['select_at']} {at:g}: at most {MAX_BEFORE_SELECTION} frames may come before it")
        earlier.append(cv2.imencode(".jpg", resize_max(rgb, CUT_SIDE)[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])[1])
    if at_rgb is None:
        raise StylecutError(f"{names['select_at']} {at:g} is past the clip's last frame")
    if not earlier:
        return selection
    small = (cv2.imdecode(b, cv2.IMREAD_COLOR)[:, :, ::-1] for b in reversed(earlier))
    return follow_back(selection, at_rgb, small)


def stylize_frames(session: Session, frames_in, temporal: bool = True, mask: MaskLike = None):
    """Yield the stylized frame (RGB array) for each frame of an iterable of RGB arrays (or PIL images).

    For frames that do not come from a file (a camera, another library); one Temporal state per call.
    """
    state = Temporal() if temporal else None
    for result in session.process_frames(frames_in, mask, temporal=state):
        yield np.asarray(result.image.convert("RGB"))
