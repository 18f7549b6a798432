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

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from symmetry import stats
from symmetry.analysis import SCALE_HIGH, SCALE_LOW, DimensionResult, Outcome, TeamResult, team_results
from symmetry.disclosure import DEFAULT_RULES, DisclosureRules, Gate, gate_statistics
from symmetry.domain import Instrument, Respondent, Voice
from symmetry.sufficient import NpsCounts, WaveStatistics

ORGANISATION = "\x00organisation"
"""The key of the whole organisation's pooled group (no team key starts with a NUL)."""


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
    results = team_results(instrument, pooled, anonymity_threshold=gate.rules.anonymity_threshold)
    scales = {
        str(item.outcome): (float(item.scale.low), float(item.scale.high))
        for item in instrument.items
        if item.voice is Voice.OUTCOME
    }
    return {group: _clustered(result, released, members[group], scales) for group, result in sorted(results.items())}


CONFIDENCE = 0.95


def _clustered(
    result: TeamResult,
    released: WaveStatistics,
    teams: frozenset[str],
    outcome_scales: Mapping[str, tuple[float, float]],
) -> TeamResult:
    """A group's pooled result with intervals that allow for its respondents being clustered in teams.

    Pooled answers are not a simple random sample: respondents of one team resemble each other, and an interval
    that ignores it is too narrow. Each mean's, each gap's and each outcome's half-width is the larger of the simple
    one and the cluster-robust one (CR1 standard error over the group's teams, t with J - 1 degrees of freedom), so
    that a branch of a single team keeps its own interval and a branch whose team means happen to agree keeps at
    least the sampling error of its answers. Widened intervals are truncated to the scale, as a team's are.
    """

    def members_of(measure: str, voice: Voice) -> stats.GroupStatistics:
        return stats.subset_statistics(released.columns[measure, voice], teams)

    def row(dimension: DimensionResult) -> DimensionResult:
        measure = dimension.dimension
        estimates = {
            voice: _clustered_mean(estimate, members_of(measure, voice), bounds=(SCALE_LOW, SCALE_HIGH))
            for voice, estimate in (
                (Voice.EMPLOYEE, dimension.employee),
                (Voice.MIRROR, dimension.mirror),
                (Voice.CUSTOMER, dimension.customer),
            )
        }
        customers = members_of(measure, Voice.CUSTOMER)
        return dataclasses.replace(
            dimension,
            employee=estimates[Voice.EMPLOYEE],
            mirror=estimates[Voice.MIRROR],
            customer=estimates[Voice.CUSTOMER],
            perception_gap=_clustered_gap(dimension.perception_gap, members_of(measure, Voice.MIRROR), customers),
            symmetry_gap=_clustered_gap(dimension.symmetry_gap, members_of(measure, Voice.EMPLOYEE), customers),
        )

    outcomes = {
        name: _clustered_outcome(outcome, released.outcomes[name], teams, outcome_scales[name])
        for name, outcome in result.outcomes.items()
    }
    return dataclasses.replace(
        result, overall=row(result.overall), dimensions=tuple(row(d) for d in result.dimensions), outcomes=outcomes
    )


def _clustered_outcome(
    outcome: Outcome,
    per_team: stats.GroupStatistics | NpsCounts,
    teams: frozenset[str],
    bounds: tuple[float, float],
) -> Outcome:
    if isinstance(outcome, stats.MeanEstimate):
        assert isinstance(per_team, stats.GroupStatistics)  # a mean outcome comes from answers' statistics
        return _clustered_mean(outcome, stats.subset_statistics(per_team, teams), bounds=bounds) or outcome
    assert isinstance(per_team, NpsCounts)
    keep = np.isin(per_team.labels, np.asarray(sorted(teams), dtype=per_team.labels.dtype)) & (per_team.n > 0)
    if int(keep.sum()) < 2:
        return outcome
    n = per_team.n[keep]
    # The score is the mean of +1 (promoter), 0 and -1 (detractor) codings, in points of 100.
    codings = stats.GroupStatistics(
        labels=per_team.labels[keep],
        n=n,
        mean=100.0 * (per_team.promoters[keep] - per_team.detractors[keep]) / n,
        variance=np.full(n.size, np.nan),
    )
    robust = _robust_half_width(_cluster_scores(codings, codings.labels))
    # The adjusted-Wald half-width before its clipping to -100..100 (stats.nps).
    more = outcome.n + 3
    plus, minus = (outcome.promoters + 0.75) / more, (outcome.detractors + 0.75) / more
    simple = (
        100 * float(scipy_stats.norm.ppf(0.5 + CONFIDENCE / 2)) * math.sqrt((plus + minus - (plus - minus) ** 2) / more)
    )
    if not math.isfinite(robust) or not robust > simple:
        return outcome
    return dataclasses.replace(outcome, ci=(max(-100.0, outcome.score - robust), min(100.0, outcome.score + robust)))


def _cluster_scores(summary: stats.GroupStatistics, labels: np.ndarray) -> np.ndarray:
    """Each team's share of the pooled mean's deviation, n_j (mean_j - mean) / N, on `labels` (0 where absent)."""
    scores = np.zeros(labels.size)
    total = float(summary.n.sum())
    if total == 0:
        return scores
    pooled = float(np.sum(summary.n * summary.mean)) / total
    position = np.searchsorted(labels, summary.labels)
    scores[position] = summary.n * (summary.mean - pooled) / total
    return scores


def _robust_half_width(scores: np.ndarray) -> float:
    """The CR1 half-width of a pooled mean (or difference) from its teams' scores; NaN below two teams."""
    clusters = scores.size
    if clusters < 2:
        return math.nan
    se = math.sqrt(clusters / (clusters - 1) * float(np.sum(scores**2)))
    return float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, clusters - 1)) * se


def _clustered_mean(
    estimate: stats.MeanEstimate | None,
    teams: stats.GroupStatistics,
    *,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> stats.MeanEstimate | None:
    if estimate is None or teams.labels.size < 2:
        return estimate
    robust = _robust_half_width(_cluster_scores(teams, teams.labels))
    # The simple interval may already be truncated to the scale: compare with its untruncated half-width.
    simple = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, estimate.n - 1)) * estimate.sd / math.sqrt(estimate.n)
    if not math.isfinite(robust) or not robust > simple:
        return estimate
    low, high = bounds
    return dataclasses.replace(estimate, ci=(max(low, estimate.mean - robust), min(high, estimate.mean + robust)))


def _clustered_gap(
    gap: stats.Difference | None, inside: stats.GroupStatistics, customers: stats.GroupStatistics
) -> stats.Difference | None:
    labels = np.union1d(inside.labels, customers.labels)
    if gap is None or labels.size < 2:
        return gap
    scores = _cluster_scores(inside, labels) - _cluster_scores(customers, labels)
    robust = _robust_half_width(scores)
    simple = (gap.ci[1] - gap.ci[0]) / 2
    if not math.isfinite(robust) or not robust > simple:
        return gap
    se = robust / float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, labels.size - 1))
    return stats.Difference(gap.estimate, se, float(labels.size - 1), (gap.estimate - robust, gap.estimate + robust))


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
