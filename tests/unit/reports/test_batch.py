"""Batch rendering: worker processes give the bytes of an in-process render, and one failure stops nothing else."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from reports.batch import ReportJob, ReportOutcome, describe_error, render_reports
from reports.render import render_report
from tests.unit.reports.test_reports import simulated_inputs


def test_workers_render_the_same_bytes_as_the_parent_and_a_failure_stays_its_own(tmp_path: Path) -> None:
    inputs = simulated_inputs()
    blocked = tmp_path / "blocked.pdf"
    blocked.mkdir()  # a directory where the PDF should go: that job fails, in its worker
    jobs = [
        ReportJob(tmp_path / "a" / "t0.pdf", "fr", "T0"),
        ReportJob(tmp_path / "b" / "t0.pdf", "fr", "T0"),
        ReportJob(blocked, "en", "T1"),
        ReportJob(tmp_path / "organisation.pdf", "en"),
    ]
    seen: list[ReportOutcome] = []
    outcomes = {outcome.job.path: outcome for outcome in render_reports(inputs, jobs, workers=2, on_done=seen.append)}
    assert len(seen) == len(jobs)
    expected = hashlib.sha256(render_report(inputs, "T0", "fr").pdf).hexdigest()
    for path in (tmp_path / "a" / "t0.pdf", tmp_path / "b" / "t0.pdf"):
        outcome = outcomes[path]
        assert outcome.error is None and outcome.file_digest == expected
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
        assert outcome.pages is not None and outcome.times is not None and outcome.times.pdf > 0
    assert outcomes[blocked].error is not None and outcomes[blocked].file_digest is None
    assert not list(tmp_path.glob("*.part"))
    assert outcomes[tmp_path / "organisation.pdf"].error is None


class KillsItsWorker(ReportJob):
    """A job whose unpickling, in whatever process receives it, ends that process at once with exit code 1."""

    def __reduce__(self) -> tuple[Callable[[int], NoReturn], tuple[int]]:
        return os._exit, (1,)


def test_a_job_that_kills_its_worker_fails_alone_and_the_others_render(tmp_path: Path) -> None:
    inputs = simulated_inputs()
    killer = KillsItsWorker(tmp_path / "killer.pdf", "en", "T1")
    jobs = [ReportJob(tmp_path / f"t0-{number}.pdf", "fr", "T0") for number in range(4)]
    jobs[2:2] = [killer]
    jobs.append(ReportJob(tmp_path / "organisation.pdf", "en"))
    seen: list[ReportOutcome] = []
    outcomes = render_reports(inputs, jobs, workers=2, on_done=seen.append)
    assert seen == outcomes
    assert sorted(str(outcome.job.path) for outcome in outcomes) == sorted(str(job.path) for job in jobs)
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    assert [outcome.job.path for outcome in failed] == [killer.path]
    assert failed[0].error == "the rendering process died (exit code 1)"
    for job in jobs:
        assert job.path.is_file() is (job is not killer)
    assert not list(tmp_path.glob("*.part"))


def test_an_error_keeps_its_type_and_place_but_not_its_message() -> None:
    with pytest.raises(KeyError) as caught:
        render_report(simulated_inputs(), "SECRET-KEY", "fr")
    assert re.fullmatch(r"KeyError at reports/[a-z_/]+\.py:\d+", describe_error(caught.value)), caught.value
    assert describe_error(ValueError("comment: my manager never listens")) == "ValueError"
    assert describe_error(IsADirectoryError(21, "Is a directory", "/out/t0.pdf")) == (
        "IsADirectoryError: [Errno 21] Is a directory: '/out/t0.pdf'"
    )


def test_a_report_past_its_deadline_is_failed_alone_and_its_file_not_written(tmp_path: Path) -> None:
    inputs = simulated_inputs()
    slow = ReportJob(team=None, language="en", path=tmp_path / "organisation-en.pdf")
    outcomes = render_reports(inputs, [slow], workers=1, timeout=0.05)
    assert [outcome.error for outcome in outcomes] == ["rendering took longer than 0.05 s"]
    assert not slow.path.exists() and not list(tmp_path.glob("*.part"))
    assert render_reports(inputs, [slow], workers=1, timeout=120)[0].error is None and slow.path.exists()
