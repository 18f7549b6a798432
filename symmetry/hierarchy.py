"""Branches of the team hierarchy: their members, which of them may show pooled figures, and their results.

A team whose employee figures are withheld can show its branch's figures instead, and the organisation report
shows response counts by branch. Both are sums over nested sets of teams, and nested sums can be subtracted: a
branch minus the teams shown inside it is whatever is left. :func:`releasable_groups` decides which branches may
be shown so that no subtraction, over everything released together, isolates fewer than the anonymity threshold
of employee respondents.

The rule (secondary suppression over a laminar family of sets)
--------------------------------------------------------------
Everything released is a sum over a set of teams: each team shown by the analysis (at least ``threshold``
respondents), each branch shown here, and the whole organisation, which is taken as always known (organisation-
wide figures are reported). These sets are nested or disjoint. For each released set, call its *residual* the
teams in it that lie in no smaller released set. The indicator of a released set is its residual's plus those of
the released sets just below it, so the released sums and the residual sums determine each other, and the
residuals are disjoint: every figure an attacker can derive by adding and subtracting released figures is a sum
over a union of residuals, and nothing finer. The release is therefore safe when every residual that contains a
withheld team holds at least ``threshold`` respondents (then so does every union of them). This is the
hierarchical-table form of secondary cell suppression (Hundepool et al. 2012, ch. 4 and 5): a sensitive cell
must not be recoverable as a margin minus the published cells below it, at any level, nor from two margins.

It covers the attacks that matter here: a parent minus its shown children (the parent's residual is the
withheld child alone); a grandparent minus a shown parent and its shown teams (same, one level up); two nested
branches that differ by one withheld team (the larger one's residual is that team); the organisation total
minus the shown branches and teams (the organisation's residual).

Groups are considered smallest first, so that a withheld team gets the nearest parent that is safe. A group is
shown when it has at least ``threshold`` respondents and showing it leaves its own residual and the rest of the
organisation's safe (a group with no withheld team in its residual reveals nothing new and is always shown).
Earlier choices never become unsafe: a group's residual is fixed once the groups inside it are decided, and
later groups only split the organisation's remainder, which each step checks. The choice is deterministic but
greedy: it is always safe, not always the largest possible set of groups.

A team is *withheld* when it has fewer than ``threshold`` respondents and at least one, or, when invitation
counts are given, anyone invited: that nobody in a team answered is also a count under the threshold. A team
with nobody invited and no answer reveals nothing and counts as shown.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E., Spicer, K. and de Wolf,
P.-P. (2012). *Statistical Disclosure Control*. Wiley. Chapters 4 (magnitude tables) and 5 (frequency tables):
secondary cell suppression, hierarchical and linked tables.

"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from symmetry import stats
from symmetry.analysis import NpsCounts, TeamResult, WaveStatistics, team_results
from symmetry.domain import Instrument, Respondent


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


def _check_threshold(threshold: int) -> None:
    if threshold < 3:
        raise ValueError(f"the anonymity threshold must be at least 3, got {threshold}")


def _check_counts(counts: Mapping[str, int], name: str) -> None:
    negative = sorted(team for team, count in counts.items() if count < 0)
    if negative:
        raise ValueError(f"`{name}` must not be negative, got {negative[0]!r}: {counts[negative[0]]}")


def _withheld(
    teams: Collection[str], respondents: Mapping[str, int], threshold: int, invited: Mapping[str, int] | None
) -> frozenset[str]:
    """Teams whose exact respondents must not be derivable: under the threshold, with someone who could answer."""
    return frozenset(
        team
        for team in teams
        if respondents.get(team, 0) < threshold
        and (respondents.get(team, 0) > 0 or (invited is not None and invited.get(team, 0) > 0))
    )


def _release(
    members: Mapping[str, frozenset[str]], respondents: Mapping[str, int], withheld: frozenset[str], threshold: int
) -> frozenset[str]:
    """The greedy choice described in the module docstring."""

    def safe(residual: set[str]) -> bool:
        return not residual or sum(respondents.get(team, 0) for team in residual) >= threshold

    remainder = set(withheld)  # the organisation's residual: withheld teams in no released group yet
    released: set[str] = set()
    for group in sorted(members, key=lambda key: (len(members[key]), key)):
        inside = members[group]
        if sum(respondents.get(team, 0) for team in inside) < threshold:
            continue
        residual, rest = remainder & inside, remainder - inside
        if residual and not (safe(residual) and safe(rest)):
            continue
        released.add(group)
        remainder = rest
    return frozenset(released)


def releasable_groups(
    members: Mapping[str, frozenset[str]],
    respondents: Mapping[str, int],
    threshold: int,
    *,
    invited: Mapping[str, int] | None = None,
) -> frozenset[str]:
    """The groups whose pooled employee figures may be shown beside the teams shown by the analysis.

    See the module docstring for the rule: a group is shown only with at least `threshold` respondents, and only
    if no sum or difference of everything shown (teams at or above the threshold, the shown groups and the
    organisation total) isolates a withheld team, or any set of withheld teams with fewer than `threshold`
    respondents in all.

    Parameters
    ----------
    members : Mapping[str, frozenset[str]]
        Each group's teams, as from :func:`group_members` (nested or disjoint).
    respondents : Mapping[str, int]
        Employee respondents per team; a team not in it has none.
    threshold : int
        The anonymity threshold, at least 3.
    invited : Mapping[str, int], optional
        Employees invited per team. When given, a team where somebody was invited and nobody answered is
        protected too; without it, a team with no respondent is taken as having nobody to protect.

    Examples
    --------
    Lille's 3 respondents are withheld; the north minus Lens would be Lille, so the north is withheld too:

    >>> members = group_members({"north": None, "lille": "north", "lens": "north"})
    >>> sorted(releasable_groups(members, {"lille": 3, "lens": 12}, 5))
    []
    >>> sorted(releasable_groups(members, {"lille": 3, "lens": 4}, 5))
    ['north']

    """
    _check_threshold(threshold)
    _check_counts(respondents, "respondents")
    teams = set(respondents).union(*members.values())
    return _release(members, respondents, _withheld(teams, respondents, threshold, invited), threshold)


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
    This pools every group given, shown or not: select the groups first (:func:`analyse_groups` does).
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


def analyse_groups(
    instrument: Instrument,
    statistics: WaveStatistics,
    members: Mapping[str, frozenset[str]],
    *,
    anonymity_threshold: int = 5,
    invited: Mapping[str, int] | None = None,
) -> dict[str, TeamResult]:
    """The pooled result of each group that may be shown (:func:`releasable_groups`), customers included.

    Each result is computed as a team's is (:func:`symmetry.analysis.team_results`), on the answers of all the
    group's teams pooled; ``TeamResult.team`` is the group's key. Groups that may not be shown are absent.
    """
    shown = releasable_groups(
        members, statistics.respondents.get(Respondent.EMPLOYEE, {}), anonymity_threshold, invited=invited
    )
    pooled = branch_statistics(statistics, {group: members[group] for group in shown})
    return dict(sorted(team_results(instrument, pooled, anonymity_threshold=anonymity_threshold).items()))


@dataclass(frozen=True, slots=True)
class ResponseCount:
    """Employees invited and employees who answered; ``answered`` is None where it must not be shown."""

    invited: int
    answered: int | None


@dataclass(frozen=True, slots=True)
class BranchCounts:
    """Employee response counts of a wave by branch of the hierarchy and by team."""

    groups: dict[str, ResponseCount]
    """Each group's whole branch (the group's team and every team under it)."""
    teams: dict[str, ResponseCount]
    """Each team's own people."""
    total: ResponseCount
    """The whole organisation: answered is None when the withheld teams hold fewer than the threshold in all,
    since the total minus the teams shown would give their sum (and a single withheld team's own count)."""


def branch_response_counts(
    members: Mapping[str, frozenset[str]], invited: Mapping[str, int], answered: Mapping[str, int], threshold: int
) -> BranchCounts:
    """Invited and answered employees per group and per team, answered hidden where it would reveal a team.

    A team's answered count is shown at or above `threshold`, or when nobody was invited. A group's is shown when
    :func:`releasable_groups` (with the invitations) allows it, or when no team in it is withheld (its count is
    then the sum of shown counts), by the same rule against differencing: no sum or
    difference of the shown counts gives the exact count of a team with fewer than `threshold` answers.
    Invitation counts are shown everywhere. The organisation's total is shown unless the withheld teams hold
    fewer than `threshold` answers in all; the choice of groups takes it as known all the same (the analysis
    reports organisation-wide figures), so it never becomes the last piece of a difference.

    Examples
    --------
    >>> members = group_members({"north": None, "lille": "north", "lens": "north"})
    >>> counts = branch_response_counts(members, {"lille": 8, "lens": 20}, {"lille": 3, "lens": 12}, 5)
    >>> counts.groups["north"]
    ResponseCount(invited=28, answered=None)
    >>> counts.teams["lille"], counts.teams["lens"]
    (ResponseCount(invited=8, answered=None), ResponseCount(invited=20, answered=12))

    """
    _check_threshold(threshold)
    _check_counts(invited, "invited")
    _check_counts(answered, "answered")
    over = sorted(team for team, count in answered.items() if count > invited.get(team, 0))
    if over:
        raise ValueError(f"more answers than invitations in team {over[0]!r}")
    teams = sorted(set(invited).union(answered, *members.values()))
    withheld = _withheld(teams, answered, threshold, invited)
    shown = _release(members, answered, withheld, threshold)
    withheld_answers = sum(answered.get(team, 0) for team in withheld)
    return BranchCounts(
        groups={
            group: ResponseCount(
                invited=sum(invited.get(team, 0) for team in members[group]),
                answered=sum(answered.get(team, 0) for team in members[group])
                if group in shown or not members[group] & withheld
                else None,
            )
            for group in sorted(members)
        },
        teams={
            team: ResponseCount(invited.get(team, 0), None if team in withheld else answered.get(team, 0))
            for team in teams
        },
        total=ResponseCount(
            invited=sum(invited.values()),
            answered=sum(answered.values()) if not withheld or withheld_answers >= threshold else None,
        ),
    )
