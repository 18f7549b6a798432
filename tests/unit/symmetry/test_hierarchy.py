"""Branches of the hierarchy: members, pooled results from released statistics, response counts by branch."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import pytest

from surveys.instruments.loader import load_instrument
from symmetry import hierarchy, stats
from symmetry.analysis import AnswerMatrix, statistics_from_answers, team_results
from symmetry.disclosure import DisclosureRules, gate_statistics
from symmetry.domain import Instrument, Respondent, Voice
from symmetry.hierarchy import (
    ResponseCount,
    analyse_groups,
    branch_response_counts,
    branch_statistics,
    group_members,
    pooled_results,
)
from symmetry.simulation import GenerativeModel, Simulator
from symmetry.sufficient import NpsCounts

K = 5  # anonymity threshold of these tests

# The hand-worked example (respondents in brackets, * withheld at K = 5):
#
#   org
#   ├── north: lille (3*), lens (4*), arras (12)
#   ├── south: lyon, nice (7)
#   │          └── lyon: lyon-a (2*), lyon-b (9)
#   └── east: metz (6), nancy (8)
HAND_PARENTS: dict[str, str | None] = {
    "org": None,
    "north": "org",
    "lille": "north",
    "lens": "north",
    "arras": "north",
    "south": "org",
    "lyon": "south",
    "lyon-a": "lyon",
    "lyon-b": "lyon",
    "nice": "south",
    "east": "org",
    "metz": "east",
    "nancy": "east",
}
HAND_RESPONDENTS = {"lille": 3, "lens": 4, "arras": 12, "lyon-a": 2, "lyon-b": 9, "nice": 7, "metz": 6, "nancy": 8}


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("attention")


# --- members -------------------------------------------------------------------------------------------------


def test_each_branch_holds_itself_and_every_descendant() -> None:
    members = group_members(HAND_PARENTS)
    assert sorted(members) == ["east", "lyon", "north", "org", "south"]  # front-line teams are no group
    assert members["lyon"] == {"lyon", "lyon-a", "lyon-b"}
    assert members["south"] == {"south", "lyon", "lyon-a", "lyon-b", "nice"}
    assert members["org"] == set(HAND_PARENTS)


def test_members_refuse_an_unknown_parent_and_a_cycle() -> None:
    with pytest.raises(ValueError, match="not in `parents`"):
        group_members({"a": "ghost"})
    with pytest.raises(ValueError, match="cycle"):
        group_members({"a": "b", "b": "c", "c": "a", "d": None})


# --- which groups may be shown -------------------------------------------------------------------------------


# --- pooled results ------------------------------------------------------------------------------------------

TEAM_PARENTS: dict[str, str | None] = {
    "org": None,
    "north": "org",
    "T000": "north",
    "T001": "north",
    "T002": "north",
    "south": "org",
    "T003": "south",
    "T004": "south",
}
EMPLOYEES = [7, 5, 6, 12, 6]  # every team shown
CUSTOMERS = [15, 4, 9, 20, 11]


def simulated(instrument: Instrument, seed: int) -> tuple[AnswerMatrix, AnswerMatrix]:
    return simulated_answers(
        instrument,
        {f"T{j:03d}": count for j, count in enumerate(EMPLOYEES)},
        {f"T{j:03d}": count for j, count in enumerate(CUSTOMERS)},
        seed,
    )


def simulated_answers(
    instrument: Instrument, employee_counts: Mapping[str, int], customer_counts: Mapping[str, int], seed: int
) -> tuple[AnswerMatrix, AnswerMatrix]:
    """Simulated answers of these many employees and customers per team."""
    teams = sorted(set(employee_counts) | set(customer_counts))
    simulator = Simulator(instrument, GenerativeModel(), len(teams), np.random.default_rng(seed))
    employees = [(t, simulator.employee(j)) for j, t in enumerate(teams) for _ in range(employee_counts.get(t, 0))]
    customers = [(t, simulator.customer(j)) for j, t in enumerate(teams) for _ in range(customer_counts.get(t, 0))]
    return (
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees),
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers),
    )


def relabelled(matrix: AnswerMatrix, group: str, teams: frozenset[str]) -> AnswerMatrix:
    """Only the answers of the group's teams, every one labelled as the group: the group as a single team."""
    inside = np.isin(matrix.teams, sorted(teams))
    return dataclasses.replace(
        matrix, teams=np.asarray([group] * int(inside.sum()), dtype=np.str_), values=matrix.values[inside]
    )


def test_pooled_statistics_are_those_of_the_concatenated_answers(instrument: Instrument) -> None:
    employees, customers = simulated(instrument, seed=3)
    members = group_members(TEAM_PARENTS)
    pooled = branch_statistics(statistics_from_answers(instrument, employees, customers), members)
    dimension = instrument.dimensions[0].key
    for voice, matrix in ((Voice.EMPLOYEE, employees), (Voice.CUSTOMER, customers)):
        raw = matrix.scored(instrument.item(voice, dimension))
        summary = pooled.columns[dimension, voice]
        for group in ("north", "south", "org"):
            answers = raw[np.isin(matrix.teams, sorted(members[group]))]
            answers = answers[~np.isnan(answers)]
            position = summary.labels.tolist().index(group)
            assert summary.n[position] == answers.size
            assert summary.mean[position] == pytest.approx(answers.mean(), rel=1e-12)
            assert summary.variance[position] == pytest.approx(answers.var(ddof=1), rel=1e-10)
    assert pooled.respondents[Respondent.EMPLOYEE] == {"north": 18, "south": 18, "org": 36}
    assert pooled.respondents[Respondent.CUSTOMER] == {"north": 28, "south": 31, "org": 59}


def test_pooled_mean_weights_answers_not_teams() -> None:
    # north: 7 answers of 5 and 3 answers of 1: pooled mean 3.8, the mean of the two team means would be 3.
    instrument = load_instrument("attention")
    item = instrument.item(Voice.EMPLOYEE, instrument.dimensions[0].key)
    ids = [i.id for i in instrument.items_for(Respondent.EMPLOYEE)]
    employees = AnswerMatrix.from_responses(ids, [("T000", {item.id: 5})] * 7 + [("T001", {item.id: 1})] * 3)
    customers = AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], [])
    pooled = branch_statistics(statistics_from_answers(instrument, employees, customers), group_members(TEAM_PARENTS))
    summary = pooled.columns[instrument.dimensions[0].key, Voice.EMPLOYEE]
    north = summary.labels.tolist().index("north")
    expected = 5.0 if not item.reverse_keyed else 1.0
    assert summary.mean[north] == pytest.approx((7 * expected + 3 * (6 - expected)) / 10)
    assert summary.variance[north] == pytest.approx(np.var([expected] * 7 + [6 - expected] * 3, ddof=1))


def test_a_team_of_one_answer_pools_exactly() -> None:
    # T001's single answer has no variance of its own (NaN) but its squared distance to north's mean counts.
    instrument = load_instrument("attention")
    item = instrument.item(Voice.EMPLOYEE, instrument.dimensions[0].key)
    answers = [("T000", 2), ("T000", 4), ("T000", 5), ("T001", 1), ("T003", 3), ("T003", 3)]
    employees = AnswerMatrix.from_responses(
        [i.id for i in instrument.items_for(Respondent.EMPLOYEE)], [(team, {item.id: v}) for team, v in answers]
    )
    customers = AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], [])
    pooled = branch_statistics(statistics_from_answers(instrument, employees, customers), group_members(TEAM_PARENTS))
    summary = pooled.columns[instrument.dimensions[0].key, Voice.EMPLOYEE]
    scored = employees.scored(item)
    for group, teams in (("north", ["T000", "T001"]), ("org", ["T000", "T001", "T003"])):
        expected = scored[np.isin(employees.teams, teams)]
        position = summary.labels.tolist().index(group)
        assert summary.n[position] == expected.size
        assert summary.mean[position] == pytest.approx(expected.mean())
        assert summary.variance[position] == pytest.approx(expected.var(ddof=1))
    assert summary.labels.tolist() == ["north", "org", "south"]


def flat(result: object) -> list[float]:
    """A result's numbers in one list: its fields, intervals unpacked."""
    numbers: list[float] = []
    for value in dataclasses.astuple(result):  # type: ignore[call-overload]
        numbers += list(value) if isinstance(value, tuple) else [value]
    return numbers


def test_a_group_result_is_its_answers_analysed_as_one_team(instrument: Instrument) -> None:
    employees, customers = simulated(instrument, seed=8)
    members = group_members(TEAM_PARENTS)
    results = analyse_groups(instrument, statistics_from_answers(instrument, employees, customers), members)
    assert sorted(results) == ["north", "org", "south"]
    for group, result in results.items():
        as_one_team = team_results(
            instrument,
            statistics_from_answers(
                instrument,
                relabelled(employees, group, members[group]),
                relabelled(customers, group, members[group]),
            ),
            anonymity_threshold=K,
        )[group]
        assert result.employee_figures_shown
        assert result.employee_respondents == as_one_team.employee_respondents
        assert result.customer_respondents == as_one_team.customer_respondents
        for mine, theirs in zip(
            (result.overall, *result.dimensions), (as_one_team.overall, *as_one_team.dimensions), strict=True
        ):
            for name in ("employee", "mirror", "customer"):
                estimate, expected = getattr(mine, name), getattr(theirs, name)
                assert estimate.n == expected.n
                assert estimate.mean == pytest.approx(expected.mean, rel=1e-12)
                # At least as wide as if the answers were one simple random sample: they are clustered in teams.
                assert estimate.ci[0] <= expected.ci[0] + 1e-9 and estimate.ci[1] >= expected.ci[1] - 1e-9
                assert estimate.ci[0] >= 1 and estimate.ci[1] <= 5  # truncated to the answer scale
                if estimate.ci[0] > 1 and estimate.ci[1] < 5:
                    assert estimate.ci[0] + estimate.ci[1] == pytest.approx(2 * estimate.mean, rel=1e-9)
            for name in ("perception_gap", "symmetry_gap"):
                assert getattr(mine, name).estimate == pytest.approx(getattr(theirs, name).estimate, rel=1e-12)
                wide, narrow = getattr(mine, name).ci, getattr(theirs, name).ci
                assert wide[0] <= narrow[0] + 1e-9 and wide[1] >= narrow[1] - 1e-9
        assert result.outcomes.keys() == as_one_team.outcomes.keys()
        for outcome, score in result.outcomes.items():
            expected = as_one_team.outcomes[outcome]
            assert type(score) is type(expected)
            assert flat(dataclasses.replace(score, ci=expected.ci)) == pytest.approx(flat(expected), rel=1e-12)
            assert score.ci[0] <= expected.ci[0] + 1e-9 and score.ci[1] >= expected.ci[1] - 1e-9  # clustered


def test_pooled_employee_mean_matches_numpy_on_the_raw_answers(instrument: Instrument) -> None:
    employees, customers = simulated(instrument, seed=21)
    members = group_members(TEAM_PARENTS)
    north = analyse_groups(instrument, statistics_from_answers(instrument, employees, customers), members)["north"]
    dimension = instrument.dimensions[1].key
    inside = np.isin(employees.teams, sorted(members["north"]))
    raw = employees.scored(instrument.item(Voice.EMPLOYEE, dimension))[inside]
    row = next(r for r in north.dimensions if r.dimension == dimension)
    assert row.employee is not None
    assert row.employee.n == 18 == north.employee_respondents
    assert row.employee.mean == pytest.approx(float(np.nanmean(raw)), rel=1e-12)
    customer_raw = customers.scored(instrument.item(Voice.CUSTOMER, dimension))
    assert row.customer is not None
    assert row.customer.mean == pytest.approx(
        float(np.nanmean(customer_raw[np.isin(customers.teams, sorted(members["north"]))])), rel=1e-12
    )


# --- what withheld teams contribute: nothing -------------------------------------------------------------------

WITHHELD_EMPLOYEES = [7, 3, 2, 12, 6]  # T001 and T002 withheld


def _with_withheld_answers(instrument: Instrument, seed: int, answer: int) -> tuple[AnswerMatrix, AnswerMatrix]:
    """The simulated wave with every answer of the withheld teams T001 and T002 set to `answer`."""
    employees, customers = simulated_answers(
        instrument,
        {f"T{j:03d}": count for j, count in enumerate(WITHHELD_EMPLOYEES)},
        {f"T{j:03d}": count for j, count in enumerate(CUSTOMERS)},
        seed,
    )
    withheld = np.isin(employees.teams, ["T001", "T002"])
    values = employees.values.copy()
    values[withheld] = np.where(np.isnan(values[withheld]), np.nan, answer)
    return dataclasses.replace(employees, values=values), customers


def test_pooled_results_are_the_same_whatever_the_withheld_teams_answered(instrument: Instrument) -> None:
    members = group_members(TEAM_PARENTS)
    low, high = (
        analyse_groups(
            instrument, statistics_from_answers(instrument, *_with_withheld_answers(instrument, 3, a)), members
        )
        for a in (1, 5)
    )
    assert low == high
    assert low["north"].employee_respondents == 7  # T000 only
    assert low["org"].employee_respondents == 25


def test_pooled_results_refuse_statistics_the_gate_did_not_release(instrument: Instrument) -> None:
    statistics = statistics_from_answers(instrument, *_with_withheld_answers(instrument, 3, 4))
    gate, _ = gate_statistics(instrument, statistics, DisclosureRules())
    with pytest.raises(ValueError, match="withheld team 'T001'"):
        pooled_results(instrument, statistics, group_members(TEAM_PARENTS), gate)


def test_branch_counts_count_the_teams_shown_and_the_number_of_others() -> None:
    members = group_members(HAND_PARENTS)
    invited = {team: count + 2 for team, count in HAND_RESPONDENTS.items()}
    counts = branch_response_counts(members, HAND_RESPONDENTS, invited, DisclosureRules())
    assert counts.groups["north"] == ResponseCount(invited=25, invited_shown=14, answered=12, withheld_teams=2)
    assert counts.groups["lyon"] == ResponseCount(invited=15, invited_shown=11, answered=9, withheld_teams=1)
    assert counts.total.answered == 12 + 9 + 7 + 6 + 8
    assert counts.total.withheld_teams == 3


def test_a_team_invited_where_nobody_answered_counts_as_withheld() -> None:
    members = group_members({"north": None, "lille": "north", "lens": "north"})
    counts = branch_response_counts(members, {"lens": 12}, {"lille": 6, "lens": 20}, DisclosureRules())
    assert counts.groups["north"] == ResponseCount(invited=26, invited_shown=20, answered=12, withheld_teams=1)


def random_hierarchy(rng: np.random.Generator, size: int) -> dict[str, str | None]:
    """A random tree of `size` teams, each under an earlier one or at the top."""
    parents: dict[str, str | None] = {}
    for j in range(size):
        parent = int(rng.integers(-1, j)) if j else -1
        parents[f"t{j}"] = None if parent < 0 else f"t{parent}"
    return parents


@pytest.mark.parametrize("seed", range(30))
def test_random_hierarchies_give_the_same_counts_whatever_the_withheld_teams_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parents = random_hierarchy(rng, int(rng.integers(5, 30)))
    members = group_members(parents)
    invited = {team: int(rng.integers(0, 15)) for team in parents}
    answered = {team: int(rng.integers(0, n + 1)) for team, n in invited.items()}
    withheld = {team for team, n in answered.items() if n < K and invited[team] > 0}
    other = {
        team: (int(rng.integers(0, min(K, invited[team] + 1))) if team in withheld else n)
        for team, n in answered.items()
    }
    rules = DisclosureRules(anonymity_threshold=K)
    assert branch_response_counts(members, answered, invited, rules) == branch_response_counts(
        members, other, invited, rules
    )


def test_pooled_intervals_allow_for_answers_clustered_in_teams() -> None:
    """Eight teams of ten from a population with ICC(1) = .2: the simple interval misses the population mean far
    more often than 5%; the cluster-aware one does not."""
    rng = np.random.default_rng(12)
    simple_misses = clustered_misses = 0
    runs = 400
    for _ in range(runs):
        team_means = rng.normal(0, math.sqrt(0.2), 8)
        labels = np.repeat(np.arange(8), 10).astype(str)
        answers = team_means[np.repeat(np.arange(8), 10)] + rng.normal(0, math.sqrt(0.8), 80)
        teams = stats.group_statistics(answers, labels)
        pooled = stats.means_from_statistics(stats.group_statistics(answers, np.zeros(80, dtype=int)))[0]
        clustered = hierarchy._clustered_mean(pooled, teams)
        assert clustered is not None
        simple_misses += not pooled.ci[0] <= 0 <= pooled.ci[1]
        clustered_misses += not clustered.ci[0] <= 0 <= clustered.ci[1]
    assert simple_misses / runs > 0.2
    assert clustered_misses / runs < 0.08


def test_pooled_nps_intervals_allow_for_customers_clustered_in_teams() -> None:
    """Eight teams of thirty customers whose promoter and detractor shares differ by team: the adjusted-Wald
    interval of the pooled score misses the population's score far more often than 5%; the cluster-aware one does
    not."""
    rng = np.random.default_rng(4)
    teams = frozenset(f"t{j}" for j in range(8))
    labels = np.array(sorted(teams))
    simple_misses = clustered_misses = 0
    runs = 400
    for _ in range(runs):
        promoter_share = np.clip(rng.normal(0.4, 0.15, 8), 0.02, 0.9)
        detractor_share = np.clip(0.5 - promoter_share + rng.normal(0, 0.05, 8), 0.02, 0.9)
        promoters = rng.binomial(30, promoter_share)
        detractors = np.minimum(rng.binomial(30, detractor_share), 30 - promoters)
        counts = NpsCounts(labels=labels, n=np.full(8, 30), promoters=promoters, detractors=detractors)
        pooled = stats.nps_from_counts(["all"], [240], [promoters.sum()], [detractors.sum()])["all"]
        clustered = hierarchy._clustered_outcome(pooled, counts, teams, (0.0, 10.0))
        assert isinstance(clustered, stats.NetPromoterScore)
        truth = 100 * (0.4 - (0.5 - 0.4))  # the population's expected shares: promoters .4, detractors .1
        simple_misses += not pooled.ci[0] <= truth <= pooled.ci[1]
        clustered_misses += not clustered.ci[0] <= truth <= clustered.ci[1]
        assert clustered.score == pooled.score
    assert simple_misses / runs > 0.15
    assert clustered_misses / runs < 0.09


def test_a_widened_branch_interval_stays_on_the_answer_scale() -> None:
    # Three teams near the top of the scale that disagree with each other: the cluster-robust interval is wide.
    answers = [5] * 10 + [5] * 9 + [4] + [3] * 5 + [4] * 5
    labels = ["a"] * 10 + ["b"] * 10 + ["c"] * 10
    teams = stats.group_statistics(answers, labels)
    pooled = stats.means_from_statistics(stats.group_statistics(answers, ["all"] * 30), bounds=(1, 5))["all"]
    widened = hierarchy._clustered_mean(pooled, teams, bounds=(1, 5))
    assert widened is not None
    unbounded = hierarchy._clustered_mean(pooled, teams)
    assert unbounded is not None and unbounded.ci[1] > 5  # without the bounds it would pass the top of the scale
    assert widened.ci == (unbounded.ci[0], 5.0)
    assert widened.ci[0] < pooled.ci[0]


def test_a_voice_nobody_answered_pools_to_nothing() -> None:
    """A voice with no answer in the database comes as arrays with no element, whose dtype is float, not text."""
    empty = stats.GroupStatistics(labels=np.array([]), n=np.array([]), mean=np.array([]), variance=np.array([]))
    assert stats.subset_statistics(empty, ["T3", "T4"]).labels.size == 0
