"""Health, the style list and previews, the options schema, and the page itself."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from PIL import Image

from stylecut.apps.server.errors import error
from stylecut.apps.server.state import ServerState, server_state
from stylecut.core.errors import StylecutError
from stylecut.core.options import OUTPUT_FORMATS, GatysParams, Options, PaintOptions, describe

STATIC = Path(__file__).resolve().parents[1] / "static"
PREVIEW_SIDE = 240  # style previews: the sample portrait at this size (shown at ~80-100 px, sharp on 2x screens)

router = APIRouter()


@router.get("/healthz")
async def healthz(state: ServerState = Depends(server_state)) -> dict:
    from stylecut import __version__

    return {
        "status": "stopping" if state.stopping.is_set() else "ok",
        "version": __version__,
        "workers": state.limits.workers,
        **{k: state.counts[k] for k in ("busy", "waiting", "served")},
        "jobs": state.jobs.counts(),
    }


def preset_titles() -> dict[str, str]:
    from stylecut.core.registry import listed_styles

    return listed_styles()


@router.get("/api/styles")
async def styles() -> dict:
    """The built-in styles (from the engine registry): name, title and a preview image."""
    return {"presets": [{"name": n, "title": t, "preview": f"/api/styles/{n}/preview.jpg"}
                        for n, t in preset_titles().items()]}


@router.get("/api/options")
async def options(state: ServerState = Depends(server_state)) -> dict:
    """Every option of every endpoint: name, type, default, choices, range, help (the page renders from it)."""
    from stylecut.core.registry import ENGINES

    return {
        "stylize": describe(Options), "gatys": describe(GatysParams), "paint": describe(PaintOptions),
        "formats": list(OUTPUT_FORMATS),
        "engines": [{"name": e.name, "family": e.family, "about": e.info.get("about", "")} for e in ENGINES],
        "limits": asdict(state.limits),
    }


@router.get("/api/styles/{name}/preview.jpg")
async def preview(name: str, request: Request, state: ServerState = Depends(server_state)) -> Response:
    if name not in preset_titles():
        return error(404, StylecutError(f"unknown style {name!r}"))
    from stylecut.style import learned

    if learned.exists(name.removeprefix("preset:")):  # its own preview, made when it was learnt
        data = learned.load(name.removeprefix("preset:")).preview_jpeg
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-cache"})
    if name not in state.previews:
        def render(cancel) -> bytes:
            from stylecut.core.imageio import encode, to_photo
            from stylecut.ops.filters import resize_max
            from stylecut.runtime.assets import model_path
            from stylecut.style import parse_style, stylize

            rgb = resize_max(to_photo(model_path("sample_portrait")).rgb, PREVIEW_SIDE)
            spec = parse_style(name)
            assert spec is not None  # a listed preset
            out = stylize(spec, rgb)
            return encode(Image.fromarray((out * 255 + 0.5).astype(np.uint8)), "JPEG", quality=85)

        state.previews[name] = await state.limited(request, render)
    return Response(state.previews[name], media_type="image/jpeg",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/favicon.ico", include_in_schema=False)
@router.get("/favicon.svg", include_in_schema=False)
async def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/", include_in_schema=False)
async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})
