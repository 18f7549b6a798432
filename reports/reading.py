"""What a report states in words: the gaps that are clear, a team's strengths and its focus areas.

A gap is stated only if it stays significant once all the dimensions' gaps of its kind are tested together
(Benjamini-Hochberg at 5%), so that a manager is not sent after noise; strengths and focus areas rest on 95%
intervals excluding the organisation's typical team. Everything else is shown in the tables with its interval
and left unsaid.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from symmetry.analysis import TeamResult, WaveAnalysis
from symmetry.linkage import Drivers
from symmetry.stats import Difference, fdr_bh

FALSE_DISCOVERY_RATE = 0.05
GapKind = Literal["perception", "symmetry"]
Reason = Literal["customers_above", "customers_below", "overestimated", "lowest"]
MAX_AREAS = 3
SHOWN_DIGITS = 1
"""The reports print every score and gap at one decimal: a comparison they state must hold at that rounding."""
GUIDE_QUESTIONS = 3
PromptKind = Literal["overestimated", "underestimated", "focus", "employees_lowest", "strength"]


@dataclass(frozen=True, slots=True)
class GapStatement:
    """A gap whose interval excludes zero, on one dimension."""

    dimension: str
    kind: GapKind
    gap: Difference


@dataclass(frozen=True, slots=True)
class Area:
    """A strength or a focus area: a dimension, why it was chosen, and the figures behind it."""

    dimension: str
    reason: Reason
    customer: float | None
    typical: float | None
    importance: float | None


def _clear(kind: GapKind, gaps: list[tuple[str, Difference | None]]) -> list[GapStatement]:
    known = [(dimension, gap) for dimension, gap in gaps if gap is not None]
    if not known:
        return []
    adjusted = fdr_bh([gap.pvalue for _, gap in known])
    return [
        GapStatement(dimension, kind, gap)
        for (dimension, gap), pvalue in zip(known, adjusted, strict=True)
        if pvalue < FALSE_DISCOVERY_RATE
    ]


def stated_gaps(result: TeamResult) -> list[GapStatement]:
    """The perception and symmetry gaps that stay significant across the dimensions, largest first."""
    statements = _clear("perception", [(row.dimension, row.perception_gap) for row in result.dimensions])
    statements += _clear("symmetry", [(row.dimension, row.symmetry_gap) for row in result.dimensions])
    return sorted(statements, key=lambda statement: -abs(statement.gap.estimate))


def headline_gap(result: TeamResult) -> GapStatement | None:
    """The perception gap a report states in its first sentence: the largest of the stated ones, if any."""
    return next((statement for statement in stated_gaps(result) if statement.kind == "perception"), None)


def typical_customer_scores(analysis: WaveAnalysis) -> dict[str, float]:
    """Per dimension and overall, the median of the teams' customer means: the organisation's typical team."""
    scores: dict[str, list[float]] = {}
    for result in analysis.teams.values():
        for row in (result.overall, *result.dimensions):
            if row.customer is not None and math.isfinite(row.customer.mean):
                scores.setdefault(row.dimension, []).append(row.customer.mean)
    return {dimension: float(np.median(values)) for dimension, values in scores.items()}


def _importance(drivers: Drivers | None) -> dict[str, float]:
    """Each dimension's relative weight: its part of the differences between teams in customers' overall view.

    Johnson's weights sum to R², so each is on the scale the reports state ("accounts for 10% of the
    differences"), the same as the organisation report's key-driver table and its bootstrap intervals. Only the
    weights that the significance test separates from a random variable's are given: the others cannot order
    anything.
    """
    if drivers is None:
        return {}
    return {
        dimension: weight
        for dimension, weight, significant in zip(drivers.dimensions, drivers.weights, drivers.significant, strict=True)
        if significant
    }


def strengths_and_focus(
    result: TeamResult, typical: Mapping[str, float], drivers: Drivers | None
) -> tuple[list[Area], list[Area]]:
    """A team's strengths and focus areas, the dimensions that matter most to customers first.

    A strength is a dimension whose customer interval lies above the organisation's typical team. A focus area is
    one whose customer interval lies below it, or one the team clearly overestimates (a stated perception gap
    above zero, see :func:`stated_gaps`).
    When nothing is clear, the focus is the dimension, not a strength, that customers rate furthest below the
    typical team, said to be unclear, so that the report still points somewhere without overstating it; if none
    is below the typical team, there is no focus area.
    """
    importance = _importance(drivers)
    overestimated = {
        statement.dimension
        for statement in stated_gaps(result)
        if statement.kind == "perception" and statement.gap.estimate > 0
    }
    strengths: list[Area] = []
    focus: list[Area] = []
    for row in result.dimensions:
        customer, reference = row.customer, typical.get(row.dimension)
        found = Area(
            row.dimension,
            "lowest",
            None if customer is None else customer.mean,
            reference,
            importance.get(row.dimension),
        )
        if customer is not None and reference is not None and customer.ci[0] > reference:
            strengths.append(dataclasses.replace(found, reason="customers_above"))
        elif customer is not None and reference is not None and customer.ci[1] < reference:
            focus.append(dataclasses.replace(found, reason="customers_below"))
        elif row.dimension in overestimated:
            focus.append(dataclasses.replace(found, reason="overestimated"))
    if not focus:
        strong = {area.dimension for area in strengths}
        shortfalls = [
            (typical[row.dimension] - row.customer.mean, row.dimension, row.customer.mean)
            for row in result.dimensions
            if row.customer is not None
            and row.dimension in typical
            and row.dimension not in strong
            # Below the typical team as the report prints them (one decimal), never "4.2 against 4.2".
            and round(row.customer.mean, SHOWN_DIGITS) < round(typical[row.dimension], SHOWN_DIGITS)
        ]
        if shortfalls:
            _, dimension, mean = max(shortfalls)
            focus.append(Area(dimension, "lowest", mean, typical[dimension], importance.get(dimension)))

    def by_importance(found: Area) -> float:
        return -(found.importance or 0.0)

    return sorted(strengths, key=by_importance)[:MAX_AREAS], sorted(focus, key=by_importance)[:MAX_AREAS]


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question for the team's conversation, about one dimension (None for a general question)."""

    kind: PromptKind | Literal["general"]
    dimension: str | None
    index: int = 0
    """Which general question (0, 1, 2), for ``general`` prompts."""


def conversation_guide(result: TeamResult, strengths: list[Area], focus: list[Area]) -> list[Prompt]:
    """Three questions for the manager to ask the team, built from what the report states, most pressing first.

    The clearest perception gap comes first (what customers experience that the team does not see, or what it does
    well without knowing), then the first focus area, the dimension where employees feel least attended to, and a
    strength to build on; each dimension is asked about once. General questions fill the rest, so that a team whose
    figures say nothing clear still gets three.
    """
    prompts: list[Prompt] = []
    headline = headline_gap(result)
    if headline is not None:
        kind: PromptKind = "overestimated" if headline.gap.estimate > 0 else "underestimated"
        prompts.append(Prompt(kind, headline.dimension))
    # A focus area the team overestimates may sit above the typical team: it is asked about as the gap it is.
    prompts += [
        Prompt("overestimated" if area.reason == "overestimated" else "focus", area.dimension) for area in focus
    ]
    employee = [(row.employee.mean, row.dimension) for row in result.dimensions if row.employee is not None]
    if employee:
        prompts.append(Prompt("employees_lowest", min(employee)[1]))
    prompts += [Prompt("strength", area.dimension) for area in strengths]
    chosen: list[Prompt] = []
    for prompt in prompts:
        if prompt.dimension not in {other.dimension for other in chosen}:
            chosen.append(prompt)
    chosen = chosen[:GUIDE_QUESTIONS]
    return chosen + [Prompt("general", None, index) for index in range(GUIDE_QUESTIONS - len(chosen))]
