"""The disclosure gate: what of a wave's answers may leave Symmetry, decided once, applied before any figure exists.

Every figure Symmetry releases (team results, pooled branch figures, organisation-wide indices, the linkage, key
drivers, trends, response counts and rates, comments) is computed from the per-team statistics that
:func:`released_statistics` lets through, never from the raw ones. The rules (:class:`DisclosureRules`):

- a team's employee answers (its employee and mirror scores, its employee outcomes such as eNPS, its exact
  number of employee respondents) are *withheld* when fewer than ``anonymity_threshold`` employees answered;
- a team's customer figures are withheld when it has fewer than ``customer_minimum_employees`` active employees:
  customers rating a team of one or two people rate identifiable people;
- comments are shown only for teams with at least ``comment_threshold`` employee respondents.

Why withheld cells enter no figure at all
-----------------------------------------
A withheld cell could be pooled into larger figures (a branch, the organisation) and protected by
complementary suppression. That is not enough here: every released statistic is an equation in the answers,
answers are integers on known scales and counts are integers, so an organisation-wide ICC, rwg or alpha, or a
pooled mean at full precision, together with the teams shown, pins withheld sums on the integer lattice; and a
branch whose respondents are known to be at least the threshold tells a withheld team's count is at least one,
a branch mean of 4.8 tells its withheld teams answered above 4. Rounding narrows these attacks but does not
close them, and a rule that depends on how far an attacker can push an equation system must be re-proved for
every figure added later. So the gate removes withheld cells before the analysis: every released number is a
function of released cells only, and whatever an attacker combines, the values of a withheld cell consistent
with everything released are all the values it could have had (any mean on the scale, any count from 0 to the
threshold minus one). The price is that withheld teams' answers count in no figure, organisation-wide ones
included, and that a branch's pooled figures are those of its teams shown; reports say so.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from symmetry import stats
from symmetry.domain import Instrument, Respondent, Voice
from symmetry.sufficient import NpsCounts, WaveStatistics

EMPLOYEE_VOICES = (Voice.EMPLOYEE, Voice.MIRROR)
LOWEST_ANONYMITY_THRESHOLD = 3


@dataclass(frozen=True, slots=True)
class DisclosureRules:
    """The thresholds of the gate, each configurable, with safe defaults.

    Examples
    --------
    >>> DisclosureRules().anonymity_threshold, DisclosureRules().customer_minimum_employees
    (5, 3)
    >>> DisclosureRules(anonymity_threshold=2)
    Traceback (most recent call last):
    ...
    ValueError: `anonymity_threshold` must be at least 3, got 2

    """

    anonymity_threshold: int = 5
    """Fewest employee respondents for any employee figure of a team; never below 3."""
    comment_threshold: int = 10
    """Fewest employee respondents for a team's comments; never below the anonymity threshold."""
    customer_minimum_employees: int = 3
    """Fewest active employees in a team for its team-level customer figures."""

    def __post_init__(self) -> None:
        if self.anonymity_threshold < LOWEST_ANONYMITY_THRESHOLD:
            raise ValueError(
                f"`anonymity_threshold` must be at least {LOWEST_ANONYMITY_THRESHOLD}, got {self.anonymity_threshold}"
            )
        if self.comment_threshold < self.anonymity_threshold:
            raise ValueError(
                f"`comment_threshold` ({self.comment_threshold}) must not be below "
                f"`anonymity_threshold` ({self.anonymity_threshold})"
            )
        if self.customer_minimum_employees < 1:
            raise ValueError(f"`customer_minimum_employees` must be at least 1, got {self.customer_minimum_employees}")

    def employees_withheld(self, respondents: int, invited: int | None = None) -> bool:
        """Whether a team's employee count and figures are withheld: under the threshold, with someone who could answer.

        A team where nobody was invited and nobody answered has nothing to protect.
        """
        return respondents < self.anonymity_threshold and (respondents > 0 or bool(invited))

    def stricter(self, other: DisclosureRules) -> DisclosureRules:
        """The rules that withhold whatever either of the two withholds."""
        return DisclosureRules(
            anonymity_threshold=max(self.anonymity_threshold, other.anonymity_threshold),
            comment_threshold=max(self.comment_threshold, other.comment_threshold),
            customer_minimum_employees=max(self.customer_minimum_employees, other.customer_minimum_employees),
        )

    def shows_comments(self, employee_respondents: int | None) -> bool:
        """Whether a team's comments may be shown, given its released count of employee respondents."""
        return employee_respondents is not None and employee_respondents >= self.comment_threshold


DEFAULT_RULES = DisclosureRules()


def rules_of_document(document: Mapping[str, Any]) -> DisclosureRules:
    """The rules an analysis document was made under (see :func:`symmetry.document.analysis_document`).

    A document stored before the gate existed has only its anonymity threshold; the defaults stand for the rest
    (the analysis computed again then differs from it, and the reports ask for `symmetry analyze` to be run).
    """
    rules = document.get("disclosure", {"anonymity_threshold": document["anonymity_threshold"]})
    return DisclosureRules(
        anonymity_threshold=int(rules["anonymity_threshold"]),
        comment_threshold=int(rules.get("comment_threshold", DEFAULT_RULES.comment_threshold)),
        customer_minimum_employees=int(
            rules.get("customer_minimum_employees", DEFAULT_RULES.customer_minimum_employees)
        ),
    )


@dataclass(frozen=True, slots=True)
class Gate:
    """The gate's decision for one wave: which teams' employee figures and customer figures are withheld."""

    rules: DisclosureRules
    teams: frozenset[str]
    """Every team of the wave: with employees invited or with answers."""
    employees_withheld: frozenset[str]
    customers_withheld: frozenset[str]
    """Teams with fewer active employees than ``rules.customer_minimum_employees``."""


def decide(statistics: WaveStatistics, rules: DisclosureRules) -> Gate:
    """Which teams of the wave are withheld on each side.

    The teams are those with employees invited (``statistics.team_sizes``) and those with answers, so that
    whether a team appears never depends on whether anyone in it answered. A team's size is its number of
    employees invited; where unknown, its released number of employee respondents, and a team whose employees
    are withheld is taken as too small for customer figures: the customer-side decision must not depend on a
    count that is itself withheld.
    """
    employees = statistics.respondents.get(Respondent.EMPLOYEE, {})
    teams = set(employees) | set(statistics.respondents.get(Respondent.CUSTOMER, {})) | set(statistics.team_sizes)
    for summary in statistics.columns.values():
        teams.update(str(label) for label in summary.labels.tolist())
    employees_withheld = frozenset(
        team for team in teams if rules.employees_withheld(employees.get(team, 0), statistics.team_sizes.get(team))
    )

    def too_small(team: str) -> bool:
        if team in statistics.team_sizes:
            return statistics.team_sizes[team] < rules.customer_minimum_employees
        return team in employees_withheld or employees.get(team, 0) < rules.customer_minimum_employees

    return Gate(
        rules=rules,
        teams=frozenset(teams),
        employees_withheld=employees_withheld,
        customers_withheld=frozenset(team for team in teams if too_small(team)),
    )


def _keep(summary: stats.GroupStatistics, withheld: Collection[str]) -> stats.GroupStatistics:
    keep = np.asarray([str(label) not in withheld for label in summary.labels.tolist()], dtype=bool)
    return stats.GroupStatistics(
        labels=summary.labels[keep], n=summary.n[keep], mean=summary.mean[keep], variance=summary.variance[keep]
    )


def _keep_counts(counts: NpsCounts, withheld: Collection[str]) -> NpsCounts:
    keep = np.asarray([str(label) not in withheld for label in counts.labels.tolist()], dtype=bool)
    return NpsCounts(counts.labels[keep], counts.n[keep], counts.promoters[keep], counts.detractors[keep])


def released_statistics(
    statistics: WaveStatistics, gate: Gate, *, outcome_respondents: Mapping[str, Respondent]
) -> WaveStatistics:
    """The statistics with every withheld cell removed: the only statistics any figure may be computed from.

    Withheld teams' employee and mirror statistics, employee outcomes and employee respondent counts go; so do
    the customer statistics and customer outcomes of teams under the customer-side minimum (their number of
    customer respondents stays: it rates nobody). `outcome_respondents` says who answers each outcome.
    """

    def withheld_for(respondent: Respondent) -> frozenset[str]:
        return gate.employees_withheld if respondent is Respondent.EMPLOYEE else gate.customers_withheld

    def voice_withheld(voice: Voice) -> frozenset[str]:
        return gate.employees_withheld if voice in EMPLOYEE_VOICES else gate.customers_withheld

    outcomes: dict[str, stats.GroupStatistics | NpsCounts] = {}
    for outcome, summary in statistics.outcomes.items():
        withheld = withheld_for(outcome_respondents[outcome])
        outcomes[outcome] = (
            _keep_counts(summary, withheld) if isinstance(summary, NpsCounts) else _keep(summary, withheld)
        )
    employees = statistics.respondents.get(Respondent.EMPLOYEE, {})
    return WaveStatistics(
        columns={
            (measure, voice): _keep(summary, voice_withheld(voice))
            for (measure, voice), summary in statistics.columns.items()
        },
        outcomes=outcomes,
        respondents={
            **statistics.respondents,
            Respondent.EMPLOYEE: {team: n for team, n in employees.items() if team not in gate.employees_withheld},
        },
        deviations={
            (measure, voice): {team: value for team, value in by_team.items() if team not in voice_withheld(voice)}
            for (measure, voice), by_team in statistics.deviations.items()
        },
        team_sizes=dict(statistics.team_sizes),
    )


def gate_statistics(
    instrument: Instrument, statistics: WaveStatistics, rules: DisclosureRules
) -> tuple[Gate, WaveStatistics]:
    """The gate's decision for a wave and the statistics it releases: the one entry every figure comes through."""
    gate = decide(statistics, rules)
    answered_by = {
        item.outcome: item.respondent
        for item in instrument.items
        if item.voice is Voice.OUTCOME and item.outcome is not None
    }
    return gate, released_statistics(statistics, gate, outcome_respondents=answered_by)
