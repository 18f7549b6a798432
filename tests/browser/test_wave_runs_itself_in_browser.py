"""A lead schedules a wave for tomorrow in the browser; with the clock moved, it opens, reminds and closes by itself.

The server runs the embedded default's scheduler (``symmetry serve`` without a queue) in this process, so moving
this process's clock (time-machine) moves the server's; an aiosmtpd server counts the e-mails that leave.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa
import time_machine

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Wave, WaveState
from symmetry.domain import Respondent
from tests.browser.conftest import SCREENSHOTS, serving
from tests.integration.factories import complete_answers
from tests.integration.mailbox import Inbox, running
from tests.support import run_sync

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)  # a Monday morning in Paris
EMAIL, PASSWORD = "rh@lille.example", "a long enough password"
TEAMS = {"LIL": ("Lille", 3, 2), "ARR": ("Arras", 2, 1)}  # name, employees, customers
PEOPLE = sum(employees + customers for _, employees, customers in TEAMS.values())


async def _organisation(settings: Settings) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(slug="nord", name="Nord Services", time_zone="Europe/Paris")
            session.add(organisation)
            await session.flush()
            region = Team(organisation_id=organisation.id, external_id="NORD", name="Région Nord")
            session.add(region)
            await session.flush()
            for key, (name, employees, customers) in TEAMS.items():
                team = Team(organisation_id=organisation.id, external_id=key, name=name, parent_id=region.id)
                session.add(team)
                await session.flush()
                session.add_all(
                    Employee(
                        organisation_id=organisation.id, team_id=team.id, email=f"e{i}@{key}.example", language="fr"
                    )
                    for i in range(employees)
                )
                session.add_all(
                    Customer(
                        organisation_id=organisation.id, team_id=team.id, email=f"c{i}@{key}.example", language="fr"
                    )
                    for i in range(customers)
                )
            await create_user(
                session, email=EMAIL, password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )
    finally:
        await config.get_engine().dispose()


async def _state(settings: Settings) -> WaveState:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return WaveState(await session.scalar(sa.select(Wave.state)))
    finally:
        await config.get_engine().dispose()


def _wait(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds  # time-machine leaves the monotonic clock alone: a real deadline
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard")


def test_a_scheduled_wave_opens_reminds_and_closes_by_itself(chromium: Any, clean_database: Settings) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    inbox = Inbox()
    with running(inbox) as smtp_port, time_machine.travel(START, tick=True) as clock:
        settings = Settings(
            environment="test",
            database_url=clean_database.database_url,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_starttls=False,
            mail_per_second=1000.0,
            sweep_seconds=0.5,
            jobs="inline",  # the embedded default's scheduler, on PostgreSQL too (a queue would need a worker)
            reports_dir=clean_database.reports_dir,
        )
        run_sync(_organisation(settings))
        with serving(settings, scheduler=True) as url:
            context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
            page = context.new_page()
            _sign_in(page, url)
            page.goto(f"{url}/waves/new")
            tomorrow = START.date() + dt.timedelta(days=1)
            closes = tomorrow + dt.timedelta(days=9)
            page.fill("#name", "Printemps")
            page.fill("#opens_on", tomorrow.isoformat())
            page.fill("#closes_on", closes.isoformat())
            page.fill("#reminder_days", "3")
            page.click("form[action='/waves'] button[type=submit]")
            page.wait_for_url(re.compile(r".*/waves/[0-9a-f-]{36}$"))
            wave_url = page.url
            main = page.inner_text("main")
            assert "Qui sera invité, équipe par équipe" in main and "Relances automatiques 3 jours avant" in main
            for key, (_, employees, customers) in TEAMS.items():
                row = page.locator("tr", has_text=f"({key})").inner_text().split("\t")
                assert row[1:2] == [str(employees)] and row[4:5] == [str(customers)], row
            page.goto(f"{wave_url}/emails")
            assert "Nord Services : votre avis sur l'attention dans votre équipe" in page.inner_text("main")
            page.goto(wave_url)
            page.click("text=Lancer")
            assert "Sa date d'ouverture n'est pas encore arrivée" in page.inner_text("main")
            page.click("main form button.primary")
            page.wait_for_url(wave_url)
            assert "État : programmée" in page.inner_text("main")
            page.screenshot(path=str(SCREENSHOTS / "wave-scheduled-fr-phone.png"), full_page=True)

            time.sleep(2)  # four sweeps on the day before its opening
            assert run_sync(_state(settings)) is WaveState.SCHEDULED and not inbox.messages  # never opened early

            clock.move_to(dt.datetime.combine(tomorrow, dt.time(0, 5), PARIS))
            _wait(lambda: len(inbox.messages) == PEOPLE, "the invitations, at midnight in Paris")
            assert run_sync(_state(settings)) is WaveState.OPEN
            _sign_in(page, url)  # the session lapsed in the hours the clock skipped
            page.goto(wave_url)
            assert "État : ouverte" in page.inner_text("main")

            # One employee answers; the reminder day reminds the others, once.
            link = next(
                re.search(r"/r/([A-Za-z0-9_-]+)", str(m.get_body(("plain",)).get_content())).group(1)  # type: ignore[union-attr]
                for m in inbox.messages
                if str(m["To"]).startswith("e0@LIL")
            )
            answers = complete_answers(load_instrument("attention"), Respondent.EMPLOYEE)
            stored = httpx.post(f"{url}/api/v1/responses", json={"token": link, "answers": answers}, timeout=30)
            assert stored.status_code == 201, stored.text
            clock.move_to(dt.datetime.combine(closes - dt.timedelta(days=3), dt.time(8, 0), PARIS))
            _wait(lambda: len(inbox.messages) == 2 * PEOPLE - 1, "the reminders of the reminder day")
            reminded = {str(m["To"]) for m in inbox.messages[PEOPLE:]}
            assert len(reminded) == PEOPLE - 1 and not any(to.startswith("e0@LIL") for to in reminded)
            assert all(str(m["Subject"]).startswith("Rappel") for m in inbox.messages[PEOPLE:])
            time.sleep(1.5)
            assert len(inbox.messages) == 2 * PEOPLE - 1  # each reminder day once, whatever the sweeps

            clock.move_to(dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(0, 5), PARIS))
            _wait(lambda: run_sync(_state(settings)) is WaveState.CLOSED, "the close, the day after its closing date")
            _sign_in(page, url)
            page.goto(wave_url)
            assert "État : clôturée" in page.inner_text("main")
            page.screenshot(path=str(SCREENSHOTS / "wave-closed-by-itself-fr-phone.png"), full_page=True)
            context.close()
