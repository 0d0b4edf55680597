"""What one server holds between requests (limits, the worker gate, caches, the job queue) and the
gate every blocking request passes through; routes get it with Depends(server_state)."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from stylecut.apps.server.jobs import JobQueue
from stylecut.apps.server.limits import Limits
from stylecut.runtime.caches import Cache
from stylecut.runtime.onnx_session import shared_threads, threads_per_run

# person masks by content (selfie look, coarse mask, refined alpha): ~6 photos at 1024 px (preview -> clicks -> stylize)
MASK_CACHE_BYTES = 48 * 1024 * 1024


class ClientGone(Exception):
    """The client left before its turn came."""


class Busy(Exception):
    """Every worker is busy and the queue is full."""


def release_memory() -> None:
    """Give freed heap back to the system after work (glibc keeps it per thread arena otherwise)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class ServerState:
    """One server's shared state: made by create_app, kept on app.state.server."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.gate = asyncio.Semaphore(limits.workers)
        self.counts = {"waiting": 0, "busy": 0, "served": 0}
        self.stopping = threading.Event()  # set at SIGTERM / shutdown: running work is cancelled
        self.previews: dict[str, bytes] = {}
        self.cache = Cache(mask_bytes=MASK_CACHE_BYTES)  # the page's mask preview and its stylize call segment once
        self.pool = ThreadPoolExecutor(max_workers=3 * limits.workers, thread_name_prefix="stylecut")
        self.jobs = JobQueue(limits)

    def _shared(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn with each network on its share of the cores among the requests running now (Session.map's
        way under load; a request alone keeps every core)."""
        with threads_per_run(shared_threads(self.counts["busy"])):
            return fn(*args)

    async def limited(self, request: Request, fn: Callable[..., Any], *args: Any) -> Any:
        """Run blocking work on a worker thread, at most `workers` at once and `queue` waiting.

        fn gets a cancel() callable as its last argument: true once the client has gone away or
        the server is stopping (the engines check it between steps).
        """
        counts = self.counts
        if counts["waiting"] >= self.limits.queue:
            raise Busy("the server is busy; try again in a moment")
        counts["waiting"] += 1
        try:
            await self.gate.acquire()  # if the client goes away while waiting, nothing is held
        finally:
            counts["waiting"] -= 1
        gone = threading.Event()

        async def watch() -> None:
            while not gone.is_set():
                if await request.is_disconnected():
                    gone.set()
                await asyncio.sleep(0.25)

        watcher = asyncio.create_task(watch())
        counts["busy"] += 1
        try:
            if await request.is_disconnected():
                raise ClientGone()
            return await run_in_threadpool(self._shared, fn, *args, lambda: gone.is_set() or self.stopping.is_set())
        finally:
            gone.set()
            watcher.cancel()
            counts["busy"] -= 1
            self.gate.release()
            counts["served"] += 1
            if counts["busy"] == 0:
                release_memory()


def server_state(request: Request) -> ServerState:
    """The dependency routes take: this app's ServerState."""
    state: ServerState = request.app.state.server
    return state
