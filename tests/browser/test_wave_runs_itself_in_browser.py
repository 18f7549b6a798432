"""A lead runs a wave in the browser: creates it on the short customer form, previews both surveys and both e-mails
in French, schedules it for tomorrow; with the clock moved, it opens, reminds and closes by itself.

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
from surveys.collection.models import Comment, Response, SealedResponse
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry.domain import CustomerForm, Respondent
from tests.browser.conftest import SCREENSHOTS, serving
from tests.integration.factories import complete_answers
from tests.integration.mailbox import Inbox, running
from tests.support import run_sync

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)  # a Monday morning in Paris
EMAIL, PASSWORD = "rh@lille.example", "a long enough password"
TEAMS = {"LIL": ("Lille", 3, 2), "ARR": ("Arras", 2, 1)}  # name, employees, customers
PEOPLE = sum(employees + customers for _, employees, customers in TEAMS.values())
ATTENTION = load_instrument("attention")
SHORT_FORM = [  # [short_customer] in attention.toml: five dimensions on the first page, the NPS on the second
    ["listening.customer", "trust.customer", "information.customer", "responsiveness.customer", "simplicity.customer"],
    ["outcome.nps"],
]
EMPLOYEE_FIRST_PAGE = [f"{dimension.key}.employee" for dimension in ATTENTION.dimensions]  # the attention received
FRENCH = {item.id: item.text["fr"] for item in ATTENTION.items}


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
            state = await session.scalar(sa.select(Wave.state))
            assert state is not None, "the wave exists"
            return WaveState(state)
    finally:
        await config.get_engine().dispose()


async def _stored(settings: Settings) -> dict[str, int]:
    """What answering leaves in the database: responses (sealed until the close admits them), comments, and the
    invitations marked answered."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            counted = {
                "responses": sa.select(sa.func.count()).select_from(Response),
                "sealed": sa.select(sa.func.count()).select_from(SealedResponse),
                "comments": sa.select(sa.func.count()).select_from(Comment),
                "answered": sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered),
            }
            return {what: int(await session.scalar(query) or 0) for what, query in counted.items()}
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


def _create_short_wave(page: Any, url: str, opens_on: dt.date, closes_on: dt.date) -> str:
    """The lead fills in the new-wave form, customers on the short form, reminders 3 days before: the wave's URL."""
    page.goto(f"{url}/waves/new")
    page.select_option("#customer_form", "short")
    page.fill("#name", "Printemps")
    page.fill("#opens_on", opens_on.isoformat())
    page.fill("#closes_on", closes_on.isoformat())
    page.fill("#reminder_days", "3")
    page.click("form[action='/waves'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/waves/[0-9a-f-]{36}$"))
    return str(page.url)


def _asked(page: Any) -> list[str]:
    """The item of each radio-button question on the page (its radios' name), checking that its legend is French."""
    items = []
    for fieldset in page.locator("fieldset.question").all():
        item = str(fieldset.locator("input[type=radio]").first.get_attribute("name")).removeprefix("a.")
        assert fieldset.locator("legend").inner_text() == FRENCH[item], item
        items.append(item)
    return items


def _answer_form(page: Any, shots: str | None = None) -> list[list[str]]:
    """Answer the form on screen page by page as a respondent would, then send it: the items each page asked.

    Each question gets its fourth choice (4 of 5 on an agreement scale, 3 on the NPS's 0 to 10), and the last page's
    comment is filled in, so that a preview's "nothing stored" covers comments too. With `shots`, each page is
    photographed as `shots`-N.png.
    """
    progress = re.fullmatch(r"Étape 1 sur (\d+) · .*", page.inner_text("#progress-label"))
    assert progress, page.inner_text("#progress-label")
    steps = int(progress.group(1))
    asked = []
    for step in range(1, steps + 1):
        page.locator("#progress-label", has_text=f"Étape {step} sur {steps}").wait_for()
        if shots:
            page.screenshot(path=str(SCREENSHOTS / f"{shots}-{step}.png"), full_page=True)
        asked.append(_asked(page))
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("input[type=radio]").nth(3).check()
        if step < steps:
            page.get_by_role("button", name="Continuer").click()
    page.locator("textarea").fill("Un commentaire d'essai.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    return asked


def _preview_survey(page: Any, wave_url: str, link: str, current_tab: str, shots: str | None = None) -> list[list[str]]:
    """From the wave's page, the lead follows a preview link and walks through the real form to its end, in French:
    the items each page asked."""
    page.goto(wave_url)
    page.get_by_role("link", name=link).click()
    assert page.text_content("#preview-title") == "Aperçu"  # the banner over every page of a preview
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".preview-tabs strong[aria-current=page]").first.inner_text() == current_tab
    asked = _answer_form(page, shots)
    page.get_by_role("heading", name="Aperçu : rien n'a été enregistré").wait_for()
    return asked


def _preview_emails(page: Any, wave_url: str) -> dict[str, str]:
    """From the wave's page, the lead opens the e-mail previews (the employees' invitation, in French, first), then
    the reminder, for employees and then for customers: each e-mail's text, subject included."""
    page.goto(wave_url)
    page.get_by_role("link", name="Voir les e-mails d'invitation et de relance").click()
    letters = {"invitation": page.inner_text("section.letter")}
    for tab, letter in (("Relance", "reminder"), ("Clients", "customer reminder")):
        page.locator("nav.tabs").get_by_role("link", name=tab, exact=True).click()
        page.locator("nav.tabs strong[aria-current=page]", has_text=tab).wait_for()
        assert page.locator("section.letter").get_attribute("lang") == "fr"
        letters[letter] = page.inner_text("section.letter")
    return letters


def _link_of(inbox: Inbox, address: str) -> str:
    """The survey link of the first e-mail sent to `address`."""
    message = next(m for m in inbox.messages if str(m["To"]) == address)
    found = re.search(r"/r/[A-Za-z0-9_-]+", str(message.get_body(("plain",)).get_content()))  # type: ignore[union-attr]
    assert found, address
    return found.group(0)


def test_a_scheduled_wave_opens_reminds_and_closes_by_itself(chromium: Any, clean_database: Settings) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shipped = [item.id for item in ATTENTION.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)]
    assert shipped == [item for step in SHORT_FORM for item in step]  # SHORT_FORM is the shipped short form
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
        nothing = {"responses": 0, "sealed": 0, "comments": 0, "answered": 0}
        with serving(settings, scheduler=True) as url:
            context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
            page = context.new_page()
            _sign_in(page, url)
            tomorrow = START.date() + dt.timedelta(days=1)
            closes = tomorrow + dt.timedelta(days=9)
            wave_url = _create_short_wave(page, url, tomorrow, closes)
            main = page.inner_text("main")
            assert "Questionnaire des clients : court, 6 questions" in main
            assert "Qui sera invité, équipe par équipe" in main and "Relances automatiques 3 jours avant" in main
            for key, (_, employees, customers) in TEAMS.items():
                row = page.locator("tr", has_text=f"({key})").inner_text().split("\t")
                assert row[1:2] == [str(employees)] and row[4:5] == [str(customers)], row

            # Before launching, the lead sees both surveys as respondents will, through the real form: the
            # customers get exactly the short form's six questions; and nothing a preview answers is kept.
            customer_link = "le questionnaire des clients, tel que cette vague le pose"
            short = _preview_survey(page, wave_url, customer_link, "Clients, forme courte", shots="short-preview-fr")
            assert short == SHORT_FORM
            employee = _preview_survey(page, wave_url, "le questionnaire des collaborateurs", "Collaborateurs")
            assert employee[0] == EMPLOYEE_FIRST_PAGE and len(employee) == 3  # received, mirror, outcomes
            assert run_sync(_stored(settings)) == nothing

            # ... and the e-mails, which name the organisation and the closing date.
            letters = _preview_emails(page, wave_url)
            subject = "Nord Services : votre avis sur l'attention dans votre équipe"
            assert f"Objet : {subject}" in letters["invitation"], letters["invitation"]
            assert f"Objet : Rappel : {subject}" in letters["reminder"], letters["reminder"]
            assert "Si vous avez déjà répondu, merci" in letters["reminder"]
            assert "l'équipe Arras de Nord Services" in letters["customer reminder"]
            assert (
                "Objet : Rappel : Nord Services : votre avis sur l'équipe qui vous a servi"
                in letters["customer reminder"]
            )
            assert all("L'enquête est ouverte jusqu'au 11 mars 2027." in text for text in letters.values())

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

            # A customer answers the short form in the browser (on a phone, in French); an employee, through the
            # API. The reminder day reminds the others, once.
            customer = chromium.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
            survey = customer.new_page()
            survey.goto(url + _link_of(inbox, "c0@LIL.example"))
            assert "L'équipe qui vous a servi : Lille" in survey.inner_text("main")
            assert _answer_form(survey) == SHORT_FORM
            survey.get_by_role("heading", name="Merci !").wait_for()
            customer.close()
            token = _link_of(inbox, "e0@LIL.example").removeprefix("/r/")
            answers = complete_answers(ATTENTION, Respondent.EMPLOYEE)
            stored = httpx.post(f"{url}/api/v1/responses", json={"token": token, "answers": answers}, timeout=30)
            assert stored.status_code == 201, stored.text
            assert run_sync(_stored(settings))["answered"] == 2
            clock.move_to(dt.datetime.combine(closes - dt.timedelta(days=3), dt.time(8, 0), PARIS))
            _wait(lambda: len(inbox.messages) == 2 * PEOPLE - 2, "the reminders of the reminder day")
            reminded = {str(m["To"]) for m in inbox.messages[PEOPLE:]}
            assert len(reminded) == PEOPLE - 2 and not reminded & {"e0@LIL.example", "c0@LIL.example"}
            assert all(str(m["Subject"]).startswith("Rappel") for m in inbox.messages[PEOPLE:])
            time.sleep(1.5)
            assert len(inbox.messages) == 2 * PEOPLE - 2  # each reminder day once, whatever the sweeps

            clock.move_to(dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(0, 5), PARIS))
            _wait(lambda: run_sync(_state(settings)) is WaveState.CLOSED, "the close, the day after its closing date")
            _sign_in(page, url)
            page.goto(wave_url)
            assert "État : clôturée" in page.inner_text("main")
            page.screenshot(path=str(SCREENSHOTS / "wave-closed-by-itself-fr-phone.png"), full_page=True)
            context.close()
