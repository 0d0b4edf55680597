"""Every error as JSON {"error": ...} with its status: the library's errors, the server's limits, FastAPI's own."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from stylecut.apps.server.jobs import JobNotFound, JobsFull
from stylecut.apps.server.limits import BodyStalled, BodyTooLarge
from stylecut.apps.server.state import Busy, ClientGone
from stylecut.core.errors import Cancelled, ImageTooLargeError, NotAnImageError, StylecutError


class UploadTooLarge(Exception):
    """An uploaded file over the server's limit."""


def error(status: int, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=status)


# exception type -> status; a subclass listed after its base (StylecutError) still finds its own row first
STATUS: list[tuple[type[Exception], int]] = [
    (UploadTooLarge, 413), (ImageTooLargeError, 413), (NotAnImageError, 415), (StylecutError, 400),
    (Busy, 503), (JobNotFound, 404), (JobsFull, 429),
]


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if isinstance(cause, BodyTooLarge):
        return error(413, cause)
    if isinstance(cause, BodyStalled):
        return error(408, cause)
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)


def install(app: FastAPI) -> None:
    """Register every handler on the app."""
    from stylecut.pipeline.session import NoPersonError

    app.add_exception_handler(NoPersonError, lambda r, e: error(422, e))
    for kind, status in STATUS:
        app.add_exception_handler(kind, lambda r, e, status=status: error(status, e))
    app.add_exception_handler(Cancelled, lambda r, e: error(503, StylecutError("cancelled: the server is stopping")))
    app.add_exception_handler(ClientGone, lambda r, e: error(499, StylecutError("the client went away")))
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
