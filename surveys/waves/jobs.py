"""The waves' jobs: finishing a close out of the request, and opening and closing waves at their dates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from surveys.org.models import Organisation
from surveys.org.services import local_today
from surveys.waves.actions import close, launch, remind, request_close
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
    """Open the waves due to open, remind on an open wave's reminder days, begin closing those past their date.

    Reminders go only with an SMTP server, to those who have not answered, within ``SYMMETRY_MAX_REMINDERS``;
    each reminder day is queued once (``wave.reminder_rounds``), and days missed while nothing ran count as one.
    Dates are read where each wave's organisation is (`today` overrides them, for tests). Each wave in a
    transaction of its own, its row locked, so a lead's click at the same moment is refused cleanly.
    """
    from surveys.mail.jobs import wave_emails_job

    settings = ctx["settings"]
    session_maker = ctx["session_maker"]
    async with session_maker() as session:
        waves = (
            await session.execute(
                sa.select(
                    Wave.id,
                    Wave.state,
                    Wave.opens_on,
                    Wave.closes_on,
                    Wave.reminder_days,
                    Wave.reminder_rounds,
                    Organisation.time_zone,
                )
                .join(Organisation, Organisation.id == Wave.organisation_id)
                .where(Wave.state.in_([WaveState.SCHEDULED, WaveState.OPEN]))
            )
        ).all()
    days = {wave_id: dt.date.fromisoformat(today) if today else local_today(zone) for wave_id, *_, zone in waves}
    due_to_open = [w for w, state, opens, *_ in waves if state is WaveState.SCHEDULED and opens <= days[w]]
    due_to_close = [w for w, state, _, closes, *_ in waves if state is WaveState.OPEN and closes < days[w]]
    due_to_remind = {
        w: rounds
        for w, state, _, closes, reminder_days, done, _ in waves
        if state is WaveState.OPEN
        and closes >= days[w]
        and settings.smtp_enabled
        and (rounds := _rounds_due(reminder_days, closes, days[w])) > done
    }
    for wave_id in due_to_open:
        async with session_maker() as session, session.begin():
            wave = await session.get_one(Wave, wave_id, with_for_update=WAVE_LOCK)
            if wave.state is WaveState.SCHEDULED:
                await launch(session, wave, settings, actor=SCHEDULER, today=days[wave_id])
        if settings.smtp_enabled:
            await ctx["jobs"].enqueue(wave_emails_job(wave_id))
    for wave_id, rounds in due_to_remind.items():
        async with session_maker() as session, session.begin():
            wave = await session.get_one(Wave, wave_id, with_for_update=WAVE_LOCK)
            if wave.state is not WaveState.OPEN or wave.reminder_rounds >= rounds:
                continue  # another worker reminded, or a lead closed it, meanwhile
            await remind(session, wave, settings, actor=SCHEDULER)
            wave.reminder_rounds = rounds
        await ctx["jobs"].enqueue(wave_emails_job(wave_id))
    for wave_id in due_to_close:
        async with session_maker() as session, session.begin():
            wave = await session.get_one(Wave, wave_id, with_for_update=WAVE_LOCK)
            if wave.state is WaveState.OPEN:
                await request_close(session, wave, actor=SCHEDULER)
        await ctx["jobs"].enqueue(finish_closing_job(wave_id))
    return {"opened": len(due_to_open), "reminded": len(due_to_remind), "closing": len(due_to_close)}


def _rounds_due(reminder_days: str, closes_on: dt.date, today: dt.date) -> int:
    """How many of the reminder days (days before `closes_on`) have come by `today`."""
    return sum(1 for day in reminder_days.split(",") if day and closes_on - dt.timedelta(days=int(day)) <= today)
