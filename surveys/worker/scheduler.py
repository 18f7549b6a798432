"""The periodic work of a process that runs its jobs itself: the embedded default has no worker to do it.

Every `seconds`, the sweep, then the waves due to open, be reminded or close, then the retention policies
(once a day each), as each worker does on a queue
(``surveys.worker.saq_queue.run_periodically``). All are safe in several processes at once: keyed jobs, rows
locked, each reminder day counted once, each retention day run once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from surveys.worker.queue import InlineJobs, JobRequest

logger = logging.getLogger("surveys.worker")
STEPS = ("sweep", "open_and_close_due_waves", "apply_retention")


class InProcessSchedule:
    """A task of the web process's event loop, started and stopped with the application."""

    def __init__(self, jobs: InlineJobs, seconds: float) -> None:
        self.jobs, self.seconds = jobs, seconds
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin the loop (the application's start-up)."""
        self.task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """End the loop (the application's shutdown), before the jobs finish and the database closes."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _loop(self) -> None:
        while True:
            for step in STEPS:
                try:
                    await self.jobs.run(JobRequest(step, key=f"periodic:{step}"))
                except Exception:  # the jobs log their own failures; this keeps the loop alive whatever happens
                    logger.exception("periodic %s failed", step)
            await asyncio.sleep(self.seconds)
