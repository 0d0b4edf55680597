"""Long work answered at once (202): clips and Gatys photos as jobs with progress, a result, cancel."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from stylecut.apps.server import forms
from stylecut.apps.server.errors import UploadTooLarge, error
from stylecut.apps.server.forms import POINTING_HELP, with_form
from stylecut.apps.server.jobs import Job
from stylecut.apps.server.state import ServerState, server_state
from stylecut.core.errors import NotAnImageError, StylecutError
from stylecut.core.options import GatysParams, Options
from stylecut.core.selection import Selection
from stylecut.style.spec import layer_styles

router = APIRouter()
VIDEO_MEDIA = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}


@router.post("/api/jobs", status_code=202)
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
    form: dict[str, Any] | None = None,
    state: ServerState = Depends(server_state),
) -> dict:
    """Start a long job; poll GET /api/jobs/{id} for its progress, then fetch /api/jobs/{id}/result."""
    assert form is not None  # with_form fills it
    limits = state.limits
    if kind not in ("video", "gatys"):
        raise StylecutError(f"kind must be video or gatys (got {kind!r})")
    selection = forms.selection(box, points)
    if select_at is not None and (kind != "video" or selection is None):
        raise StylecutError("select_at needs a video job with a box or points to make the selection there")
    if kind == "video":
        from stylecut.pipeline.video import check_times

        check_times(start, end, select_at)  # a range that holds no frame: 400 before the upload is spooled
        opts = await forms.stylize_options(form, style_image, fg_style_image, limits, 0, 0, engine="fast")
        return await video_job(state, file, opts, temporal, start, end, format or "mp4", selection, select_at)
    opts = await forms.stylize_options(form, style_image, fg_style_image, limits, limits.max_job_gatys_iterations,
                                       limits.max_job_gatys_size, engine="gatys")
    if not any(spec is not None and spec.image is not None for spec in layer_styles(opts).values()):
        raise StylecutError("the gatys engine needs a painting: upload style_image")
    photo = await forms.required_upload(file, limits, "file")
    fmt = format or "png"
    forms.output_format(fmt)
    job = state.jobs.new("gatys")

    def work(job: Job) -> tuple[Path, str]:
        from stylecut.pipeline.session import run

        result = run(photo, opts, selection, progress=lambda stage, f: job.report(f if stage == "optimise" else 0.0),
                     cancel=job.cancel.is_set, pool=state.pool)
        assert result.image is not None  # a composited photo
        data, media = forms.encode_as(result.image, fmt)
        out = job.folder / f"result.{forms.output_format(fmt)[0].lower()}"
        out.write_bytes(data)
        return out, media

    state.jobs.start(job, work)
    return job.view()


async def _spool(file: UploadFile, dest: Path, max_bytes: int) -> None:
    """Write the upload to `dest` a megabyte at a time, refusing it past max_bytes or when empty."""
    size = 0
    with open(dest, "wb") as fh:
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(f"the video is larger than {max_bytes // (1024 * 1024)} MB")
            fh.write(chunk)
    if size == 0:
        raise StylecutError("file is empty")


async def video_job(state: ServerState, file: UploadFile, opts: Options, temporal: bool, start: float,
                    end: float | None, fmt: str, selection: Selection | None = None,
                    select_at: float | None = None) -> dict:
    from stylecut.core.formats import VIDEO_EXTS, VIDEO_OUTPUTS
    from stylecut.pipeline.video import MAX_SIDE, check_times, probe

    limits = state.limits
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in VIDEO_EXTS:
        raise NotAnImageError(f"file: {suffix or 'no extension'} is not a video we read "
                              f"({', '.join(sorted(VIDEO_EXTS))})")
    if "." + fmt.lower() not in VIDEO_OUTPUTS:
        raise StylecutError(f"format for a video must be mp4, webm or gif (got {fmt!r})")
    job = state.jobs.new("video")
    try:
        src = job.folder / f"input{suffix}"
        await _spool(file, src, limits.max_video_bytes)
        try:
            info = await run_in_threadpool(probe, src, start + limits.max_video_seconds + 1)
        except StylecutError as exc:
            raise NotAnImageError(str(exc).replace(str(src), "file")) from None
        if max(info.width, info.height) > MAX_SIDE:
            raise StylecutError(f"file: frames of {info.width}x{info.height} are larger than 4K")
        check_times(start, end, select_at, info.duration)
        span = (min(end, info.duration or end) if end is not None else (info.duration or 0)) - start
        if span > limits.max_video_seconds:
            raise StylecutError(
                f"videos here are limited to {limits.max_video_seconds:g} s (this is {span:.0f} s); "
                "use start and end"
            )
        if selection is not None:  # points outside the frame etc.: a 400 now, not a failed job later
            selection.check(info.width, info.height)
    except BaseException:
        state.jobs.forget(job)
        raise

    def work(job: Job) -> tuple[Path, str]:
        from stylecut.pipeline.session import Session
        from stylecut.pipeline.video import stylize_video

        out = job.folder / f"result.{fmt.lower()}"
        with Session(opts, pool=state.pool) as session:
            summary = stylize_video(src, out, session, start=start, end=end, temporal=temporal, mask=selection,
                          select_at=select_at, progress=lambda n, total: job.report(n / total) if total else None,
                          cancel=job.cancel.is_set)
        job.warning = summary.warning
        src.unlink(missing_ok=True)
        return out, VIDEO_MEDIA[fmt.lower()]

    state.jobs.start(job, work)
    return job.view()


@router.get("/api/jobs/{job_id}")
async def job_state(job_id: str, state: ServerState = Depends(server_state)) -> dict:
    """State (queued, running, done, failed, cancelled), progress 0..1, ETA in seconds, error, result URL."""
    return state.jobs.get(job_id).view()


@router.get("/api/jobs/{job_id}/result")
async def job_result(job_id: str, state: ServerState = Depends(server_state)) -> Response:
    job = state.jobs.get(job_id)
    if job.state != "done" or job.result is None:
        return error(409, StylecutError(f"job {job_id} is {job.state}; no result" +
                                        (f" ({job.error})" if job.error else "")))
    return FileResponse(job.result, media_type=job.media_type, filename=f"stylecut-{job.id[:8]}{job.result.suffix}")


@router.delete("/api/jobs/{job_id}")
async def job_cancel(job_id: str, state: ServerState = Depends(server_state)) -> dict:
    """Cancel a queued or running job; delete a finished one and its result."""
    job = state.jobs.cancel(job_id)
    return {"id": job.id, "state": job.state}
