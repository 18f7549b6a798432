"""The linkage across teams, key drivers, and the cross-lagged comparison of two waves.

Per dimension and overall: three coefficients, adjusted p-values, the corrected and size-partialled
correlations and the power statement (:class:`Power`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symmetry import stats


@dataclass(frozen=True, slots=True)
class TeamPoint:
    """One team in the employee-versus-customer scatter of one measure."""

    team: str
    employee: float
    customer: float
    size: int
    """Employee respondents: the team size held constant by the partial correlation."""


PUBLISHED_TRUE_R = 0.33
"""The true-score correlation of employee engagement with customer outcomes across 7,939 business units (Harter,
Schmidt and Hayes 2002): the link a wave's power is stated for."""
TARGET_POWER = 0.8


@dataclass(frozen=True, slots=True)
class Power:
    """What this number of teams can show, in the three figures that are easily read one for another."""

    teams: int
    critical_r: float
    """The smallest observed r that is significant (two-sided, .05) at this number of teams."""
    true_r: float
    expected_r: float | None
    """`true_r` as these team means would show it, shrunk by both reliabilities; None if one is not positive."""
    power: float | None
    """The chance of a significant observed r when the true one is `true_r`; None with `expected_r`."""
    teams_needed: int | None
    """Teams for 80% power at these reliabilities; None when no number of teams reaches it."""


def power_statement(teams: int, employee_reliability: float, customer_reliability: float) -> Power:
    """The power of a linkage among `teams` teams to detect the published true correlation, at these reliabilities."""
    critical = stats.critical_correlation(teams)
    if not (employee_reliability > 0 and customer_reliability > 0):
        return Power(teams, critical, PUBLISHED_TRUE_R, None, None, None)
    expected = PUBLISHED_TRUE_R * math.sqrt(min(employee_reliability, 1.0) * min(customer_reliability, 1.0))
    needed = stats.teams_for_power(expected, power=TARGET_POWER)
    return Power(
        teams,
        critical,
        PUBLISHED_TRUE_R,
        expected,
        stats.correlation_power(expected, teams),
        None if math.isinf(needed) else math.ceil(needed),
    )


@dataclass(frozen=True, slots=True)
class Linkage:
    """Correlation across teams of one measure's employee means with its customer means."""

    measure: str
    points: tuple[TeamPoint, ...]
    correlation: stats.CorrelationResult | None
    """Pearson's, with Fisher's interval; None below four teams."""
    spearman: stats.CorrelationResult | None
    kendall: stats.CorrelationResult | None
    adjusted_pvalue: float | None
    """Pearson's p adjusted (Benjamini-Hochberg) across the dimensions; None for the overall score."""
    employee_reliability: float
    customer_reliability: float
    """ICC(2) of each side over the teams in `points`: the teams the correlation is computed from."""
    corrected: stats.CorrectedCorrelation | None
    """Pearson's r corrected for the unreliability of team means, or why it cannot be read: never tested."""
    size_partial: stats.CorrelationResult | None
    """Pearson's r with the number of employee respondents held constant."""
    power: Power | None


MIN_TEAMS = 4


def _safe(function: object, *args: object, **kwargs: object) -> Any:
    try:
        return function(*args, **kwargs)  # type: ignore[operator]
    except ValueError:
        return None


def build_linkage(
    measure: str, points: Sequence[TeamPoint], *, employee: stats.GroupStatistics, customer: stats.GroupStatistics
) -> Linkage:
    """Every linkage statistic of one measure from its team points and both sides' answers in those teams."""
    teams = [point.team for point in points]
    employee, customer = stats.subset_statistics(employee, teams), stats.subset_statistics(customer, teams)
    employee_reliability = _safe(stats.icc2_from_statistics, employee)
    customer_reliability = _safe(stats.icc2_from_statistics, customer)
    employee_reliability = math.nan if employee_reliability is None else employee_reliability
    customer_reliability = math.nan if customer_reliability is None else customer_reliability
    x = [point.employee for point in points]
    y = [point.customer for point in points]
    enough = len(points) >= MIN_TEAMS
    pearson = _safe(stats.correlation, x, y) if enough else None
    return Linkage(
        measure=measure,
        points=tuple(points),
        correlation=pearson,
        spearman=_safe(stats.correlation, x, y, method="spearman") if enough else None,
        kendall=_safe(stats.correlation, x, y, method="kendall") if len(points) >= 5 else None,
        adjusted_pvalue=None,
        employee_reliability=employee_reliability,
        customer_reliability=customer_reliability,
        corrected=None if pearson is None else _safe(stats.corrected_correlation, pearson, employee, customer),
        size_partial=(
            _safe(stats.partial_correlation, x, y, [point.size for point in points]) if len(points) >= 5 else None
        ),
        power=power_statement(len(points), employee_reliability, customer_reliability) if enough else None,
    )


def adjust_across_dimensions(linkages: Sequence[Linkage]) -> tuple[Linkage, ...]:
    """The dimensions' linkages with Benjamini-Hochberg adjusted p-values of Pearson's r."""
    pvalues = [linkage.correlation.pvalue if linkage.correlation else math.nan for linkage in linkages]
    adjusted = stats.fdr_bh(pvalues)
    return tuple(
        dataclasses.replace(linkage, adjusted_pvalue=None if math.isnan(value) else float(value))
        for linkage, value in zip(linkages, adjusted, strict=True)
    )


@dataclass(frozen=True, slots=True)
class Drivers:
    """Which employee dimensions account for the customers' overall view, across teams."""

    dimensions: tuple[str, ...]
    weights: tuple[float, ...]
    ci: tuple[tuple[float, float], ...]
    r2: float
    n: int
    r2_adjusted: float
    r2_ci: tuple[float, float]
    significant: tuple[bool, ...]
    """Whether each weight exceeds a random variable's (Tonidandel, LeBreton and Johnson 2009): only these may
    order a report's strengths and focus areas, the others cannot be told apart from noise."""
    resamples: int
    failed_resamples: int


def key_drivers(
    dimensions: Sequence[str],
    employee_means: Sequence[Sequence[float]],
    customer_overall: Sequence[float],
    *,
    min_teams: int = 30,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Drivers | None:
    """Relative weights of the employee dimensions on the customers' overall score; None below `min_teams`."""
    X = np.asarray(employee_means, dtype=np.float64)
    if X.shape[0] < max(min_teams, len(dimensions) + 2):
        return None
    try:
        result = stats.relative_weights(X, customer_overall, n_resamples=n_resamples, rng=seed)
    except ValueError:
        return None
    intervals = result.ci if result.ci is not None else np.full((len(dimensions), 2), np.nan)
    return Drivers(
        dimensions=tuple(dimensions),
        weights=tuple(float(w) for w in result.weights),
        ci=tuple((float(low), float(high)) for low, high in intervals),
        r2=result.r2,
        n=result.n,
        r2_adjusted=result.r2_adjusted,
        r2_ci=result.r2_ci,
        significant=result.significant,
        resamples=result.resamples,
        failed_resamples=result.failed_resamples,
    )


@dataclass(frozen=True, slots=True)
class LaggedLinkage:
    """Employees then customers, against customers then employees, over the teams present in both waves."""

    n: int
    employee_then_customer: stats.CorrelationResult
    """Employee score at the earlier wave with the customer score at the later one."""
    customer_then_employee: stats.CorrelationResult
    """Customer score at the earlier wave with the employee score at the later one."""
    comparison: stats.DependentComparison
    employee_path: stats.LaggedPath | None = None
    """The later customer score on the earlier employee score, the earlier customer score held constant."""
    customer_path: stats.LaggedPath | None = None
    """The later employee score on the earlier customer score, the earlier employee score held constant.

    Both describe associations over time, not causes: stable differences between teams or a third cause can
    produce them (Rogosa 1980; Hamaker, Kuiper and Grasman 2015)."""


def lagged_linkage(earlier: Sequence[TeamPoint], later: Sequence[TeamPoint]) -> LaggedLinkage | None:
    """The cross-lagged correlations of two waves' overall points, and Steiger's test of their difference."""
    before = {point.team: point for point in earlier}
    after = {point.team: point for point in later}
    common = sorted(before.keys() & after.keys())
    if len(common) < 5:
        return None
    e1 = np.array([before[t].employee for t in common])
    c1 = np.array([before[t].customer for t in common])
    e2 = np.array([after[t].employee for t in common])
    c2 = np.array([after[t].customer for t in common])
    try:
        forward = stats.correlation(e1, c2)
        backward = stats.correlation(c1, e2)
    except ValueError:
        return None
    r = np.corrcoef(np.vstack([e1, c2, c1, e2]))  # variables 1..4 of Steiger's notation
    comparison = stats.compare_dependent_correlations(
        r12=float(r[0, 1]),
        r34=float(r[2, 3]),
        r13=float(r[0, 2]),
        r14=float(r[0, 3]),
        r23=float(r[1, 2]),
        r24=float(r[1, 3]),
        n=len(common),
    )
    return LaggedLinkage(
        len(common),
        forward,
        backward,
        comparison,
        employee_path=_safe(stats.lagged_path, e1, c1, c2),
        customer_path=_safe(stats.lagged_path, c1, e1, e2),
    )
