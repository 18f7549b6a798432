"""A respondent answers in headless Chromium: an employee in French with the keyboard only, on a phone-sized
window, and a customer in English on a desktop-sized one; then the stored rows are checked."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from surveys.collection.mixing import admit_all
from surveys.collection.models import Comment, Response
from surveys.db import alchemy_config
from surveys.settings import Settings
from symmetry.domain import Respondent
from tests.browser.conftest import SCREENSHOTS, LiveSite
from tests.integration.factories import stored_responses
from tests.support import run_sync

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def _stored(settings: Settings, wave_id: uuid.UUID) -> tuple[list[Any], dict[str, int], list[str]]:
    """What was stored, once admitted among the responses as closing the wave would."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            await admit_all(session, wave_id)
        async with config.get_session() as session:
            responses = (await session.execute(sa.select(Response.respondent, Response.team_id))).all()
            answers = {k: v for stored in await stored_responses(session) for k, v in stored.answers.items()}
            comments = list(await session.scalars(sa.select(Comment.text)))
            return responses, answers, comments
    finally:
        await config.get_engine().dispose()


def answer_with_keyboard(page: Any, values: list[int], low: int) -> None:
    """Tab into each radio group in turn, check its first option with Space, then walk right to the value."""
    for value in values:
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        for _ in range(value - low):
            page.keyboard.press("ArrowRight")


def test_employee_answers_in_french_with_the_keyboard_on_a_phone(chromium: Any, live_site: LiveSite) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    page = context.new_page()
    token = live_site.wave.token(Respondent.EMPLOYEE, "fr")
    page.goto(f"{live_site.url}/r/{token}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_text("Vos réponses sont anonymes").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "employee-step1-phone.png"), full_page=True)

    employee_values = [5, 4, 3, 4, 2, 5, 4]
    page.keyboard.press("Tab")  # the anonymity statement's link to the privacy notice comes first
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused.startswith("/notice/") and focused.endswith("?lang=fr"), focused
    answer_with_keyboard(page, employee_values[:1], low=1)
    page.screenshot(path=str(SCREENSHOTS / "employee-keyboard-focus-phone.png"))
    answer_with_keyboard(page, employee_values[1:], low=1)
    page.keyboard.press("Enter")  # implicit submission: the first button, "Continuer"
    page.get_by_text("Étape 2 sur 3").wait_for()
    mirror_values = [4, 4, 4, 5, 3, 5, 4]
    answer_with_keyboard(page, mirror_values, low=1)
    page.keyboard.press("Enter")
    page.get_by_text("Étape 3 sur 3").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "employee-step3-phone.png"), full_page=True)
    answer_with_keyboard(page, [4], low=1)  # engagement
    answer_with_keyboard(page, [8], low=0)  # eNPS
    page.keyboard.press("Tab")
    page.keyboard.type("Plus de temps pour écouter les clients.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Envoyer mes réponses"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Merci !").wait_for()
    context.close()

    responses, answers, comments = run_sync(_stored(live_site.settings, live_site.wave.wave.id))
    assert [(respondent, team) for respondent, team in responses] == [(Respondent.EMPLOYEE, live_site.wave.team.id)]
    dimensions = [d.key for d in live_site.wave.instrument.dimensions]
    assert {f"{d}.employee": answers[f"{d}.employee"] for d in dimensions} == {
        f"{d}.employee": v for d, v in zip(dimensions, employee_values, strict=True)
    }
    assert {f"{d}.mirror": answers[f"{d}.mirror"] for d in dimensions} == {
        f"{d}.mirror": v for d, v in zip(dimensions, mirror_values, strict=True)
    }
    assert (answers["outcome.engagement"], answers["outcome.enps"]) == (4, 8)
    assert comments == ["Plus de temps pour écouter les clients."]


def test_customer_answers_in_english_and_cannot_answer_twice(chromium: Any, live_site: LiveSite) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    link = f"{live_site.url}/r/{live_site.wave.token(Respondent.CUSTOMER)}"
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("Some answers need your attention").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "customer-errors-desktop.png"), full_page=True)
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("4 – Agree").check()
    page.screenshot(path=str(SCREENSHOTS / "customer-step1-desktop.png"), full_page=True)
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Step 2 of 2").wait_for()
    page.locator("fieldset").nth(0).get_by_label("9", exact=True).check()
    page.locator("fieldset").nth(1).get_by_label("5", exact=True).check()
    page.locator("fieldset").nth(2).get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you!").wait_for()
    page.goto(link)
    assert page.get_by_role("heading", name="You have already answered").is_visible()
    page.goto(f"{live_site.url}/r/{live_site.wave.token(Respondent.EMPLOYEE, 'en')}")
    page.screenshot(path=str(SCREENSHOTS / "employee-step1-desktop.png"), full_page=True)
    context.close()

    responses, answers, _ = run_sync(_stored(live_site.settings, live_site.wave.wave.id))
    assert [respondent for respondent, _ in responses] == [Respondent.CUSTOMER]
    assert answers["listening.customer"] == 4
    assert (answers["outcome.nps"], answers["outcome.csat"], answers["outcome.ces"]) == (9, 5, 2)
