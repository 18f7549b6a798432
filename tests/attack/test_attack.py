"""The attacker holds every release of a wave and solves for the withheld cells: it must recover nothing.

The solver (:mod:`tests.attack.solver`) is written from the published definitions of the figures, not from
Symmetry's gate, and is shown to bite: with the gate weakened to let withheld answers into the pooled and
organisation-wide figures, as Symmetry did before the gate, it pins withheld counts and means.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

import numpy as np
import pytest
import sqlalchemy as sa

import symmetry.disclosure
from surveys.db import alchemy_config
from surveys.demo.services import run_demo
from surveys.instruments.loader import load_instrument
from surveys.org.models import Team
from surveys.reporting.inputs import load_report_data
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from surveys.waves.status import wave_status
from symmetry.analysis import AnswerMatrix, analyse_statistics, statistics_from_answers
from symmetry.disclosure import DisclosureRules, Gate
from symmetry.document import analysis_document
from symmetry.domain import Instrument, Respondent
from symmetry.hierarchy import analyse_groups, branch_response_counts, group_members
from symmetry.simulation import GenerativeModel, Simulator
from symmetry.sufficient import WaveStatistics
from tests.attack.releases import add_groups, add_rates, add_status, from_document
from tests.attack.solver import Releases, breaches, solve
from tests.support import run_sync

RULES = DisclosureRules()


async def _demo_releases(settings: Settings, teams: int, seed: int) -> tuple[Releases, dict[str, int]]:
    """Run the demo on the test database and collect everything it releases, with the truth of the counts."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            run = await run_demo(session, n_teams=teams, seed=seed, rules=RULES)
        async with config.get_session() as session:
            wave = await session.scalar(sa.select(Wave).where(Wave.name == run.wave_name))
            assert wave is not None
            document = (await session.get_one(WaveAnalysisRecord, wave.id)).document
            keys: dict[uuid.UUID, str] = dict((await session.execute(sa.select(Team.id, Team.external_id))).all())
            invited = Counter(
                keys[team_id]
                for team_id in await session.scalars(
                    sa.select(Invitation.team_id).where(
                        Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE
                    )
                )
            )
            answered = Counter(
                keys[team_id]
                for team_id in await session.scalars(
                    sa.select(Invitation.team_id).where(
                        Invitation.wave_id == wave.id,
                        Invitation.respondent == Respondent.EMPLOYEE,
                        Invitation.answered.is_(True),
                    )
                )
            )
            data = await load_report_data(session, wave, comment_threshold=RULES.comment_threshold)
            status = await wave_status(session, wave, rules=RULES)
    finally:
        await config.get_engine().dispose()
    parents = {key: info.parent for key, info in data.inputs.teams.items()}
    releases = from_document(document, parents, invited)
    add_groups(releases, data.inputs.groups)
    add_rates(releases, data.inputs.rates)
    add_status(releases, status.rows)
    return releases, dict(answered)


@pytest.mark.parametrize(("teams", "seed"), [(40, 2026), (20, 3), (60, 2026)])
def test_the_demos_releases_pin_no_withheld_cell(clean_database: Settings, teams: int, seed: int) -> None:
    releases, _ = run_sync(_demo_releases(clean_database, teams, seed))
    assert releases.withheld, "the demo must have withheld teams for this test to mean anything"
    assert breaches(releases) == []


@pytest.fixture
def weakened_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate as Symmetry had it before: team figures withheld, but every answer in the larger figures."""
    decide = symmetry.disclosure.decide

    def lets_everything_through(statistics: WaveStatistics, rules: DisclosureRules) -> Gate:
        return dataclasses.replace(
            decide(statistics, rules), employees_withheld=frozenset(), customers_withheld=frozenset()
        )

    monkeypatch.setattr(symmetry.disclosure, "decide", lets_everything_through)


@pytest.mark.usefixtures("weakened_gate")
def test_the_solver_pins_withheld_counts_and_means_from_a_weakened_gate(clean_database: Settings) -> None:
    releases, answered = run_sync(_demo_releases(clean_database, 20, 1))
    cells = solve(releases)
    pinned = [team for team, cell in cells.items() if cell.narrowest_mean_span < 1.0]
    assert pinned, "the solver must pin a withheld mean"
    assert any(cell.count != (0, min(4, releases.invited[team])) for team, cell in cells.items())
    for team, cell in cells.items():  # what it narrows down holds the truth
        assert cell.count[0] <= answered.get(team, 0) <= cell.count[1]


# --- random hierarchies, two waves, people joining, leaving and moving ------------------------------------


def _random_parents(rng: np.random.Generator, leaves: int) -> dict[str, str | None]:
    branches = [f"b{j}" for j in range(int(rng.integers(2, 6)))]
    parents: dict[str, str | None] = {"org": None}
    for j, branch in enumerate(branches):
        parents[branch] = "org" if j == 0 else str(rng.choice(["org", *branches[:j]]))
    for j in range(leaves):
        parents[f"t{j:02d}"] = str(rng.choice(branches))
    return parents


def _wave(
    instrument: Instrument, membership: dict[str, str], answering: set[str], seed: int
) -> tuple[AnswerMatrix, AnswerMatrix, dict[str, int]]:
    """Answers of the people in `answering`, each in their team of `membership`, and the team sizes."""
    teams = sorted(set(membership.values()))
    simulator = Simulator(instrument, GenerativeModel(), len(teams), np.random.default_rng(seed))
    position = {team: j for j, team in enumerate(teams)}
    employees = [(membership[p], simulator.employee(position[membership[p]])) for p in sorted(answering)]
    customers = [(team, simulator.customer(position[team])) for team in teams for _ in range(6)]
    return (
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees),
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers),
        dict(Counter(membership.values())),
    )


def _releases_of(
    instrument: Instrument,
    parents: dict[str, str | None],
    employees: AnswerMatrix,
    customers: AnswerMatrix,
    sizes: dict[str, int],
    previous: object = None,
) -> tuple[Releases, object]:
    statistics = statistics_from_answers(instrument, employees, customers)
    statistics = dataclasses.replace(statistics, team_sizes=sizes)
    analysis = analyse_statistics(instrument, statistics, rules=RULES, min_driver_teams=8)
    document = analysis_document(analysis, previous=previous)  # type: ignore[arg-type]
    members = group_members(parents)
    releases = from_document(document, parents, sizes)
    add_groups(releases, analyse_groups(instrument, statistics, members, rules=RULES))
    counts = branch_response_counts(members, statistics.respondents[Respondent.EMPLOYEE], sizes, RULES)
    releases.branch_answered.update({group: count.answered for group, count in counts.groups.items()})
    releases.branch_answered[""] = counts.total.answered
    return releases, analysis


def _two_waves(seed: int) -> list[Releases]:
    instrument = load_instrument("attention")
    rng = np.random.default_rng(seed)
    parents = _random_parents(rng, int(rng.integers(8, 16)))
    leaves = [team for team in parents if team.startswith("t")]
    people = {f"p{j:03d}": str(rng.choice(leaves)) for j in range(int(rng.integers(40, 90)))}
    first = {p for p in people if rng.random() < 0.7}
    wave_one = _wave(instrument, people, first, seed)
    # Between the waves some leave, some join and some move to another team.
    moved = dict(people)
    for person in list(moved):
        draw = rng.random()
        if draw < 0.1:
            del moved[person]
        elif draw < 0.25:
            moved[person] = str(rng.choice(leaves))
    moved.update({f"n{j:03d}": str(rng.choice(leaves)) for j in range(int(rng.integers(3, 12)))})
    second = {p for p in moved if rng.random() < 0.7}
    wave_two = _wave(instrument, moved, second, seed + 1)
    one, analysis_one = _releases_of(instrument, parents, *wave_one)
    two, _ = _releases_of(instrument, parents, *wave_two, previous=analysis_one)
    return [one, two]


@pytest.mark.parametrize("seed", range(12))
def test_random_hierarchies_over_two_waves_pin_no_withheld_cell(seed: int) -> None:
    waves = _two_waves(seed)
    assert any(releases.withheld for releases in waves)
    for releases in waves:
        assert breaches(releases) == []


@pytest.mark.usefixtures("weakened_gate")
def test_the_weakened_gate_is_caught_on_random_hierarchies() -> None:
    caught = [seed for seed in range(6) if any(breaches(r, first_only=True) for r in _two_waves(seed))]
    assert len(caught) >= 4, caught
