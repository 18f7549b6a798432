"""`symmetry analyze` on the demo wave, checked against an independent computation straight from the answers."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections import defaultdict

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from scipy import stats
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.org.models import Team
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave
from symmetry.domain import Respondent
from symmetry.stats import group_statistics, icc_reml
from tests.integration.factories import stored_responses
from tests.support import run_sync


async def _wave_id(session: AsyncSession, name: str) -> uuid.UUID:
    wave_id = await session.scalar(sa.select(Wave.id).where(Wave.name == name))
    assert wave_id is not None
    return wave_id


async def _team_overall_means(
    settings: Settings, wave: str
) -> tuple[dict[str, float], dict[str, float], dict[str, int], int, dict[str, list[float]]]:
    """Each team's mean of its respondents' mean answer to the employee items, and to the customer items; the
    count of analyses stored; each team's employees' mean answers."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            names = dict((await session.execute(sa.select(Team.id, Team.external_id))).all())
            per_person: dict[tuple[str, object, Respondent], list[int]] = defaultdict(list)
            for stored in await stored_responses(session, await _wave_id(session, wave)):
                wanted = ".employee" if stored.respondent is Respondent.EMPLOYEE else ".customer"
                for item_id, value in stored.answers.items():
                    if item_id.endswith(wanted):
                        per_person[names[stored.team_id], stored.id, stored.respondent].append(value)
            stored = await session.scalar(sa.select(sa.func.count()).select_from(WaveAnalysisRecord))
    finally:
        await config.get_engine().dispose()
    sums: dict[tuple[str, Respondent], list[float]] = defaultdict(list)
    for (team, _, respondent), values in per_person.items():
        sums[team, respondent].append(sum(values) / len(values))
    employee = {t: sum(v) / len(v) for (t, r), v in sums.items() if r is Respondent.EMPLOYEE}
    customer = {t: sum(v) / len(v) for (t, r), v in sums.items() if r is Respondent.CUSTOMER}
    counts = {t: len(v) for (t, r), v in sums.items() if r is Respondent.EMPLOYEE}
    employees = {t: v for (t, r), v in sums.items() if r is Respondent.EMPLOYEE}
    return employee, customer, counts, int(stored or 0), employees


def test_analyze_agrees_with_an_independent_computation(cli_env: dict[str, str], tmp_path: object) -> None:
    runner = CliRunner()
    demo = runner.invoke(symmetry, ["demo", "--teams", "12", "--seed", "5", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    wave = demo.output.split("Wave: ")[1].split(",")[0]
    result = runner.invoke(symmetry, ["analyze", wave, "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)

    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    employee, customer, counts, stored, per_person = run_sync(_team_overall_means(settings, wave))
    assert stored == 2  # the demo's two waves
    shown = sorted(team for team, count in counts.items() if count >= 5 and team in customer)
    expected = stats.pearsonr([employee[t] for t in shown], [customer[t] for t in shown])
    linkage = document["organisation"]["linkage"]
    assert linkage["teams"] == len(shown)
    assert linkage["pearson"]["r"] == pytest.approx(expected.statistic, rel=1e-9)
    assert linkage["pearson"]["pvalue"] == pytest.approx(expected.pvalue, rel=1e-9)
    for team in shown:
        assert document["teams"][team]["overall"]["employee"]["mean"] == pytest.approx(employee[team], rel=1e-12)
    withheld = [team for team, count in counts.items() if count < 5]
    for team in withheld:
        assert document["teams"][team]["suppressed"] is True
        assert document["teams"][team]["overall"]["employee"] is None
    adjusted = [linkage["adjusted_pvalue"] for linkage in document["organisation"]["dimension_linkage"].values()]
    raw = [linkage["pearson"]["pvalue"] for linkage in document["organisation"]["dimension_linkage"].values()]
    assert all(a >= p - 1e-12 for a, p in zip(adjusted, raw, strict=True))
    assert document["organisation"]["drivers"] is None  # 12 teams: below the 30 needed for key drivers

    text = runner.invoke(symmetry, ["analyze", wave], env=cli_env)
    assert text.exit_code == 0, text.output
    expected_texts = [
        "Linkage across teams",
        "Pearson r [95% CI]",
        "BH p",
        "Aggregation: ICC(1) (one-way ANOVA)",
        "alpha",
    ]
    expected_texts += [
        "corrected for the unreliability",
        "is significant (two-sided 5% test) from",
        "Key drivers: not reported",
    ]
    for expected_text in expected_texts:
        assert expected_text in text.output

    overall = next(
        index
        for index in document["organisation"]["aggregation"]
        if (index["dimension"], index["voice"]) == ("overall", "employee")
    )
    reml = runner.invoke(symmetry, ["analyze", wave, "--icc", "reml"], env=cli_env)
    assert reml.exit_code == 0, reml.output
    assert "ICC(1) (REML random intercept)" in reml.output
    assert re.search(rf"overall\s+│\s+{overall['icc1_reml']:.2f} / {overall['icc2']:.2f}", reml.output), reml.output
    # The REML fit from the shown teams' per-person means, computed here from the answers.
    people = [(team, mean) for team in shown for mean in per_person[team]]
    fit = icc_reml(group_statistics([mean for _, mean in people], [team for team, _ in people]))
    assert overall["icc1_reml"] == pytest.approx(fit.icc, rel=1e-9)


async def _in_memory_document(settings: Settings, wave_name: str) -> dict[str, object]:
    """The analysis computed the other way: every answer loaded into memory, then analysed there."""
    from surveys.instruments.models import InstrumentVersion
    from surveys.instruments.services import stored_instrument
    from surveys.waves.models import Invitation
    from symmetry.analysis import AnswerMatrix, analyse_statistics, statistics_from_answers
    from symmetry.document import analysis_document

    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            wave = await session.get_one(Wave, await _wave_id(session, wave_name))
            instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
            names = dict((await session.execute(sa.select(Team.id, Team.external_id))).all())
            answers = {
                stored.id: (stored.respondent, names[stored.team_id], stored.answers)
                for stored in await stored_responses(session, wave.id)
            }
            invited = await session.execute(  # the teams' sizes, which the gate's customer-side rule reads
                sa.select(Team.external_id, sa.func.count())
                .select_from(Invitation)
                .join(Team, Team.id == Invitation.team_id)
                .where(Invitation.respondent == Respondent.EMPLOYEE, Invitation.wave_id == wave.id)
                .group_by(Team.external_id)
            )
            sizes = {team: int(count) for team, count in invited}
    finally:
        await config.get_engine().dispose()
    matrices = {
        respondent: AnswerMatrix.from_responses(
            [item.id for item in instrument.items_for(respondent)],
            [(team, given) for who, team, given in answers.values() if who is respondent],
        )
        for respondent in Respondent
    }
    statistics = statistics_from_answers(instrument, matrices[Respondent.EMPLOYEE], matrices[Respondent.CUSTOMER])
    return analysis_document(analyse_statistics(instrument, dataclasses.replace(statistics, team_sizes=sizes)))


def assert_same(ours: object, theirs: object, path: str = "") -> None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), path
        for key in ours:
            assert_same(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(ours, list) and isinstance(theirs, list):
        assert len(ours) == len(theirs), path
        for position, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{path}[{position}]")
    elif isinstance(ours, float) and isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9), path
    else:
        assert ours == theirs, path


def test_database_aggregation_gives_the_numbers_of_the_in_memory_path(
    cli_env: dict[str, str], tmp_path: object
) -> None:
    runner = CliRunner()
    demo = runner.invoke(symmetry, ["demo", "--teams", "10", "--seed", "8", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    wave = demo.output.split("Wave: ")[1].split(",")[0]
    from_database = json.loads(runner.invoke(symmetry, ["analyze", wave, "--json"], env=cli_env).output)
    in_memory = json.loads(
        json.dumps(
            run_sync(
                _in_memory_document(Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"]), wave)
            )
        )
    )
    # The in-memory path analyses this wave alone: the comparison with the previous wave is the database path's.
    across = from_database["organisation"].pop("across_waves")
    assert across["previous_wave"].startswith("Demo ")
    assert in_memory["organisation"].pop("across_waves") is None
    assert_same(from_database, in_memory)


def test_analysing_again_with_a_lower_threshold_releases_no_team_it_withheld(
    cli_env: dict[str, str], tmp_path: object
) -> None:
    runner = CliRunner()
    demo = runner.invoke(symmetry, ["demo", "--teams", "8", "--seed", "3", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    latest = json.loads(runner.invoke(symmetry, ["wave", "list", "--json"], env=cli_env).output)[0]["name"]

    def withheld(threshold: str) -> set[str]:
        result = runner.invoke(
            symmetry, ["analyze", latest, "--json"],
            env={**cli_env, "SYMMETRY_ANONYMITY_THRESHOLD": threshold, "SYMMETRY_COMMENT_THRESHOLD": "12"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        return {key for key, team in document["teams"].items() if team["suppressed"]}

    as_stored = withheld("5")
    strict = withheld("12")
    assert strict > as_stored, "the demo withholds more teams at 12 than at 5"  # what this test needs
    assert withheld("5") == strict  # stored under the stricter of the stored rules and today's
