"""A wave analysis as a JSON-ready document: what `symmetry analyze --json` prints and what is stored per wave."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from symmetry import stats
from symmetry.analysis import DimensionResult, TeamResult, WaveAnalysis, gap_label
from symmetry.domain import Voice
from symmetry.linkage import Drivers, Linkage, Power, lagged_linkage

SCALE_LOW, SCALE_HIGH = 1, 5

SIGNIFICANCE = 0.05
"""The two-sided level of every test the document reports."""


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _pair(values: tuple[float, float]) -> list[float | None]:
    return [_number(values[0]), _number(values[1])]


def _estimate(estimate: stats.MeanEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    pomp = 100 * (estimate.mean - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)
    return {"n": estimate.n, "mean": estimate.mean, "ci": _pair(estimate.ci), "pomp": pomp}


def _difference(gap: stats.Difference | None) -> dict[str, Any] | None:
    if gap is None:
        return None
    return {"estimate": gap.estimate, "se": gap.se, "ci": _pair(gap.ci), "label": gap_label(gap)}


def _row(row: DimensionResult) -> dict[str, Any]:
    return {
        "employee": _estimate(row.employee),
        "mirror": _estimate(row.mirror),
        "customer": _estimate(row.customer),
        "perception_gap": _difference(row.perception_gap),
        "symmetry_gap": _difference(row.symmetry_gap),
    }


def _outcome(score: stats.NetPromoterScore | stats.MeanEstimate) -> dict[str, Any]:
    if isinstance(score, stats.NetPromoterScore):
        return {"score": score.score, "ci": _pair(score.ci), "n": score.n}
    return {"mean": score.mean, "ci": _pair(score.ci), "n": score.n}


def _team(result: TeamResult) -> dict[str, Any]:
    return {
        "suppressed": not result.employee_figures_shown,
        "customer_figures_shown": result.customer_figures_shown,
        "employee_respondents": result.employee_respondents,
        "customer_respondents": result.customer_respondents,
        "overall": _row(result.overall),
        "dimensions": {row.dimension: _row(row) for row in result.dimensions},
        "outcomes": {name: _outcome(score) for name, score in result.outcomes.items()},
    }


def _correlation(result: stats.CorrelationResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"r": result.r, "ci": _pair(result.ci), "pvalue": result.pvalue, "n": result.n}


def _linkage(linkage: Linkage) -> dict[str, Any]:
    return {
        "teams": len(linkage.points),
        "pearson": _correlation(linkage.correlation),
        "spearman": _correlation(linkage.spearman),
        "kendall": _correlation(linkage.kendall),
        "adjusted_pvalue": linkage.adjusted_pvalue,
        "corrected": _corrected(linkage.corrected),
        "employee_icc2": _number(linkage.employee_reliability),
        "customer_icc2": _number(linkage.customer_reliability),
        "size_partial": _correlation(linkage.size_partial),
        "power": None if linkage.power is None else dataclasses.asdict(linkage.power),
    }


def _significant(linkage: Linkage) -> bool:
    return linkage.correlation is not None and linkage.correlation.pvalue < SIGNIFICANCE


def _corrected(corrected: stats.CorrectedCorrelation | None) -> dict[str, Any] | None:
    """The corrected r only where it can be read: a value past 1 or on unreliable means is never written."""
    if corrected is None:
        return None
    return {
        "r": corrected.value,
        "ci": _pair(corrected.ci),
        "confidence": corrected.confidence,
        "interval": "conservative: Fisher's interval of r and the F intervals of both ICC(2), Bonferroni-combined",
        "not_interpretable": corrected.not_interpretable,
    }


def power_note(power: Power | None, *, significant: bool = False) -> str:
    """The power statement in English, its three figures named so that none is read for another."""
    if power is None:
        return "Too few teams to estimate the linkage."
    said = (
        f"With {power.teams} teams, an observed correlation is significant (two-sided 5% test) "
        f"from {power.critical_r:.2f} on."
    )
    if power.expected_r is None or power.power is None:
        return f"{said} Team means are not reliable (ICC(2) not positive on one side): the published link cannot show."
    needed = (
        f"about {power.teams_needed} teams would give 80%"
        if power.teams_needed is not None
        else "no number of teams gives 80%"
    )
    return (
        f"{said} A true correlation of {power.true_r:.2f} (Harter, Schmidt and Hayes 2002) would be observed at about "
        f"{power.expected_r:.2f} with these reliabilities of team means: power {power.power:.0%}; {needed}."
        + ("" if significant else " A non-significant result is not evidence of no link.")
    )


def _path(path: stats.LaggedPath | None) -> dict[str, Any] | None:
    if path is None:
        return None
    return {"coefficient": path.coefficient, "ci": _pair(path.ci), "pvalue": path.pvalue, "n": path.n}


def _drivers(drivers: Drivers | None) -> dict[str, Any] | None:
    if drivers is None:
        return None
    return {
        "teams": drivers.n,
        "r2": drivers.r2,
        "r2_adjusted": drivers.r2_adjusted,
        "r2_ci": _pair(drivers.r2_ci),
        "resamples": drivers.resamples,
        "failed_resamples": drivers.failed_resamples,
        "weights": {
            dimension: {"weight": weight, "ci": _pair(ci), "above_random_variable": significant}
            for dimension, weight, ci, significant in zip(
                drivers.dimensions, drivers.weights, drivers.ci, drivers.significant, strict=True
            )
        },
    }


def _across_waves(previous: WaveAnalysis, current: WaveAnalysis, previous_name: str | None) -> dict[str, Any]:
    before = {point.team: point for point in previous.linkage.points}
    after = {point.team: point for point in current.linkage.points}
    lagged = lagged_linkage(previous.linkage.points, current.linkage.points)
    return {
        "previous_wave": previous_name,
        "trends": {
            team: {
                "employee": [before[team].employee, after[team].employee],
                "customer": [before[team].customer, after[team].customer],
            }
            for team in sorted(before.keys() & after.keys())
        },
        "lagged": None
        if lagged is None
        else {
            "teams": lagged.n,
            "employee_then_customer": _correlation(lagged.employee_then_customer),
            "customer_then_employee": _correlation(lagged.customer_then_employee),
            "z": lagged.comparison.z,
            "pvalue": lagged.comparison.pvalue,
            "employee_path": _path(lagged.employee_path),
            "customer_path": _path(lagged.customer_path),
            "reading": "associations over time, not proof of direction (Rogosa 1980; Hamaker, Kuiper and Grasman 2015)",
        },
    }


def analysis_document(
    analysis: WaveAnalysis, *, previous: WaveAnalysis | None = None, previous_name: str | None = None
) -> dict[str, Any]:
    """Every figure of the analysis, with NaN written as null; with the previous wave's, trends and lags."""
    return {
        "instrument": {"key": analysis.instrument.key, "version": analysis.instrument.version},
        "customer_form": analysis.customer_form.value,
        "anonymity_threshold": analysis.anonymity_threshold,
        "disclosure": {
            "anonymity_threshold": analysis.rules.anonymity_threshold,
            "comment_threshold": analysis.rules.comment_threshold,
            "customer_minimum_employees": analysis.rules.customer_minimum_employees,
            "released_from": "teams shown only: withheld teams' answers enter no figure of this document",
        },
        "teams": {team: _team(result) for team, result in analysis.teams.items()},
        "organisation": {
            "withheld_teams": analysis.withheld_teams,
            "customer_withheld_teams": analysis.customer_withheld_teams,
            "aggregation": [
                {
                    "dimension": index.dimension,
                    "voice": Voice(index.voice).value,
                    "icc1": _number(index.icc1),
                    "icc1_ci": _pair(index.icc1_ci),
                    "icc2": _number(index.icc2),
                    "icc2_ci": _pair(index.icc2_ci),
                    "k0": _number(index.k0),
                    "icc1_reml": _number(index.icc1_reml),
                    "icc_method": "one-way ANOVA (Bliese 2000): ICC(1) with k = N/J as multilevel::ICC1; "
                    "F-based intervals as psych::ICC, with k0 for unequal teams; icc1_reml: REML fit of a one-way "
                    "random-intercept model, as lme4::lmer",
                    "rwg_median": _number(index.rwg),
                    "rwg_items_median": _number(index.rwg_items),
                    "rwg_skewed_null_median": _number(index.rwg_skewed),
                    "awg_median": _number(index.awg),
                    "ad_median": _number(index.average_deviation),
                }
                for index in analysis.aggregation
            ],
            "reliability": {
                voice.value: None
                if alpha is None
                else {"alpha": alpha.alpha, "ci": _pair(alpha.ci), "n": alpha.n, "items": alpha.items}
                for voice, alpha in analysis.reliability.items()
            },
            "linkage": _linkage(analysis.linkage),
            "dimension_linkage": {linkage.measure: _linkage(linkage) for linkage in analysis.dimension_linkage},
            "drivers": _drivers(analysis.drivers),
            "across_waves": None if previous is None else _across_waves(previous, analysis, previous_name),
            "power_note": power_note(analysis.linkage.power, significant=_significant(analysis.linkage)),
        },
    }
