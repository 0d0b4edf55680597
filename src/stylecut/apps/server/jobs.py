"""Long work over HTTP: a bounded queue of jobs (videos, Gatys photos) with progress, cancel and expiry.

A job runs on its own worker thread (at most `limits.job_workers` at once) in a private folder under
the server's temporary jobs folder. Its state is polled (`GET /api/jobs/{id}`), its result fetched once
done, and both are forgotten (files deleted) `limits.job_ttl` seconds after it ends, or at DELETE.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from stylecut.apps.server.limits import Limits
from stylecut.core.errors import Cancelled, StylecutError

STATES = ("queued", "running", "done", "failed", "cancelled")


class JobNotFound(StylecutError):
    """No such job (never made, expired, or deleted)."""


class JobsFull(StylecutError):
    """As many jobs are queued or running as the server allows."""


@dataclass
class Job:
    """One job's state; `folder` holds its input and its result."""

    id: str
    kind: str
    folder: Path
    created: float = field(default_factory=time.time)
    state: str = "queued"
    progress: float = 0.0
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    warning: str | None = None  # done, with a caveat (a clip that ended early)
    result: Path | None = None
    media_type: str = "application/octet-stream"
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def report(self, fraction: float) -> None:
        """Progress from the work (0..1)."""
        self.progress = max(self.progress, min(1.0, float(fraction)))

    def view(self) -> dict:
        """What GET /api/jobs/{id} answers."""
        eta = None
        if self.state == "running" and self.started and self.progress > 0.02:
            spent = time.time() - self.started
            eta = round(spent / self.progress * (1 - self.progress), 1)
        return {"id": self.id, "kind": self.kind, "state": self.state, "progress": round(self.progress, 4),
                "eta_seconds": eta, "error": self.error, "warning": self.warning,
                "result": f"/api/jobs/{self.id}/result" if self.state == "done" else None,
                "media_type": self.media_type if self.state == "done" else None,
                "seconds": round((self.finished or time.time()) - self.started, 1) if self.started else None}


Work = Callable[[Job], tuple[Path, str]]  # does the job in job.folder -> (result file, media type)


class JobQueue:
    """Bounded jobs: at most limits.max_jobs queued or running; finished ones expire after limits.job_ttl."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix="stylecut-jobs-"))
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=limits.job_workers, thread_name_prefix="stylecut-job")

    def new(self, kind: str) -> Job:
        """Reserve a job slot and its folder (JobsFull when the queue is full); then fill the folder and start()."""
        self.expire()
        with self.lock:
            if sum(j.active for j in self.jobs.values()) >= self.limits.max_jobs:
                raise JobsFull(f"{self.limits.max_jobs} jobs are queued or running; try again later")
            job = Job(uuid.uuid4().hex, kind, self.root / uuid.uuid4().hex)
            job.folder.mkdir()
            self.jobs[job.id] = job
        return job

    def start(self, job: Job, work: Work) -> None:
        self.pool.submit(self._run, job, work)

    def _run(self, job: Job, work: Work) -> None:
        if job.cancel.is_set():
            return self._end(job, "cancelled")
        job.state, job.started = "running", time.time()
        try:
            job.result, job.media_type = work(job)
        except Cancelled:
            return self._end(job, "cancelled")
        except StylecutError as exc:
            return self._end(job, "failed", str(exc))
        except MemoryError:
            return self._end(job, "failed", "out of memory; try a shorter or smaller clip")
        except Exception as exc:  # a bug: the job fails with a line, the server stays up
            return self._end(job, "failed", f"internal error: {type(exc).__name__}: {exc}")
        job.progress = 1.0
        self._end(job, "done")

    def _end(self, job: Job, state: str, error: str | None = None) -> None:
        if error is not None:  # the job's own folder is the server's business, not the client's
            error = error.replace(str(job.folder) + "/", "").replace(str(job.folder), "the job")
        job.state, job.error, job.finished = state, error, time.time()
        if state != "done":
            shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> Job:
        self.expire()
        job = self.jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"no job {job_id!r} (it may have expired)")
        return job

    def cancel(self, job_id: str) -> Job:
        """Stop a queued or running job; a finished one is deleted with its result."""
        job = self.get(job_id)
        job.cancel.set()
        if job.state == "queued":
            self._end(job, "cancelled")
        elif not job.active:
            self.forget(job)
        return job

    def forget(self, job: Job) -> None:
        with self.lock:
            self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def expire(self) -> None:
        now = time.time()
        for job in list(self.jobs.values()):
            if job.finished is not None and now - job.finished > self.limits.job_ttl:
                self.forget(job)

    def counts(self) -> dict:
        return {s: sum(j.state == s for j in self.jobs.values()) for s in STATES}

    def close(self) -> None:
        """Cancel everything and delete every job's files (server shutdown)."""
        for job in list(self.jobs.values()):
            job.cancel.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)
