"""The survey pages and the collection API over HTTP, as a respondent's browser or an integration uses them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from surveys.app import create_app
from surveys.collection.mixing import admit_all
from surveys.collection.models import Comment, Response, SealedResponse
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry.domain import Respondent
from tests.integration.factories import OpenWave, build_open_wave, complete_answers


@dataclass
class Site:
    client: AsyncTestClient  # type: ignore[type-arg]
    wave: OpenWave
    settings: Settings

    async def count(self, model: type) -> int:
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session:
                return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
        finally:
            await config.get_engine().dispose()

    async def answers_kept(self) -> int:
        """Responses, sealed or admitted."""
        return await self.count(Response) + await self.count(SealedResponse)

    async def answered_invitations(self) -> int:
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session:
                count = await session.scalar(
                    sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered)
                )
                return int(count or 0)
        finally:
            await config.get_engine().dispose()

    async def admit_sealed(self) -> None:
        """Admit the sealed answers among the responses, as closing the wave does."""
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session, session.begin():
                await admit_all(session, self.wave.wave.id)
        finally:
            await config.get_engine().dispose()

    async def close_wave(self) -> None:
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session, session.begin():
                await session.execute(sa.update(Wave).values(state=WaveState.CLOSED))
        finally:
            await config.get_engine().dispose()


async def make_site(settings: Settings) -> AsyncIterator[Site]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            wave = await build_open_wave(session)
    finally:
        await config.get_engine().dispose()
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield Site(client, wave, settings)


@pytest.fixture
async def site(clean_database: Settings) -> AsyncIterator[Site]:
    async for value in make_site(clean_database):
        yield value


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def form_fields(answers: dict[str, object], prefix: str = "a.") -> dict[str, str]:
    return {f"{prefix}{item_id}": str(value) for item_id, value in answers.items()}


# --- API -----------------------------------------------------------------------------------------------------------


async def test_api_stores_a_valid_response_once(site: Site) -> None:
    token = site.wave.token(Respondent.CUSTOMER)
    body = {
        "token": token,
        "answers": complete_answers(site.wave.instrument, Respondent.CUSTOMER),
        "comments": {"comment.customer": "Very kind."},
    }
    first = await site.client.post("/api/v1/responses", json=body)
    assert first.status_code == 201
    assert first.json() == {"status": "recorded"}
    again = await site.client.post("/api/v1/responses", json=body)
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {"field": "token", "code": "refused", "message": "this link has already been used to answer"}
    ]
    assert await site.answers_kept() == 1
    await site.admit_sealed()
    assert await site.count(Response) == 1 and await site.count(Comment) == 1


async def test_api_names_every_bad_field_and_stores_nothing(site: Site) -> None:
    token = site.wave.token(Respondent.EMPLOYEE, "fr")
    answers = complete_answers(site.wave.instrument, Respondent.EMPLOYEE)
    answers.update({"listening.employee": 6, "trust.employee": 3.5, "bogus.item": 2})
    del answers["outcome.enps"]
    response = await site.client.post(
        "/api/v1/responses", json={"token": token, "answers": answers, "comments": {"comment.employee": "x" * 1001}}
    )
    assert response.status_code == 422
    errors = {error["field"]: error["code"] for error in response.json()["errors"]}
    assert errors == {
        "answers.listening.employee": "out_of_range",
        "answers.trust.employee": "not_integer",
        "answers.bogus.item": "unknown",
        "answers.outcome.enps": "required",
        "comments.comment.employee": "too_long",
    }
    assert await site.answers_kept() == 0
    fixed = complete_answers(site.wave.instrument, Respondent.EMPLOYEE)
    assert (await site.client.post("/api/v1/responses", json={"token": token, "answers": fixed})).status_code == 201


async def test_api_refuses_unknown_tokens_closed_waves_and_malformed_bodies(site: Site) -> None:
    answers = complete_answers(site.wave.instrument, Respondent.CUSTOMER)
    unknown = await site.client.post("/api/v1/responses", json={"token": "nope", "answers": answers})
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "token"
    missing = await site.client.post("/api/v1/responses", json={"answers": answers})
    assert missing.status_code == 400
    assert "token" in missing.text
    not_json = await site.client.post(
        "/api/v1/responses", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    await site.close_wave()
    closed = await site.client.post(
        "/api/v1/responses", json={"token": site.wave.token(Respondent.CUSTOMER), "answers": answers}
    )
    assert closed.status_code == 410
    assert await site.answers_kept() == 0


async def test_api_is_documented_with_an_example(site: Site) -> None:
    schema = (await site.client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/responses"]["post"]
    assert set(operation["responses"]) >= {"201", "404", "409", "410", "422"}
    assert "examples" in str(operation["requestBody"])
    assert "/r/{token}" not in schema["paths"]


# --- Forms ---------------------------------------------------------------------------------------------------------


async def test_employee_walks_through_the_form_in_french_and_is_thanked(site: Site) -> None:
    token = site.wave.token(Respondent.EMPLOYEE, "fr")
    page = await site.client.get(f"/r/{token}")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Étape 1 sur 3" in page.text and "Vos réponses sont anonymes" in page.text
    answers = complete_answers(site.wave.instrument, Respondent.EMPLOYEE, value=4)
    fields = form_fields(answers)
    step_one = {k: v for k, v in fields.items() if k.endswith(".employee")}
    step_two = {k: v for k, v in fields.items() if k.endswith(".mirror")}
    step_three = {k: v for k, v in fields.items() if k.startswith("a.outcome.")}
    data = {"_csrf_token": csrf_token(page.text), "step": "1", "lang": "fr", "action": "next", **step_one}
    second = await site.client.post(f"/r/{token}", data=data)
    assert second.status_code == 200
    assert "Étape 2 sur 3" in second.text
    data = {"_csrf_token": csrf_token(second.text), "step": "2", "lang": "fr", "action": "next", **step_one, **step_two}
    third = await site.client.post(f"/r/{token}", data=data)
    assert "Étape 3 sur 3" in third.text
    data = {
        "_csrf_token": csrf_token(third.text),
        "step": "3",
        "lang": "fr",
        "action": "submit",
        **step_one,
        **step_two,
        **step_three,
        "c.comment.employee": "Merci pour l'écoute.",
    }
    done = await site.client.post(f"/r/{token}", data=data, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/thanks?lang=fr"
    assert "Merci" in (await site.client.get(done.headers["location"])).text
    assert await site.answers_kept() == 1
    again = await site.client.get(f"/r/{token}")
    assert again.status_code == 409
    assert "Vous avez déjà répondu" in again.text


async def test_missing_answer_is_shown_next_to_its_field_and_other_answers_are_kept(site: Site) -> None:
    token = site.wave.token(Respondent.EMPLOYEE, "en")
    page = await site.client.get(f"/r/{token}")
    assert '<html lang="en">' in page.text
    fields = form_fields(complete_answers(site.wave.instrument, Respondent.EMPLOYEE))
    step_one = {k: v for k, v in fields.items() if k.endswith(".employee") and "listening" not in k}
    response = await site.client.post(
        f"/r/{token}", data={"_csrf_token": csrf_token(page.text), "step": "1", "action": "next", **step_one}
    )
    assert response.status_code == 422
    assert 'id="q-listening-employee-error"' in response.text
    assert "Choose an answer." in response.text
    assert 'href="#q-listening-employee"' in response.text
    assert re.search(r'id="q-recognition-employee-4"[^>]*checked', response.text)
    assert "Step 1 of 3" in response.text


async def test_switching_language_keeps_the_answers(site: Site) -> None:
    token = site.wave.token(Respondent.CUSTOMER)
    page = await site.client.get(f"/r/{token}")
    assert "Step 1 of 2" in page.text
    data = {
        "_csrf_token": csrf_token(page.text),
        "step": "1",
        "lang": "en",
        "action": "lang:fr",
        "a.listening.customer": "5",
    }
    switched = await site.client.post(f"/r/{token}", data=data)
    assert switched.status_code == 200
    assert "Étape 1 sur 2" in switched.text
    assert re.search(r'id="q-listening-customer-5"[^>]*checked', switched.text)


async def test_form_without_csrf_token_is_refused(site: Site) -> None:
    token = site.wave.token(Respondent.CUSTOMER)
    await site.client.get(f"/r/{token}")
    response = await site.client.post(f"/r/{token}", data={"step": "1", "action": "next"})
    assert response.status_code == 403


async def test_over_long_comment_keeps_the_form_and_stores_nothing(site: Site) -> None:
    token = site.wave.token(Respondent.CUSTOMER)
    page = await site.client.get(f"/r/{token}")
    data = {
        "_csrf_token": csrf_token(page.text),
        "step": "2",
        "lang": "en",
        "action": "submit",
        **form_fields(complete_answers(site.wave.instrument, Respondent.CUSTOMER)),
        "c.comment.customer": "y" * 1001,
    }
    response = await site.client.post(f"/r/{token}", data=data)
    assert response.status_code == 422
    assert "longer than 1000 characters" in response.text
    assert "y" * 1001 in response.text
    assert await site.answers_kept() == 0
    assert await site.count(Invitation) == 3
    assert not await site.answered_invitations()  # the token was not consumed either


async def test_closed_wave_and_unknown_link_get_clear_pages(site: Site) -> None:
    unknown = await site.client.get("/r/not-a-real-token", headers={"accept-language": "en"})
    assert unknown.status_code == 404
    assert "This link is not valid" in unknown.text
    await site.close_wave()
    closed = await site.client.get(f"/r/{site.wave.token(Respondent.CUSTOMER)}")
    assert closed.status_code == 410
    assert "This survey is closed" in closed.text


async def test_the_form_names_the_team_its_questions_are_about(site: Site) -> None:
    customer = await site.client.get(f"/r/{site.wave.token(Respondent.CUSTOMER)}")  # an English invitation
    assert '<p class="about-team">The team that served you: Team one</p>' in customer.text
    assert "Think of your latest visit to this team, or your latest exchange with it." in customer.text
    french = await site.client.get(f"/r/{site.wave.token(Respondent.CUSTOMER)}?lang=fr")
    assert '<p class="about-team">L&#39;équipe qui vous a servi : Team one</p>' in french.text
    employee = await site.client.get(f"/r/{site.wave.token(Respondent.EMPLOYEE, 'fr')}")
    assert '<p class="about-team">Votre équipe : Team one</p>' in employee.text
    config = alchemy_config(site.settings)
    try:
        async with config.get_session() as session, session.begin():
            await session.execute(sa.update(Team).values(name='Agence <Lille> & "Nord"'))
    finally:
        await config.get_engine().dispose()
    code = site.wave.open_links[0].code
    counter = await site.client.get(f"/o/{code}", headers={"accept-language": "fr"})
    assert counter.status_code == 200
    assert "L&#39;équipe qui vous a servi : Agence &lt;Lille&gt; &amp; &#34;Nord&#34;</p>" in counter.text
    english = await site.client.get(f"/o/{code}?lang=en")
    assert "The team that served you: Agence &lt;Lille&gt; &amp; &#34;Nord&#34;</p>" in english.text
    assert "Agence <Lille>" not in english.text


# --- Open links ------------------------------------------------------------------------------------------------------


async def test_open_link_takes_one_answer_per_browser(site: Site) -> None:
    code = site.wave.open_links[0].code
    page = await site.client.get(f"/o/{code}", headers={"accept-language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    data = {
        "_csrf_token": csrf_token(page.text),
        "step": "2",
        "lang": "en",
        "action": "submit",
        **form_fields(complete_answers(site.wave.instrument, Respondent.CUSTOMER)),
    }
    done = await site.client.post(f"/o/{code}", data=data, follow_redirects=False)
    assert done.status_code == 303
    assert "symmetry_answered_" in done.headers["set-cookie"]
    again = await site.client.get(f"/o/{code}", headers={"accept-language": "en"})
    assert again.status_code == 409
    assert "already been sent from this browser" in again.text
    async with AsyncTestClient(app=create_app(site.settings)) as other_browser:
        other = await other_browser.get(f"/o/{code}")
        assert other.status_code == 200
    assert await site.answers_kept() == 1


async def test_open_link_qr_codes_are_svg_and_png(site: Site) -> None:
    code = site.wave.open_links[0].code
    svg = await site.client.get(f"/o/{code}/qr.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    png = await site.client.get(f"/o/{code}/qr.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (await site.client.get("/o/unknown-code/qr.svg")).status_code == 404


async def test_open_links_are_rate_limited_per_client(clean_database: Settings) -> None:
    settings = Settings(environment="test", database_url=clean_database.database_url, open_link_rate_limit=3)
    async for limited in make_site(settings):
        code = limited.wave.open_links[0].code
        statuses = [(await limited.client.get(f"/o/{code}")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert (await limited.client.get(f"/r/{limited.wave.token(Respondent.CUSTOMER)}")).status_code == 200


async def test_concurrent_form_submissions_of_one_link_store_one_response(site: Site) -> None:
    token = site.wave.token(Respondent.CUSTOMER)
    page = await site.client.get(f"/r/{token}")
    data = {
        "_csrf_token": csrf_token(page.text),
        "step": "2",
        "action": "submit",
        **form_fields(complete_answers(site.wave.instrument, Respondent.CUSTOMER)),
    }
    statuses = await asyncio.gather(
        *(site.client.post(f"/r/{token}", data=data, follow_redirects=False) for _ in range(3))
    )
    assert sorted(response.status_code for response in statuses) == [303, 409, 409]
    assert await site.answers_kept() == 1


async def test_concurrent_api_submissions_of_one_token_store_one_response(site: Site) -> None:
    # A double click, a retrying client: one statement consumes the token, the others find it used.
    body = {"token": site.wave.token(Respondent.EMPLOYEE, "fr"),
            "answers": complete_answers(site.wave.instrument, Respondent.EMPLOYEE)}  # fmt: skip
    statuses = await asyncio.gather(*(site.client.post("/api/v1/responses", json=body) for _ in range(6)))
    assert sorted(response.status_code for response in statuses) == [201, 409, 409, 409, 409, 409]
    assert await site.answers_kept() == 1 and await site.answered_invitations() == 1


async def test_the_waves_own_paragraph_opens_the_survey_in_the_respondents_language(site: Site) -> None:
    config = alchemy_config(site.settings)
    try:
        async with config.get_session() as session, session.begin():
            await session.execute(
                sa.update(Wave).values(introduction_fr="Merci d'avance,\nla direction.", introduction_en="Thank you.")
            )
    finally:
        await config.get_engine().dispose()
    token = site.wave.token(Respondent.EMPLOYEE)
    first = await site.client.get(f"/r/{token}?lang=fr")
    assert '<p class="wave-introduction">Merci d&#39;avance,\nla direction.</p>' in first.text
    english = await site.client.get(f"/r/{token}?lang=en")
    assert "Thank you." in english.text and "la direction" not in english.text
    data = {"_csrf_token": csrf_token(first.text), "step": "1", "lang": "fr", "action": "next"}
    data |= form_fields(complete_answers(site.wave.instrument, Respondent.EMPLOYEE))
    second = await site.client.post(f"/r/{token}", data=data)
    assert "Étape 2" in second.text and "wave-introduction" not in second.text  # the first page only
    customer = await site.client.get(f"/o/{site.wave.open_links[0].code}?lang=fr")
    assert "la direction." in customer.text


async def test_both_surveys_link_to_the_organisations_privacy_notice_in_their_language(site: Site) -> None:
    config = alchemy_config(site.settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = (await session.scalars(sa.select(Organisation))).one()
            organisation.privacy_contact = "dpo@example.fr"
            organisation_id = organisation.id
    finally:
        await config.get_engine().dispose()
    link = f'href="/notice/{organisation_id}?lang='
    customer = await site.client.get(f"/o/{site.wave.open_links[0].code}?lang=fr")
    assert f'{link}fr">Information sur les données personnelles</a>' in customer.text
    employee = await site.client.get(f"/r/{site.wave.token(Respondent.EMPLOYEE, 'en')}")
    assert f"{link}en" in employee.text and "Privacy notice: who collects your answers" in employee.text
    notice = await site.client.get(f"/notice/{organisation_id}?lang=en")
    assert notice.status_code == 200 and "dpo@example.fr" in notice.text
    assert "730 days after the survey closes" in notice.text  # the default policy's answers
