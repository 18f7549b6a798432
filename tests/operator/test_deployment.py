"""The deployment an operator runs: two web processes and a worker against PostgreSQL, with `kill -9` in the middle.

Real processes (`symmetry serve`, `symmetry worker`), a real SMTP server (aiosmtpd, in this process), HTTP only:
sessions cross processes, the open-link limit holds across both, each invitation is e-mailed once though the
worker is killed while sending, no acknowledged answer is lost and none is stored twice though a web process is
killed while 200 respondents answer, and a close on the web is finished by the worker, and its reports, though
that worker is killed while it renders, by two others, notices included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.collection.models import Response, SealedResponse
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.instruments.services import register_instrument
from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.org.models import Employee, Organisation, Team
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import create_wave, hash_token
from symmetry.domain import Respondent
from tests.integration.factories import complete_answers
from tests.integration.mailbox import Inbox, running
from tests.support import run_sync

pytestmark = pytest.mark.skipif(
    not os.environ.get("SYMMETRY_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the job queue and its workers run on PostgreSQL",
)
TEAMS, PER_TEAM = 4, 50
PASSWORD = "operator test password"
LEAD, MANAGER = "hr@ops.example", "manager@ops.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Deployment:
    """Processes started from one environment, killed at the end whatever happens."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.processes = env, logs, list[subprocess.Popen[bytes]]()
        self.files: list[Any] = []

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{arguments[0]}-{len(self.processes)}.log").open("wb")
        self.files.append(log)
        process = subprocess.Popen(
            [sys.executable, "-c", "from surveys.cli import main; main()", *arguments],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def serve(self, port: int) -> subprocess.Popen[bytes]:
        process = self.start("serve", "--port", str(port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return process
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"the server on port {port} did not start")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        for log in self.files:
            log.close()


def wait_for(predicate: Any, seconds: float, what: str, state: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}" + (f": {state()}" if state else ""))


async def _outbox(settings: Settings) -> list[tuple[Any, ...]]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            query = sa.select(EmailDelivery.kind, EmailDelivery.status, sa.func.count()).group_by(
                EmailDelivery.kind, EmailDelivery.status
            )
            return [tuple(row) for row in await session.execute(query)]
    finally:
        await config.get_engine().dispose()


async def _world(settings: Settings) -> tuple[uuid.UUID, str]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="ops", name="Ops")
            session.add(organisation)
            await session.flush()
            teams = [
                Team(
                    id=uuid.uuid4(),
                    organisation_id=organisation.id,
                    external_id=f"T{i}",
                    name=f"Team {i}",
                    manager_email=MANAGER if i == 0 else None,
                )
                for i in range(TEAMS)
            ]
            session.add_all(teams)
            await session.flush()
            session.add_all(
                Employee(organisation_id=organisation.id, team_id=team.id, email=f"p{t}-{i}@ops.example", language="fr")
                for t, team in enumerate(teams)
                for i in range(PER_TEAM)
            )
            version, _ = await register_instrument(session, "attention")
            today = dt.date.today()
            wave = await create_wave(session, organisation, name="Ops wave", instrument_version_id=version.id,
                                     opens_on=today, closes_on=today + dt.timedelta(days=14))  # fmt: skip
            await create_user(
                session, email=LEAD, password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )
            await create_user(
                session, email=MANAGER, password=PASSWORD, role=Role.MANAGER, organisation_id=organisation.id
            )
            return wave.id, organisation.id.hex
    finally:
        await config.get_engine().dispose()


async def _scalar(settings: Settings, statement: Any) -> Any:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return await session.scalar(statement)
    finally:
        await config.get_engine().dispose()


def scalar(settings: Settings, statement: Any) -> Any:
    return run_sync(_scalar(settings, statement))


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with running(handler) as port:
        yield handler, port


def test_two_web_processes_and_a_worker_survive_kill_9_and_send_each_e_mail_once(
    clean_database: Settings, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    mails, smtp_port = inbox
    wave_id, _ = run_sync(_world(clean_database))
    ports = [free_port(), free_port()]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SYMMETRY_")},
        "SYMMETRY_ENVIRONMENT": "test",
        "SYMMETRY_DATABASE_URL": clean_database.database_url,
        "SYMMETRY_SECRET_KEY": "shared-by-every-process",
        "SYMMETRY_JOBS": "queue",
        "SYMMETRY_PUBLIC_URL": f"http://127.0.0.1:{ports[0]}",
        "SYMMETRY_SMTP_HOST": "127.0.0.1",
        "SYMMETRY_SMTP_PORT": str(smtp_port),
        "SYMMETRY_SMTP_STARTTLS": "false",
        "SYMMETRY_SWEEP_SECONDS": "1",
        "SYMMETRY_MAIL_LEASE_SECONDS": "3",
        "SYMMETRY_REPORTS_DIR": str(tmp_path / "reports"),
        "SYMMETRY_RENDER_PROCESSES": "1",
        "SYMMETRY_RENDER_CHUNK": "1",
        "SYMMETRY_JOB_HEARTBEAT_SECONDS": "4",
        "SYMMETRY_OPEN_LINK_RATE_LIMIT": "10",
    }
    deployment = Deployment(env, tmp_path)
    lead = httpx.Client(timeout=30)
    try:
        web = [deployment.serve(ports[0]), deployment.serve(ports[1])]
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        lead.get(f"{a}/login")
        signed_in = lead.post(
            f"{a}/login",
            data={"email": LEAD, "password": PASSWORD, "_csrf_token": lead.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        # The session opened at A is valid at B, and B accepts A's form token (one secret key).
        assert lead.get(f"{b}/dashboard", follow_redirects=False).status_code == 200
        launched = lead.post(
            f"{b}/waves/{wave_id}/launch", data={"_csrf_token": lead.cookies["csrftoken"]}, follow_redirects=False
        )
        assert launched.status_code == 303

        # The worker is killed while it sends; another takes over once the dead one's claims expire.
        first_worker = deployment.start("worker", "--concurrency", "8")
        people = TEAMS * PER_TEAM
        wait_for(lambda: len(mails.messages) >= people // 4, 90, "the first e-mails")
        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait()
        second_worker = deployment.start("worker", "--concurrency", "8")
        wait_for(
            lambda: scalar(
                clean_database,
                sa.select(sa.func.count()).where(
                    EmailDelivery.status == DeliveryStatus.SENT, EmailDelivery.kind == MailKind.INVITATION
                ),
            ) == people,
            120,
            "every invitation sent",
            lambda: (run_sync(_outbox(clean_database)), len(mails.messages)),
        )  # fmt: skip
        by_recipient: dict[str, set[str]] = defaultdict(set)
        for message in mails.messages:
            by_recipient[str(message["To"])].add(str(message["Message-ID"]))
        assert len(by_recipient) == people
        assert all(len(ids) == 1 for ids in by_recipient.values())  # each e-mail once, as identified by its id
        # A copy sent again after a kill between the server's acceptance and the commit is the only duplicate.
        assert len(mails.messages) - people <= 8

        # 200 respondents at once, across both processes; A is killed in the middle.
        links: dict[str, str] = {}
        for message in mails.messages:
            body = message.get_body(("plain",))
            assert body is not None
            found = re.search(r"/r/([A-Za-z0-9_-]+)", str(body.get_content()))
            assert found
            links[str(message["To"])] = found.group(1)  # the last e-mail's token is the one that works
        instrument = load_instrument("attention")
        answers = complete_answers(instrument, Respondent.EMPLOYEE)
        outcomes = asyncio.run(_answer_all(list(links.values()), a, b, web[0], answers))
        acknowledged = [token for token, outcome in outcomes.items() if outcome == "stored"]
        lost_acknowledgements = [token for token, outcome in outcomes.items() if outcome == "already used"]
        assert acknowledged and web[0].poll() is not None  # A was really killed
        # Stored: sealed, or already admitted among the responses by the worker's mixing jobs (counted in one
        # statement, one snapshot: a batch admitted between two counts would be missed by both).
        stored = scalar(
            clean_database,
            sa.select(
                sa.select(sa.func.count()).select_from(Response).scalar_subquery()
                + sa.select(sa.func.count()).select_from(SealedResponse).scalar_subquery()
            ),
        )
        answered = scalar(clean_database, sa.select(sa.func.count()).where(Invitation.answered.is_(True)))
        assert stored == answered == len(acknowledged) + len(lost_acknowledgements)
        for token in acknowledged:
            assert scalar(
                clean_database, sa.select(Invitation.answered).where(Invitation.token_hash == hash_token(token))
            )

        # The open-link limit holds across B and a restarted A.
        web[0] = deployment.serve(ports[0])
        _fresh_throttle_window(60)
        statuses = [httpx.get(f"{(a, b)[i % 2]}/o/no-such-code", timeout=10).status_code for i in range(20)]
        assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}

        # Close on the web: answers stop at once, the worker finishes the close, renders, and notifies.
        closed = lead.post(
            f"{a}/waves/{wave_id}/close", data={"_csrf_token": lead.cookies["csrftoken"]}, follow_redirects=False
        )
        assert closed.status_code == 303
        wait_for(
            lambda: scalar(clean_database, sa.select(Wave.state).where(Wave.id == wave_id)) == WaveState.CLOSED,
            120,
            "the close",
        )
        assert scalar(clean_database, sa.select(sa.func.count()).select_from(SealedResponse)) == 0
        assert scalar(clean_database, sa.select(sa.func.count()).select_from(Response)) == answered
        # The only worker holds every chunk of the reports (one report each); it is killed after the first report.
        # Two new workers take over the dead one's chunks once their heartbeat lapses, and share them.
        expected_reports = TEAMS + 2  # each team, and the organisation in French and English

        def rendered() -> int:
            return int(
                scalar(clean_database, sa.select(sa.func.count()).where(ReportRecord.status == ReportStatus.RENDERED))
            )

        wait_for(lambda: rendered() >= 1, 120, "the first report")
        second_worker.send_signal(signal.SIGKILL)
        second_worker.wait()
        assert rendered() < expected_reports  # killed in the middle of the wave's reports
        deployment.start("worker", "--concurrency", "8")
        deployment.start("worker", "--concurrency", "8")
        wait_for(lambda: rendered() == expected_reports, 240, "the reports rendered by the new workers", rendered)
        wait_for(lambda: any(m["To"] == MANAGER for m in mails.messages), 60, "the manager's notice")
        assert sum(m["To"] == MANAGER for m in mails.messages) == 1
    finally:
        lead.close()
        deployment.stop_all()


def _fresh_throttle_window(seconds: int) -> None:
    """Wait for the start of a new fixed window when the current one ends within 15 s.

    The throttle counts per fixed window (epoch seconds // `seconds`); twenty requests that straddle a window's end
    would meet two counters and see up to twenty answers before the first refusal.
    """
    left = seconds - time.time() % seconds
    if left < 15:
        time.sleep(left + 0.1)


async def _answer_all(
    tokens: list[str], a: str, b: str, victim: subprocess.Popen[bytes], answers: dict[str, object]
) -> dict[str, str]:
    """Every token answered once, half at A and half at B; A is killed after a third; failures at A go to B."""
    outcomes: dict[str, str] = {}
    started = asyncio.Event()
    sent = 0

    async def answer(client: httpx.AsyncClient, index: int, token: str) -> None:
        nonlocal sent
        first = a if index % 2 else b
        for base in (first, b):
            try:
                response = await client.post(f"{base}/api/v1/responses", json={"token": token, "answers": answers})
            except httpx.TransportError:
                continue  # A is gone: the respondent tries again (at B)
            sent += 1
            if sent >= len(tokens) // 3:
                started.set()
            if response.status_code == 201:
                outcomes[token] = "stored"
            elif response.status_code == 409 and base == b and first == a:
                outcomes[token] = "already used"  # stored at A just before it died, the answer never came back
            else:
                outcomes[token] = f"refused {response.status_code}"
            return
        outcomes[token] = "lost"

    async def kill_a() -> None:
        await started.wait()
        victim.send_signal(signal.SIGKILL)
        # Reaped before the caller looks: a killed process is not gone until the kernel has ended it.
        await asyncio.to_thread(victim.wait, 30)

    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        killer = asyncio.create_task(kill_a())
        await asyncio.gather(*(answer(client, i, token) for i, token in enumerate(tokens)))
        started.set()
        await killer
    assert "lost" not in outcomes.values()
    assert not [o for o in outcomes.values() if o.startswith("refused")], outcomes
    return outcomes
