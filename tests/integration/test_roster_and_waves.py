"""HR's whole loop from the command line: import a roster (CSV and XLSX), launch a wave with e-mail through a
real SMTP server in this process, take answers, remind the others, follow the rates and close."""

from __future__ import annotations

import csv
import re
import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from openpyxl import Workbook

from surveys.audit.models import AuditEvent
from surveys.cli import symmetry
from surveys.collection.services import invitation_questionnaire, submit_response
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.models import Wave, WaveState
from surveys.waves.status import wave_status
from symmetry.disclosure import DisclosureRules
from tests.integration.factories import complete_answers
from tests.integration.mailbox import Inbox
from tests.support import run_sync

TEAMS = 20


def write_roster(directory: Path) -> tuple[Path, Path, Path]:
    """20 branches in 2 regions under a head office, 210 employees (CSV) and 60 customers (XLSX)."""
    teams = directory / "teams.csv"
    with teams.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["External ID", "Name", "Parent External ID", "Manager Email"])
        writer.writerow(["HQ", "Head office", "", "ceo@corp.example"])
        writer.writerow(["N", "North", "HQ", "north@corp.example"])
        writer.writerow(["S", "South", "HQ", "south@corp.example"])
        for j in range(TEAMS):
            writer.writerow([f"T{j:02d}", f"Branch {j}", "N" if j < 10 else "S", f"manager{j}@corp.example"])
    employees = directory / "employees.csv"
    with employees.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["email", "team", "language"])
        for i in range(210):
            writer.writerow([f"person{i:03d}@corp.example", f"T{i % TEAMS:02d}", "fr" if i % 3 else "en"])
    customers = directory / "customers.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet.append(["email", "team", "language", "interaction_date"])
    for i in range(60):
        sheet.append(
            [f"client{i:02d}@mail.example", f"T{i % TEAMS:02d}", "en" if i % 2 else "fr", "2026-10-0" + str(1 + i % 9)]
        )
    workbook.save(customers)
    return teams, employees, customers


def settings_env(cli_env: dict[str, str], port: int) -> dict[str, str]:
    return {
        **cli_env,
        "SYMMETRY_SMTP_HOST": "127.0.0.1",
        "SYMMETRY_SMTP_PORT": str(port),
        "SYMMETRY_SMTP_STARTTLS": "false",
        "SYMMETRY_MAIL_PER_SECOND": "1000",
        "SYMMETRY_MAX_REMINDERS": "1",
    }


def link_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = re.search(r"http://127\.0\.0\.1:8000/r/(\S+)", body.get_content())
    assert match
    return match.group(1)


async def _answer(settings: Settings, tokens: list[str]) -> None:
    config = alchemy_config(settings)
    try:
        for token in tokens:
            async with config.get_session() as session, session.begin():
                _, questionnaire = await invitation_questionnaire(session, token)
                await submit_response(
                    session, token, complete_answers(questionnaire.instrument, questionnaire.respondent)
                )
    finally:
        await config.get_engine().dispose()


def test_import_launch_answer_remind_status_close(
    cli_env: dict[str, str], smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    env = settings_env(cli_env, port)
    runner = CliRunner()
    teams, employees, customers = write_roster(tmp_path)
    imported = runner.invoke(
        symmetry,
        ["org", "import", str(teams), str(employees), str(customers), "--org", "corp", "--name", "Corp"],
        env=env,
    )
    assert imported.exit_code == 0, imported.output
    assert "teams created: 23" in imported.output and "employees added: 210" in imported.output
    assert "customers added: 60" in imported.output

    created = runner.invoke(
        symmetry,
        ["wave", "create", "Autumn", "--org", "corp", "--opens", "2026-11-01", "--closes", "2026-11-30"],
        env=env,
    )
    assert created.exit_code == 0, created.output
    launched = runner.invoke(symmetry, ["wave", "launch", "Autumn"], env=env)
    assert launched.exit_code == 0, launched.output
    assert "Wave open: 270 invitations." in launched.output
    assert "E-mails sent: 270, failed: 0." in launched.output

    by_address = {message["To"]: message for message in inbox.messages}
    assert len(inbox.messages) == len(by_address) == 270
    assert by_address["person001@corp.example"]["Subject"] == "Corp : votre avis sur l'attention dans votre équipe"
    assert by_address["person000@corp.example"]["Subject"] == "Corp: your view of attention in your team"
    assert by_address["client01@mail.example"]["Subject"] == "Corp: your view of the team that served you"
    assert by_address["person001@corp.example"]["Content-Language"] == "fr"
    french = by_address["person001@corp.example"].get_body(("html",))
    assert french is not None and "Répondre à l&#39;enquête" in french.get_content()
    assert "anonymes" in str(by_address["person001@corp.example"].get_body(("plain",)).get_content())  # type: ignore[union-attr]

    answering = [f"person{i:03d}@corp.example" for i in range(0, 210, 2)] + [
        f"client{i:02d}@mail.example" for i in range(0, 60, 3)
    ]
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    run_sync(_answer(settings, [link_of(by_address[address]) for address in answering]))

    inbox.messages.clear()
    reminded = runner.invoke(symmetry, ["wave", "remind", "Autumn"], env=env)
    assert reminded.exit_code == 0, reminded.output
    assert "Reminders queued: 145." in reminded.output
    reminded_addresses = {message["To"] for message in inbox.messages}
    assert reminded_addresses == set(by_address) - set(answering)
    assert all(message["Subject"].startswith(("Rappel", "Reminder")) for message in inbox.messages)
    again = runner.invoke(symmetry, ["wave", "remind", "Autumn"], env=env)
    assert "Reminders queued: 0." in again.output  # SYMMETRY_MAX_REMINDERS=1
    # Every invitee holds the link of their last e-mail: `wave links` writes none unless told to replace them.
    links = runner.invoke(symmetry, ["wave", "links", "Autumn", "--out", str(tmp_path / "links.csv")], env=env)
    assert links.exit_code == 0, links.output
    assert "0 personal links written" in links.output and "145 people already hold a valid link" in links.output

    status = runner.invoke(symmetry, ["wave", "status", "Autumn"], env=env)
    assert status.exit_code == 0, status.output
    # Odd branches have no employee answer yet: they show "fewer than 5", and every total above them counts the
    # shown teams only, so that no hidden count can be recovered by subtraction while the wave is open.
    assert re.search(
        r"Head office \(HQ\)\s+│\s+210\s+│\s+105 \+ 10 teams under 5\s+│\s+–\s+│\s+60\s+│\s+20\s+│\s+33%",
        status.output,
    )
    assert re.search(r"North \(N\)\s+│\s+110\s+│\s+55 \+ 5 teams under 5\s+│", status.output)
    assert re.search(r"Branch 0 \(T00\)\s+│\s+11\s+│\s+11\s+│\s+100%", status.output)
    assert re.search(r"Branch 1 \(T01\)\s+│\s+11\s+│\s+fewer than 5\s+│\s+–", status.output)
    computed = run_sync(_status(settings))
    assert [(row.external_id, row.employees.invited, row.employees.answered) for row in computed.rows[:2]] == [
        ("HQ", 210, 105),
        ("N", 110, 55),
    ]

    closed = runner.invoke(symmetry, ["wave", "close", "Autumn"], env=env)
    assert closed.exit_code == 0, closed.output
    assert "results computed for 20 teams" in closed.output
    actions = run_sync(_audit_actions(settings))
    assert {"roster.import", "wave.create", "wave.launch", "wave.remind", "wave.close"} <= set(actions)


async def _status(settings: Settings) -> Any:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            wave = await session.scalar(sa.select(Wave))
            assert wave is not None and wave.state is WaveState.OPEN
            return await wave_status(session, wave, rules=DisclosureRules())
    finally:
        await config.get_engine().dispose()


async def _audit_actions(settings: Settings) -> list[str]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(await session.scalars(sa.select(AuditEvent.action)))
    finally:
        await config.get_engine().dispose()


class FlakyInbox(Inbox):
    """Refuses every message to some addresses, and the first try to others."""

    def __init__(self, refused: set[str], flaky: set[str]) -> None:
        super().__init__()
        self.refused, self.flaky, self.tried = refused, flaky, set[str]()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        recipient = envelope.rcpt_tos[0]
        if recipient in self.refused:
            return "451 Mailbox busy, try later"
        if recipient in self.flaky and recipient not in self.tried:
            self.tried.add(recipient)
            return "451 Greylisted, try again"
        return await super().handle_DATA(server, session, envelope)


def test_failed_e_mails_are_retried_recorded_and_sent_later(cli_env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = FlakyInbox(refused={"person000@corp.example"}, flaky={"person001@corp.example"})
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = settings_env(cli_env, port)
        runner = CliRunner()
        teams = write_roster(tmp_path)[0]
        people = tmp_path / "employees.csv"
        people.write_text(
            "email,team,language\nperson000@corp.example,T00,fr\nperson001@corp.example,T00,en\n"
            "person002@corp.example,T01,fr\n",
            encoding="utf-8",
        )
        assert (
            runner.invoke(symmetry, ["org", "import", str(teams), str(people), "--org", "corp"], env=env).exit_code == 0
        )
        runner.invoke(
            symmetry,
            ["wave", "create", "W", "--org", "corp", "--opens", "2026-11-01", "--closes", "2026-11-30"],
            env=env,
        )
        launched = runner.invoke(symmetry, ["wave", "launch", "W"], env=env)
        assert "E-mails sent: 2, failed: 1." in launched.output
        assert "`symmetry wave send WAVE` retries them" in launched.output
        assert {message["To"] for message in inbox.messages} == {"person001@corp.example", "person002@corp.example"}
        assert "failed: 1" in runner.invoke(symmetry, ["wave", "status", "W"], env=env).output
        inbox.refused.clear()
        resent = runner.invoke(symmetry, ["wave", "send", "W"], env=env)
        assert "E-mails sent: 1, failed: 0." in resent.output
        assert sorted(message["To"] for message in inbox.messages) == [
            "person000@corp.example",
            "person001@corp.example",
            "person002@corp.example",
        ]
    finally:
        controller.stop()


def test_launch_without_smtp_points_to_the_links_command(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    teams, employees, _ = write_roster(tmp_path)
    assert (
        runner.invoke(symmetry, ["org", "import", str(teams), str(employees), "--org", "corp"], env=cli_env).exit_code
        == 0
    )
    runner.invoke(
        symmetry,
        ["wave", "create", "W", "--org", "corp", "--opens", "2026-11-01", "--closes", "2026-11-30", "--teams", "N"],
        env=cli_env,
    )
    launched = runner.invoke(symmetry, ["wave", "launch", "W"], env=cli_env)
    assert launched.exit_code == 0, launched.output
    assert "Wave open: 110 invitations." in launched.output  # the North region's ten branches only
    assert "give out links with `symmetry wave links`" in launched.output
    again = runner.invoke(symmetry, ["wave", "launch", "W"], env=cli_env)
    assert again.exit_code == 1
    assert "only a draft or scheduled wave can be launched" in again.output
