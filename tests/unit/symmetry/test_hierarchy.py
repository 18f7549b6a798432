"""Branches of the hierarchy: members, which branches may be shown without revealing a team, pooled results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping

import numpy as np
import pytest

from surveys.instruments.loader import load_instrument
from symmetry.analysis import AnswerMatrix, statistics_from_answers, team_results
from symmetry.domain import Instrument, Respondent, Voice
from symmetry.hierarchy import (
    ResponseCount,
    analyse_groups,
    branch_response_counts,
    branch_statistics,
    disclose,
    group_members,
    pooled_results,
)
from symmetry.simulation import GenerativeModel, Simulator

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


def test_parent_minus_its_shown_children_would_reveal_the_withheld_one() -> None:
    members = group_members({"p": None, "a": "p", "b": "p", "c": "p"})
    assert disclose(members, {"a": 10, "b": 10, "c": 3}, K).groups == set()
    # two withheld children pooled reach the threshold: p minus a is their sum, five answers, safe
    assert disclose(members, {"a": 10, "b": 2, "c": 3}, K).groups == {"p"}


def test_grandparent_minus_a_shown_parent_would_reveal_the_withheld_uncle() -> None:
    parents: dict[str, str | None] = {
        "root": None,
        "gp": "root",
        "p": "gp",
        "a": "p",
        "b": "p",
        "c": "p",
        "q": "gp",
        "x": "root",
        "x1": "x",
        "x2": "x",
        "x3": "x",
    }
    respondents = {"a": 10, "b": 3, "c": 3, "q": 3, "x1": 3, "x2": 3, "x3": 10}
    shown = disclose(group_members(parents), respondents, K).groups
    assert "p" in shown  # its residual, b and c, holds six answers
    assert "gp" not in shown  # gp - p would be q alone
    assert "x" not in shown  # the organisation's total - p - x - a - x3 would be q alone
    assert "root" in shown  # its residual q, x1, x2 holds nine


def test_of_two_nested_groups_differing_by_one_withheld_team_only_the_smaller_is_shown() -> None:
    parents: dict[str, str | None] = {
        "root": None,
        "g2": "root",
        "g1": "g2",
        "a": "g1",
        "b": "g1",
        "t": "g2",
        "y": "root",
        "y1": "y",
        "y2": "y",
    }
    shown = disclose(group_members(parents), {"a": 3, "b": 3, "t": 2, "y1": 3, "y2": 3}, K).groups
    assert "g1" in shown
    assert "g2" not in shown  # g2 - g1 = t


def test_a_group_under_the_threshold_is_withheld() -> None:
    members = group_members({"p": None, "a": "p", "b": "p"})
    assert disclose(members, {"a": 2, "b": 2}, K).groups == set()


def test_the_organisation_total_counts_as_known() -> None:
    # Two top-level branches and no single root: the organisation-wide figures are reported all the same,
    # so showing north would leave south's one withheld team as the total minus north minus south's shown team.
    parents: dict[str, str | None] = {"north": None, "n1": "north", "n2": "north", "south": None, "s1": "south"}
    parents["s2"] = "south"
    shown = disclose(group_members(parents), {"n1": 3, "n2": 3, "s1": 3, "s2": 10}, K).groups
    assert shown == set()


def test_a_team_invited_where_nobody_answered_is_protected_only_with_the_invitations() -> None:
    members = group_members({"p": None, "a": "p", "b": "p", "c": "p"})
    respondents = {"a": 10, "b": 10}
    assert disclose(members, respondents, K).groups == {"p"}
    assert disclose(members, respondents, K, invited={"a": 12, "b": 12, "c": 6}).groups == set()
    assert disclose(members, respondents, K, invited={"a": 12, "b": 12}).groups == {"p"}


def test_hand_worked_example() -> None:
    # Groups smallest first; the organisation's remainder starts as the withheld lille, lens, lyon-a (9 answers).
    # east (3 teams): nothing withheld inside, shown. lyon: residual lyon-a (2), withheld: lyon - lyon-b.
    # north: residual lille + lens = 7, fine, but it would leave lyon-a alone in the organisation's remainder
    # (the total minus north, lyon-b, nice, metz, nancy): withheld. south: residual lyon-a (2), withheld.
    # org: residual lille + lens + lyon-a = 9, shown.
    assert disclose(group_members(HAND_PARENTS), HAND_RESPONDENTS, K).groups == {"east", "org"}


def test_threshold_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        disclose(group_members(HAND_PARENTS), HAND_RESPONDENTS, 2)


def random_hierarchy(rng: np.random.Generator, size: int) -> dict[str, str | None]:
    parents: dict[str, str | None] = {"t0": None}
    for j in range(1, size):
        parents[f"t{j}"] = None if rng.random() < 0.1 else f"t{rng.integers(0, j)}"
    return parents


def check_nothing_isolates_a_withheld_team(
    shown: Collection[frozenset[str]],
    respondents: Mapping[str, int],
    teams: list[str],
    invited: Mapping[str, int] | None = None,
) -> None:
    """Attack the release independently of the greedy rule, with everything released together.

    `shown` holds the teams of every sum shown besides the baseline: the groups' pooled figures (their n) and the
    groups' answered counts. The organisation's total and the teams shown by the analysis are known before any
    group is shown; when they already give the withheld teams' total (fewer than K in all), the groups must add
    nothing to it. With invitations, a team where somebody was invited and nobody answered is withheld too.
    """
    withheld = {
        team
        for team in teams
        if respondents.get(team, 0) < K and (respondents.get(team, 0) > 0 or (invited or {}).get(team, 0) > 0)
    }
    baseline = [frozenset(teams)] + [frozenset([team]) for team in teams if team not in withheld]
    released = baseline + list(shown)

    def indicators(sets: list[frozenset[str]]) -> np.typing.NDArray[np.float64]:
        return np.array([[team in known for team in teams] for known in sets], dtype=float)

    def derivable(sets: list[frozenset[str]], team: str) -> bool:
        matrix, unit = indicators(sets), indicators([frozenset([team])])
        return bool(np.linalg.matrix_rank(np.vstack([matrix, unit])) == np.linalg.matrix_rank(matrix))

    for team in withheld:  # no linear combination of released sums gives a withheld team's, unless it did before
        assert not derivable(released, team) or derivable(baseline, team), team
    # What can be derived is constant on the classes of teams inside the same released sets (laminar family):
    # any class holding a withheld team must hold at least K answers, or be all the withheld teams, whose
    # total the organisation's total gave already.
    matrix = indicators(released)
    classes: dict[tuple[bool, ...], set[str]] = {}
    for j, team in enumerate(teams):
        classes.setdefault(tuple(matrix[:, j] > 0), set()).add(team)
    for cell in classes.values():
        if withheld & cell:
            assert sum(respondents.get(team, 0) for team in cell) >= K or cell == withheld, cell


@pytest.mark.parametrize("seed", range(40))
def test_random_hierarchies_release_nothing_that_isolates_a_withheld_team(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parents = random_hierarchy(rng, int(rng.integers(5, 30)))
    members = group_members(parents)
    leaves = [team for team in parents if team not in members]
    respondents = {team: int(rng.choice([0, 1, 2, 3, 4, 6, 9, 15])) for team in leaves}
    shown = set(disclose(members, respondents, K).groups)
    check_nothing_isolates_a_withheld_team([members[group] for group in shown], respondents, sorted(parents))
    for group in members:  # a group with nothing withheld inside and enough answers is always shown
        inside = members[group]
        if sum(respondents.get(t, 0) for t in inside) >= K and not any(0 < respondents.get(t, 0) < K for t in inside):
            assert group in shown


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
EMPLOYEES = [7, 3, 2, 12, 6]  # T001 and T002 withheld, 5 together: north can be shown
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
    assert pooled.respondents[Respondent.EMPLOYEE] == {"north": 12, "south": 18, "org": 30}
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
    results = analyse_groups(
        instrument, statistics_from_answers(instrument, employees, customers), members, anonymity_threshold=K
    )
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
                assert estimate.ci == pytest.approx(expected.ci, rel=1e-9)
            for name in ("perception_gap", "symmetry_gap"):
                assert getattr(mine, name).estimate == pytest.approx(getattr(theirs, name).estimate, rel=1e-12)
        assert result.outcomes.keys() == as_one_team.outcomes.keys()
        for outcome, score in result.outcomes.items():
            expected = as_one_team.outcomes[outcome]
            assert type(score) is type(expected)
            assert flat(score) == pytest.approx(flat(expected), rel=1e-12)


def test_pooled_employee_mean_matches_numpy_on_the_raw_answers(instrument: Instrument) -> None:
    employees, customers = simulated(instrument, seed=21)
    members = group_members(TEAM_PARENTS)
    north = analyse_groups(instrument, statistics_from_answers(instrument, employees, customers), members)["north"]
    dimension = instrument.dimensions[1].key
    inside = np.isin(employees.teams, sorted(members["north"]))
    raw = employees.scored(instrument.item(Voice.EMPLOYEE, dimension))[inside]
    row = next(r for r in north.dimensions if r.dimension == dimension)
    assert row.employee is not None
    assert row.employee.n == 12 == north.employee_respondents
    assert row.employee.mean == pytest.approx(float(np.nanmean(raw)), rel=1e-12)
    customer_raw = customers.scored(instrument.item(Voice.CUSTOMER, dimension))
    assert row.customer is not None
    assert row.customer.mean == pytest.approx(
        float(np.nanmean(customer_raw[np.isin(customers.teams, sorted(members["north"]))])), rel=1e-12
    )


def test_a_group_that_would_reveal_a_team_has_no_result(instrument: Instrument) -> None:
    employees, customers = simulated(instrument, seed=5)
    parents = dict(TEAM_PARENTS)
    parents["T002"] = "south"  # north - T000 = T001 (3), south - T003 - T004 = T002 (2)
    results = analyse_groups(
        instrument, statistics_from_answers(instrument, employees, customers), group_members(parents)
    )
    assert sorted(results) == ["org"]  # its residual, T001 and T002, holds five answers
    assert results["org"].employee_respondents == 30
    assert results["org"].overall.employee is not None
    assert math.isfinite(results["org"].overall.employee.mean)


def test_pooled_results_refuse_a_disclosure_decided_on_other_answers(instrument: Instrument) -> None:
    statistics = statistics_from_answers(instrument, *simulated(instrument, seed=2))
    members = group_members(TEAM_PARENTS)
    other = dict(statistics.respondents[Respondent.EMPLOYEE], T001=4)
    with pytest.raises(ValueError, match="other employee respondents"):
        pooled_results(instrument, statistics, disclose(members, other, K))


# --- response counts -----------------------------------------------------------------------------------------


def test_branch_counts_hide_answered_where_differencing_would_reveal_a_team() -> None:
    invited = {team: 2 * count + 1 for team, count in HAND_RESPONDENTS.items()}
    disclosure = disclose(group_members(HAND_PARENTS), HAND_RESPONDENTS, K, invited=invited)
    assert disclosure.withheld == {"lille", "lens", "lyon-a"}  # not north, where nobody is attached
    counts = branch_response_counts(disclosure)
    assert {group: row.answered for group, row in counts.groups.items()} == {
        "east": 14,
        "lyon": None,
        "north": None,
        "org": 51,
        "south": None,
    }
    assert counts.groups["north"].invited == 7 + 9 + 25
    assert counts.total == ResponseCount(sum(invited.values()), 51)


def test_a_team_where_nobody_answered_hides_its_branch_count() -> None:
    members = group_members({"p": None, "a": "p", "b": "p", "c": "p"})
    disclosure = disclose(members, {"a": 10, "b": 10}, K, invited={"a": 12, "b": 12, "c": 4})
    assert disclosure.withheld == {"c"}
    counts = branch_response_counts(disclosure)
    assert counts.groups["p"] == ResponseCount(28, None)  # p - a - b = 0 answers in c
    assert counts.total == ResponseCount(28, None)


def test_the_organisation_total_is_hidden_when_the_withheld_teams_hold_too_few_in_all() -> None:
    parents: dict[str, str | None] = {"north": None, "n1": "north", "n2": "north", "south": None, "s1": "south"}
    invited = {"n1": 12, "n2": 12, "s1": 12}
    counts = branch_response_counts(disclose(group_members(parents), {"n1": 10, "n2": 10, "s1": 4}, K, invited=invited))
    assert counts.total == ResponseCount(36, None)  # the total minus n1 and n2 would give s1
    assert counts.groups["north"] == ResponseCount(24, 20)  # adds nothing: n1 and n2 are shown
    assert counts.groups["south"].answered is None
    counts = branch_response_counts(disclose(group_members(parents), {"n1": 10, "n2": 10, "s1": 5}, K, invited=invited))
    assert counts.total == ResponseCount(36, 25)


def test_more_answers_than_invitations_are_refused_naming_the_team() -> None:
    with pytest.raises(ValueError, match=r"team 'lille' has more employee answers than invitations \(3 answered, 2"):
        disclose(group_members(HAND_PARENTS), HAND_RESPONDENTS, K, invited={**HAND_RESPONDENTS, "lille": 2})


def test_counts_need_the_invitations() -> None:
    with pytest.raises(ValueError, match="invitation counts"):
        branch_response_counts(disclose(group_members(HAND_PARENTS), HAND_RESPONDENTS, K))


# --- the pooled figures and the counts together ---------------------------------------------------------------


def shown_together(
    instrument: Instrument,
    parents: Mapping[str, str | None],
    answered: Mapping[str, int],
    invited: Mapping[str, int],
    seed: int,
) -> None:
    """Decide once, pool and count from simulated answers, then attack everything shown together.

    Every group whose pooled figures are shown has its answered count shown, equal to the pooled figures' n, and
    no sum or difference of the pooled figures' n and the counts gives a withheld team's count.
    """
    members = group_members(parents)
    employees, customers = simulated_answers(instrument, answered, dict.fromkeys(parents, 3), seed)
    statistics = statistics_from_answers(instrument, employees, customers)
    disclosure = disclose(members, statistics.respondents[Respondent.EMPLOYEE], K, invited=invited)
    pooled = pooled_results(instrument, statistics, disclosure)
    counts = branch_response_counts(disclosure)
    assert set(pooled) == disclosure.groups
    for group, result in pooled.items():
        assert result.employee_figures_shown
        assert counts.groups[group].answered == result.employee_respondents
    counted = {group for group, row in counts.groups.items() if row.answered is not None}
    for group in counted:
        assert counts.groups[group].answered == sum(answered.get(team, 0) for team in members[group])
    shown = [members[group] for group in set(pooled) | counted]
    check_nothing_isolates_a_withheld_team(shown, answered, sorted(parents), invited)
    withheld_answers = sum(answered.get(team, 0) for team in disclosure.withheld)
    assert counts.total.answered == (
        sum(answered.values()) if withheld_answers >= K or not disclosure.withheld else None
    )


def test_a_top_level_team_invited_where_nobody_answered_keeps_its_neighbour_branch_withheld(
    instrument: Instrument,
) -> None:
    # The reviewer's case: the organisation's 16 answers minus G's 16 would give L's 0, and L, where five were
    # invited, is a count under the threshold. G's pooled figures are withheld, as its count is.
    parents: dict[str, str | None] = {"G": None, "A": "G", "C": "G", "B": "G", "L": None}
    answered = {"A": 3, "C": 3, "B": 10}
    invited = {"A": 5, "C": 5, "B": 12, "L": 5}
    disclosure = disclose(group_members(parents), answered, K, invited=invited)
    assert disclosure.withheld == {"A", "C", "L"}
    assert disclosure.groups == set()
    counts = branch_response_counts(disclosure)
    assert counts.groups["G"] == ResponseCount(22, None)
    assert counts.total == ResponseCount(27, 16)  # minus B's 10: A, C and L together, six answers
    shown_together(instrument, parents, answered, invited, seed=1)
    # Without L's invitations nothing is left to protect outside G, which may then be shown.
    assert disclose(group_members(parents), answered, K, invited={"A": 5, "C": 5, "B": 12}).groups == {"G"}


@pytest.mark.parametrize("seed", range(40))
def test_random_hierarchies_with_invitations_show_nothing_together_that_isolates_a_withheld_team(
    instrument: Instrument, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    parents = random_hierarchy(rng, int(rng.integers(5, 30)))
    # Top-level teams with no team under them, where people were invited and nobody answered: in no group, they
    # are withheld all the same (the leak this guards against: one rule saw them and the other did not).
    alone = [f"alone{j}" for j in range(int(rng.integers(0, 4)))]
    parents.update(dict.fromkeys(alone))
    members = group_members(parents)
    # Front-line teams, and now and then people attached to a branch team; some invited where nobody answered.
    answered = {
        team: int(rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15]))
        for team in parents
        if team not in alone and (team not in members or rng.random() < 0.2)
    }
    invited = {team: count + int(rng.choice([0, 0, 1, 3, 5])) for team, count in answered.items()}
    invited.update({team: int(rng.integers(1, 6)) for team in alone})
    shown_together(instrument, parents, answered, invited, seed)
