"""``symmetry report render``: every report of a closed wave, its status kept in the database, reruns that resume."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from pypdf import PdfReader
from redis import asyncio as redis

from reports.i18n import Translator
from surveys.audit.models import AuditEvent
from surveys.cli import symmetry
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.reporting import services
from surveys.reporting.inputs import WaveReportData, load_report_data
from surveys.reporting.jobs import render_report_chunk, render_wave_reports
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.settings import Settings
from surveys.waves.actions import close, request_close
from surveys.waves.jobs import finish_closing_job
from surveys.waves.models import Invitation
from surveys.waves.models import Wave as WaveRow
from surveys.waves.services import create_wave, launch_wave
from surveys.worker.queue import JobRequest, QueueJobs, job_context
from surveys.worker.saq_queue import QUEUE_NAME, saq_plugin, saq_queue
from symmetry.domain import Respondent
from symmetry.simulation import GenerativeModel, Simulator
from tests.support import redis_reachable, redis_test_url, run_sync

WAVE = "Spring"
# Employee respondents per front-line team: above the comment threshold (10), above the anonymity threshold (5)
# only, and below it (withheld).
TEAMS = {"BIG": ("Big branch", 14), "MID": ("Middle branch", 7), "LOW": ("Little branch", 3), "OTH": ("Other", 6)}
CUSTOMERS = 8


@dataclass
class Wave:
    settings: Settings
    wave_id: uuid.UUID


async def _build(settings: Settings, *, close_it: bool) -> uuid.UUID:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="acme", name="Acme Services")
            session.add(organisation)
            await session.flush()
            head = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="HQ", name="Head office")
            session.add(head)
            await session.flush()
            teams = {
                key: Team(
                    id=uuid.uuid4(),
                    organisation_id=organisation.id,
                    external_id=key,
                    name=name,
                    parent_id=head.id,
                    manager_email=f"boss.{key.lower()}@acme.example",
                )
                for key, (name, _) in TEAMS.items()
            }
            session.add_all(teams.values())
            await session.flush()
            for key, (_, employees) in TEAMS.items():
                team = teams[key]
                session.add_all(
                    Employee(
                        organisation_id=organisation.id,
                        team_id=team.id,
                        email=f"e{i}.{key}@acme.example",
                        language="en",
                    )
                    for i in range(employees)
                )
                session.add_all(
                    Customer(
                        organisation_id=organisation.id,
                        team_id=team.id,
                        email=f"c{i}.{key}@acme.example",
                        language="en",
                    )
                    for i in range(CUSTOMERS)
                )
            # BIG's manager is on the roster, in French: the team's report is in French although its staff is not.
            session.add(Employee(organisation_id=organisation.id, team_id=head.id, email="boss.big@acme.example",
                                 language="fr"))  # fmt: skip
            version, instrument = await register_instrument(session, "attention")
            wave = await create_wave(session, organisation, name=WAVE, instrument_version_id=version.id,
                                     opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 21))  # fmt: skip
            comment_item = instrument.comments_for(Respondent.EMPLOYEE)[0].id
            position = {team.id: j for j, team in enumerate(teams.values())}
            key_of = {team.id: key for key, team in teams.items()}
            simulator = Simulator(instrument, GenerativeModel(), len(teams), np.random.default_rng(11))
            written: dict[uuid.UUID, int] = {}
            for invitation in await launch_wave(session, wave):
                if invitation.team_id not in position:
                    continue  # the head office's one employee does not answer
                if invitation.respondent is Respondent.EMPLOYEE:
                    number = written[invitation.team_id] = written.get(invitation.team_id, -1) + 1
                    await submit_response(
                        session,
                        invitation.token,
                        simulator.employee(position[invitation.team_id]),
                        {comment_item: f"{key_of[invitation.team_id]}NOTE{number:02d}"},
                    )
                else:
                    await submit_response(session, invitation.token, simulator.customer(position[invitation.team_id]))
            if close_it:
                await close(session, wave, settings, actor="test")
            return wave.id
    finally:
        await config.get_engine().dispose()


@pytest.fixture(autouse=True)
def pinned_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    # The renderer's files are fingerprinted once per run; pinned here so that an edit of reports/ during the
    # test run (the files are those of the working tree) cannot make a report look stale between two runs.
    monkeypatch.setattr(services, "renderer_fingerprint", lambda: "renderer under test")


@pytest.fixture
def closed_wave(clean_database: Settings) -> Wave:
    return Wave(clean_database, run_sync(_build(clean_database, close_it=True)))


def render(cli_env: dict[str, str], out: Path, *extra: str) -> Result:
    return CliRunner().invoke(symmetry, ["report", "render", WAVE, "--out", str(out), "--workers", "2", *extra],
                              env=cli_env)  # fmt: skip


async def _records(settings: Settings) -> list[ReportRecord]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(await session.scalars(sa.select(ReportRecord)))
    finally:
        await config.get_engine().dispose()


async def _render_events(settings: Settings) -> list[dict[str, object]]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            events = await session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "report.render").order_by(AuditEvent.occurred_at)
            )
            return [event.details for event in events]
    finally:
        await config.get_engine().dispose()


def records(settings: Settings) -> list[ReportRecord]:
    return run_sync(_records(settings))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def team_file(out: Path, key: str) -> Path:
    (path,) = (out / "teams").glob(f"{key}-*.pdf")
    return path


def test_renders_every_report_records_it_and_skips_it_until_forced(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    first = render(cli_env, out)
    assert first.exit_code == 0, first.output
    # Head office has one employee invited, who did not answer: it gets its report saying so, like any team, so
    # that whether a report exists never tells whether anyone in a team answered.
    assert "7 rendered, 0 skipped as up to date, 0 failed" in first.output
    assert sorted(path.name for path in out.glob("*.pdf")) == ["organisation-en.pdf", "organisation-fr.pdf"]
    assert sorted(path.name for path in (out / "teams").glob("*.pdf")) == [
        "BIG-big-branch.pdf", "HQ-head-office.pdf", "LOW-little-branch.pdf", "MID-middle-branch.pdf", "OTH-other.pdf",
    ]  # fmt: skip
    rows = records(closed_wave.settings)
    assert len(rows) == 7
    for row in rows:
        assert row.status is ReportStatus.RENDERED
        assert row.error is None and row.rendered_at is not None and row.inputs_digest
        assert row.path is not None and row.file_digest == sha256(Path(row.path))
        assert row.pages == len(PdfReader(row.path).pages) >= 1
    assert {row.language for row in rows if row.team_id is None} == {"fr", "en"}
    languages = {Path(row.path).name.split("-")[0]: row.language for row in rows if row.team_id and row.path}
    assert languages == {"BIG": "fr", "HQ": "fr", "MID": "en", "LOW": "en", "OTH": "en"}
    assert Translator("fr")("Team report") in text_of(team_file(out, "BIG"))
    assert Translator("en")("Team report") in text_of(team_file(out, "MID"))
    # LOW (3 answers) and Head office itself (1 invited, no answer) are withheld: counted by number only.
    organisation = text_of(out / "organisation-en.pdf")
    assert "Employee response rates" in organisation
    assert "Head office 31 27 + 2 teams under 5 100%" in organisation
    modified = {path: path.stat().st_mtime_ns for path in out.rglob("*.pdf")}

    second = render(cli_env, out)
    assert second.exit_code == 0, second.output
    assert "0 rendered, 7 skipped as up to date, 0 failed" in second.output
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.pdf")} == modified

    forced = render(cli_env, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert "7 rendered, 0 skipped as up to date, 0 failed" in forced.output
    again = {(row.team_id, row.language): (row.inputs_digest, row.file_digest) for row in records(closed_wave.settings)}
    assert again == {(row.team_id, row.language): (row.inputs_digest, row.file_digest) for row in rows}
    assert run_sync(_render_events(closed_wave.settings)) == [
        {"rendered": 7, "skipped": 0, "failed": 0},
        {"rendered": 0, "skipped": 7, "failed": 0},
        {"rendered": 7, "skipped": 0, "failed": 0},
    ]


def test_a_changed_or_missing_file_is_rendered_again(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert render(cli_env, out).exit_code == 0
    team_file(out, "MID").write_bytes(b"%PDF-tampered")
    (out / "organisation-fr.pdf").unlink()
    result = render(cli_env, out)
    assert result.exit_code == 0, result.output
    assert "2 rendered, 5 skipped as up to date, 0 failed" in result.output
    assert (out / "organisation-fr.pdf").exists()


def test_a_failed_report_is_recorded_stops_nothing_and_is_retried_alone(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    blocked = out / "teams" / "OTH-other.pdf"
    blocked.mkdir(parents=True)  # a directory where the PDF should go: the worker cannot write it
    first = render(cli_env, out)
    assert first.exit_code == 1
    assert "6 rendered, 0 skipped as up to date, 1 failed" in first.output
    assert "failed team OTH (Other): IsADirectoryError" in first.output
    rows = records(closed_wave.settings)
    failed = [row for row in rows if row.status is ReportStatus.FAILED]
    assert len(failed) == 1
    assert failed[0].path == str(blocked) and failed[0].error and "IsADirectoryError" in failed[0].error
    assert failed[0].file_digest is None and failed[0].pages is None
    assert sum(row.status is ReportStatus.RENDERED for row in rows) == 6

    blocked.rmdir()
    second = render(cli_env, out)
    assert second.exit_code == 0, second.output
    assert "1 rendered, 6 skipped as up to date, 0 failed" in second.output
    assert all(row.status is ReportStatus.RENDERED for row in records(closed_wave.settings))
    assert blocked.is_file()


def test_an_open_wave_is_refused_and_nothing_is_written(
    clean_database: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_sync(_build(clean_database, close_it=False))
    out = tmp_path / "reports"
    result = render(cli_env, out)
    assert result.exit_code == 1
    assert f"wave '{WAVE}' is open" in result.output
    assert not out.exists()
    assert records(clean_database) == []


async def _lose_employee_invitations(settings: Settings, team_key: str, lost: int) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            team = await session.scalar(sa.select(Team).where(Team.external_id == team_key))
            assert team is not None
            invitations = await session.scalars(
                sa.select(Invitation.id)
                .where(Invitation.team_id == team.id, Invitation.respondent == Respondent.EMPLOYEE)
                .limit(lost)
            )
            await session.execute(sa.delete(Invitation).where(Invitation.id.in_(list(invitations))))
    finally:
        await config.get_engine().dispose()


def test_a_team_with_more_answers_than_invitations_is_refused_by_name(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_sync(_lose_employee_invitations(closed_wave.settings, "MID", 2))
    out = tmp_path / "reports"
    result = render(cli_env, out)
    assert result.exit_code == 1
    assert "team 'MID' has more employee answers than invitations (7 answered, 5 invited)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_comments_show_only_above_their_threshold_and_a_withheld_team_shows_no_employee_figure(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert render(cli_env, out).exit_code == 0
    texts = {key: text_of(team_file(out, key)) for key in TEAMS}

    shown = sorted({note for note in texts["BIG"].split() if note.startswith("BIGNOTE")})
    assert len(shown) == 12  # 14 comments, at most 12 shown
    for key in ("MID", "LOW", "OTH"):
        assert "NOTE" not in texts[key]

    # The employee figures, as the report writes them: on MID's report, and nowhere on the withheld team's.
    english = Translator("en")
    assert (
        "n = 7" in texts["MID"]
        and english("eNPS (team recommended as a workplace)") in texts["MID"]
        and english("Pride in the team (1 to 5)") in texts["MID"]
    )
    assert (
        not re.search(r"n = 3\b", texts["LOW"])
        and english("eNPS (team recommended as a workplace)") not in texts["LOW"]
    )
    assert english("Pride in the team (1 to 5)") not in texts["LOW"]
    assert "3 employees were invited: fewer than the 5 answers" in texts["LOW"]
    assert english("Employee results withheld") in texts["LOW"]


async def _second_wave_inputs(settings: Settings) -> WaveReportData:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = await session.scalar(sa.select(Organisation).where(Organisation.slug == "acme"))
            assert organisation is not None
            version, instrument = await register_instrument(session, "attention")
            autumn = await create_wave(session, organisation, name="Autumn", instrument_version_id=version.id,
                                       opens_on=dt.date(2026, 9, 1), closes_on=dt.date(2026, 9, 21))  # fmt: skip
            simulator = Simulator(instrument, GenerativeModel(), 1, np.random.default_rng(5))
            for invitation in await launch_wave(session, autumn):
                draw = simulator.employee if invitation.respondent is Respondent.EMPLOYEE else simulator.customer
                await submit_response(session, invitation.token, draw(0))
            await close(session, autumn, settings, actor="test")
            return await load_report_data(session, autumn, comment_threshold=settings.comment_threshold)
    finally:
        await config.get_engine().dispose()


def test_each_team_report_gets_its_trend_over_the_closed_waves(closed_wave: Wave) -> None:
    data = run_sync(_second_wave_inputs(closed_wave.settings))
    analysis = data.inputs.analysis
    for key in ("BIG", "MID", "OTH"):
        (spring, autumn) = data.extras[key].trend
        assert (spring.wave, autumn.wave) == ("Spring", "Autumn")
        assert spring.employee is not None and spring.customer is not None
        assert autumn.employee == pytest.approx(analysis.teams[key].overall.employee.mean)  # type: ignore[union-attr]
        assert autumn.customer == pytest.approx(analysis.teams[key].overall.customer.mean)  # type: ignore[union-attr]
    spring, autumn = data.extras["LOW"].trend
    assert spring.employee is None and autumn.employee is None and spring.customer is not None
    assert data.extras["BIG"].comments == ()  # nobody wrote a comment in the autumn
    assert data.inputs.teams["BIG"].ancestors == ("HQ",)


def test_the_renderer_fingerprint_follows_its_code_its_libraries_and_the_font_subsetter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.undo()  # the real fingerprint, not the one pinned for the other tests
    assert {directory.name for directory in services.RENDERER_DIRS} == {"reports", "symmetry"}
    renderer, core = tmp_path / "reports", tmp_path / "symmetry"
    for directory in (renderer, core):
        directory.mkdir()
        (directory / "module.py").write_text("A = 1\n")
    directories = (renderer, core)
    seen = [services.renderer_fingerprint(directories)]
    assert services.renderer_fingerprint(directories) == seen[0]

    (core / "module.py").write_text("A = 2\n")
    seen.append(services.renderer_fingerprint(directories))
    versions = services.library_versions()
    assert set(versions) >= {"weasyprint", "pydyf", "matplotlib", "fonttools"}
    monkeypatch.setattr(services, "library_versions", lambda: {**versions, "pydyf": "0.0.1"})
    seen.append(services.renderer_fingerprint(directories))
    subsetting = services.harfbuzz_subsetting()
    monkeypatch.setattr(services, "harfbuzz_subsetting", lambda: not subsetting)
    seen.append(services.renderer_fingerprint(directories))
    monkeypatch.setattr(services, "pango_version", lambda: 10000)
    seen.append(services.renderer_fingerprint(directories))
    assert len(set(seen)) == len(seen)


def test_a_batch_that_stops_is_a_clear_error_and_keeps_what_it_rendered(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections.abc import Callable, Iterable

    from reports import batch
    from reports.inputs import WaveReportInputs
    from surveys.reporting import rendering as report_cli

    def renders_two_then_stops(
        inputs: WaveReportInputs,
        jobs: Iterable[batch.ReportJob],
        *,
        workers: int | None = None,
        on_done: Callable[[batch.ReportOutcome], None] | None = None,
        timeout: float | None = None,
    ) -> list[batch.ReportOutcome]:
        assert on_done is not None
        for job in list(jobs)[:2]:
            on_done(batch.render_job(inputs, job))
        raise batch.RenderingStopped("the rendering processes died before rendering any report")

    out = tmp_path / "reports"
    with monkeypatch.context() as patched:
        patched.setattr(report_cli, "render_reports", renders_two_then_stops)
        stopped = render(cli_env, out)
    assert stopped.exit_code == 1
    assert "rendering stopped: the rendering processes died before rendering any report" in stopped.output
    assert "5 report(s) not rendered" in stopped.output and "Traceback" not in stopped.output
    statuses = sorted(row.status.value for row in records(closed_wave.settings))
    assert statuses.count(ReportStatus.RENDERED.value) == 2 and len(statuses) == 7
    assert run_sync(_render_events(closed_wave.settings)) == [
        {"rendered": 2, "skipped": 0, "failed": 0, "unfinished": 5}
    ]

    again = render(cli_env, out)
    assert again.exit_code == 0, again.output
    assert "5 rendered, 2 skipped as up to date, 0 failed" in again.output


class RecordedJobs:
    """A queue that only records what is enqueued, so that the test runs each job itself."""

    def __init__(self) -> None:
        self.requests: list[JobRequest] = []

    async def enqueue(self, request: JobRequest) -> None:
        self.requests.append(request)

    async def close(self) -> None:
        """Nothing to release."""


async def _run_chunked(settings: Settings, wave_id: uuid.UUID) -> tuple[list[str], list[list[str]], int]:
    """Plan the wave's reports as the queue's workers do (chunks of 2), then run each chunk; what each enqueued."""
    jobs = RecordedJobs()
    ctx = {**await job_context(settings, jobs), "parallel": True}
    try:
        planned = await render_wave_reports(ctx, wave_id=str(wave_id))
        chunks = list(jobs.requests)
        pending = sum(record.status is ReportStatus.PENDING for record in await _records(settings))
        after_each: list[list[str]] = []
        for chunk in [request for request in chunks if request.function == "render_report_chunk"]:
            jobs.requests.clear()
            await render_report_chunk(ctx, **chunk.kwargs)
            after_each.append([request.function for request in jobs.requests])
    finally:
        await ctx["database"].get_engine().dispose()
    assert pending == planned
    return [request.function for request in chunks], after_each, planned


def test_workers_share_a_wave_s_reports_in_chunks_and_the_last_chunk_sends_the_notices(
    closed_wave: Wave, tmp_path: Path
) -> None:
    settings = msgspec.structs.replace(
        closed_wave.settings, reports_dir=str(tmp_path), render_chunk=2, render_processes=1, smtp_host="127.0.0.1"
    )
    chunks, after_each, planned = run_sync(_run_chunked(settings, closed_wave.wave_id))
    assert planned == len(TEAMS) + 1 + 2  # the front-line teams, the head office, the organisation in fr and en
    assert chunks == ["render_report_chunk"] * 4  # 7 reports in chunks of 2
    assert after_each == [[], [], [], ["send_wave_report_notices"]]  # only once none is pending
    rows = records(settings)
    assert {row.status for row in rows} == {ReportStatus.RENDERED}
    assert all(row.path and Path(row.path).is_relative_to(tmp_path) and Path(row.path).exists() for row in rows)
    # Planned again with nothing changed, nothing is pending: no chunk, the notices at once.
    chunks_again, _, planned_again = run_sync(_run_chunked(settings, closed_wave.wave_id))
    assert (chunks_again, planned_again) == (["send_wave_report_notices"], 0)


async def _through_redis(settings: Settings, wave_id: uuid.UUID) -> tuple[list[ReportStatus], set[str]]:
    """Ask for the close on Redis's queue, run a worker in this process until every report is recorded."""
    async with redis.from_url(settings.redis_url) as client:
        await client.flushdb()  # a database of its own (the other is the sessions' test): nothing of an earlier run
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            wave = await session.get_one(WaveRow, wave_id, with_for_update=True)
            await request_close(session, wave, actor="test")
    finally:
        await config.get_engine().dispose()
    jobs = QueueJobs(saq_queue(settings), settings)
    await jobs.enqueue(finish_closing_job(wave_id))
    await jobs.close()
    worker = saq_plugin(settings, concurrency=4).get_workers()[QUEUE_NAME]
    worker.SIGNALS = []  # this loop is not in the main thread, where signal handlers live
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        for _ in range(1200):
            rows = await _records(settings)
            if rows and all(row.status is not ReportStatus.PENDING for row in rows):
                # What the jobs keep for the worker's later jobs (one chunk at a time, the wave's data) lives in
                # the worker's own context: SAQ hands each job a copy, where it would be lost.
                return [row.status for row in rows], set(worker.context["shared"])
            await asyncio.sleep(0.1)
        raise AssertionError(f"the reports were not all rendered: {[row.status for row in rows]}")
    finally:
        await worker.stop()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await worker.queue.disconnect()


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_on_redis_s_queue_a_worker_finishes_the_close_and_renders_every_report(
    clean_database: Settings, tmp_path: Path
) -> None:
    wave_id = run_sync(_build(clean_database, close_it=False))
    settings = msgspec.structs.replace(
        clean_database,
        jobs="queue",
        redis_url=redis_test_url(0),
        reports_dir=str(tmp_path),
        render_chunk=3,
        render_processes=1,
    )
    statuses, shared = run_sync(_through_redis(settings, wave_id))
    assert statuses == [ReportStatus.RENDERED] * (len(TEAMS) + 1 + 2)
    assert shared == {"rendering", "report_data"}
