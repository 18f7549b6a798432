"""The results as a lead and a manager read them in headless Chromium, on the demo's closed second wave.

A lead with a French browser opens the dashboard, sorts the heatmap and drills into a region, opens a team's page
and adds an action; in English the same pages read in English. A region's manager sees their own teams only, the
lead's action on one of them, and a refusal or a missing page in French. No page scrolls sideways at 390 px.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_lead_pages_in_browser import PASSWORD, SIZES, _fits
from tests.support import run_sync

LEAD = "lead@horizon.example"


async def _readers(settings: Settings) -> dict[str, Any]:
    """The lead's and a region manager's accounts, and what the test needs to know of the demo."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = (await session.scalars(sa.select(Organisation))).one()
            wave = (await session.scalars(sa.select(Wave).order_by(Wave.closes_on.desc()))).first()
            assert wave is not None
            released = (await session.get_one(WaveAnalysisRecord, wave.id)).document["teams"]
            shown = {key for key, team in released.items() if not team["suppressed"]}
            teams = list(await session.scalars(sa.select(Team).order_by(Team.external_id)))
            regions = [team for team in teams if team.external_id.startswith("R")]
            withheld = next(  # a region holding a withheld team
                r for r in regions if any(t.parent_id == r.id and t.external_id in set(released) - shown for t in teams)
            )
            region = next(r for r in regions if any(t.parent_id == r.id and t.external_id in shown for t in teams))
            branch = next(team for team in teams if team.parent_id == region.id and team.external_id in shown)
            elsewhere = next(team for team in teams if team.parent_id not in (None, region.id) and team.id != region.id)
            await create_user(
                session, email=LEAD, password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )  # fmt: skip
            assert region.manager_email
            await create_user(
                session, email=region.manager_email, password=PASSWORD, role=Role.MANAGER,
                organisation_id=organisation.id,
            )  # fmt: skip
            mine = {team.name for team in teams if team.id == region.id or team.parent_id == region.id}
            return {
                "wave": wave.id, "region": region, "branch": branch, "elsewhere": elsewhere, "mine": mine,
                "withheld_region": withheld.external_id,
            }  # fmt: skip
    finally:
        await config.get_engine().dispose()


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")


def _look(page: Any, name: str, size: str, width: int) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    assert _fits(page), f"{name} scrolls sideways at {width} px"


def test_a_lead_reads_the_heatmap_and_a_team_and_adds_an_action_a_manager_sees_their_teams_only(
    chromium: Any, demo_site: tuple[str, Settings]
) -> None:
    url, settings = demo_site
    facts = run_sync(_readers(settings))
    wave, branch = facts["wave"], facts["branch"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
        _sign_in(page, url, LEAD)
        page.goto(f"{url}/waves/{wave}/results")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("#heatmap").inner_text() == "Les équipes par dimension"
        assert page.locator("main img[alt^='Nuage de ']").count() == 1  # the linkage's scatter, described
        _look(page, "results-fr", size, viewport["width"])
        page.locator("table.heatmap thead a").first.click()  # sort by the first dimension
        page.wait_for_url("**sort=**")
        assert page.locator("table.heatmap [aria-label='trié, du plus haut au plus bas']").count() == 1
        page.locator("table.heatmap tbody th a").first.click()  # drill into a branch of the hierarchy
        page.wait_for_url("**branch=**")
        assert page.locator(".breadcrumb").count() == 1
        page.goto(f"{url}/waves/{wave}/results?voice=employee&branch={facts['withheld_region']}#heatmap")
        assert page.locator("table.heatmap td.withheld").count() > 0
        assert "∅ : non affiché, car moins de collaborateurs ont répondu que le seuil" in page.inner_text("main")
        _look(page, "results-branch-fr", size, viewport["width"])

        page.goto(f"{url}/waves/{wave}/teams/{branch.id}")
        main = page.inner_text("main")
        assert "Les trois regards" in main and "Depuis " in main
        assert page.locator("main img[alt]").first.get_attribute("alt")
        title = f"Point d'équipe hebdomadaire ({size})"
        page.select_option("#dimension", index=0)
        page.fill("#title", title)
        page.fill("#owner", "La manager de l'équipe")
        page.fill("#note", "Réservé aux managers : après un mois tendu")
        page.click("form[action$='/actions'] button[type=submit]")
        page.wait_for_url(f"**/waves/{wave}/teams/{branch.id}**")
        assert title in page.inner_text("main")
        _look(page, "team-fr", size, viewport["width"])

        with page.expect_navigation():
            page.click("button[name=language][value=en]")
        page.goto(f"{url}/waves/{wave}/results")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#heatmap").inner_text() == "Teams by dimension"
        _look(page, "results-en", size, viewport["width"])
        page.goto(f"{url}/waves/{wave}/teams/{branch.id}")
        assert "The three voices" in page.inner_text("main")
        _look(page, "team-en", size, viewport["width"])
        with page.expect_navigation():
            page.click("button[name=language][value=fr]")  # back to French for the next size's sign-in
        context.close()

        context = chromium.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
        _sign_in(page, url, facts["region"].manager_email)
        page.goto(f"{url}/waves/{wave}/teams")
        listed = {link.inner_text() for link in page.locator(f"main a[href^='/waves/{wave}/teams/']").all()}
        assert listed == facts["mine"]
        _look(page, "manager-teams-fr", size, viewport["width"])
        page.goto(f"{url}/waves/{wave}/teams/{branch.id}")
        assert title in page.inner_text("main") and "après un mois tendu" in page.inner_text("main")
        refused = page.goto(f"{url}/waves/{wave}/teams/{facts['elsewhere'].id}")
        assert refused is not None and refused.status == 403
        assert "Vous n'avez pas accès à cette page." in page.inner_text("main")
        results = page.goto(f"{url}/waves/{wave}/results")
        assert results is not None and results.status == 403
        missing = page.goto(f"{url}/waves/{wave}/nothing-here")
        assert missing is not None and missing.status in (404, 405)
        _look(page, "manager-refused-fr", size, viewport["width"])
        context.close()
