"""A wave whose customers answer the instrument's short form: what they are asked, what is stored, what is reported."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from pypdf import PdfReader

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.cli import symmetry
from surveys.collection.mixing import admit_all
from surveys.collection.models import Response, SealedResponse
from surveys.collection.packing import UNANSWERED
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.explained import Explained
from surveys.instruments.loader import INSTRUMENTS_DIR
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.reporting import services
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.actions import close
from surveys.waves.models import Wave
from surveys.waves.services import create_wave, launch_wave
from symmetry.domain import CustomerForm, Instrument, Respondent
from symmetry.simulation import MODELS, Simulator
from tests.integration.factories import OpenWave, build_open_wave, complete_answers
from tests.support import run_sync

ASKED = ("listening", "trust", "information", "responsiveness", "simplicity")
NOT_ASKED = ("recognition", "respect")
PASSWORD = "correct horse battery"


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def fields(answers: Mapping[str, object]) -> dict[str, str]:
    return {f"a.{item_id}": str(value) for item_id, value in answers.items()}


def escaped(text: str) -> str:
    return text.replace("'", "&#39;")


@dataclass
class Site:
    client: AsyncTestClient  # type: ignore[type-arg]
    wave: OpenWave
    settings: Settings

    async def stored(self) -> list[tuple[Respondent, bytes]]:
        """Every response's kind and packed answers, once the sealed ones are admitted."""
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session, session.begin():
                await admit_all(session, self.wave.wave.id)
            async with config.get_session() as session:
                return [(row.respondent, row.answers) for row in await session.scalars(sa.select(Response))]
        finally:
            await config.get_engine().dispose()

    async def kept(self) -> int:
        config = alchemy_config(self.settings)
        try:
            async with config.get_session() as session:
                responses = await session.scalar(sa.select(sa.func.count()).select_from(Response))
                sealed = await session.scalar(sa.select(sa.func.count()).select_from(SealedResponse))
                return int(responses or 0) + int(sealed or 0)
        finally:
            await config.get_engine().dispose()


@pytest.fixture
async def site(clean_database: Settings) -> AsyncIterator[Site]:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            wave = await build_open_wave(session, customer_form=CustomerForm.SHORT)
    finally:
        await config.get_engine().dispose()
    async with AsyncTestClient(app=create_app(clean_database)) as client:
        yield Site(client, wave, clean_database)


def texts(instrument: Instrument, item_ids: list[str], language: str) -> list[str]:
    return [escaped(instrument.item_by_id(item_id).text[language]) for item_id in item_ids]


async def test_a_short_waves_customers_are_asked_the_short_items_only_in_french_and_english(site: Site) -> None:
    instrument, token = site.wave.instrument, site.wave.token(Respondent.CUSTOMER)
    asked = [f"{d}.customer" for d in ASKED]
    not_asked = [f"{d}.customer" for d in NOT_ASKED]
    for language, step in (("fr", "Étape 1 sur 2"), ("en", "Step 1 of 2")):
        first = await site.client.get(f"/r/{token}?lang={language}")
        assert first.status_code == 200 and step in first.text
        assert all(text in first.text for text in texts(instrument, asked, language))
        assert not any(text in first.text for text in texts(instrument, not_asked, language))
        assert re.findall(r'name="a\.([a-z_.]+)"', first.text)[::5] == asked  # five radio buttons per question
        data = {"_csrf_token": csrf_token(first.text), "step": "1", "lang": language, "action": "next"}
        second = await site.client.post(f"/r/{token}", data={**data, **fields(dict.fromkeys(asked, 4))})
        assert second.status_code == 200
        assert texts(instrument, ["outcome.nps"], language)[0] in second.text
        assert not any(text in second.text for text in texts(instrument, ["outcome.csat", "outcome.ces"], language))
    code = site.wave.open_links[0].code
    counter = await site.client.get(f"/o/{code}?lang=fr")
    assert all(text in counter.text for text in texts(instrument, asked, "fr"))
    assert not any(text in counter.text for text in texts(instrument, not_asked, "fr"))


async def test_an_answer_to_an_unasked_item_or_a_missing_short_one_is_refused(site: Site) -> None:
    instrument, token = site.wave.instrument, site.wave.token(Respondent.CUSTOMER)
    short = complete_answers(instrument, Respondent.CUSTOMER, form=CustomerForm.SHORT)
    assert sorted(short) == sorted([*(f"{d}.customer" for d in ASKED), "outcome.nps"])
    unasked = await site.client.post(
        "/api/v1/responses", json={"token": token, "answers": {**short, "recognition.customer": 4, "outcome.csat": 5}}
    )
    assert unasked.status_code == 422
    assert {error["field"]: error["code"] for error in unasked.json()["errors"]} == {
        "answers.recognition.customer": "unknown",
        "answers.outcome.csat": "unknown",
    }
    missing = await site.client.post(
        "/api/v1/responses", json={"token": token, "answers": {k: v for k, v in short.items() if k != "trust.customer"}}
    )
    assert missing.status_code == 422
    problems = {error["field"]: error["code"] for error in missing.json()["errors"]}
    assert problems == {"answers.trust.customer": "required"}
    # The full questionnaire is not what this wave asks either.
    full = complete_answers(instrument, Respondent.CUSTOMER)
    assert (await site.client.post("/api/v1/responses", json={"token": token, "answers": full})).status_code == 422
    # Through the form: a tampered field naming a question the page never asked is refused, nothing stored.
    page = await site.client.get(f"/r/{token}?lang=en")
    data = {"_csrf_token": csrf_token(page.text), "step": "2", "lang": "en", "action": "submit"}
    tampered = await site.client.post(f"/r/{token}", data={**data, **fields({**short, "respect.customer": 5})})
    assert tampered.status_code == 422 and "answers.respect.customer: not a question of the customer" in tampered.text
    assert await site.kept() == 0

    done = await site.client.post("/api/v1/responses", json={"token": token, "answers": {**short, "outcome.nps": 9}})
    assert done.status_code == 201
    code = site.wave.open_links[0].code
    counter = await site.client.get(f"/o/{code}?lang=fr")
    data = {"_csrf_token": csrf_token(counter.text), "step": "2", "lang": "fr", "action": "submit"}
    sent = await site.client.post(
        f"/o/{code}", data={**data, **fields({**short, "trust.customer": 2})}, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    layout = [item.id for item in instrument.items_for(Respondent.CUSTOMER)]
    stored = sorted(answers for respondent, answers in await site.stored() if respondent is Respondent.CUSTOMER)
    values = {item_id: int(str(value)) for item_id, value in short.items()}
    expected = []
    for changed in ({"outcome.nps": 9}, {"trust.customer": 2}):
        given = {**values, **changed}
        expected.append(bytes(given.get(item_id, UNANSWERED) for item_id in layout))
    assert stored == sorted(expected)
    assert all(packed[layout.index(f"{d}.customer")] == UNANSWERED for packed in stored for d in NOT_ASKED)
    assert all(len(packed) == len(layout) == 10 for packed in stored)


def plain_document() -> dict[str, object]:
    """The shipped instrument under another key, without its short customer form."""
    document = tomllib.loads((INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8"))
    del document["short_customer"]
    document["key"] = "plain"
    return document


async def test_create_wave_refuses_the_short_form_on_an_instrument_without_one(clean_database: Settings) -> None:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="o", name="O")
            session.add(organisation)
            await session.flush()
            version, _ = await register_instrument(session, plain_document(), source_name="plain.toml")
            opens_on, closes_on = dt.date(2026, 5, 1), dt.date(2026, 5, 20)

            async def wave(name: str, version_id: uuid.UUID, form: str = "full") -> Wave:
                return await create_wave(
                    session, organisation, name=name, instrument_version_id=version_id, opens_on=opens_on,
                    closes_on=closes_on, customer_form=form,
                )  # fmt: skip

            with pytest.raises(Explained) as refused:
                await wave("Short", version.id, "short")
            assert str(refused.value) == "customer_form: this instrument version has no short customer questionnaire"
            with pytest.raises(Explained) as unknown:
                await wave("Medium", version.id, "medium")
            assert str(unknown.value) == "customer_form: one of full, short"
            full = await wave("Full", version.id)
            assert full.customer_form is CustomerForm.FULL
            shipped, _ = await register_instrument(session, "attention")
            short = await wave("Short", shipped.id, "short")
            assert short.customer_form is CustomerForm.SHORT
            assert await session.scalar(sa.select(Wave.customer_form).where(Wave.id == short.id)) is CustomerForm.SHORT
    finally:
        await config.get_engine().dispose()


async def _organisation(settings: Settings, slug: str) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            session.add(Organisation(id=uuid.uuid4(), slug=slug, name=slug.title()))
    finally:
        await config.get_engine().dispose()


def test_the_cli_creates_a_short_wave_and_lists_its_form(
    clean_database: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_sync(_organisation(clean_database, "acme"))
    runner = CliRunner()
    dates = ["--opens", "2026-05-01", "--closes", "2026-05-20"]
    created = runner.invoke(
        symmetry, ["wave", "create", "Quick", "--org", "acme", *dates, "--customer-form", "short"], env=cli_env
    )
    assert created.exit_code == 0, created.output
    plain = tmp_path / "plain.toml"
    source = (INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8")
    plain.write_text(source[: source.index("# The short customer form")] + source[source.index("[[comments]]") :])
    refused = runner.invoke(
        symmetry,
        ["wave", "create", "Plain", "--org", "acme", *dates, "--instrument", str(plain), "--customer-form", "short"],
        env=cli_env,
    )
    assert refused.exit_code == 1
    assert "customer_form: this instrument version has no short customer questionnaire" in refused.output
    listed = runner.invoke(symmetry, ["wave", "list", "--json"], env=cli_env)
    assert [(wave["name"], wave["customer_form"]) for wave in json.loads(listed.output)] == [("Quick", "short")]


# --- A closed short wave: its analysis, its reports, its pages ------------------------------------------------------

TEAMS = {"A": "Alpha", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo"}
EMPLOYEES, CUSTOMERS = 6, 8


@dataclass
class ClosedShortWave:
    settings: Settings
    wave_id: uuid.UUID
    team_ids: dict[str, uuid.UUID]
    customer_answers: dict[str, list[dict[str, int]]]
    """What each team's customers sent."""


async def _close_a_short_wave(settings: Settings) -> ClosedShortWave:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="quick", name="Quick Services")
            session.add(organisation)
            await session.flush()
            head = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="HQ", name="Head office")
            session.add(head)
            await session.flush()
            teams = {
                key: Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id=key, name=name,
                          parent_id=head.id)
                for key, name in TEAMS.items()
            }  # fmt: skip
            session.add_all(teams.values())
            await session.flush()
            for key, team in teams.items():
                language = "fr" if key == "A" else "en"  # team A's report is in French
                session.add_all(
                    Employee(organisation_id=organisation.id, team_id=team.id, email=f"e{i}.{key}@quick.example",
                             language=language)
                    for i in range(EMPLOYEES)
                )  # fmt: skip
                session.add_all(
                    Customer(organisation_id=organisation.id, team_id=team.id, email=f"c{i}.{key}@quick.example",
                             language="en")
                    for i in range(CUSTOMERS)
                )  # fmt: skip
            await create_user(
                session, email="hr@quick.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )
            version, instrument = await register_instrument(session, "attention")
            wave = await create_wave(
                session, organisation, name="Quick wave", instrument_version_id=version.id,
                opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 4, 21), customer_form=CustomerForm.SHORT,
            )  # fmt: skip
            asked = {item.id for item in instrument.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)}
            simulator = Simulator(instrument, MODELS["illustration"], len(teams), np.random.default_rng(3))
            position = {team.id: j for j, team in enumerate(teams.values())}
            key_of = {team.id: key for key, team in teams.items()}
            sent: dict[str, list[dict[str, int]]] = {key: [] for key in teams}
            for invitation in await launch_wave(session, wave):
                j = position[invitation.team_id]
                if invitation.respondent is Respondent.EMPLOYEE:
                    await submit_response(session, invitation.token, simulator.employee(j))
                else:
                    answers = {k: v for k, v in simulator.customer(j).items() if k in asked}
                    await submit_response(session, invitation.token, answers)
                    sent[key_of[invitation.team_id]].append(answers)
            await close(session, wave, settings, actor="test")
            return ClosedShortWave(settings, wave.id, {key: team.id for key, team in teams.items()}, sent)
    finally:
        await config.get_engine().dispose()


@pytest.fixture
def closed_short_wave(clean_database: Settings, monkeypatch: pytest.MonkeyPatch) -> ClosedShortWave:
    monkeypatch.setattr(services, "renderer_fingerprint", lambda: "renderer under test")
    return run_sync(_close_a_short_wave(clean_database))


async def _document(settings: Settings, wave_id: uuid.UUID) -> dict[str, object]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            record = await session.get_one(WaveAnalysisRecord, wave_id)
            return record.document
    finally:
        await config.get_engine().dispose()


def test_a_closed_short_wave_is_analysed_on_what_customers_were_asked(closed_short_wave: ClosedShortWave) -> None:
    document = run_sync(_document(closed_short_wave.settings, closed_short_wave.wave_id))
    assert document["customer_form"] == "short"
    teams = document["teams"]
    assert isinstance(teams, dict)
    for key, given in closed_short_wave.customer_answers.items():
        assert len(given) == CUSTOMERS
        dimensions = teams[key]["dimensions"]
        for dimension in ASKED:
            customer = dimensions[dimension]["customer"]
            assert customer["n"] == CUSTOMERS
            assert customer["mean"] == pytest.approx(np.mean([answers[f"{dimension}.customer"] for answers in given]))
            assert dimensions[dimension]["perception_gap"] is not None
        for dimension in NOT_ASKED:
            assert dimensions[dimension]["customer"] is None
            assert dimensions[dimension]["perception_gap"] is None and dimensions[dimension]["symmetry_gap"] is None
            assert dimensions[dimension]["employee"] is not None
        overall = np.mean([np.mean([answers[f"{d}.customer"] for d in ASKED]) for answers in given])
        assert teams[key]["overall"]["customer"]["mean"] == pytest.approx(overall)
        assert set(teams[key]["outcomes"]) == {"nps", "engagement", "enps"}
    organisation = document["organisation"]
    assert isinstance(organisation, dict)
    assert list(organisation["dimension_linkage"]) == list(ASKED)
    assert all(organisation["dimension_linkage"][d]["pearson"]["n"] == len(TEAMS) for d in ASKED)
    assert organisation["linkage"]["teams"] == len(TEAMS)
    assert {(index["dimension"], index["voice"]) for index in organisation["aggregation"]} >= {("trust", "customer")}
    assert not {(d, "customer") for d in NOT_ASKED} & {
        (index["dimension"], index["voice"]) for index in organisation["aggregation"]
    }


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_the_reports_of_a_short_wave_say_what_customers_were_not_asked(
    closed_short_wave: ClosedShortWave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        symmetry, ["report", "render", "Quick wave", "--out", str(out), "--workers", "2"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    english = pdf_text(next((out / "teams").glob("B-*.pdf")))
    assert english.count("not asked of customers in this wave") == len(NOT_ASKED)  # the two rows of the gaps table
    assert "the short questionnaire, which asks them about “Listening”, “Trust and autonomy”, “Information”" in english
    assert "Customers were not asked about “Recognition”, “Respect” in this wave" in english
    assert "examined together" in english and "once the 5 dimensions are examined together" in english
    french = pdf_text(next((out / "teams").glob("A-*.pdf")))
    assert french.count("non posée aux clients dans cette vague") == len(NOT_ASKED)
    assert "les clients ont répondu au questionnaire court" in french
    organisation = pdf_text(out / "organisation-en.pdf")
    assert organisation.count("not asked of customers in this wave") == len(NOT_ASKED)  # the linkage table's rows
    assert "allows for the 5 dimensions tested together" in organisation
    assert "customers answered the short questionnaire" in organisation


async def _login(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": "hr@quick.example", "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


async def test_the_pages_of_a_short_wave_say_what_customers_were_not_asked(
    closed_short_wave: ClosedShortWave,
) -> None:
    wave_id = closed_short_wave.wave_id
    async with AsyncTestClient(app=create_app(closed_short_wave.settings)) as client:
        await _login(client)
        wave_page = await client.get(f"/waves/{wave_id}")
        assert "Questionnaire des clients : <strong>court, 6 questions</strong>" in wave_page.text
        version = re.search(
            r'href="/instruments/([0-9a-f-]{36})/preview\?respondent=customer_short&amp;wave=[0-9a-f-]{36}"',
            wave_page.text,
        )
        assert version, wave_page.text
        board = await client.get(f"/waves/{wave_id}/results?voice=customer")
        assert board.status_code == 200
        # The head office's five teams, each with two dimensions customers were not asked about.
        assert board.text.count('<td class="not-asked">non posée</td>') == len(TEAMS) * len(NOT_ASKED)
        assert "les clients ont répondu au questionnaire court" in board.text
        employees = await client.get(f"/waves/{wave_id}/results?voice=employee")
        assert "not-asked" not in employees.text.replace("table.heatmap td.not-asked", "")
        team = await client.get(f"/waves/{wave_id}/teams/{closed_short_wave.team_ids['C']}")
        assert team.status_code == 200
        assert team.text.count("non posée aux clients dans cette vague") == len(NOT_ASKED)
        preview = await client.get(f"/instruments/{version.group(1)}/preview?respondent=customer_short&language=en")
        assert preview.status_code == 200 and "Step 1 of 2" in preview.text
        assert re.findall(r'name="a\.([a-z_.]+)"', preview.text)[::5] == [f"{d}.customer" for d in ASKED]


async def test_the_preview_offers_the_short_form_only_where_the_version_has_one(clean_database: Settings) -> None:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="p", name="P")
            session.add(organisation)
            await session.flush()
            await create_user(
                session, email="hr@quick.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=organisation.id
            )
            plain, _ = await register_instrument(session, plain_document(), source_name="plain.toml")
            shipped, _ = await register_instrument(session, "attention")
    finally:
        await config.get_engine().dispose()
    async with AsyncTestClient(app=create_app(clean_database)) as client:
        await _login(client)
        short = await client.get(f"/instruments/{shipped.id}/preview?respondent=customer_short&language=fr")
        assert short.status_code == 200
        assert f'href="/instruments/{shipped.id}/preview?respondent=customer&amp;language=fr"' in short.text
        assert '<strong aria-current="page">Clients, forme courte</strong>' in short.text
        data = {"_csrf_token": csrf_token(short.text), "step": "1", "lang": "fr", "action": "next"}
        answers = {f"{d}.customer": 3 for d in ASKED}
        url = f"/instruments/{shipped.id}/preview?respondent=customer_short"
        second = await client.post(url, data={**data, **fields(answers)})
        assert "Étape 2 sur 2" in second.text
        done = await client.post(
            url, data={**data, "step": "2", "action": "submit", **fields({**answers, "outcome.nps": 8})},
            follow_redirects=False,
        )  # fmt: skip
        assert done.status_code == 303 and "respondent=customer_short" in done.headers["location"]
        full = await client.get(f"/instruments/{plain.id}/preview?respondent=customer&language=fr")
        assert full.status_code == 200 and "Clients, forme courte" not in full.text
        none = await client.get(f"/instruments/{plain.id}/preview?respondent=customer_short&language=fr")
        assert none.status_code == 400
        assert "cette version de l&#39;instrument n&#39;a pas de questionnaire court pour les clients" in none.text
        listed = await client.get("/instruments")
        assert listed.text.count("respondent=customer_short") == 1
        assert "forme courte pour les clients : 6 questions au lieu de 10" in listed.text
