"""What one request may cost, and the ASGI layer that enforces the body limits while reading."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Every bound a request meets (documented in the README's Robustness table)."""

    max_upload_bytes: int = 25 * 1024 * 1024  # per uploaded file
    max_pixels: int = 25_000_000  # per image, from its header (a 6000x4000 camera photo; 40 MP peaked at 5.2 GB)
    workers: int = 2  # requests processed at once
    queue: int = 32  # requests allowed to wait for a worker; more get 503
    max_style_size: int = 1536  # the style network's long side (24 MP + two styles + matting: 3.2 GB peak)
    max_gatys_iterations: int = 100
    max_gatys_size: int = 512
    read_timeout: float = 20.0  # seconds a request body may stall between two chunks (408 after)
    # jobs (POST /api/jobs): long work, polled for progress
    max_jobs: int = 4  # queued or running at once; more get 429
    job_workers: int = 1  # jobs running at once (each uses every core)
    job_ttl: float = 3600.0  # seconds a finished job and its result are kept
    max_video_bytes: int = 64 * 1024 * 1024
    max_video_seconds: float = 120.0
    max_job_gatys_iterations: int = 300
    max_job_gatys_size: int = 1024

    @property
    def max_body_bytes(self) -> int:
        """A whole request: three images and the form fields."""
        return 3 * self.max_upload_bytes + 1024 * 1024

    def body_cap(self, path: str) -> int:
        """The body limit for a path: a job may carry a clip and two paintings."""
        if path.rstrip("/") == "/api/jobs":
            return self.max_video_bytes + 2 * self.max_upload_bytes + 1024 * 1024
        return self.max_body_bytes


class BodyTooLarge(Exception):
    """The request body passed max_body_bytes while it was being read (chunked bodies included)."""


class BodyStalled(Exception):
    """The client stopped sending its body for longer than read_timeout."""


class BodyLimit:
    """ASGI middleware: counts body bytes as they arrive and stops a stalled upload.

    A declared Content-Length over the limit is refused before reading; a chunked body is cut off
    as soon as it passes the limit, so nothing large is read or spooled to disk. Errors raised
    here surface through FastAPI's body parsing (as the cause of its 400), where the app's error
    handler turns them into 413 / 408.
    """

    def __init__(self, app, limits: Limits):
        self.app, self.limits = app, limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        cap = self.limits.body_cap(scope.get("path", ""))
        if length.isdigit() and int(length) > cap:
            return await _json(send, 413, "request body too large")
        seen = 0

        async def counted():
            nonlocal seen
            try:
                message = await asyncio.wait_for(receive(), timeout=self.limits.read_timeout)
            except asyncio.TimeoutError:
                raise BodyStalled(f"the request body stalled for {self.limits.read_timeout:g} s") from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(f"request body too large (over {cap // (1024 * 1024)} MB)")
            return message

        await self.app(scope, counted, send)


async def _json(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
