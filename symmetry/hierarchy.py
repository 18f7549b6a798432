"""Branches of the team hierarchy: their members, which of them may show pooled figures, and their results.

A team whose employee figures are withheld can show its branch's figures instead, and the organisation report
shows response counts by branch. Both are sums over nested sets of teams, and nested sums can be subtracted: a
branch minus the teams shown inside it is whatever is left. :func:`disclose` decides, once for both, which teams
are withheld and which branches may be shown, so that no subtraction over everything released together (the
pooled figures' n and the counts) isolates fewer than the anonymity threshold of employee respondents. The pooled
figures (:func:`pooled_results`) and the counts (:func:`branch_response_counts`) both take that one decision: two
rules deciding apart, even over slightly different sets of teams, would release different branches, and one
branch's figures minus another's would give a withheld team away.

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
with nobody invited and no answer reveals nothing and counts as shown. The teams considered are all of them:
those with respondents, those with invitations and those of the hierarchy, a top-level team with nobody
answering included.

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
from symmetry.analysis import NpsCounts, TeamResult, WaveStatistics, check_anonymity_threshold, team_results
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


@dataclass(frozen=True, slots=True)
class Disclosure:
    """Which employee figures of a wave may be shown by branch: the one decision of :func:`disclose`.

    The pooled figures (:func:`pooled_results`) and the response counts (:func:`branch_response_counts`) both
    read it, so that what one shows never completes a difference with what the other shows.
    """

    members: Mapping[str, frozenset[str]]
    """Each group's teams, as from :func:`group_members`."""
    answered: Mapping[str, int]
    """Employee respondents per team."""
    invited: Mapping[str, int] | None
    """Employees invited per team, or None when unknown."""
    threshold: int
    """The anonymity threshold."""
    withheld: frozenset[str]
    """Teams whose exact count of respondents must not be derivable."""
    groups: frozenset[str]
    """Groups whose pooled figures and answered count may be shown."""

    def count_shown(self, group: str) -> bool:
        """Whether the group's answered count may be shown: it is released, or holds no withheld team.

        A group with no withheld team is the sum of counts shown anyway; it adds nothing.
        """
        return group in self.groups or not self.members[group] & self.withheld

    @property
    def total_shown(self) -> bool:
        """Whether the organisation's answered total may be shown in the counts.

        Not when the withheld teams hold fewer than the threshold in all: the total minus the teams shown would be
        their sum (and a single withheld team's own count). The choice of groups takes the total as known all the
        same (the analysis reports organisation-wide figures), so it is never the last piece of a difference.
        """
        return not self.withheld or sum(self.answered.get(team, 0) for team in self.withheld) >= self.threshold


def disclose(
    members: Mapping[str, frozenset[str]],
    answered: Mapping[str, int],
    threshold: int,
    *,
    invited: Mapping[str, int] | None = None,
) -> Disclosure:
    """Which teams are withheld and which groups may be shown, over every team of the organisation.

    See the module docstring for the rule: a group is shown only with at least `threshold` respondents, and only
    if no sum or difference of everything shown (teams at or above the threshold, the shown groups and the
    organisation total) isolates a withheld team, or any set of withheld teams with fewer than `threshold`
    respondents in all. The teams considered are those with respondents, those with invitations and those of
    the groups.

    Parameters
    ----------
    members : Mapping[str, frozenset[str]]
        Each group's teams, as from :func:`group_members` (nested or disjoint).
    answered : Mapping[str, int]
        Employee respondents per team; a team not in it has none.
    threshold : int
        The anonymity threshold, at least 3.
    invited : Mapping[str, int], optional
        Employees invited per team. When given, a team where somebody was invited and nobody answered is
        protected too, and no team may have more respondents than invitations; without it, a team with no
        respondent is taken as having nobody to protect.

    Raises
    ------
    ValueError
        If the threshold is under 3, a count is negative, or a team has more respondents than invitations.

    Examples
    --------
    Lille's 3 respondents are withheld; the north minus Lens would be Lille, so the north is withheld too:

    >>> members = group_members({"north": None, "lille": "north", "lens": "north"})
    >>> sorted(disclose(members, {"lille": 3, "lens": 12}, 5).groups)
    []
    >>> sorted(disclose(members, {"lille": 3, "lens": 4}, 5).groups)
    ['north']

    Paris, a top-level team where 6 were invited and nobody answered, would be the organisation minus the north:

    >>> sorted(disclose(members, {"lille": 3, "lens": 4}, 5, invited={"lille": 5, "lens": 5, "paris": 6}).groups)
    []

    """
    check_anonymity_threshold(threshold)
    _check_counts(answered, "answered")
    teams = set(answered).union(*members.values())
    if invited is not None:
        _check_counts(invited, "invited")
        over = sorted(team for team, count in answered.items() if count > invited.get(team, 0))
        if over:
            team = over[0]
            raise ValueError(
                f"team {team!r} has more employee answers than invitations "
                f"({answered[team]} answered, {invited.get(team, 0)} invited)"
            )
        teams.update(invited)
    withheld = _withheld(teams, answered, threshold, invited)
    return Disclosure(
        members=dict(members),
        answered=dict(answered),
        invited=None if invited is None else dict(invited),
        threshold=threshold,
        withheld=withheld,
        groups=_release(members, answered, withheld, threshold),
    )


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


def pooled_results(instrument: Instrument, statistics: WaveStatistics, disclosure: Disclosure) -> dict[str, TeamResult]:
    """The pooled result of each group that the disclosure shows, customers included.

    Each result is computed as a team's is (:func:`symmetry.analysis.team_results`), on the answers of all the
    group's teams pooled; ``TeamResult.team`` is the group's key. Groups that may not be shown are absent.

    Raises
    ------
    ValueError
        If the disclosure was decided on other employee respondents than those of `statistics`.

    """
    respondents = {team: n for team, n in statistics.respondents.get(Respondent.EMPLOYEE, {}).items() if n > 0}
    if respondents != {team: n for team, n in disclosure.answered.items() if n > 0}:
        raise ValueError("the disclosure was decided on other employee respondents than these statistics")
    pooled = branch_statistics(statistics, {group: disclosure.members[group] for group in disclosure.groups})
    return dict(sorted(team_results(instrument, pooled, anonymity_threshold=disclosure.threshold).items()))


def analyse_groups(
    instrument: Instrument,
    statistics: WaveStatistics,
    members: Mapping[str, frozenset[str]],
    *,
    anonymity_threshold: int = 5,
    invited: Mapping[str, int] | None = None,
) -> dict[str, TeamResult]:
    """:func:`pooled_results` of the disclosure decided here, for a caller that shows no response counts.

    A caller that shows counts as well decides the disclosure once (:func:`disclose`) and passes it to both.
    """
    respondents = statistics.respondents.get(Respondent.EMPLOYEE, {})
    return pooled_results(instrument, statistics, disclose(members, respondents, anonymity_threshold, invited=invited))


@dataclass(frozen=True, slots=True)
class ResponseCount:
    """Employees invited and employees who answered; ``answered`` is None where it must not be shown."""

    invited: int
    answered: int | None


@dataclass(frozen=True, slots=True)
class BranchCounts:
    """Employee response counts of a wave by branch of the hierarchy."""

    groups: dict[str, ResponseCount]
    """Each group's whole branch (the group's team and every team under it)."""
    total: ResponseCount
    """The whole organisation (see :attr:`Disclosure.total_shown`)."""


def branch_response_counts(disclosure: Disclosure) -> BranchCounts:
    """Invited and answered employees per group and in all, answered hidden where it would reveal a team.

    A group's answered count is shown where the disclosure allows it (:meth:`Disclosure.count_shown`): every
    group whose pooled figures are shown, and every group with no withheld team. Invitation counts are shown
    everywhere.

    Raises
    ------
    ValueError
        If the disclosure was decided without the invitation counts.

    Examples
    --------
    >>> members = group_members({"north": None, "lille": "north", "lens": "north"})
    >>> counts = branch_response_counts(
    ...     disclose(members, {"lille": 3, "lens": 12}, 5, invited={"lille": 8, "lens": 20})
    ... )
    >>> counts.groups["north"], counts.total
    (ResponseCount(invited=28, answered=None), ResponseCount(invited=28, answered=None))

    """
    invited, answered, members = disclosure.invited, disclosure.answered, disclosure.members
    if invited is None:
        raise ValueError("response counts need the invitation counts: pass `invited` to `disclose`")
    return BranchCounts(
        groups={
            group: ResponseCount(
                invited=sum(invited.get(team, 0) for team in members[group]),
                answered=sum(answered.get(team, 0) for team in members[group])
                if disclosure.count_shown(group)
                else None,
            )
            for group in sorted(members)
        },
        total=ResponseCount(
            invited=sum(invited.values()),
            answered=sum(answered.values()) if disclosure.total_shown else None,
        ),
    )
