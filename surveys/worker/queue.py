"""Enqueuing jobs, and running them: on SAQ's queue when the deployment has one, in this process otherwise.

Every job is a function ``async def name(ctx, **ids)`` in the ``jobs.py`` of its feature; it opens its own units
of work and may run twice without harm. A job is requested with a key naming the row it works on, so a second
request while the first is waiting or running is a no-op. Web requests buffer their jobs (``defer``) and hand them
over only once their transaction has committed, so a worker never looks for a row that is not there yet, and a
rolled-back request enqueues nothing.

``SYMMETRY_JOBS``: ``queue`` sends jobs to SAQ's queue in PostgreSQL (``SYMMETRY_REDIS_URL`` selects Redis
instead), where ``symmetry worker`` processes on any machine take them; ``inline`` runs them in the process that
asked, after the commit (the embedded default, with nothing to start); ``auto`` is ``queue`` on PostgreSQL and
``inline`` on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from litestar.connection import ASGIConnection

from surveys.settings import Settings

logger = logging.getLogger("surveys.worker")
JobFunction = Callable[..., Awaitable[Any]]
_DEFERRED = "symmetry.jobs"


@dataclass(frozen=True, slots=True)
class JobRequest:
    """One job to run: its function's name, the key that makes it unique, its arguments and limits."""

    function: str
    key: str
    kwargs: dict[str, str] = field(default_factory=dict)
    timeout: int = 600
    retries: int = 3
    beats: bool = False
    """Whether the job shows it is alive (``keep_alive``): the queue then runs it again within
    ``SYMMETRY_JOB_HEARTBEAT_SECONDS`` of its worker's death instead of waiting for its timeout."""


class Jobs(Protocol):
    """Where jobs go."""

    swept: bool
    """Whether workers sweep periodically (``surveys.worker.sweep``), asking for the jobs a sweep finds due: a
    request may then leave those to them rather than pay an enqueue (about 3 ms on SAQ's queue)."""

    async def enqueue(self, request: JobRequest) -> None:
        """Request the job; a no-op while a job of the same key waits or runs."""

    async def close(self) -> None:
        """Release what the jobs hold (the process is stopping)."""


def job_functions() -> dict[str, JobFunction]:
    """Every job, by name (imported here, not at start-up, so that the CLI starts fast)."""
    from surveys.collection.jobs import mix_sealed_answers
    from surveys.mail.jobs import send_email, send_wave_emails
    from surveys.privacy.jobs import apply_retention
    from surveys.reporting.jobs import render_report_chunk, render_wave_reports, send_wave_report_notices
    from surveys.waves.jobs import finish_closing, open_and_close_due_waves
    from surveys.worker.sweep import sweep

    functions: list[JobFunction] = [
        send_email,
        send_wave_emails,
        finish_closing,
        open_and_close_due_waves,
        render_wave_reports,
        render_report_chunk,
        send_wave_report_notices,
        mix_sealed_answers,
        sweep,
        apply_retention,
    ]
    return {function.__name__: function for function in functions}


def uses_queue(settings: Settings) -> bool:
    """Whether jobs go to SAQ's queue rather than run in-process."""
    if settings.jobs == "auto":
        return settings.database_url.startswith("postgresql") or bool(settings.redis_url)
    return settings.jobs == "queue"


def queue_dsn(settings: Settings) -> str:
    """SAQ's connection: Redis when configured, else the deployment's PostgreSQL (psycopg's URL form)."""
    if settings.redis_url:
        return settings.redis_url
    scheme, _, rest = settings.database_url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgresql") else settings.database_url


async def job_context(settings: Settings, jobs: Jobs) -> dict[str, Any]:
    """What every job receives: the settings, a database, where to enqueue the next jobs, the mailer.

    ``shared`` is what the jobs of one process share (a lock, a cache): SAQ gives each job a shallow copy of this
    context, so anything a job sets on the context itself is gone with it, while this dict is the same in all.
    """
    from surveys.db import alchemy_config
    from surveys.mail.outbox import SmtpMailer

    database = alchemy_config(settings)
    return {
        "settings": settings,
        "database": database,
        "session_maker": database.create_session_maker(),
        "jobs": jobs,
        "mailer": SmtpMailer(settings),
        "shared": {},
    }


class InlineJobs:
    """Runs each job as a task of this process's event loop, one at a time per key, retried on failure."""

    swept = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.running: dict[str, asyncio.Task[None]] = {}
        self._context: dict[str, Any] | None = None

    async def enqueue(self, request: JobRequest) -> None:
        """Start the job in the background unless one of the same key is running."""
        if request.key in self.running:
            return
        self.running[request.key] = asyncio.create_task(self._run(request))

    async def run(self, request: JobRequest) -> None:
        """Run the job now and wait for it and for every job it enqueued (the CLI, the demo, tests)."""
        await self._run(request)
        await self.drain()

    async def drain(self) -> None:
        """Wait until no job runs, including those enqueued meanwhile."""
        while self.running:
            await asyncio.gather(*list(self.running.values()), return_exceptions=True)

    async def close(self) -> None:
        """Finish the running jobs, then release the database."""
        await self.drain()
        if self._context is not None:
            await self._context["database"].get_engine().dispose()
            self._context = None

    async def _run(self, request: JobRequest) -> None:
        if self._context is None:
            self._context = await job_context(self.settings, self)
        function = job_functions()[request.function]
        try:
            for attempt in range(1, request.retries + 2):
                try:
                    await asyncio.wait_for(function(self._context, **request.kwargs), request.timeout)
                    return
                except Exception:
                    logger.exception("job %s failed (attempt %d)", request.function, attempt)
                    await asyncio.sleep(min(2**attempt, 30) / 10)
        finally:
            task = self.running.get(request.key)
            if task is asyncio.current_task():
                del self.running[request.key]


class QueueJobs:
    """Puts jobs on SAQ's queue, keyed, for ``symmetry worker`` processes to take."""

    swept = True

    def __init__(self, queue: Any, settings: Settings) -> None:
        self.queue = queue
        self.heartbeat = settings.job_heartbeat_seconds
        self._connected = False
        self._connecting = asyncio.Lock()

    async def enqueue(self, request: JobRequest) -> None:
        """Insert the job unless one of the same key waits or runs (SAQ's unique key)."""
        async with self._connecting:
            if not self._connected:
                await self.queue.connect()
                self._connected = True
        await self.queue.enqueue(
            request.function,
            key=request.key,
            timeout=request.timeout,
            retries=request.retries,
            heartbeat=self.heartbeat if request.beats else 0,
            **request.kwargs,
        )

    async def close(self) -> None:
        """Close the queue's connections."""
        if self._connected:
            await self.queue.disconnect()
            self._connected = False


@contextlib.asynccontextmanager
async def keep_alive(ctx: dict[str, Any]) -> AsyncIterator[None]:
    """Touch the running queue job ten times per heartbeat while the block runs; in-process, nothing.

    The queue then retries the job soon after its worker dies (a job of hours would otherwise wait for its
    timeout), while it leaves a live one alone.
    """
    job = ctx.get("job")
    if job is None or not job.heartbeat:
        yield
        return

    async def beat() -> None:
        while True:
            await asyncio.sleep(job.heartbeat / 10)
            try:
                await job.update()
            except Exception:  # a missed beat is not the job's failure; the next one may pass
                logger.warning("could not touch job %s", job.function, exc_info=True)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


def defer(connection: ASGIConnection[Any, Any, Any, Any], request: JobRequest) -> None:
    """Buffer a job of this web request; it is enqueued once the request's transaction has committed."""
    scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
    scope.setdefault(_DEFERRED, []).append(request)


def enqueue_after_commit(jobs: Jobs) -> Callable[[dict[str, Any], int], Awaitable[None]]:
    """What the web runs after its commit: enqueue the request's buffered jobs, if the response is a success."""

    async def enqueue_deferred(scope: dict[str, Any], status: int) -> None:
        requests: list[JobRequest] = scope.pop(_DEFERRED, [])
        if status >= 400:
            return  # the transaction was rolled back: the jobs' rows do not exist
        for request in requests:
            await jobs.enqueue(request)

    return enqueue_deferred
