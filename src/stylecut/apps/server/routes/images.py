"""One photo in, one image out, within the request: stylize, mask, paint."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from PIL import Image

from stylecut.apps.server import forms
from stylecut.apps.server.forms import POINTING_HELP, read_upload, with_form
from stylecut.apps.server.state import ServerState, server_state
from stylecut.core.options import GatysParams, Options, PaintOptions, field_of

router = APIRouter()
REFINE = field_of(Options, "refine")


@router.post("/api/stylize")
@with_form(Options, GatysParams)
async def stylize(
    request: Request,
    image: UploadFile = File(..., description="The photo."),
    style_image: UploadFile | None = File(None, description="A painting to use as the style."),
    fg_style_image: UploadFile | None = File(None, description="A painting for the person."),
    format: str = Form("png", description="png, jpeg or webp."),
    box: str = Form("", description=POINTING_HELP),
    points: str = Form("", description=POINTING_HELP),
    form: dict[str, Any] | None = None,
    state: ServerState = Depends(server_state),
) -> Response:
    """Stylize a photo; returns the image (PNG, JPEG or WebP by `format`)."""
    assert form is not None  # with_form fills it
    from stylecut.pipeline.session import run

    limits = state.limits
    photo = await forms.required_upload(image, limits, "image")
    selection = forms.selection(box, points)
    opts = await forms.stylize_options(form, style_image, fg_style_image, limits, limits.max_gatys_iterations,
                                       limits.max_gatys_size)
    forms.output_format(format)  # a bad format fails before the work

    def work(cancel) -> tuple[bytes, str, float]:
        t = time.perf_counter()
        result = run(photo, opts, mask=selection, cache=state.cache, pool=state.pool, cancel=cancel)
        assert result.image is not None  # a composited photo
        data, media = forms.encode_as(result.image, format)
        return data, media, time.perf_counter() - t

    data, media, seconds = await state.limited(request, work)
    return Response(data, media_type=media, headers={"X-Stylecut-Seconds": f"{seconds:.3f}"})


@router.post("/api/mask")
async def mask(
    request: Request,
    image: UploadFile = File(...),
    refine: str = Form(REFINE.default, description=REFINE.metadata["help"]),
    cutout: bool = Form(False, description="Return the person as an RGBA cut-out instead of the mask."),
    box: str = Form("", description=POINTING_HELP),
    points: str = Form("", description=POINTING_HELP),
    state: ServerState = Depends(server_state),
) -> Response:
    """The soft person mask (8-bit PNG), or the subject's you point at; with cutout, an RGBA PNG."""
    from stylecut.core.imageio import encode, to_photo
    from stylecut.core.options import check_field
    from stylecut.pipeline.session import compute_alpha
    from stylecut.pipeline.session import cutout as make_cutout

    photo = await forms.required_upload(image, state.limits, "image")
    check_field(Options, "refine", refine)
    selection = forms.selection(box, points)

    def work(cancel) -> bytes:
        loaded = to_photo(photo)
        alpha = compute_alpha(loaded, refine, mask=selection, cache=state.cache)
        img = make_cutout(loaded, alpha) if cutout else Image.fromarray((alpha * 255 + 0.5).astype(np.uint8), "L")
        return encode(img, "PNG")

    return Response(await state.limited(request, work), media_type="image/png")


@router.post("/api/paint")
@with_form(PaintOptions)
async def paint(
    request: Request,
    portrait: UploadFile = File(...),
    painting: UploadFile = File(...),
    style_image: UploadFile | None = File(None),
    format: str = Form("png", description="png, jpeg or webp."),
    box: str = Form("", description=POINTING_HELP),
    points: str = Form("", description=POINTING_HELP),
    form: dict[str, Any] | None = None,
    state: ServerState = Depends(server_state),
) -> Response:
    """Place the portrait's person (or the subject you point at) into the painting."""
    assert form is not None  # with_form fills it
    from stylecut.pipeline.into_painting import paint as paint_into

    limits = state.limits
    por = await forms.required_upload(portrait, limits, "portrait")
    pai = await forms.required_upload(painting, limits, "painting")
    form["style"] = forms.style_value(
        form["style"], await read_upload(style_image, limits, "style_image"), allow_painting=True
    )
    opts = PaintOptions(**form)
    forms.output_format(format)
    selection = forms.selection(box, points)

    def work(cancel) -> tuple[bytes, str]:
        res = paint_into(por, pai, opts, mask=selection)
        return forms.encode_as(res.image, format)

    data, media = await state.limited(request, work)
    return Response(data, media_type=media)
