"""The reports' jobs: render a closed wave's reports, then tell the managers."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from surveys.mail.jobs import send_wave_emails
from surveys.reporting.delivery import plan_notices
from surveys.reporting.rendering import render_wave
from surveys.reporting.storage import upload_rendered
from surveys.waves.models import Wave, WaveState
from surveys.worker.queue import JobRequest

logger = logging.getLogger("surveys.reporting")
RENDERER = "symmetry (job)"


def wave_reports_job(wave_id: uuid.UUID) -> JobRequest:
    """Render a closed wave's reports (those not up to date), then its notices."""
    return JobRequest(
        "render_wave_reports", key=f"reports:{wave_id}", kwargs={"wave_id": str(wave_id)}, timeout=4 * 3600
    )


def wave_notices_job(wave_id: uuid.UUID) -> JobRequest:
    """Tell each manager that their team's report is ready."""
    return JobRequest("send_wave_report_notices", key=f"notices:{wave_id}", kwargs={"wave_id": str(wave_id)})


async def render_wave_reports(ctx: dict[str, Any], *, wave_id: str) -> dict[str, int]:
    """Render into ``SYMMETRY_REPORTS_DIR/<wave id>``; a report that failed is recorded and tried by the next run.

    Each report renders in a worker process of its own pool; the job's timeout bounds the whole batch.
    """
    settings = ctx["settings"]
    async with ctx["session_maker"]() as session:
        wave = await session.get(Wave, uuid.UUID(wave_id))
        if wave is None or wave.state is not WaveState.CLOSED:
            return {"rendered": 0}
        out = (Path(settings.reports_dir) / wave_id).resolve()
        summary = await render_wave(
            session, wave, out, settings=settings, actor=RENDERER, workers=settings.render_processes
        )
        await upload_rendered(session, settings, wave.id, out)
    if settings.smtp_enabled and summary.rendered:
        await ctx["jobs"].enqueue(wave_notices_job(uuid.UUID(wave_id)))
    return {"rendered": summary.rendered, "skipped": summary.skipped, "failed": len(summary.failures)}


async def send_wave_report_notices(ctx: dict[str, Any], *, wave_id: str) -> int:
    """Queue the notices not yet sent for the reports' current files, then send them through the outbox."""
    async with ctx["session_maker"]() as session, session.begin():
        wave = await session.get_one(Wave, uuid.UUID(wave_id))
        await plan_notices(session, wave, attach=ctx["settings"].report_attach)
    return await send_wave_emails(ctx, wave_id=wave_id)
