"""HTTP API and web page: a thin FastAPI layer over the library, safe to leave running.

Safety: uploads are capped while they are read (413), images are checked for their pixel count
from the header before any decoding (413), content is sniffed by decoding (415 if not an image),
every library error is a JSON 4xx with a message, work runs on a bounded number of worker threads
with a bounded queue (503 when full), no request can name a file path or URL, and caches are
bounded so memory does not grow across requests (the library caches person masks and style
vectors by content, so the page's mask preview and the stylize call that follows run the model once).
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import io
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from stylecut.apps.server.jobs import Job, JobNotFound, JobQueue, JobsFull
from stylecut.apps.server.limits import BodyLimit, BodyStalled, BodyTooLarge, Limits
from stylecut.core.errors import Cancelled, ImageTooLargeError, NotAnImageError, StylecutError
from stylecut.core.formats import MIME_TYPES, SAVE_FORMATS
from stylecut.core.options import (
    OUTPUT_FORMATS,
    GatysParams,
    Options,
    PaintOptions,
    base_type,
    describe,
    field_of,
    schema_fields,
)
from stylecut.runtime.caches import Cache
from stylecut.style.spec import layer_styles

STATIC = Path(__file__).parent / "static"
FORMATS = {ext[1:]: (fmt, MIME_TYPES[fmt]) for ext, fmt in SAVE_FORMATS.items()}  # 'jpg' -> ('JPEG', 'image/jpeg')
PREVIEW_SIDE = 240  # style previews: the sample portrait at this size (shown at ~80-100 px, sharp on 2x screens)
# person masks by content (selfie look, coarse mask, refined alpha): ~6 photos at 1024 px (preview -> clicks -> stylize)
MASK_CACHE_BYTES = 48 * 1024 * 1024


class UploadTooLarge(Exception):
    pass


class ClientGone(Exception):
    """The client left before its turn came."""


class Busy(Exception):
    pass


def _check_pixels(data: bytes, limits: Limits, what: str) -> None:
    """Reject oversized images from the header alone, before decoding a single pixel."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Image.DecompressionBombError:  # Pillow's own header check, far above ours
        raise ImageTooLargeError(f"{what}: over the limit of {limits.max_pixels:,} pixels") from None
    except Exception:
        raise NotAnImageError(f"{what}: not an image (or an unsupported format)") from None
    if w * h > limits.max_pixels:
        raise ImageTooLargeError(f"{what}: {w}x{h} is over the limit of {limits.max_pixels:,} pixels")


async def _read(upload: UploadFile | None, limits: Limits, what: str, required: bool = False) -> bytes | None:
    if upload is None or (not upload.filename and not required):
        if required:
            raise StylecutError(f"{what} is required")
        return None
    data = await upload.read(limits.max_upload_bytes + 1)
    if len(data) > limits.max_upload_bytes:
        raise UploadTooLarge(f"{what} is larger than {limits.max_upload_bytes // (1024 * 1024)} MB")
    if not data:
        if required:
            raise StylecutError(f"{what} is empty")
        return None
    _check_pixels(data, limits, what)
    return data


def _style_value(text: str | None, image: bytes | None, allow_painting: bool = False) -> object:
    """A style from a form: an uploaded image wins; text may only name presets (never a path)."""
    if image is not None:
        return image
    if text is None or text.strip() == "" or text.strip().lower() == "none":
        return None
    t = text.strip()
    if t.lower().startswith("preset:") or (allow_painting and t == "painting"):
        return t
    raise StylecutError("style must be preset:N (1-26), a learned preset:NAME, preset:A+preset:B, none, "
                        "or an uploaded image")


def _selection(box: str, points: str):
    """A Selection from the form's `box` ("x0,y0,x1,y1") and `points` (JSON [[x, y, 1|0], ...]); None if neither."""
    from stylecut.core.selection import Selection, parse_box, parse_points

    sel = Selection(parse_box(box) if box.strip() else None, parse_points(points) if points.strip() else ())
    return sel or None


POINTING_HELP = ("Select the subject by pointing, in the photo's pixels: box x0,y0,x1,y1 and/or points "
                 "[[x, y, 1 (subject) or 0 (not)], ...] in click order; on a person photo, points correct its mask.")


def release_memory() -> None:
    """Give freed heap back to the system after work (glibc keeps it per thread arena otherwise)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def with_form(*classes):
    """Add every form field of the schema classes as Form parameters; the endpoint gets form={name: value}."""
    from fastapi import Form

    flds = [f for cls in classes for f in schema_fields(cls, "form")]

    def decorate(fn):
        sig = inspect.signature(fn)
        own = [p for p in sig.parameters.values() if p.name != "form"]

        @functools.wraps(fn)
        async def endpoint(*args, **kwargs):
            return await fn(*args, form={f.name: kwargs.pop(f.name) for f in flds}, **kwargs)

        extra = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                                   annotation=Optional[base_type(f)] if f.default is None else base_type(f),
                                   default=Form(f.default, description=f.metadata["help"])) for f in flds]
        endpoint.__signature__ = sig.replace(parameters=own + extra)
        return endpoint

    return decorate


def _split(form: dict, cls: type) -> dict:
    names = {f.name for f in schema_fields(cls, "form")}
    return {k: v for k, v in form.items() if k in names}


def _format(fmt: str) -> tuple[str, str]:
    """(PIL format, media type) for a requested output format; a clear error otherwise."""
    if fmt.lower() not in FORMATS:
        raise StylecutError(f"format must be one of: png, jpeg, webp (got {fmt!r})")
    return FORMATS[fmt.lower()]


def _encode(img: Image.Image, fmt: str) -> tuple[bytes, str]:
    from stylecut.core.imageio import encode

    pil_fmt, media = _format(fmt)
    return encode(img, pil_fmt, quality=92), media


def create_app(limits: Limits | None = None) -> FastAPI:
    """The FastAPI application (models load on first use and are shared by all requests); default Limits()."""
    limits = limits or Limits()
    from stylecut import __version__

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        stopping.set()  # shutdown: running optimisations stop at their next step
        await run_in_threadpool(jobs.close)  # running jobs stop at their next frame / step; files deleted

    app = FastAPI(title="stylecut", version=__version__, lifespan=lifespan,
                  description="Neural style transfer where you choose: background, person or both.")
    gate = asyncio.Semaphore(limits.workers)
    state = {"waiting": 0, "busy": 0, "served": 0}
    stopping = threading.Event()  # set at SIGTERM / shutdown: running work is cancelled
    app.state.stopping = stopping
    previews: dict[str, bytes] = {}
    cache = Cache(mask_bytes=MASK_CACHE_BYTES)  # the page's mask preview and its stylize call segment once
    pool = ThreadPoolExecutor(max_workers=3 * limits.workers, thread_name_prefix="stylecut")  # every request's session
    jobs = JobQueue(limits)
    app.state.jobs = jobs

    async def limited(request: Request, fn, *args):
        """Run blocking work on a worker thread, at most `workers` at once and `queue` waiting.

        fn gets a cancel() callable as its last argument: true once the client has gone away or
        the server is stopping (the engines check it between steps).
        """
        if state["waiting"] >= limits.queue:
            raise Busy("the server is busy; try again in a moment")
        state["waiting"] += 1
        try:
            await gate.acquire()  # if the client goes away while waiting, nothing is held
        finally:
            state["waiting"] -= 1
        gone = threading.Event()

        async def watch() -> None:
            while not gone.is_set():
                if await request.is_disconnected():
                    gone.set()
                await asyncio.sleep(0.25)

        watcher = asyncio.create_task(watch())
        state["busy"] += 1
        try:
            if await request.is_disconnected():
                raise ClientGone()
            return await run_in_threadpool(fn, *args, lambda: gone.is_set() or stopping.is_set())
        finally:
            gone.set()
            watcher.cancel()
            state["busy"] -= 1
            gate.release()
            state["served"] += 1
            if state["busy"] == 0:
                release_memory()

    app.add_middleware(BodyLimit, limits=limits)

    def error(status: int, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=status)

    from stylecut.pipeline.session import NoPersonError

    app.add_exception_handler(UploadTooLarge, lambda r, e: error(413, e))
    app.add_exception_handler(ImageTooLargeError, lambda r, e: error(413, e))
    app.add_exception_handler(NotAnImageError, lambda r, e: error(415, e))
    app.add_exception_handler(NoPersonError, lambda r, e: error(422, e))
    app.add_exception_handler(StylecutError, lambda r, e: error(400, e))
    app.add_exception_handler(Busy, lambda r, e: error(503, e))
    app.add_exception_handler(JobNotFound, lambda r, e: error(404, e))
    app.add_exception_handler(JobsFull, lambda r, e: error(429, e))
    app.add_exception_handler(Cancelled, lambda r, e: error(503, StylecutError("cancelled: the server is stopping")))
    app.add_exception_handler(ClientGone, lambda r, e: error(499, StylecutError("the client went away")))

    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cause = exc.__cause__
        if isinstance(cause, BodyTooLarge):
            return error(413, cause)
        if isinstance(cause, BodyStalled):
            return error(408, cause)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {
            "status": "stopping" if stopping.is_set() else "ok",
            "version": __version__,
            "workers": limits.workers,
            "busy": state["busy"],
            "waiting": state["waiting"],
            "served": state["served"],
            "jobs": jobs.counts(),
        }

    def preset_titles() -> dict[str, str]:
        from stylecut.core.registry import listed_styles

        return listed_styles()

    def preset_names() -> tuple[str, ...]:
        return tuple(preset_titles())

    @app.get("/api/styles")
    async def styles() -> dict:
        """The built-in styles (from the engine registry): name, title and a preview image."""
        return {"presets": [{"name": n, "title": t, "preview": f"/api/styles/{n}/preview.jpg"}
                            for n, t in preset_titles().items()]}

    @app.get("/api/options")
    async def options() -> dict:
        """Every option of every endpoint: name, type, default, choices, range, help (the page renders from it)."""
        from stylecut.core.registry import ENGINES

        return {
            "stylize": describe(Options), "gatys": describe(GatysParams), "paint": describe(PaintOptions),
            "formats": list(OUTPUT_FORMATS),
            "engines": [{"name": e.name, "family": e.family, "about": e.info.get("about", "")} for e in ENGINES],
            "limits": asdict(limits),
        }

    @app.get("/api/styles/{name}/preview.jpg")
    async def preview(name: str, request: Request) -> Response:
        if name not in preset_names():
            return error(404, StylecutError(f"unknown style {name!r}"))
        from stylecut.style import learned

        if learned.exists(name.removeprefix("preset:")):  # its own preview, made when it was learnt
            data = learned.load(name.removeprefix("preset:")).preview_jpeg
            return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-cache"})
        if name not in previews:
            def render(cancel) -> bytes:
                from stylecut.core.imageio import encode, to_photo
                from stylecut.ops.filters import resize_max
                from stylecut.runtime.assets import model_path
                from stylecut.style import parse_style, stylize

                rgb = resize_max(to_photo(model_path("sample_portrait")).rgb, PREVIEW_SIDE)
                out = stylize(parse_style(name), rgb)
                return encode(Image.fromarray((out * 255 + 0.5).astype(np.uint8)), "JPEG", quality=85)

            previews[name] = await limited(request, render)
        return Response(previews[name], media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})

    async def stylize_options(form: dict, style_image, fg_style_image, max_iterations: int, max_size: int,
                              engine: str | None = None) -> Options:
        """Options from a form (uploaded paintings read, bounds of this server applied)."""
        values = _split(form, Options)
        if engine is not None:
            values["engine"] = engine
        values["style"] = _style_value(values["style"], await _read(style_image, limits, "style_image"))
        values["fg_style"] = _style_value(values["fg_style"], await _read(fg_style_image, limits, "fg_style_image"))
        gatys = None
        if values["engine"] == "gatys":
            gatys = GatysParams(**_split(form, GatysParams))
            if gatys.iterations > max_iterations or gatys.size > max_size:
                raise StylecutError(f"gatys here is limited to {max_iterations} iterations and {max_size} px")
        opts = Options(**values, gatys=gatys)
        if opts.style_size > limits.max_style_size:
            raise StylecutError(f"style_size here is limited to {limits.max_style_size} px")
        return opts

    @app.post("/api/stylize")
    @with_form(Options, GatysParams)
    async def stylize(
        image: UploadFile = File(..., description="The photo."),
        style_image: UploadFile | None = File(None, description="A painting to use as the style."),
        fg_style_image: UploadFile | None = File(None, description="A painting for the person."),
        format: str = Form("png", description="png, jpeg or webp."),
        box: str = Form("", description=POINTING_HELP),
        points: str = Form("", description=POINTING_HELP),
        form: dict = None,
        request: Request = None,
    ) -> Response:
        """Stylize a photo; returns the image (PNG, JPEG or WebP by `format`)."""
        from stylecut.pipeline.session import run

        photo = await _read(image, limits, "image", required=True)
        selection = _selection(box, points)
        opts = await stylize_options(form, style_image, fg_style_image, limits.max_gatys_iterations,
                                     limits.max_gatys_size)
        _format(format)  # a bad format fails before the work

        def work(cancel) -> tuple[bytes, str, float]:
            t = time.perf_counter()
            result = run(photo, opts, mask=selection, cache=cache, pool=pool, cancel=cancel)
            data, media = _encode(result.image, format)
            return data, media, time.perf_counter() - t

        data, media, seconds = await limited(request, work)
        return Response(data, media_type=media, headers={"X-Stylecut-Seconds": f"{seconds:.3f}"})

    refine_field = field_of(Options, "refine")

    @app.post("/api/mask")
    async def mask(
        image: UploadFile = File(...),
        refine: str = Form(refine_field.default, description=refine_field.metadata["help"]),
        cutout: bool = Form(False, description="Return the person as an RGBA cut-out instead of the mask."),
        box: str = Form("", description=POINTING_HELP),
        points: str = Form("", description=POINTING_HELP),
        request: Request = None,
    ) -> Response:
        """The soft person mask (8-bit PNG), or the subject's you point at; with cutout, an RGBA PNG."""
        from stylecut.core.imageio import encode, to_photo
        from stylecut.core.options import check_field
        from stylecut.pipeline.session import compute_alpha
        from stylecut.pipeline.session import cutout as make_cutout

        photo = await _read(image, limits, "image", required=True)
        check_field(Options, "refine", refine)
        selection = _selection(box, points)

        def work(cancel) -> bytes:
            loaded = to_photo(photo)
            alpha = compute_alpha(loaded, refine, mask=selection, cache=cache)
            img = make_cutout(loaded, alpha) if cutout else \
                Image.fromarray((alpha * 255 + 0.5).astype(np.uint8), "L")
            return encode(img, "PNG")

        return Response(await limited(request, work), media_type="image/png")

    @app.post("/api/paint")
    @with_form(PaintOptions)
    async def paint(
        portrait: UploadFile = File(...),
        painting: UploadFile = File(...),
        style_image: UploadFile | None = File(None),
        format: str = Form("png", description="png, jpeg or webp."),
        box: str = Form("", description=POINTING_HELP),
        points: str = Form("", description=POINTING_HELP),
        form: dict = None,
        request: Request = None,
    ) -> Response:
        """Place the portrait's person (or the subject you point at) into the painting."""
        from stylecut.pipeline.into_painting import paint as paint_into

        por = await _read(portrait, limits, "portrait", required=True)
        pai = await _read(painting, limits, "painting", required=True)
        form["style"] = _style_value(
            form["style"], await _read(style_image, limits, "style_image"), allow_painting=True
        )
        opts = PaintOptions(**form)
        _format(format)
        selection = _selection(box, points)

        def work(cancel) -> tuple[bytes, str]:
            res = paint_into(por, pai, mask=selection, **asdict(opts))
            return _encode(res.image, format)

        data, media = await limited(request, work)
        return Response(data, media_type=media)

    @app.post("/api/jobs", status_code=202)
    @with_form(Options, GatysParams)
    async def create_job(
        file: UploadFile = File(..., description="The clip (kind=video) or the photo (kind=gatys)."),
        kind: str = Form("video", description="video: stylize a clip; gatys: a photo through the Gatys engine."),
        style_image: UploadFile | None = File(None, description="A painting to use as the style."),
        fg_style_image: UploadFile | None = File(None, description="A painting for the person."),
        temporal: bool = Form(True, description="video: stabilise mask and style over time."),
        start: float = Form(0.0, description="video: seconds into the clip to begin."),
        end: float | None = Form(None, description="video: seconds into the clip to stop."),
        format: str = Form("", description="video: mp4 (default), webm or gif; gatys: png (default), jpeg or webp."),
        box: str = Form("", description=POINTING_HELP + " video: on the first frame, or the frame at select_at."),
        points: str = Form("", description=POINTING_HELP),
        select_at: float | None = Form(None, description="video: seconds into the clip of the frame that box/points "
                                                            "point at (default: the first); followed both ways."),
        form: dict = None,
    ) -> dict:
        """Start a long job; poll GET /api/jobs/{id} for its progress, then fetch /api/jobs/{id}/result."""
        if kind not in ("video", "gatys"):
            raise StylecutError(f"kind must be video or gatys (got {kind!r})")
        selection = _selection(box, points)
        if select_at is not None and (kind != "video" or selection is None):
            raise StylecutError("select_at needs a video job with a box or points to make the selection there")
        if kind == "video":
            opts = await stylize_options(form, style_image, fg_style_image, 0, 0, engine="fast")
            return await video_job(file, opts, temporal, start, end, format or "mp4", selection, select_at)
        opts = await stylize_options(form, style_image, fg_style_image, limits.max_job_gatys_iterations,
                                     limits.max_job_gatys_size, engine="gatys")
        if not any(spec is not None and spec.image is not None for spec in layer_styles(opts).values()):
            raise StylecutError("the gatys engine needs a painting: upload style_image")
        photo = await _read(file, limits, "file", required=True)
        fmt = format or "png"
        _format(fmt)
        job = jobs.new("gatys")

        def work(job: Job) -> tuple[Path, str]:
            from stylecut.pipeline.session import run

            result = run(
                photo,
                opts,
                selection,
                progress=lambda stage, f: job.report(f if stage == "optimise" else 0.0),
                cancel=job.cancel.is_set,
                pool=pool,
            )
            data, media = _encode(result.image, fmt)
            out = job.folder / f"result.{_format(fmt)[0].lower()}"
            out.write_bytes(data)
            return out, media

        jobs.start(job, work)
        return job.view()

    async def video_job(file: UploadFile, opts: Options, temporal: bool, start: float, end: float | None,
                        fmt: str, selection=None, select_at: float | None = None) -> dict:
        from stylecut.core.formats import VIDEO_EXTS
        from stylecut.core.formats import VIDEO_OUTPUTS as OUTPUTS
        from stylecut.pipeline.video import probe

        suffix = Path(file.filename or "").suffix.lower()
        if suffix not in VIDEO_EXTS:
            raise NotAnImageError(f"file: {suffix or 'no extension'} is not a video we read "
                                  f"({', '.join(sorted(VIDEO_EXTS))})")
        if "." + fmt.lower() not in OUTPUTS:
            raise StylecutError(f"format for a video must be mp4, webm or gif (got {fmt!r})")
        job = jobs.new("video")
        try:
            src = job.folder / f"input{suffix}"
            size = 0
            with open(src, "wb") as fh:
                while chunk := await file.read(1024 * 1024):
                    size += len(chunk)
                    if size > limits.max_video_bytes:
                        raise UploadTooLarge(f"the video is larger than {limits.max_video_bytes // (1024 * 1024)} MB")
                    fh.write(chunk)
            if size == 0:
                raise StylecutError("file is empty")
            try:
                info = await run_in_threadpool(probe, src)
            except StylecutError as exc:
                raise NotAnImageError(str(exc).replace(str(src), "file")) from None
            span = (min(end, info.duration or end) if end is not None else (info.duration or 0)) - start
            if span > limits.max_video_seconds:
                raise StylecutError(
                    f"videos here are limited to {limits.max_video_seconds:g} s (this is {span:.0f} s); "
                    "use start and end"
                )
            if selection is not None:  # points outside the frame etc.: a 400 now, not a failed job later
                selection.check(info.width, info.height)
        except BaseException:
            jobs.forget(job)
            raise

        def work(job: Job) -> tuple[Path, str]:
            from stylecut.pipeline.session import Session
            from stylecut.pipeline.video import stylize_video

            out = job.folder / f"result.{fmt.lower()}"
            with Session(opts, pool=pool) as session:
                stylize_video(src, out, session, start=start, end=end, temporal=temporal, mask=selection,
                              select_at=select_at, progress=lambda n, total: job.report(n / total) if total else None,
                              cancel=job.cancel.is_set)
            src.unlink(missing_ok=True)
            return out, {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}[fmt.lower()]

        jobs.start(job, work)
        return job.view()

    @app.get("/api/jobs/{job_id}")
    async def job_state(job_id: str) -> dict:
        """State (queued, running, done, failed, cancelled), progress 0..1, ETA in seconds, error, result URL."""
        return jobs.get(job_id).view()

    @app.get("/api/jobs/{job_id}/result")
    async def job_result(job_id: str) -> Response:
        job = jobs.get(job_id)
        if job.state != "done" or job.result is None:
            return error(409, StylecutError(f"job {job_id} is {job.state}; no result" +
                                            (f" ({job.error})" if job.error else "")))
        return FileResponse(job.result, media_type=job.media_type, filename=f"stylecut-{job.id[:8]}{job.result.suffix}")

    @app.delete("/api/jobs/{job_id}")
    async def job_cancel(job_id: str) -> dict:
        """Cancel a queued or running job; delete a finished one and its result."""
        job = jobs.cancel(job_id)
        return {"id": job.id, "state": job.state}

    @app.get("/favicon.ico", include_in_schema=False)
    @app.get("/favicon.svg", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    app = create_app(Limits(workers=workers))

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:  # SIGTERM / SIGINT: cancel running work, then drain
            app.state.stopping.set()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=8)
    Server(config).run()
