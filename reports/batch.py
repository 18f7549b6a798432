"""Rendering many reports in parallel worker processes (matplotlib and WeasyPrint gain nothing from threads).

Each worker receives the wave's shared inputs once, at start, and then only the small per-report jobs.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from reports.i18n import Language
from reports.inputs import TeamExtras, WaveReportInputs
from reports.render import StageTimes, render_report


@dataclass(frozen=True, slots=True)
class ReportJob:
    """One PDF to render: the report of the team of key `team`, or the organisation report when it is None."""

    path: Path
    language: Language
    team: str | None = None
    extras: TeamExtras = field(default_factory=TeamExtras)


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """What happened to one job: the file's SHA-256 and page count, or the error that stopped it."""

    job: ReportJob
    error: str | None = None
    file_digest: str | None = None
    pages: int | None = None
    times: StageTimes | None = None


_worker_inputs: WaveReportInputs | None = None


def _start_worker(inputs: WaveReportInputs) -> None:
    global _worker_inputs
    _worker_inputs = inputs
    # What is loaded now lives as long as the worker; the collector need not scan it again for every report.
    gc.freeze()


def render_job(inputs: WaveReportInputs, job: ReportJob) -> ReportOutcome:
    """Render one job to its path (written whole or not at all); an error is returned, not raised."""
    partial = job.path.with_name(job.path.name + ".part")
    try:
        rendered = render_report(inputs, job.team, job.language, job.extras)
        job.path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(rendered.pdf)
        partial.replace(job.path)
    except Exception as error:  # one report's failure must not stop the batch
        partial.unlink(missing_ok=True)
        return ReportOutcome(job, error=f"{type(error).__name__}: {error}")
    return ReportOutcome(job, None, hashlib.sha256(rendered.pdf).hexdigest(), rendered.pages, rendered.times)


def _render_in_worker(job: ReportJob) -> ReportOutcome:
    assert _worker_inputs is not None, "worker started without its inputs"
    return render_job(_worker_inputs, job)


def render_reports(
    inputs: WaveReportInputs,
    jobs: Iterable[ReportJob],
    *,
    workers: int | None = None,
    on_done: Callable[[ReportOutcome], None] | None = None,
) -> list[ReportOutcome]:
    """Render every job in worker processes; a job that fails is reported in its outcome and stops nothing else."""
    outcomes: list[ReportOutcome] = []
    # Spawned, not forked: the parent may hold database driver threads that a fork would copy mid-state.
    with ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(inputs,),
        # Workers are not recycled: their memory stays flat (about 1 MiB more per 100 reports, measured), and
        # CPython 3.11's pool stops starting workers once one retires with jobs still queued (gh-115634).
    ) as pool:
        futures = {pool.submit(_render_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            error = future.exception()
            if error is None:
                outcome = future.result()
            else:  # the worker itself died (out of memory, killed): the job is failed, the others go on
                outcome = ReportOutcome(futures[future], error=f"{type(error).__name__}: {error}")
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return outcomes
