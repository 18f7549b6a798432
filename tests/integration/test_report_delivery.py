"""Delivering reports: downloads only to those who may see them, checked and audited; notices e-mailed once."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from markupsafe import escape

from surveys.accounts.guards import REFUSAL as ENGLISH_REFUSAL
from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.catalog import translation
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.org.models import Organisation, Team
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.send_cli import send
from surveys.reporting.storage import upload_rendered
from surveys.settings import Settings
from surveys.waves.services import create_wave
from tests.integration.test_roster_and_waves import FlakyInbox
from tests.integration.world import EMAILS, PASSWORD, World, client_for
from tests.support import run_sync

REFUSAL = str(escape(translation("fr").gettext(ENGLISH_REFUSAL)))  # as a French page shows it

PUBLIC_URL = "https://symmetry.example"
NOTICES = sa.select(EmailDelivery).where(EmailDelivery.kind == MailKind.REPORT_NOTICE)


def pdf_bytes(label: str) -> bytes:
    return f"%PDF-1.4\n% {label}\n%%EOF\n".encode()


def write_report(directory: Path, label: str) -> tuple[str, str]:
    """A small file standing for a rendered PDF: its path and SHA-256."""
    path = directory / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf_bytes(label))
    return str(path), hashlib.sha256(path.read_bytes()).hexdigest()


def rendered(wave_id: uuid.UUID, team_id: uuid.UUID | None, language: str, directory: Path, label: str) -> ReportRecord:
    path, digest = write_report(directory, label)
    return ReportRecord(
        id=uuid.uuid4(),
        wave_id=wave_id,
        team_id=team_id,
        language=language,
        status=ReportStatus.RENDERED,
        path=path,
        file_digest=digest,
        pages=4,
        rendered_at=dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.UTC),
    )


async def _add(settings: Settings, *rows: object) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            session.add_all(rows)
    finally:
        await config.get_engine().dispose()


async def _select(settings: Settings, query: sa.Select[Any]) -> list[Any]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(await session.scalars(query))
    finally:
        await config.get_engine().dispose()


# The web pages, in the access tests' world: the manager runs North, whose branch is "North one"; South is another
# branch of the head office.


@dataclass
class Reports:
    own: ReportRecord
    other: ReportRecord
    organisation: ReportRecord
    pending: ReportRecord


@pytest.fixture
async def reports(world: World, clean_database: Settings, tmp_path: Path) -> Reports:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session:
            north = await session.scalar(sa.select(Team).where(Team.external_id == "N"))
    finally:
        await config.get_engine().dispose()
    assert north is not None
    built = Reports(
        own=rendered(world.wave_id, world.manager_team, "en", tmp_path, "North one"),
        other=rendered(world.wave_id, world.other_team, "fr", tmp_path, "South"),
        organisation=rendered(world.wave_id, None, "en", tmp_path, "Organisation"),
        pending=ReportRecord(wave_id=world.wave_id, team_id=north.id, language="en", status=ReportStatus.PENDING),
    )
    await _add(clean_database, built.own, built.other, built.organisation, built.pending)
    return built


async def test_a_manager_downloads_their_teams_report_and_the_download_is_audited(
    world: World, reports: Reports, clean_database: Settings
) -> None:
    client = await client_for(world.app, "manager")
    try:
        response = await client.get(f"/reports/{reports.own.id}/download")
    finally:
        await client.__aexit__(None, None, None)
    assert response.status_code == 200
    assert response.content == Path(str(reports.own.path)).read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="symmetry-spring-north-one-en.pdf"'
    events = await _select(clean_database, sa.select(AuditEvent).where(AuditEvent.action.like("report.%")))
    assert [(event.actor, event.action, event.target, event.details) for event in events] == [
        (EMAILS["manager"], "report.download", f"report {reports.own.id} (North one, en)", {})
    ]


async def test_a_manager_gets_the_same_refusal_for_others_reports_as_for_no_report(
    world: World, reports: Reports, clean_database: Settings
) -> None:
    client = await client_for(world.app, "manager")
    try:
        other = await client.get(f"/reports/{reports.other.id}/download")
        organisation = await client.get(f"/reports/{reports.organisation.id}/download")
        missing = await client.get(f"/reports/{uuid.uuid4()}/download")
        page = await client.get(f"/waves/{world.wave_id}/reports")
    finally:
        await client.__aexit__(None, None, None)
    assert other.status_code == organisation.status_code == missing.status_code == 403
    assert other.text == organisation.text == missing.text  # nothing tells that the report exists
    assert REFUSAL in other.text and "%PDF" not in other.text
    assert page.status_code == 200
    assert f"/reports/{reports.own.id}/download" in page.text and "North one" in page.text
    assert "South" not in page.text and "Rapport de l'organisation" not in page.text
    assert str(reports.other.id) not in page.text and str(reports.organisation.id) not in page.text
    assert "pending" in page.text and f"/reports/{reports.pending.id}/download" not in page.text  # North, no file
    events = await _select(clean_database, sa.select(AuditEvent).where(AuditEvent.action.like("report.%")))
    assert events == []


async def test_another_organisations_lead_gets_the_same_refusal(world: World, reports: Reports) -> None:
    client = await client_for(world.app, "other_org")
    try:
        page = await client.get(f"/waves/{world.wave_id}/reports")
        organisation = await client.get(f"/reports/{reports.organisation.id}/download")
        missing = await client.get(f"/reports/{uuid.uuid4()}/download")
    finally:
        await client.__aexit__(None, None, None)
    assert page.status_code == organisation.status_code == missing.status_code == 403
    assert organisation.text == missing.text


@pytest.mark.parametrize("role", ["admin", "hr_lead", "cx_lead"])
async def test_leads_see_and_download_every_report(world: World, reports: Reports, role: str) -> None:
    client = await client_for(world.app, role)
    try:
        page = await client.get(f"/waves/{world.wave_id}/reports")
        wave_page = await client.get(f"/waves/{world.wave_id}")
        downloads = [
            await client.get(f"/reports/{report.id}/download")
            for report in (reports.own, reports.other, reports.organisation)
        ]
        pending = await client.get(f"/reports/{reports.pending.id}/download")
    finally:
        await client.__aexit__(None, None, None)
    assert page.status_code == 200
    for report in (reports.own, reports.other, reports.organisation):
        assert f"/reports/{report.id}/download" in page.text
    assert "Rapport de l'organisation" in page.text and "South" in page.text and "2026-04-02 08:30" in page.text
    assert f"/waves/{world.wave_id}/reports" in wave_page.text
    assert [response.status_code for response in downloads] == [200, 200, 200]
    assert downloads[2].content == pdf_bytes("Organisation")
    assert 'filename="symmetry-spring-organisation-en.pdf"' in downloads[2].headers["content-disposition"]
    assert pending.status_code == 409 and "%PDF" not in pending.text


async def test_a_viewer_is_not_offered_the_reports(world: World, reports: Reports) -> None:
    client = await client_for(world.app, "viewer")
    try:
        wave_page = await client.get(f"/waves/{world.wave_id}")
        page = await client.get(f"/waves/{world.wave_id}/reports")
        download = await client.get(f"/reports/{reports.own.id}/download")
    finally:
        await client.__aexit__(None, None, None)
    assert wave_page.status_code == 200 and "/reports" not in wave_page.text
    assert page.status_code == download.status_code == 403


async def test_a_tampered_file_is_refused_and_the_refusal_is_audited(
    world: World, reports: Reports, clean_database: Settings
) -> None:
    Path(str(reports.own.path)).write_bytes(pdf_bytes("North one, altered"))
    client = await client_for(world.app, "manager")
    try:
        response = await client.get(f"/reports/{reports.own.id}/download")
    finally:
        await client.__aexit__(None, None, None)
    assert response.status_code == 500
    assert "pas celui qui a été produit" in response.text
    assert "%PDF" not in response.text and "content-disposition" not in response.headers
    events = await _select(clean_database, sa.select(AuditEvent).where(AuditEvent.action.like("report.%")))
    assert [(event.actor, event.action, event.target) for event in events] == [
        (EMAILS["manager"], "report.refused", f"report {reports.own.id} (North one, en)")
    ]
    assert "SHA-256" in events[0].details["reason"]


# Sending notices: a small organisation of its own, with a real SMTP server in this process.

FR_MANAGER, EN_MANAGER, PENDING_MANAGER = "lea@corp.example", "sam@corp.example", "pat@corp.example"


@dataclass
class Sending:
    wave: str
    wave_id: uuid.UUID
    fr_report: ReportRecord
    en_report: ReportRecord


async def _build_sending(settings: Settings, directory: Path, *, with_rendered: bool = True) -> Sending:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="corp", name="Corp")
            session.add(organisation)
            await session.flush()
            teams = {
                key: Team(
                    id=uuid.uuid4(), organisation_id=organisation.id, external_id=key, name=name, manager_email=email
                )
                for key, name, email in [
                    ("A", "Agence Lyon", FR_MANAGER),
                    ("B", "Boston branch", EN_MANAGER),
                    ("C", "Cork branch", "nobody@corp.example"),  # no account for this manager
                    ("D", "Dover branch", PENDING_MANAGER),
                ]
            }
            session.add_all(teams.values())
            await session.flush()
            version, _ = await register_instrument(session, "attention")
            wave = await create_wave(session, organisation, name="Autumn", instrument_version_id=version.id,
                                     opens_on=dt.date(2026, 9, 1), closes_on=dt.date(2026, 9, 30))  # fmt: skip
            for email in (FR_MANAGER, EN_MANAGER, PENDING_MANAGER):
                await create_user(
                    session, email=email, password=PASSWORD, role=Role.MANAGER, organisation_id=organisation.id
                )
            await create_user(  # a lead of the organisation, who is no team's manager: never e-mailed
                session, email="hr@corp.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )
            fr_report = rendered(wave.id, teams["A"].id, "fr", directory, "Agence Lyon")
            en_report = rendered(wave.id, teams["B"].id, "en", directory, "Boston branch")
            session.add(ReportRecord(wave_id=wave.id, team_id=teams["D"].id, language="en"))  # pending: not sent
            if with_rendered:
                session.add_all(
                    [
                        fr_report,
                        en_report,
                        rendered(wave.id, teams["C"].id, "en", directory, "Cork branch"),
                        rendered(wave.id, None, "en", directory, "Organisation"),  # for the leads, not e-mailed
                    ]
                )
            return Sending(wave.name, wave.id, fr_report, en_report)
    finally:
        await config.get_engine().dispose()


@pytest.fixture
def smtp() -> Iterator[tuple[FlakyInbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = FlakyInbox(refused=set(), flaky=set())
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def mail_settings(database: Settings, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database.database_url,
        "public_url": PUBLIC_URL,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "mail_per_second": 1000.0,
        "mail_attempts": 2,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_send_tells_each_manager_once_in_their_language_with_the_link(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    built = run_sync(_build_sending(clean_database, tmp_path))
    settings = mail_settings(clean_database, port)
    runner = CliRunner()
    first = runner.invoke(send, ["Autumn"], obj=settings)
    assert first.exit_code == 0, first.output
    assert "Report notices sent: 2, already sent: 0, failed: 0." in first.output
    assert "Teams without a manager account: 1 (Cork branch)." in first.output
    assert sorted(message["To"] for message in inbox.messages) == sorted([FR_MANAGER, EN_MANAGER])
    by_recipient = {message["To"]: message for message in inbox.messages}
    link = f"{PUBLIC_URL}/waves/{built.wave_id}/reports"
    french, english = by_recipient[FR_MANAGER], by_recipient[EN_MANAGER]
    assert french["Subject"] == "Corp : le rapport de l'équipe Agence Lyon (Autumn)"
    assert french["Content-Language"] == "fr"
    assert "Télécharger le rapport :" in plain_text(french) and link in plain_text(french)
    assert english["Subject"] == "Corp: the Boston branch team's report (Autumn)"
    assert "Download the report: " + link in plain_text(english)
    assert all(not list(message.iter_attachments()) for message in inbox.messages)

    again = runner.invoke(send, ["Autumn"], obj=settings)
    assert again.exit_code == 0, again.output
    assert "Report notices sent: 0, already sent: 2, failed: 0." in again.output
    assert len(inbox.messages) == 2
    notices = run_sync(_select(clean_database, NOTICES))
    assert sorted((notice.file_digest, notice.status) for notice in notices) == sorted(
        [(built.fr_report.file_digest, DeliveryStatus.SENT), (built.en_report.file_digest, DeliveryStatus.SENT)]
    )
    audit = run_sync(_select(clean_database, sa.select(AuditEvent).where(AuditEvent.action == "report.send")))
    assert [event.details for event in audit] == [
        {"sent": 2, "already_sent": 0, "failed": 0},
        {"sent": 0, "already_sent": 2, "failed": 0},
    ]


def test_a_report_rendered_again_into_another_file_is_notified_again(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    built = run_sync(_build_sending(clean_database, tmp_path))
    settings = mail_settings(clean_database, port)
    assert CliRunner().invoke(send, ["Autumn"], obj=settings).exit_code == 0
    new_path, new_digest = write_report(tmp_path, "Agence Lyon, rendered again")

    async def rerender() -> None:
        config = alchemy_config(clean_database)
        try:
            async with config.get_session() as session, session.begin():
                report = await session.get_one(ReportRecord, built.fr_report.id)
                report.path, report.file_digest = new_path, new_digest
        finally:
            await config.get_engine().dispose()

    run_sync(rerender())
    again = CliRunner().invoke(send, ["Autumn"], obj=settings)
    assert "Report notices sent: 1, already sent: 1, failed: 0." in again.output
    assert [message["To"] for message in inbox.messages[2:]] == [FR_MANAGER]


def test_send_attaches_the_pdf_when_asked(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    built = run_sync(_build_sending(clean_database, tmp_path))
    result = CliRunner().invoke(send, ["Autumn", "--attach"], obj=mail_settings(clean_database, port))
    assert result.exit_code == 0, result.output
    by_recipient = {message["To"]: message for message in inbox.messages}
    attachments = list(by_recipient[EN_MANAGER].iter_attachments())
    assert [(part.get_content_type(), part.get_filename()) for part in attachments] == [
        ("application/pdf", "symmetry-autumn-boston-branch-en.pdf")
    ]
    assert attachments[0].get_content() == Path(str(built.en_report.path)).read_bytes()
    assert "The report is attached to this message (PDF)." in plain_text(by_recipient[EN_MANAGER])
    assert "Le rapport est joint" in plain_text(by_recipient[FR_MANAGER])


def test_the_attach_setting_is_the_default_and_link_overrides_it(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    run_sync(_build_sending(clean_database, tmp_path))
    settings = mail_settings(clean_database, port, report_attach=True)
    assert CliRunner().invoke(send, ["Autumn", "--link"], obj=settings).exit_code == 0
    assert len(inbox.messages) == 2
    assert all(not list(message.iter_attachments()) for message in inbox.messages)


def test_a_tampered_file_is_not_attached_and_the_notice_fails(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    built = run_sync(_build_sending(clean_database, tmp_path))
    Path(str(built.en_report.path)).write_bytes(pdf_bytes("altered"))
    result = CliRunner().invoke(send, ["Autumn", "--attach"], obj=mail_settings(clean_database, port))
    assert result.exit_code == 1
    assert "Report notices sent: 1, already sent: 0, failed: 1." in result.output
    assert [message["To"] for message in inbox.messages] == [FR_MANAGER]
    refused = run_sync(_select(clean_database, NOTICES.where(EmailDelivery.status == DeliveryStatus.FAILED)))
    assert [notice.attempts for notice in refused] == [1]  # counted, so that the sweep's retries are bounded


def test_a_failed_notice_is_recorded_and_sent_by_the_next_run(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    inbox.refused.add(EN_MANAGER)
    built = run_sync(_build_sending(clean_database, tmp_path))
    settings = mail_settings(clean_database, port)
    runner = CliRunner()
    first = runner.invoke(send, ["Autumn"], obj=settings)
    assert first.exit_code == 1
    assert "Report notices sent: 1, already sent: 0, failed: 1." in first.output
    failed = run_sync(_select(clean_database, NOTICES.where(EmailDelivery.status == DeliveryStatus.FAILED)))
    assert [(notice.report_id, notice.attempts) for notice in failed] == [(built.en_report.id, 2)]
    assert failed[0].last_error is not None and "451" in failed[0].last_error and EN_MANAGER not in failed[0].last_error
    assert [message["To"] for message in inbox.messages] == [FR_MANAGER]

    inbox.refused.clear()
    second = runner.invoke(send, ["Autumn"], obj=settings)
    assert second.exit_code == 0, second.output
    assert "Report notices sent: 1, already sent: 1, failed: 0." in second.output
    assert [message["To"] for message in inbox.messages] == [FR_MANAGER, EN_MANAGER]
    notices = run_sync(_select(clean_database, NOTICES))
    assert {(notice.status, notice.last_error) for notice in notices} == {(DeliveryStatus.SENT, None)}
    assert len(notices) == 2  # the failed notice became the sent one


def test_a_wave_without_rendered_reports_sends_nothing_and_says_so(
    clean_database: Settings, smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    run_sync(_build_sending(clean_database, tmp_path, with_rendered=False))
    result = CliRunner().invoke(send, ["Autumn"], obj=mail_settings(clean_database, port))
    assert result.exit_code == 0, result.output
    assert "No rendered team report for Autumn: nothing sent" in result.output
    assert inbox.messages == []
    assert run_sync(_select(clean_database, NOTICES)) == []


def test_send_without_smtp_is_a_clear_error(clean_database: Settings, tmp_path: Path) -> None:
    run_sync(_build_sending(clean_database, tmp_path))
    result = CliRunner().invoke(
        send, ["Autumn"], obj=Settings(environment="test", database_url=clean_database.database_url)
    )
    assert result.exit_code == 1
    assert "no SMTP server configured" in result.output


def test_symmetry_report_send_reads_the_attach_setting_from_the_environment(
    cli_env: dict[str, str], smtp: tuple[FlakyInbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    run_sync(_build_sending(Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"]), tmp_path))
    env = {
        **cli_env,
        "SYMMETRY_SMTP_HOST": "127.0.0.1",
        "SYMMETRY_SMTP_PORT": str(port),
        "SYMMETRY_SMTP_STARTTLS": "false",
        "SYMMETRY_MAIL_PER_SECOND": "1000",
        "SYMMETRY_REPORT_ATTACH": "true",
    }
    result = CliRunner().invoke(symmetry, ["report", "send", "Autumn"], env=env)
    assert result.exit_code == 0, result.output
    assert "Report notices sent: 2, already sent: 0, failed: 0." in result.output
    assert all(len(list(message.iter_attachments())) == 1 for message in inbox.messages)


async def test_a_report_in_the_object_store_is_served_by_a_node_without_the_file_and_still_checked(
    world: World, reports: Reports, clean_database: Settings, tmp_path: Path
) -> None:
    store = tmp_path / "bucket"
    store.mkdir()
    stored_settings = msgspec.structs.replace(clean_database, report_storage=f"file://{store}")
    config = alchemy_config(stored_settings)
    try:
        async with config.get_session() as session:
            assert await upload_rendered(session, stored_settings, world.wave_id, tmp_path) == 3
    finally:
        await config.get_engine().dispose()
    original = pdf_bytes("North one")
    for path in tmp_path.glob("*.pdf"):
        path.unlink()  # this web node never had the files: another one rendered them
    other_node = create_app(stored_settings)
    client = await client_for(other_node, "manager")
    try:
        served = await client.get(f"/reports/{reports.own.id}/download")
        assert served.status_code == 200 and served.content == original
        (object_file,) = [p for p in store.rglob("*.pdf") if p.read_bytes() == original]
        object_file.write_bytes(pdf_bytes("altered in the bucket"))
        refused = await client.get(f"/reports/{reports.own.id}/download")
        assert refused.status_code == 500 and "pas celui qui a été produit" in refused.text
    finally:
        await client.__aexit__(None, None, None)
