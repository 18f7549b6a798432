"""The waves' jobs: finishing a close out of the request, and opening and closing waves at their dates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from surveys.waves.actions import close, launch, request_close
from surveys.waves.models import WAVE_LOCK, Wave, WaveState
from surveys.worker.queue import JobRequest, keep_alive

SCHEDULER = "symmetry (scheduler)"


def finish_closing_job(wave_id: uuid.UUID) -> JobRequest:
    """Scramble, analyse and store a closing wave's results, then render its reports."""
    return JobRequest(
        "finish_closing", key=f"close:{wave_id}", kwargs={"wave_id": str(wave_id)}, timeout=3 * 3600, beats=True
    )


async def finish_closing(ctx: dict[str, Any], *, wave_id: str) -> str:
    """Close a closing wave in one transaction (so no page sees it closed without results), then enqueue rendering.

    Run twice, the second finds the wave closed and does nothing.
    """
    from surveys.reporting.jobs import wave_reports_job  # reporting builds on waves

    async with keep_alive(ctx), ctx["session_maker"]() as session, session.begin():
        wave = await session.get(Wave, uuid.UUID(wave_id), with_for_update=WAVE_LOCK)
        if wave is None or wave.state is not WaveState.CLOSING:
            return "nothing to do"
        await close(session, wave, ctx["settings"], actor=SCHEDULER)
    await ctx["jobs"].enqueue(wave_reports_job(uuid.UUID(wave_id)))
    return "closed"


async def open_and_close_due_waves(ctx: dict[str, Any], *, today: str | None = None) -> dict[str, int]:
    """Open the scheduled waves whose opening date has come, and begin closing the open ones past their closing date.

    Each wave in a transaction of its own, its row locked, so a lead's click at the same moment is refused cleanly.
    """
    from surveys.mail.jobs import wave_emails_job

    day = dt.date.fromisoformat(today) if today else dt.date.today()
    settings = ctx["settings"]
    session_maker = ctx["session_maker"]
    async with session_maker() as session:
        due_to_open = list(
            await session.scalars(sa.select(Wave.id).where(Wave.state == WaveState.SCHEDULED, Wave.opens_on <= day))
        )
        due_to_close = list(
            await session.scalars(sa.select(Wave.id).where(Wave.state == WaveState.OPEN, Wave.closes_on < day))
        )
    for wave_id in due_to_open:
        async with session_maker() as session, session.begin():
            wave = await session.get_one(Wave, wave_id, with_for_update=WAVE_LOCK)
            if wave.state is WaveState.SCHEDULED:
                await launch(session, wave, settings, actor=SCHEDULER, today=day)
        if settings.smtp_enabled:
            await ctx["jobs"].enqueue(wave_emails_job(wave_id))
    for wave_id in due_to_close:
        async with session_maker() as session, session.begin():
            wave = await session.get_one(Wave, wave_id, with_for_update=WAVE_LOCK)
            if wave.state is WaveState.OPEN:
                await request_close(session, wave, actor=SCHEDULER)
        await ctx["jobs"].enqueue(finish_closing_job(wave_id))
    return {"opened": len(due_to_open), "closing": len(due_to_close)}
