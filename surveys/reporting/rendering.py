"""Rendering a closed wave's reports into a folder, recording each outcome as it arrives (CLI and job alike)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from reports.batch import RenderingStopped, ReportOutcome, describe_error, render_reports
from reports.i18n import Language
from surveys.reporting.inputs import WaveReportData
from surveys.reporting.services import PlannedReport, plan_reports, record_outcome, record_render
from surveys.settings import Settings
from surveys.waves.models import Wave


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """A report that could not be rendered, and why."""

    report: str
    """The team's key and name, or "organisation report (<language>)"."""
    error: str


@dataclass(frozen=True, slots=True)
class RenderSummary:
    """What one run of the batch did."""

    wave: str
    out: Path
    rendered: int
    skipped: int
    failures: tuple[RenderFailure, ...]


class RenderStopped(Exception):
    """The batch itself stopped (its processes cannot start or keep dying); what was rendered before is recorded."""

    def __init__(self, summary: RenderSummary, reason: str, unfinished: int) -> None:
        self.summary, self.reason, self.unfinished = summary, reason, unfinished
        super().__init__(
            f"rendering stopped: {reason}; {unfinished} report(s) not rendered. The {summary.rendered} rendered "
            f"and {len(summary.failures)} failed before are recorded; the next run renders the others."
        )


async def render_wave(
    session: AsyncSession,
    wave: Wave,
    out: Path,
    *,
    settings: Settings,
    actor: str,
    workers: int | None = None,
    force: bool = False,
    team_language: Language | None = None,
    only: frozenset[uuid.UUID] | None = None,
    data: WaveReportData | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_outcome: Callable[[], None] | None = None,
) -> RenderSummary:
    """Render the wave's reports that are not up to date into `out`; `session`'s transaction is committed.

    The plan is committed first, then each outcome as it comes back from the worker pool (which runs in a thread
    while this loop records), so an interrupted run resumes where it stopped. Raises ``ReportError`` when the wave
    cannot be reported on (nothing written), ``RenderStopped`` when the batch stopped. `only`, when given, limits the
    run to the reports of those status rows (one chunk of a wave rendered by several workers), `data` gives the
    wave's report data already loaded.
    """
    plan = await plan_reports(
        session, wave, out, comment_threshold=settings.comment_threshold, public_url=settings.public_url,
        force=force, team_language=team_language, only=only, data=data,
    )  # fmt: skip
    await session.commit()
    to_render = plan.to_render
    by_path = plan.by_path()
    teams = plan.data.inputs.teams
    failures: list[RenderFailure] = []
    rendered = 0
    stopped: Exception | None = None
    if on_planned is not None:
        on_planned(len(to_render))

    def describe(report: PlannedReport) -> str:
        key = report.job.team
        return f"organisation report ({report.job.language})" if key is None else f"team {key} ({teams[key].name})"

    if to_render:
        loop = asyncio.get_running_loop()
        arrived: asyncio.Queue[ReportOutcome | None] = asyncio.Queue()

        def arrive(outcome: ReportOutcome | None) -> None:
            loop.call_soon_threadsafe(arrived.put_nowait, outcome)

        def render_all() -> None:
            # The pool runs in a thread so that this loop records and commits each outcome as it arrives.
            try:
                render_reports(
                    plan.data.inputs,
                    [report.job for report in to_render],
                    workers=workers,
                    on_done=arrive,
                    timeout=settings.report_timeout_seconds,
                )
            finally:
                arrive(None)

        rendering = asyncio.ensure_future(asyncio.to_thread(render_all))
        while (outcome := await arrived.get()) is not None:
            report = by_path[outcome.job.path]
            await record_outcome(session, report, outcome)
            await session.commit()
            if outcome.error is None:
                rendered += 1
            else:
                failures.append(RenderFailure(describe(report), outcome.error))
            if on_outcome is not None:
                on_outcome()
        try:
            await rendering
        except Exception as error:  # the batch itself failed (its processes cannot start or keep dying)
            stopped = error
    unfinished = len(to_render) - rendered - len(failures)
    await record_render(
        session, wave, actor=actor, rendered=rendered, skipped=len(plan.up_to_date), failed=len(failures),
        unfinished=unfinished,
    )  # fmt: skip
    await session.commit()
    summary = RenderSummary(wave.name, out, rendered, len(plan.up_to_date), tuple(failures))
    if stopped is not None:
        reason = str(stopped) if isinstance(stopped, RenderingStopped) else describe_error(stopped)
        raise RenderStopped(summary, reason, unfinished)
    return summary
