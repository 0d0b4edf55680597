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
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from PIL import Image
from starlette.concurrency import run_in_threadpool

from ..errors import ImageTooLargeError, NotAnImageError, StylecutError

STATIC = Path(__file__).parent / "static"
FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"), "jpg": ("JPEG", "image/jpeg"),
           "webp": ("WEBP", "image/webp")}


@dataclass(frozen=True)
class Limits:
    max_upload_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 40_000_000
    workers: int = 2  # requests processed at once
    queue: int = 32  # requests allowed to wait for a worker; more get 503
    max_gatys_iterations: int = 100
    max_gatys_size: int = 512


class UploadTooLarge(Exception):
    pass


class Busy(Exception):
    pass


def _check_pixels(data: bytes, limits: Limits, what: str) -> None:
    """Reject oversized images from the header alone, before decoding a single pixel."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
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


def _style_value(text: Optional[str], image: bytes | None, allow_painting: bool = False) -> object:
    """A style from a form: an uploaded image wins; text may only name presets (never a path)."""
    if image is not None:
        return image
    if text is None or text.strip() == "" or text.strip().lower() == "none":
        return None
    t = text.strip()
    if t.lower().startswith("preset:") or (allow_painting and t == "painting"):
        return t
    raise StylecutError("style must be preset:N (1-26), preset:A+preset:B, none, or an uploaded image")


def _format(fmt: str) -> tuple[str, str]:
    """(PIL format, media type) for a requested output format; a clear error otherwise."""
    if fmt.lower() not in FORMATS:
        raise StylecutError(f"format must be one of: png, jpeg, webp (got {fmt!r})")
    return FORMATS[fmt.lower()]


def _encode(img: Image.Image, fmt: str) -> tuple[bytes, str]:
    from ..imageio import encode

    pil_fmt, media = _format(fmt)
    return encode(img, pil_fmt, quality=92), media


def create_app(limits: Limits = Limits()) -> FastAPI:
    """The FastAPI application (models load on first use and are shared by all requests)."""
    from .. import __version__

    app = FastAPI(title="stylecut", version=__version__,
                  description="Neural style transfer where you choose: background, person or both.")
    gate = asyncio.Semaphore(limits.workers)
    state = {"waiting": 0, "served": 0}
    previews: dict[str, bytes] = {}

    async def limited(fn, *args):
        """Run blocking work on a worker thread, at most `workers` at once and `queue` waiting."""
        if state["waiting"] >= limits.queue:
            raise Busy("the server is busy; try again in a moment")
        state["waiting"] += 1
        try:
            await gate.acquire()  # if the client goes away while waiting, nothing is held
        finally:
            state["waiting"] -= 1
        try:
            return await run_in_threadpool(fn, *args)
        finally:
            gate.release()
            state["served"] += 1

    @app.middleware("http")
    async def reject_big_bodies(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limits.max_upload_bytes * 3 + 1024 * 1024:
            return JSONResponse({"error": "request body too large"}, status_code=413)
        return await call_next(request)

    def error(status: int, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=status)

    from ..pipeline import NoPersonError

    app.add_exception_handler(UploadTooLarge, lambda r, e: error(413, e))
    app.add_exception_handler(ImageTooLargeError, lambda r, e: error(413, e))
    app.add_exception_handler(NotAnImageError, lambda r, e: error(415, e))
    app.add_exception_handler(NoPersonError, lambda r, e: error(422, e))
    app.add_exception_handler(StylecutError, lambda r, e: error(400, e))
    app.add_exception_handler(Busy, lambda r, e: error(503, e))


    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "version": __version__, "waiting": state["waiting"], "served": state["served"]}

    @app.get("/api/styles")
    async def styles() -> dict:
        from ..registry import PRESETS

        return {
            "presets": [{"name": n, "preview": f"/api/styles/{n}/preview.jpg"} for n in PRESETS],
            "regions": ["background", "foreground", "all"],
            "refine": ["guided", "matting", "none"],
            "engines": ["fast", "gatys"],
            "harmonize": ["color", "poisson", "none"],
            "formats": ["png", "jpeg", "webp"],
        }

    @app.get("/api/styles/{name}/preview.jpg")
    async def preview(name: str) -> Response:
        from ..registry import PRESETS

        if name not in PRESETS:
            return error(404, StylecutError(f"unknown style {name!r}"))
        if name not in previews:
            def render() -> bytes:
                from ..assets import model_path
                from ..filters import resize_max
                from ..imageio import encode, to_photo
                from ..style import parse_style

                rgb = resize_max(to_photo(model_path("sample_portrait")).rgb, 160)
                out = parse_style(name).stylizer().stylize(rgb)
                return encode(Image.fromarray((out * 255 + 0.5).astype(np.uint8)), "JPEG", quality=85)

            previews[name] = await limited(render)
        return Response(previews[name], media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})

    @app.post("/api/stylize")
    async def stylize(
        image: UploadFile = File(..., description="The photo."),
        style_image: Optional[UploadFile] = File(None, description="A painting to use as the style."),
        fg_style_image: Optional[UploadFile] = File(None, description="A painting for the person."),
        style: Optional[str] = Form(None, description="preset:N, preset:A+preset:B, or none."),
        fg_style: Optional[str] = Form(None, description="A preset for the person."),
        region: str = Form("background"),
        strength: float = Form(1.0),
        preserve_color: bool = Form(False),
        blur: Optional[float] = Form(None),
        refine: str = Form("guided"),
        style_size: int = Form(768),
        on_no_person: str = Form("error"),
        engine: str = Form("fast"),
        iterations: int = Form(30),
        size: int = Form(384),
        format: str = Form("png"),
    ) -> Response:
        """Stylize a photo; returns the image (PNG, JPEG or WebP by `format`)."""
        from ..pipeline import Options, run

        photo = await _read(image, limits, "image", required=True)
        style_val = _style_value(style, await _read(style_image, limits, "style_image"))
        fg_val = _style_value(fg_style, await _read(fg_style_image, limits, "fg_style_image"))
        gatys = None
        if engine == "gatys":
            from ..style.gatys import GatysParams

            if iterations > limits.max_gatys_iterations or size > limits.max_gatys_size:
                raise StylecutError(f"gatys here is limited to {limits.max_gatys_iterations} iterations "
                                    f"and {limits.max_gatys_size} px")
            gatys = GatysParams(iterations=iterations, size=size)
        opts = Options(style=style_val, region=region, fg_style=fg_val, strength=strength,
                       preserve_color=preserve_color, blur=blur, refine=refine, style_size=style_size,
                       on_no_person=on_no_person, engine=engine, gatys=gatys)
        _format(format)  # a bad format fails before the work

        def work() -> tuple[bytes, str, float]:
            t = time.perf_counter()
            result = run(photo, opts)  # the person mask and style vectors are cached by the library
            data, media = _encode(result.image, format)
            return data, media, time.perf_counter() - t

        data, media, seconds = await limited(work)
        return Response(data, media_type=media, headers={"X-Stylecut-Seconds": f"{seconds:.3f}"})

    @app.post("/api/mask")
    async def mask(
        image: UploadFile = File(...),
        refine: str = Form("guided"),
        cutout: bool = Form(False),
    ) -> Response:
        """The soft person mask (8-bit PNG) or, with cutout, the person as an RGBA PNG."""
        from ..imageio import encode, to_photo
        from ..pipeline import compute_alpha
        from ..pipeline import cutout as make_cutout
        from ..segmentation import check_method

        photo = await _read(image, limits, "image", required=True)
        check_method(refine)

        def work() -> bytes:
            loaded = to_photo(photo)
            alpha = compute_alpha(loaded, refine)
            img = make_cutout(loaded, alpha) if cutout else \
                Image.fromarray((alpha * 255 + 0.5).astype(np.uint8), "L")
            return encode(img, "PNG")

        return Response(await limited(work), media_type="image/png")

    @app.post("/api/paint")
    async def paint(
        portrait: UploadFile = File(...),
        painting: UploadFile = File(...),
        style_image: Optional[UploadFile] = File(None),
        style: Optional[str] = Form("painting"),
        x: Optional[int] = Form(None),
        y: Optional[int] = Form(None),
        height: Optional[float] = Form(None),
        harmonize: str = Form("color"),
        format: str = Form("png"),
    ) -> Response:
        """Place the portrait's person into the painting."""
        from ..paint import paint as paint_into

        por = await _read(portrait, limits, "portrait", required=True)
        pai = await _read(painting, limits, "painting", required=True)
        st = _style_value(style, await _read(style_image, limits, "style_image"), allow_painting=True)
        _format(format)

        def work() -> tuple[bytes, str]:
            res = paint_into(por, pai, x=x, y=y, height=height, style=st, harmonize=harmonize)
            return _encode(res.image, format)

        data, media = await limited(work)
        return Response(data, media_type=media)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    uvicorn.run(create_app(Limits(workers=workers)), host=host, port=port, log_level="warning")
