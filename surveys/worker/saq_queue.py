"""SAQ's queue and worker, configured through litestar-saq: the same queue for the web (enqueue) and workers (run)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from litestar_saq import QueueConfig, SAQConfig, SAQPlugin

from surveys.settings import Settings
from surveys.worker.queue import QueueJobs, job_context, job_functions, queue_dsn

QUEUE_NAME = "symmetry"
logger = logging.getLogger("surveys.worker")


def saq_plugin(settings: Settings, *, concurrency: int = 10) -> SAQPlugin:
    """The queue on the deployment's database (or Redis), with every job and the scheduled ones."""
    functions = job_functions()

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(await job_context(settings, QueueJobs(ctx["worker"].queue, settings)), parallel=True)
        ctx["periodic"] = asyncio.create_task(run_periodically(ctx, settings.sweep_seconds))

    async def shutdown(ctx: dict[str, Any]) -> None:
        periodic = ctx.get("periodic")
        if periodic is not None:
            periodic.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await periodic
        database = ctx.get("database")
        if database is not None:
            await database.get_engine().dispose()

    postgres = not settings.redis_url
    return SAQPlugin(
        SAQConfig(
            queue_configs=[
                QueueConfig(
                    dsn=queue_dsn(settings),
                    name=QUEUE_NAME,
                    tasks=list(functions.values()),
                    startup=startup,  # type: ignore[arg-type]
                    shutdown=shutdown,  # type: ignore[arg-type]
                    concurrency=concurrency,
                    broker_options={"min_size": 1, "max_size": concurrency + 2} if postgres else {},
                    separate_process=False,
                    # The queue's own sweep retries the jobs of dead workers: as often as a heartbeat may lapse.
                    timers={"sweep": min(60, settings.job_heartbeat_seconds)},  # type: ignore[arg-type]  # saq: PartialTimersDict keeps its parent's keys required
                )
            ],
            use_server_lifespan=False,
            web_enabled=False,
        )
    )


async def run_periodically(ctx: dict[str, Any], seconds: float) -> None:
    """Every worker, every `seconds`: the sweep, the waves due to open or close, the day's retention runs.

    A loop of each worker rather than a cron job of the queue: a cron job held by a worker that was killed stays
    "active" until the queue's own sweep notices, while both steps are safe to run in several workers at once
    (keyed enqueues, row locks).
    """
    from surveys.privacy.jobs import apply_retention
    from surveys.waves.jobs import open_and_close_due_waves
    from surveys.worker.sweep import sweep

    while True:
        for step in (sweep, open_and_close_due_waves, apply_retention):
            try:
                await step(ctx)
            except Exception:
                logger.exception("periodic %s failed", step.__name__)
        await asyncio.sleep(seconds)


def saq_queue(settings: Settings) -> Any:
    """The queue alone, for processes that only enqueue (the web)."""
    return saq_plugin(settings, concurrency=1).get_queue(QUEUE_NAME)
