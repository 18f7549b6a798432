"""A lead's pages in headless Chromium: French for a French browser, English once chosen, and no page wider than
a phone's screen at 390 px (wide tables scroll inside themselves)."""

from __future__ import annotations

from typing import Any

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.open_links import front_line_teams, team_links
from tests.browser.conftest import SCREENSHOTS, LiveSite
from tests.support import run_sync

PASSWORD = "a long enough password"
EMAIL = "lead@browser.example"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def lead_pages(wave_id: Any) -> tuple[tuple[str, str], ...]:
    return (
        ("dashboard", "/dashboard"),
        ("wave", f"/waves/{wave_id}"),
        ("emails", f"/waves/{wave_id}/emails"),
        ("import", "/org/import"),
        ("open-links", "/open-links"),
    )


async def _lead(settings: Settings, organisation_id: Any) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            await create_user(
                session, email=EMAIL, password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation_id
            )
            await team_links(session, await front_line_teams(session, organisation_id))  # their URLs must fit too
    finally:
        await config.get_engine().dispose()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_lead_reads_the_pages_in_french_then_english_on_a_phone_and_a_desktop(
    chromium: Any, live_site: LiveSite
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run_sync(_lead(live_site.settings, live_site.wave.organisation.id))
    wave_id = live_site.wave.wave.id
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{live_site.url}/login")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        assert page.locator("h1").inner_text() == "Vagues d'enquête"
        for name, path in lead_pages(wave_id):
            page.goto(f"{live_site.url}{path}")
            page.screenshot(path=str(SCREENSHOTS / f"lead-{name}-fr-{size}.png"), full_page=True)
            assert _fits(page), f"{name} scrolls sideways at {viewport['width']} px in French"
        page.goto(f"{live_site.url}/waves/{wave_id}")
        assert "Taux de réponse" in page.inner_text("main")
        page.click("button[name=language][value=en]")
        page.wait_for_url(f"**/waves/{wave_id}")
        assert page.locator("html").get_attribute("lang") == "en"
        assert "Response rates" in page.inner_text("main")
        for name, path in lead_pages(wave_id):
            page.goto(f"{live_site.url}{path}")
            page.screenshot(path=str(SCREENSHOTS / f"lead-{name}-en-{size}.png"), full_page=True)
            assert _fits(page), f"{name} scrolls sideways at {viewport['width']} px in English"
        page.click("button[name=language][value=fr]")  # back to French for the next size's sign-in
        context.close()
