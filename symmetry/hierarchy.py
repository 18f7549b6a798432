"""Branches of the team hierarchy: their members, their pooled figures and their response counts.

A team whose employee figures are withheld shows its branch's figures instead, and the organisation report shows
response counts by branch. Both are sums over nested sets of teams, and nested sums can be subtracted: a branch
minus the teams shown inside it would be whatever is left. Here nothing is left: the pooled figures are computed
from the statistics the disclosure gate releases (:func:`symmetry.disclosure.released_statistics`), in which
withheld teams' employee answers do not exist, and the response counts add up the teams shown only, saying how
many teams under the threshold they leave out. Every figure of a branch is therefore a sum of figures released
anyway, and no difference of branches, teams and totals, nor any equation over them, tells anything about a
withheld team (see :mod:`symmetry.disclosure` for why this, rather than complementary suppression of pooled
cells that would include withheld answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from symmetry import stats
from symmetry.analysis import TeamResult, team_results
from symmetry.disclosure import DEFAULT_RULES, DisclosureRules, Gate, gate_statistics
from symmetry.domain import Instrument, Respondent
from symmetry.sufficient import NpsCounts, WaveStatistics


def group_members(parents: Mapping[str, str | None]) -> dict[str, frozenset[str]]:
    """Every team with teams under it, mapped to all the teams of its branch: itself and all its descendants.

    The team itself belongs to its branch because people may be attached to a branch team directly; they count
    in the branch, as in the response rates. A branch team with nobody attached adds nothing.

    Parameters
    ----------
    parents : Mapping[str, str | None]
        Every team's key mapped to its parent's key, or None for a top-level team.

    Examples
    --------
    >>> members = group_members({"north": None, "lille": "north", "lens": "north", "paris": None})
    >>> sorted(members), sorted(members["north"])
    (['north'], ['lens', 'lille', 'north'])

    """
    for team, parent in parents.items():
        if parent is not None and parent not in parents:
            raise ValueError(f"team {team!r} has parent {parent!r}, which is not in `parents`")
    members: dict[str, set[str]] = {}
    for team in parents:
        seen = {team}
        parent = parents[team]
        while parent is not None:
            if parent in seen:
                raise ValueError(f"the hierarchy has a cycle through {parent!r}")
            seen.add(parent)
            members.setdefault(parent, {parent}).add(team)
            parent = parents[parent]
    return {group: frozenset(teams) for group, teams in sorted(members.items())}


def _pool(
    summary: stats.GroupStatistics, groups: list[str], members: Mapping[str, frozenset[str]]
) -> stats.GroupStatistics:
    """Per-team statistics pooled by group, exactly: counts and sums add up, squares around the pooled mean too."""
    position = {str(label): j for j, label in enumerate(summary.labels.tolist())}
    membership = np.zeros((len(groups), len(position)))
    for row, group in enumerate(groups):
        columns = [position[team] for team in members[group] if team in position]
        membership[row, columns] = 1.0
    n = membership @ summary.n
    mean = (membership @ (summary.n * summary.mean)) / np.maximum(n, 1)
    within = membership @ np.where(summary.n > 1, (summary.n - 1) * summary.variance, 0.0)
    between = (membership * summary.n * (summary.mean[np.newaxis, :] - mean[:, np.newaxis]) ** 2).sum(axis=1)
    variance = np.where(n > 1, (within + between) / np.maximum(n - 1, 1), np.nan)
    keep = n > 0
    return stats.GroupStatistics(
        labels=np.asarray(groups, dtype=np.str_)[keep],
        n=np.rint(n[keep]).astype(np.int64),
        mean=mean[keep],
        variance=variance[keep],
    )


def _pool_counts(counts: NpsCounts, groups: list[str], members: Mapping[str, frozenset[str]]) -> NpsCounts:
    position = {str(label): j for j, label in enumerate(counts.labels.tolist())}
    membership = np.zeros((len(groups), len(position)), dtype=np.int64)
    for row, group in enumerate(groups):
        membership[row, [position[team] for team in members[group] if team in position]] = 1
    n = membership @ counts.n
    keep = n > 0
    return NpsCounts(
        labels=np.asarray(groups, dtype=np.str_)[keep],
        n=n[keep],
        promoters=(membership @ counts.promoters)[keep],
        detractors=(membership @ counts.detractors)[keep],
    )


def branch_statistics(statistics: WaveStatistics, members: Mapping[str, frozenset[str]]) -> WaveStatistics:
    """The wave's per-team sufficient statistics pooled by group, labelled by group.

    Pooling is exact: a group's statistics are those of all its teams' answers taken together, not an average
    of team means. Average deviations, which are around each team's own mean, do not pool and are left out.
    This pools every group given, shown or not: select the groups first (:func:`pooled_results` does).
    """
    groups = sorted(members)
    return WaveStatistics(
        columns={key: _pool(summary, groups, members) for key, summary in statistics.columns.items()},
        outcomes={
            outcome: _pool_counts(summary, groups, members)
            if isinstance(summary, NpsCounts)
            else _pool(summary, groups, members)
            for outcome, summary in statistics.outcomes.items()
        },
        respondents={
            respondent: {
                group: total for group in groups if (total := sum(counts.get(team, 0) for team in members[group])) > 0
            }
            for respondent, counts in statistics.respondents.items()
        },
        deviations={},
    )


def pooled_results(
    instrument: Instrument, released: WaveStatistics, members: Mapping[str, frozenset[str]], gate: Gate
) -> dict[str, TeamResult]:
    """The pooled result of each group from released statistics, customers included, as a team's is computed.

    `released` must be what :func:`symmetry.disclosure.released_statistics` let through, so that a group's
    figures are those of its teams shown; a group with fewer shown employee respondents than the threshold gets
    no employee figures, exactly as a team. ``TeamResult.team`` is the group's key.

    Raises
    ------
    ValueError
        If `released` still holds a team that the gate withholds.

    """
    leaked = set(released.respondents.get(Respondent.EMPLOYEE, {})) & gate.employees_withheld
    if leaked:
        raise ValueError(f"pooled figures take released statistics only, got withheld team {sorted(leaked)[0]!r}")
    pooled = branch_statistics(released, members)
    return dict(sorted(team_results(instrument, pooled, anonymity_threshold=gate.rules.anonymity_threshold).items()))


def analyse_groups(
    instrument: Instrument,
    statistics: WaveStatistics,
    members: Mapping[str, frozenset[str]],
    *,
    rules: DisclosureRules = DEFAULT_RULES,
) -> dict[str, TeamResult]:
    """:func:`pooled_results` of raw statistics: the gate decides and releases first."""
    gate, released = gate_statistics(instrument, statistics, rules)
    return pooled_results(instrument, released, members, gate)


@dataclass(frozen=True, slots=True)
class ResponseCount:
    """Employees of one branch: invited in all, and invited and answered in its teams shown."""

    invited: int
    invited_shown: int
    answered: int
    """Employee respondents of the teams shown: never a withheld team's."""
    withheld_teams: int
    """Teams under the threshold left out of ``invited_shown`` and ``answered``."""

    @property
    def rate(self) -> float | None:
        """Share of the shown teams' invitees who answered; None with nobody invited there."""
        return self.answered / self.invited_shown if self.invited_shown else None


def response_count(
    teams: frozenset[str], answered: Mapping[str, int], invited: Mapping[str, int], rules: DisclosureRules
) -> ResponseCount:
    """The response count of a set of teams, withheld teams counted only by their number."""
    withheld = {team for team in teams if rules.employees_withheld(answered.get(team, 0), invited.get(team, 0))}
    shown = teams - withheld
    return ResponseCount(
        invited=sum(invited.get(team, 0) for team in teams),
        invited_shown=sum(invited.get(team, 0) for team in shown),
        answered=sum(answered.get(team, 0) for team in shown),
        withheld_teams=len(withheld),
    )


@dataclass(frozen=True, slots=True)
class BranchCounts:
    """Employee response counts of a wave by branch of the hierarchy."""

    groups: dict[str, ResponseCount]
    """Each group's whole branch (the group's team and every team under it)."""
    total: ResponseCount
    """The whole organisation."""


def branch_response_counts(
    members: Mapping[str, frozenset[str]],
    answered: Mapping[str, int],
    invited: Mapping[str, int],
    rules: DisclosureRules,
) -> BranchCounts:
    """Invited and answered employees per group and in all, counting the answers of teams shown only.

    Examples
    --------
    >>> members = group_members({"north": None, "lille": "north", "lens": "north"})
    >>> counts = branch_response_counts(members, {"lille": 3, "lens": 12}, {"lille": 8, "lens": 20}, DisclosureRules())
    >>> counts.groups["north"]
    ResponseCount(invited=28, invited_shown=20, answered=12, withheld_teams=1)

    """
    everyone = frozenset(invited) | frozenset(answered) | frozenset().union(*members.values())
    return BranchCounts(
        groups={group: response_count(teams, answered, invited, rules) for group, teams in sorted(members.items())},
        total=response_count(everyone, answered, invited, rules),
    )
