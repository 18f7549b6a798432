"""``symmetry worker``: take jobs from the queue, on any machine that reaches the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import click

from surveys.catalog import tr, trn
from surveys.settings import Settings


async def run_worker(settings: Settings, concurrency: int) -> None:
    """Run SAQ's worker until SIGINT or SIGTERM, then let the running jobs finish their grace period."""
    from surveys.worker.saq_queue import QUEUE_NAME, saq_plugin

    worker = saq_plugin(settings, concurrency=concurrency).get_workers()[QUEUE_NAME]
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await worker.queue.connect()
    try:
        running = asyncio.create_task(worker.start())
        stop = asyncio.create_task(stopping.wait())
        done, _ = await asyncio.wait([running, stop], return_when=asyncio.FIRST_COMPLETED)
        if running in done:
            running.result()
        await worker.stop()
        for task in (running, stop):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        await worker.queue.disconnect()


@click.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 200), default=10, show_default=True, help="Jobs run at once by this worker."
)
@click.pass_obj
def worker(settings: Settings, concurrency: int) -> None:
    """Take jobs (e-mails, closing waves, rendering reports, notices, the scheduled sweep) from the queue.

    Start as many as needed, on this machine or others that reach the database: each job is taken by one worker.
    Needs the queue: PostgreSQL (SYMMETRY_DATABASE_URL) or Redis (SYMMETRY_REDIS_URL). On SQLite, jobs run
    inside the web process and the commands, and no worker is needed.
    """
    from surveys.worker.queue import uses_queue

    if not uses_queue(settings):
        raise click.ClickException(
            tr(
                "no job queue: on SQLite jobs run in-process (SYMMETRY_JOBS=inline); a worker needs PostgreSQL "
                "(SYMMETRY_DATABASE_URL) or Redis (SYMMETRY_REDIS_URL)"
            )
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(
        trn(
            "Worker started with %(num)s concurrent job; Ctrl-C or SIGTERM stops it.",
            "Worker started with %(num)s concurrent jobs; Ctrl-C or SIGTERM stops it.",
            concurrency,
        )
    )
    asyncio.run(run_worker(settings, concurrency))
