"""SAQ's queue and worker, configured through litestar-saq: the same queue for the web (enqueue) and workers (run)."""

from __future__ import annotations

from typing import Any

from litestar_saq import CronJob, QueueConfig, SAQConfig, SAQPlugin

from surveys.settings import Settings
from surveys.worker.queue import QueueJobs, job_context, job_functions, queue_dsn

QUEUE_NAME = "symmetry"


def saq_plugin(settings: Settings, *, concurrency: int = 10) -> SAQPlugin:
    """The queue on the deployment's database (or Redis), with every job and the scheduled ones."""
    functions = job_functions()

    async def startup(ctx: dict[str, Any]) -> None:
        ctx.update(await job_context(settings, QueueJobs(ctx["worker"].queue)), parallel=True)

    async def shutdown(ctx: dict[str, Any]) -> None:
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
                    scheduled_tasks=[
                        # Every minute: re-enqueue what is stuck, purge what has expired.
                        CronJob(function=functions["sweep"], cron="* * * * *", timeout=300),
                        # Waves open and close by themselves at their dates.
                        CronJob(function=functions["open_and_close_due_waves"], cron="* * * * *", timeout=300),
                    ],
                    startup=startup,  # type: ignore[arg-type]
                    shutdown=shutdown,  # type: ignore[arg-type]
                    concurrency=concurrency,
                    broker_options={"min_size": 1, "max_size": concurrency + 2} if postgres else {},
                    separate_process=False,
                )
            ],
            use_server_lifespan=False,
            web_enabled=False,
        )
    )


def saq_queue(settings: Settings) -> Any:
    """The queue alone, for processes that only enqueue (the web)."""
    return saq_plugin(settings, concurrency=1).get_queue(QUEUE_NAME)
