"""HTTP API and web page: a thin FastAPI layer over the library, safe to leave running.

Safety: uploads are capped while they are read (413), images are checked for their pixel count
from the header before any decoding (413), content is sniffed by decoding (415 if not an image),
every library error is a JSON 4xx with a message, work runs on a bounded number of worker threads
with a bounded queue (503 when full), no request can name a file path or URL, and caches are
bounded so memory does not grow across requests (the library caches person masks and style
vectors by content, so the page's mask preview and the stylize call that follows run the model once).
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from stylecut.apps.server import errors
from stylecut.apps.server.limits import BodyLimit, Limits
from stylecut.apps.server.routes import images, jobs, meta
from stylecut.apps.server.state import ServerState


def create_app(limits: Limits | None = None) -> FastAPI:
    """The FastAPI application (models load on first use and are shared by all requests); default Limits()."""
    from stylecut import __version__

    state = ServerState(limits or Limits())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.stopping.set()  # shutdown: running optimisations stop at their next step
        await run_in_threadpool(state.jobs.close)  # running jobs stop at their next frame / step; files deleted

    app = FastAPI(title="stylecut", version=__version__, lifespan=lifespan,
                  description="Neural style transfer where you choose: background, person or both.")
    app.state.server = state
    app.add_middleware(BodyLimit, limits=state.limits)
    errors.install(app)
    for router in (meta.router, images.router, jobs.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=meta.STATIC), name="static")
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    app = create_app(Limits(workers=workers))

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:  # SIGTERM / SIGINT: cancel running work, then drain
            app.state.server.stopping.set()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=8)
    Server(config).run()
