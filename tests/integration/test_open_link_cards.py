"""A lead prints the open-link cards on the web; a card's code is the team's for good, until it is rotated."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from surveys.audit.models import AuditEvent
from surveys.collection.models import Response
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import OpenLink, Wave
from surveys.waves.services import close_wave, create_wave, launch_wave
from symmetry.domain import Respondent
from tests.integration.factories import complete_answers
from tests.integration.test_survey_http import csrf_token, form_fields
from tests.integration.world import World, client_for

CODE = r"/o/([A-Za-z0-9_-]{16})"
CARD_TOOLS = shutil.which("pdftoppm") and shutil.which("zbarimg")


def _decoded_qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """What a phone reads from the printed sheet: its first page drawn at 150 dpi, every QR code on it decoded."""
    (tmp_path / "cards.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "cards.pdf"), str(tmp_path / "sheet")],
        check=True,
    )
    sheet = next(tmp_path.glob("sheet*.png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(sheet)], capture_output=True, text=True, check=False)
    return decoded.stdout.split()


async def _settings_of(world: World) -> Settings:
    settings: Settings = world.app.state.settings
    return settings


async def _rows(settings: Settings, query: sa.Select[tuple[object]]) -> list[object]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(await session.scalars(query))
    finally:
        await config.get_engine().dispose()


async def test_a_lead_creates_prints_rotates_and_opens_the_team_links(world: World, tmp_path: Path) -> None:
    settings = await _settings_of(world)
    client = await client_for(world.app, "hr_lead")
    try:
        own = await client.get("/open-links", follow_redirects=False)
        page_url = f"/organisations/{world.alpha_id}/open-links"
        assert own.status_code == 303 and own.headers["location"] == page_url
        before = await client.get(page_url)
        assert "Créer les liens manquants (2 équipes)" in before.text  # the front-line teams: North one and South
        assert "Head office" not in before.text and "Pas encore de lien" in before.text
        token = client.cookies["csrftoken"]
        for _ in range(2):  # a double click creates nothing more
            created = await client.post(page_url, data={"_csrf_token": token}, follow_redirects=False)
            assert created.status_code == 303
        page = await client.get(page_url)
        codes = re.findall(CODE, page.text)
        assert len(set(codes)) == 2 and "Créer les liens manquants" not in page.text
        links = await _rows(settings, sa.select(OpenLink))
        assert len(links) == 2

        south = next(team for team in await _rows(settings, sa.select(Team)) if team.name == "South")  # type: ignore[attr-defined]
        south_code = next(link.code for link in links if link.team_id == south.id)  # type: ignore[attr-defined]
        south_url = f"{settings.public_url}/o/{south_code}"
        card = await client.get(f"{page_url}/cards.pdf", params={"team": str(south.id)})
        assert card.status_code == 200 and card.headers["content-type"] == "application/pdf"
        text = PdfReader(io.BytesIO(card.content)).pages[0].extract_text()
        # South's only person speaks English: its card does too, with the team's name and the link written out.
        assert "South" in text and "Alpha".upper() in text and south_url in text
        assert "How did we do? Tell us in two minutes." in text
        french = await client.get(f"{page_url}/cards.pdf", params={"team": str(south.id), "language": "fr"})
        assert "Dites-le-nous en deux minutes" in PdfReader(io.BytesIO(french.content)).pages[0].extract_text()
        every = await client.get(f"{page_url}/cards.pdf")
        sheet = PdfReader(io.BytesIO(every.content))
        assert len(sheet.pages) == 1 and {"South", "North one"} <= set(sheet.pages[0].extract_text().splitlines())
        if CARD_TOOLS:
            assert sorted(_decoded_qr_codes(every.content, tmp_path)) == sorted(
                f"{settings.public_url}/o/{code}" for code in set(codes)
            )
        elif os.environ.get("SYMMETRY_TEST_REQUIRE_BROWSER"):
            pytest.fail("pdftoppm and zbarimg are needed to decode the cards (make card-tools)")
        for bad in ({"language": "de"}, {"team": "not-a-uuid"}):
            refused = await client.get(f"{page_url}/cards.pdf", params=bad)
            assert refused.status_code == 400 and ("language" in refused.text or "team" in refused.text)

        survey = await client.get(f"/o/{south_code}")
        assert survey.status_code == 200  # the Spring wave is open for South

        confirm = await client.get(f"{page_url}/{south.id}/rotate")
        assert "cesse aussitôt de fonctionner" in confirm.text
        rotated = await client.post(
            f"{page_url}/{south.id}/rotate", data={"_csrf_token": token}, follow_redirects=False
        )
        assert rotated.status_code == 303
        new_code = next(
            link.code  # type: ignore[attr-defined]
            for link in await _rows(settings, sa.select(OpenLink))
            if link.team_id == south.id  # type: ignore[attr-defined]
        )
        assert new_code != south_code
        assert (await client.get(f"/o/{south_code}")).status_code == 404  # the old cards name no link
        assert (await client.get(f"/o/{south_code}/qr.svg")).status_code == 404
        assert (await client.get(f"/o/{new_code}")).status_code == 200

        repeat = f"{page_url}/{south.id}/repeat"
        allowed = await client.post(
            repeat, data={"_csrf_token": token, "one_per_browser": "no"}, follow_redirects=False
        )
        assert allowed.status_code == 303
        assert "Plusieurs acceptées" in (await client.get(page_url)).text
        odd = await client.post(repeat, data={"_csrf_token": token, "one_per_browser": "maybe"})
        assert odd.status_code == 422 and "one_per_browser" in odd.text
        south_link = await _rows(settings, sa.select(OpenLink).where(OpenLink.team_id == south.id))
        assert south_link[0].one_per_browser is False  # type: ignore[attr-defined]
        actions = [event.action for event in await _rows(settings, sa.select(AuditEvent))]  # type: ignore[attr-defined]
        assert actions.count("open_links.create") == 2 and "open_link.rotate" in actions
        assert actions.count("open_link.one_per_browser") == 1
        nowhere = await client.get(f"/organisations/{uuid.uuid4()}/open-links")
        assert nowhere.status_code == 403  # as another organisation's: a lead is not told which ids exist
    finally:
        await client.__aexit__(None, None, None)

    for role in ("manager", "viewer", "other_org"):
        outsider = await client_for(world.app, role)
        try:
            assert (await outsider.get(f"/organisations/{world.alpha_id}/open-links")).status_code == 403
            assert (await outsider.get(f"/organisations/{world.alpha_id}/open-links/cards.pdf")).status_code == 403
        finally:
            await outsider.__aexit__(None, None, None)


async def test_a_teams_code_serves_the_next_wave_and_says_so_between_waves(world: World) -> None:
    settings = await _settings_of(world)
    client = await client_for(world.app, "hr_lead")
    try:
        page_url = f"/organisations/{world.alpha_id}/open-links"
        await client.get(page_url)
        await client.post(page_url, data={"_csrf_token": client.cookies["csrftoken"]})
        links = await _rows(settings, sa.select(OpenLink).where(OpenLink.team_id == world.other_team))
        code = links[0].code  # type: ignore[attr-defined]
    finally:
        await client.__aexit__(None, None, None)

    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, world.wave_id))
        async with AsyncTestClient(app=world.app) as customer:
            between = await customer.get(f"/o/{code}", headers={"accept-language": "fr"})
            assert between.status_code == 410 and "Pas d&#39;enquête en ce moment" in between.text
            assert "fonctionnera de nouveau pour sa prochaine enquête" in between.text
            assert (await customer.get(f"/o/{code}/qr.png")).status_code == 200  # a card printed between waves
        async with config.get_session() as session, session.begin():
            alpha = await session.get_one(Organisation, world.alpha_id)
            version, instrument = await register_instrument(session, "attention")
            autumn = await create_wave(
                session, alpha, name="Autumn", instrument_version_id=version.id,
                opens_on=dt.date(2026, 9, 1), closes_on=dt.date(2026, 9, 30),
            )  # fmt: skip
            session.add(Customer(organisation_id=alpha.id, team_id=world.other_team, email=None, language="fr"))
            await launch_wave(session, autumn)
            autumn_id = autumn.id
        async with AsyncTestClient(app=world.app) as customer:
            form = await customer.get(f"/o/{code}", headers={"accept-language": "fr"})
            assert form.status_code == 200
            data = {
                "_csrf_token": csrf_token(form.text),
                "step": "2",
                "lang": "fr",
                "action": "submit",
                **form_fields(complete_answers(instrument, Respondent.CUSTOMER)),
            }
            done = await customer.post(f"/o/{code}", data=data, follow_redirects=False)
            assert done.status_code == 303
        counted = await _rows(settings, sa.select(Response.wave_id).where(Response.team_id == world.other_team))
        assert counted == [autumn_id]  # the answer counts for the wave open at that moment, not the closed one
    finally:
        await config.get_engine().dispose()
