"""Rendering many reports in parallel worker processes (matplotlib and WeasyPrint gain nothing from threads)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from reports.context import (
    OrganisationReportContext,
    TeamInfo,
    TeamReportContext,
    WaveInfo,
    build_organisation_context,
    build_team_context,
)
from reports.i18n import Language
from reports.render import render_html, render_pdf
from symmetry.analysis import WaveAnalysis


@dataclass(frozen=True, slots=True)
class ReportJob:
    """One PDF to render: a team's report, or the organisation report when `team` is None."""

    path: Path
    language: Language
    team: TeamInfo | None = None


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """What happened to one job."""

    job: ReportJob
    error: str | None = None


def render_report(analysis: WaveAnalysis, wave: WaveInfo, teams: list[TeamInfo], job: ReportJob) -> ReportJob:
    """Render one job's PDF to its path."""
    context: OrganisationReportContext | TeamReportContext
    if job.team is None:
        context = build_organisation_context(analysis, wave, teams, job.language)
    else:
        context = build_team_context(analysis, wave, job.team, job.language)
    job.path.parent.mkdir(parents=True, exist_ok=True)
    job.path.write_bytes(render_pdf(render_html(context)))
    return job


def render_reports(
    analysis: WaveAnalysis,
    wave: WaveInfo,
    teams: list[TeamInfo],
    jobs: Iterable[ReportJob],
    *,
    workers: int | None = None,
    on_done: Callable[[ReportOutcome], None] | None = None,
) -> list[ReportOutcome]:
    """Render every job; a job that fails is reported in its outcome and does not stop the others."""
    outcomes: list[ReportOutcome] = []
    # Spawned, not forked: the parent may hold database driver threads that a fork would copy mid-state.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context) as pool:
        futures = {pool.submit(render_report, analysis, wave, teams, job): job for job in jobs}
        for future in as_completed(futures):
            error = future.exception()
            outcome = ReportOutcome(futures[future], None if error is None else f"{type(error).__name__}: {error}")
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return outcomes
