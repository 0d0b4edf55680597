"""A reusable stylize session: prepare once (models, style vectors, threads), then process many images.

    with stylecut.Session(Options(style="preset:7")) as s:
        for path in photos:
            s.process(path).image.save(...)

One image: load, a quick look at where the subject is (tens of ms), then the edge refinement and
the style network(s) run concurrently on the session's thread pool, then the layers are composed.
"""
from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
from PIL import Image

from stylecut.core.config import compute_threads
from stylecut.core.errors import StylecutError, stop_if_cancelled
from stylecut.core.imageio import ImageLike, Photo, to_photo, to_pil
from stylecut.core.options import Options
from stylecut.core.registry import SEGMENTERS
from stylecut.core.selection import MaskLike
from stylecut.ops import compose
from stylecut.ops.filters import resize_max
from stylecut.ops.layers import Layers, snap
from stylecut.ops.temporal import Temporal
from stylecut.runtime.caches import Cache
from stylecut.runtime.onnx_session import shared_threads, threads_here, threads_per_run
from stylecut.style.spec import engine_for, layer_styles

Progress = Callable[[str, float], None]


class NoPersonError(StylecutError):
    """The photo has no person the model can find."""


def no_person_error(name: str | None) -> NoPersonError:
    return NoPersonError(f"no person found in {name or 'the image'}; use region 'all' to stylize the whole "
                         "image, or give your own mask")


@dataclass
class Result:
    """The composited image, the soft person alpha used (None if none was needed), and the loaded photo."""

    image: Image.Image | None
    alpha: np.ndarray | None
    photo: Photo
    found: bool = True  # a person was found (True when no mask was needed, and in a clip after the first)

    def mask_image(self) -> Image.Image:
        """The alpha as an 8-bit greyscale image, the photo's size."""
        if self.alpha is None:
            raise StylecutError("no mask was computed for this request")
        return Image.fromarray(compose.to_uint8(self.alpha), "L")

    def cutout(self) -> Image.Image:
        """The photo's person as an RGBA image (transparent background)."""
        return cutout(self.photo, self.alpha)


def cutout(photo: Photo, alpha: np.ndarray) -> Image.Image:
    """RGBA image: the photo with the person alpha (times any alpha the photo had)."""
    a = compose.to_uint8(alpha)
    if photo.alpha is not None:
        a = ((a.astype(np.uint16) * photo.alpha) // 255).astype(np.uint8)
    return to_pil(photo.rgb, a)


def segmenter_for(mask: MaskLike = None, cache: Cache | None = None, name: str = "auto", **kwargs):
    """The registered segmenter `name`; with 'auto' the one that accepts `mask`: the person model when
    there is none, 'mask-file' for a file or image, 'select' for a Selection (core.registry.resolve)."""
    entry = SEGMENTERS.resolve(mask, name)
    return entry.factory.for_request(mask, None if cache is None else cache.masks, **kwargs)


def compute_alpha(photo: Photo, refine: str = "guided", mask: MaskLike = None,
                  cache: Cache | None = None, **kwargs) -> np.ndarray:
    """The user's mask if given (resized to the photo), else the refined person alpha; snapped."""
    return segment_photo(photo, refine, mask, cache, **kwargs)[0]


def segment_photo(photo: Photo, refine: str = "guided", mask: MaskLike = None,
                  cache: Cache | None = None, segmenter: str = "auto", **kwargs) -> tuple[np.ndarray, bool]:
    """(alpha, whether it holds a person) - see compute_alpha and Segmenter.found."""
    seg = segmenter_for(mask, cache, segmenter, **kwargs)
    look = seg.look(photo.rgb)
    alpha = seg.alpha(photo.rgb, look, refine)
    return alpha, seg.found(alpha, look)


class Session:
    """Prepared once, processes many images (or video frames) with the same options."""

    def __init__(self, options: Options | None = None, *, cache: Cache | None = None, workers: int = 3,
                 pool: ThreadPoolExecutor | None = None, **kwargs: object):
        """options (or their fields as keywords); cache: share one between sessions (a server does);
        pool: threads to run on, shared and left open (a server's), else the session's own `workers`."""
        self.options = options if options is not None else Options(**kwargs)
        self.cache = cache if cache is not None else Cache()
        self.styles = layer_styles(self.options)  # layer name -> StyleSpec or None
        family = self.options.engine
        self.engines = {name: engine_for(spec, family) for name, spec in self.styles.items() if spec is not None}
        joint = {e.joint for e in self.engines.values()}
        self.joint = bool(joint) and joint == {True}
        self._own_pool = pool is None
        self._pool = pool or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stylecut")
        self._prepared = False

    # -- life cycle --------------------------------------------------------------------------------
    def _unique_styles(self) -> list[tuple[object, object]]:
        seen: dict[int, tuple[object, object]] = {}
        for name, spec in self.styles.items():
            if spec is not None:
                seen.setdefault(id(spec), (self.engines[name], spec))
        return list(seen.values())

    def prepare(self) -> Session:
        """Load the models and style vectors now (a first process() does it beside its segmentation)."""
        for j in self._submit_prepare(None):
            j.result()
        self._prepared = True
        return self

    def prepare_frames(self, mask: MaskLike = None, ahead: int = 2) -> None:
        """Start loading what process_frames(mask, ahead=ahead) will run (its style networks' sessions,
        the segmenter's models) on the pool, and return at once: a video opens its file meanwhile."""
        if not self._prepared and not self.joint:
            self._submit_prepare(_stream_threads(ahead), mask)

    def _submit_prepare(self, threads: int | None, mask: MaskLike = None, segmenter: bool = True) -> list[Future]:
        """Load the style networks (sessions of `threads` compute threads) and vectors, and the segmenter's
        models (segmenter False: the caller's first look loads those), on the pool."""
        jobs = [self._pool.submit(_with_threads, threads, e.prepare, s, self.cache.vectors)
                for e, s in self._unique_styles()]
        if segmenter and self.options.needs_mask:
            jobs.append(self._pool.submit(segmenter_for(mask, self.cache, self.options.segmenter).prepare))
        return jobs

    def close(self) -> None:
        if self._own_pool:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one image ---------------------------------------------------------------------------------
    def process(self, image: ImageLike, mask: MaskLike = None, *, name: str | None = None,
                progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                temporal: Temporal | None = None, check_person: bool = True) -> Result:
        """One photo in, a composited Result out. Raises StylecutError on bad input.

        temporal: a video's frame-to-frame state (stylecut.ops.temporal.Temporal): this frame's mask and
        stylized looks are stabilised with the previous frame's, warped by optical flow.
        check_person: False keeps the mask as computed when no person is found (Result.found says
        so) instead of failing or emptying it: a video decides per clip, and a frame whose person is
        unsure must not flash.
        """
        report = progress or (lambda stage, frac: None)
        report("load", 0.0)
        if not self._prepared and not self.joint:  # the style networks load while the photo is read
            self._submit_prepare(threads_here(), segmenter=False)
        photo = to_photo(image)
        if self.joint:
            return self._process_joint(photo, mask, report, name, cancel)
        return self._finish(self._start(photo, mask, report), report, name, cancel, temporal, check_person)

    def _start(self, photo: Photo, mask: MaskLike, report: Progress, threads: int | None = None,
               seg: object = None) -> _Started:
        """The quick look at the subject, then the refinement and the style networks submitted to the pool.

        threads: compute threads of each style network run (None: the caller's threads_per_run, else
        the process setting); seg: the segmenter to use (a clip's), else the one for `mask`."""
        opts, pool, rgb, threads = self.options, self._pool, photo.rgb, threads or threads_here()
        small = resize_max(rgb, int(opts.style_size))
        look = guide = None
        if opts.needs_mask:
            seg = seg or segmenter_for(mask, self.cache, opts.segmenter)
            look = seg.look(rgb)  # quick; the rest of the segmentation runs beside the style network
            guide = Layers.of_person(look.guide)
        report("segment+style", 0.1)
        split = guide is not None and look.guide.max() > 0.5  # fill the other layers out of each style's input
        styled_f: dict[str, Future] = {}
        for layer, spec in self.styles.items():
            if spec is None or (guide is None and styled_f):  # no mask: one look serves the whole frame
                continue
            inp = compose.fill_out(small, guide.others(layer)) if split else small
            styled_f[layer] = pool.submit(_with_threads, threads, self.engines[layer].stylize, inp, spec,
                                          opts.strength, self.cache.vectors)
        # the rest of the mask only now: it is needed when the networks are done, and run before the
        # fill above it slowed that fill (the networks' input) 2-4x on 2 cores (docs/speed.md)
        alpha_f = pool.submit(seg.alpha, rgb, look, opts.refine) if seg is not None else None
        return _Started(photo, small, seg, look, alpha_f, styled_f, threads or compute_threads())

    def _finish(self, started: _Started, report: Progress, name: str | None, cancel: Callable[[], bool] | None,
                temporal: Temporal | None, check_person: bool, look_for_person: bool = True) -> Result:
        """Wait for the started work, stabilise it in time (video), compose the layers.

        look_for_person False: Result.found is True without a check (a clip that already showed one)."""
        opts, photo = self.options, started.photo
        try:
            alpha = started.alpha_f.result() if started.alpha_f else None
            styled = {layer: f.result() for layer, f in started.styled_f.items()}
        except BaseException:
            started.cancel()
            raise
        found = alpha is None or not look_for_person or started.seg.found(alpha, started.look)
        stop_if_cancelled(cancel)
        report("compose", 0.8)
        if check_person:
            alpha = self._check_person(alpha, found, name)
        if temporal is not None:
            alpha, styled = temporal.apply(photo.rgb, alpha, styled)
            alpha = None if alpha is None else snap(alpha)
        layers = None if alpha is None else Layers.of_person(alpha)
        out = compose.compose_layers(photo.rgb, started.small, layers, styled, opts.preserve_color, opts.blur,
                                     threads=started.threads)
        report("done", 1.0)
        return Result(to_pil(out, photo.alpha), alpha, photo, found)

    def process_frames(self, frames: Iterable[ImageLike], mask: MaskLike = None, *,
                       temporal: Temporal | None = None, ahead: int = 2, cancel: Callable[[], bool] | None = None,
                       first_index: int = 0) -> Iterator[Result]:
        """process() each frame of a clip in order, the next `ahead` frames already started (lazily).

        While a frame is stabilised and composed (and the caller encodes it), the next ones are
        segmented and stylized on the pool, each style network on a share of the cores, so the
        cores stay busy (README "Video"). The segmenter is the clip's (Segmenter.for_clip: people
        tracked, a selection followed); first_index: the first frame's index in its clip (a segment
        rendered elsewhere). Frames are never checked for a person (see process's check_person);
        Result.found is looked for until a frame shows one, then True (a clip needs one in any frame).
        """
        quiet: Progress = lambda stage, frac: None  # noqa: E731
        if self.joint:  # an optimiser: one frame at a time
            for frame in frames:
                yield self.process(frame, mask, cancel=cancel, temporal=temporal, check_person=False)
            return
        seg = None
        if self.options.needs_mask:
            seg = segmenter_for(mask, name=self.options.segmenter)  # no cache: frames do not repeat
            seg = seg.for_clip(first_index) if hasattr(seg, "for_clip") else seg
        pending: deque[_Started] = deque()
        threads = _stream_threads(ahead)
        seen = False  # a person in an earlier frame: a clip needs one in any frame, so no more checks

        def finish() -> Result:
            nonlocal seen
            result = self._finish(pending.popleft(), quiet, None, cancel, temporal, False, not seen)
            seen = seen or result.found
            return result

        try:
            for frame in frames:
                stop_if_cancelled(cancel)
                photo = to_photo(frame)
                pending.append(self._start(photo, mask, quiet, threads, seg))
                if len(pending) > ahead:
                    yield finish()
            while pending:
                yield finish()
        finally:
            for started in pending:  # an error, a cancel, or the caller stopped early
                started.cancel()

    def map(self, images: Iterable[ImageLike], in_flight: int = 2, **kwargs: object) -> Iterator[Result]:
        """process() every image, `in_flight` at a time, yielding the Results in order (lazily).

        While one image is composed (single-threaded work), the next is already being segmented
        and stylized, so the cores stay busy across images; each network gets its share of the cores
        (shared_threads), which runs more images a second than every core per network.
        """
        return overlapped(lambda image: self.process(image, **kwargs), images, in_flight)

    def _check_person(self, alpha: np.ndarray | None, found: bool, name: str | None) -> np.ndarray | None:
        if alpha is None or found:
            return alpha
        if self.options.on_no_person == "error":
            raise no_person_error(name)
        return np.zeros(alpha.shape, np.float32)  # everything is background

    def _process_joint(self, photo: Photo, mask: MaskLike, report: Progress, name: str | None,
                       cancel: Callable[[], bool] | None) -> Result:
        """An optimiser (Gatys): the full mask first, then every layer's style in one optimisation."""
        opts, rgb = self.options, photo.rgb
        alpha = None
        if opts.needs_mask:
            alpha = self._check_person(*segment_photo(photo, opts.refine, mask, self.cache, opts.segmenter), name)
        stop_if_cancelled(cancel)
        layers = None if alpha is None else Layers.of_person(alpha)
        engine = next(iter(self.engines.values()))
        small, styled = engine.render(rgb, layers, self.styles, opts, report, cancel,
                                      functools.partial(self._warm_start, cancel=cancel))
        looks = {layer: (styled if spec is not None else None) for layer, spec in self.styles.items()}
        # the optimised image is the painting's texture: enlarged as it is, not re-guided by the photo
        out = compose.compose_layers(rgb, small, layers, looks, opts.preserve_color, opts.blur, guided=False,
                                     threads=threads_here() or compute_threads())
        report("done", 1.0)
        return Result(to_pil(out, photo.alpha), alpha, photo)


    def _warm_start(self, small: np.ndarray, mask: np.ndarray | None, style_size: int,
                    cancel: Callable[[], bool] | None = None) -> np.ndarray:
        """This request through the fast engines at an optimiser's size (where Gatys starts from).

        Every option carries over (dataclasses.replace) but those that belong to the final result."""
        fast = replace(self.options, engine="fast", gatys=None, strength=1.0, style_size=style_size,
                       on_no_person="all", preserve_color=False, blur=None)
        with Session(fast) as session:
            return np.asarray(session.process(small, mask=mask, cancel=cancel).image)


T = TypeVar("T")
R = TypeVar("R")


def overlapped(fn: Callable[[T], R], items: Iterable[T], at_once: int = 2) -> Iterator[R]:
    """fn over the items, `at_once` running together, results in order (lazily); the networks each
    item runs get their share of the cores (shared_threads): Session.map, batch, the server's way."""
    threads = shared_threads(at_once)

    def one(item: T) -> R:
        with threads_per_run(threads):
            return fn(item)

    with ThreadPoolExecutor(max_workers=max(1, at_once), thread_name_prefix="stylecut-map") as outer:
        pending: deque[Future] = deque()
        for item in items:
            pending.append(outer.submit(one, item))
            if len(pending) >= at_once:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _stream_threads(ahead: int) -> int | None:
    """Compute threads of each style network run in a frame stream with `ahead` frames started early."""
    return max(1, compute_threads() // (ahead + 1)) if ahead else None


def _with_threads(threads: int | None, fn: Callable, *args: object) -> object:
    with threads_per_run(threads):
        return fn(*args)


@dataclass
class _Started:
    """One image whose refinement and style networks are running on the pool."""

    photo: Photo
    small: np.ndarray
    seg: object
    look: object
    alpha_f: Future | None
    styled_f: dict[str, Future]
    threads: int  # this image's share of the cores: its networks' threads, and its compositing's

    def cancel(self) -> None:
        """Drop the work not begun and wait for the rest (it must not outlive its session's pool)."""
        futures = [f for f in [self.alpha_f, *self.styled_f.values()] if f is not None]
        for f in futures:
            f.cancel()
        wait(futures)


def run(image: ImageLike, options: Options, mask: MaskLike = None, progress: Progress | None = None,
        name: str | None = None, cancel: Callable[[], bool] | None = None, cache: Cache | None = None,
        pool: ThreadPoolExecutor | None = None) -> Result:
    """One-shot: a Session for one image (see Session.process)."""
    with Session(options, cache=cache, pool=pool) as session:
        return session.process(image, mask, name=name, progress=progress, cancel=cancel)


__all__ = ["Session", "Result", "NoPersonError", "run", "compute_alpha", "cutout", "segmenter_for"]
