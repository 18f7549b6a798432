"""Batch rendering: worker processes give the bytes of an in-process render, and one failure stops nothing else."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reports.batch import ReportJob, ReportOutcome, render_reports
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
