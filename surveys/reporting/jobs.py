"""The reports' jobs: plan a closed wave's reports, render them in chunks any worker takes, then tell the managers.

A wave of 20,000 teams is rendered by every worker there is: the planning job marks the reports to render as
pending and enqueues one job per chunk of ``SYMMETRY_RENDER_CHUNK`` reports; the chunk that leaves no report
pending enqueues the notices. Each worker renders one chunk at a time, in ``SYMMETRY_RENDER_PROCESSES`` processes.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.jobs import send_wave_emails
from surveys.reporting.delivery import plan_notices
from surveys.reporting.inputs import WaveReportData, load_report_data
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.rendering import render_wave
from surveys.reporting.services import plan_reports
from surveys.reporting.storage import upload_rendered
from surveys.results.models import WaveAnalysisRecord
from surveys.waves.models import Wave, WaveState
from surveys.worker.queue import JobRequest, keep_alive

RENDERER = "symmetry (job)"


def wave_reports_job(wave_id: uuid.UUID) -> JobRequest:
    """Plan a closed wave's reports (those not up to date) and enqueue their rendering."""
    return JobRequest("render_wave_reports", key=f"reports:{wave_id}", kwargs={"wave_id": str(wave_id)})


def report_chunk_job(wave_id: uuid.UUID, record_ids: list[uuid.UUID]) -> JobRequest:
    """Render these reports of the wave (their status rows' ids)."""
    return JobRequest(
        "render_report_chunk",
        key=f"render:{wave_id}:{record_ids[0]}",
        kwargs={"wave_id": str(wave_id), "reports": ",".join(map(str, record_ids))},
        timeout=6 * 3600,  # chunks wait their turn in their worker; each report has its own deadline
        retries=2,
        beats=True,
    )


def wave_notices_job(wave_id: uuid.UUID) -> JobRequest:
    """Tell each manager that their team's report is ready."""
    return JobRequest("send_wave_report_notices", key=f"notices:{wave_id}", kwargs={"wave_id": str(wave_id)})


def _out(ctx: dict[str, Any], wave_id: str) -> Path:
    return (Path(ctx["settings"].reports_dir) / wave_id).resolve()


async def render_wave_reports(ctx: dict[str, Any], *, wave_id: str) -> int:
    """Mark the wave's reports that are not up to date as pending and enqueue them in chunks; how many there are.

    In-process (the embedded default) the whole wave is one chunk. With nothing to render, the notices follow.
    """
    settings = ctx["settings"]
    async with ctx["session_maker"]() as session, session.begin():
        wave = await session.get(Wave, uuid.UUID(wave_id))
        if wave is None or wave.state is not WaveState.CLOSED:
            return 0
        plan = await plan_reports(
            session,
            wave,
            _out(ctx, wave_id),
            comment_threshold=settings.comment_threshold,
            data=await _wave_data(ctx, session, wave),
        )
        record_ids = [report.record_id for report in plan.to_render]
        size = settings.render_chunk if ctx.get("parallel") else max(len(record_ids), 1)
        chunks = [record_ids[start : start + size] for start in range(0, len(record_ids), size)]
        for chunk in chunks:
            await session.execute(
                sa.update(ReportRecord)
                .where(ReportRecord.id.in_(chunk))
                .values(status=ReportStatus.PENDING, error=None)
                .execution_options(synchronize_session=False)
            )
    for chunk in chunks:
        await ctx["jobs"].enqueue(report_chunk_job(uuid.UUID(wave_id), chunk))
    if not chunks and settings.smtp_enabled:
        await ctx["jobs"].enqueue(wave_notices_job(uuid.UUID(wave_id)))
    return len(record_ids)


async def _wave_data(ctx: dict[str, Any], session: AsyncSession, wave: Wave) -> WaveReportData:
    """The wave's report data, loaded once per worker for all the chunks of the wave it takes.

    Loading recomputes the analysis and reads the whole wave (seconds at 1,000 teams), which every chunk would
    otherwise repeat. Kept while the wave's stored analysis is the same one (``symmetry analyze`` replaces it).
    """
    settings = ctx["settings"]
    computed_at = await session.scalar(
        sa.select(WaveAnalysisRecord.computed_at).where(WaveAnalysisRecord.wave_id == wave.id)
    )
    key = (wave.id, computed_at, settings.comment_threshold, settings.public_url)
    cached = ctx["shared"].get("report_data")
    if cached is not None and cached[0] == key:
        return cast(WaveReportData, cached[1])
    data = await load_report_data(
        session, wave, comment_threshold=settings.comment_threshold, public_url=settings.public_url
    )
    ctx["shared"]["report_data"] = (key, data)
    return data


async def render_report_chunk(ctx: dict[str, Any], *, wave_id: str, reports: str) -> dict[str, int]:
    """Render the chunk's reports that are not up to date, record each outcome, upload the files.

    One chunk at a time per worker process (its rendering processes use the machine's cores); a chunk run again
    renders only what the first run did not. The chunk after which no report of the wave is pending enqueues the
    notices.
    """
    settings = ctx["settings"]
    only = frozenset(uuid.UUID(record_id) for record_id in reports.split(","))
    rendering: asyncio.Semaphore = ctx["shared"].setdefault("rendering", asyncio.Semaphore(1))
    async with keep_alive(ctx), rendering, ctx["session_maker"]() as session:
        wave = await session.get(Wave, uuid.UUID(wave_id))
        if wave is None or wave.state is not WaveState.CLOSED:
            return {"rendered": 0}
        out = _out(ctx, wave_id)
        summary = await render_wave(
            session, wave, out, settings=settings, actor=RENDERER, workers=settings.render_processes, only=only,
            data=await _wave_data(ctx, session, wave),
        )  # fmt: skip
        await upload_rendered(session, settings, wave.id, out)
        pending = await session.scalar(
            sa.select(sa.func.count())
            .select_from(ReportRecord)
            .where(ReportRecord.wave_id == wave.id, ReportRecord.status == ReportStatus.PENDING)
        )
    if not pending and settings.smtp_enabled:
        await ctx["jobs"].enqueue(wave_notices_job(uuid.UUID(wave_id)))
    return {"rendered": summary.rendered, "skipped": summary.skipped, "failed": len(summary.failures)}


async def send_wave_report_notices(ctx: dict[str, Any], *, wave_id: str) -> int:
    """Queue the notices not yet sent for the reports' current files, then send them through the outbox."""
    async with ctx["session_maker"]() as session, session.begin():
        wave = await session.get_one(Wave, uuid.UUID(wave_id))
        await plan_notices(session, wave, attach=ctx["settings"].report_attach)
    return await send_wave_emails(ctx, wave_id=wave_id)
