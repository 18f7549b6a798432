"""What the reports state in words: only what the intervals support."""

from __future__ import annotations

import dataclasses

from reports.reading import conversation_guide, stated_gaps, strengths_and_focus
from symmetry.analysis import DimensionResult, TeamResult
from symmetry.linkage import Drivers
from symmetry.stats import Difference, MeanEstimate


def customer(mean: float, half_width: float = 0.2) -> MeanEstimate:
    return MeanEstimate(20, mean, 0.5, (mean - half_width, mean + half_width))


def gap(estimate: float, half_width: float = 0.3) -> Difference:
    return Difference(estimate, half_width / 1.96, 100.0, (estimate - half_width, estimate + half_width))


def team(rows: list[DimensionResult]) -> TeamResult:
    return TeamResult("T", True, 9, 20, True, rows[0], tuple(rows), {})


TYPICAL = {"a": 3.5, "b": 3.5, "c": 3.5, "d": 3.5}
DRIVERS = Drivers(
    ("a", "b", "c", "d"), (0.05, 0.20, 0.10, 0.05), ((0, 0.1),) * 4, 0.40, 40, 0.33, (0.2, 0.6), (True,) * 4, 1000, 0
)


def test_strengths_and_focus_follow_the_intervals_and_the_drivers() -> None:
    result = team(
        [
            DimensionResult("a", None, None, customer(4.0), gap(0.1), None),  # interval above typical: strength
            DimensionResult("b", None, None, customer(3.0), gap(0.1), None),  # interval below typical: focus
            DimensionResult("c", None, None, customer(3.6), gap(0.5), None),  # team clearly overestimates: focus
            DimensionResult("d", None, None, customer(3.6), gap(0.2), None),  # nothing clear
        ]
    )
    strengths, focus = strengths_and_focus(result, TYPICAL, DRIVERS)
    assert [(area.dimension, area.reason) for area in strengths] == [("a", "customers_above")]
    # b accounts for 20% of the between-team variance of customers' view, c for 10%: b comes first, with its own
    # weight (not its share of R² = 0.40, which would read 50%).
    assert [(area.dimension, area.reason) for area in focus] == [("b", "customers_below"), ("c", "overestimated")]
    assert focus[0].importance == 0.20


def test_weights_the_test_cannot_tell_from_noise_order_nothing() -> None:
    result = team(
        [
            DimensionResult("a", None, None, customer(3.0), gap(0.1), None),
            DimensionResult("b", None, None, customer(3.0), gap(0.1), None),
            DimensionResult("c", None, None, customer(3.0), gap(0.1), None),
        ]
    )
    only_b = dataclasses.replace(DRIVERS, significant=(False, True, False, False))
    _, focus = strengths_and_focus(result, TYPICAL, only_b)
    assert {area.dimension: area.importance for area in focus} == {"a": None, "b": 0.20, "c": None}
    assert focus[0].dimension == "b"  # the one weight told apart from a random variable's comes first
    _, unordered = strengths_and_focus(result, TYPICAL, dataclasses.replace(DRIVERS, significant=(False,) * 4))
    assert [area.importance for area in unordered] == [None, None, None]
    assert [area.dimension for area in unordered] == ["a", "b", "c"]  # the instrument's order, not the weights'


def test_without_a_clear_focus_the_lowest_dimension_is_named_as_unclear() -> None:
    result = team(
        [
            DimensionResult("a", None, None, customer(3.45, 0.4), None, None),
            DimensionResult("b", None, None, customer(3.3, 0.4), None, None),
        ]
    )
    strengths, focus = strengths_and_focus(result, TYPICAL, None)
    assert strengths == []
    assert [(area.dimension, area.reason, area.importance) for area in focus] == [("b", "lowest", None)]


def test_a_strength_is_never_also_the_fallback_focus() -> None:
    # Both above the typical team (b clearly): no dimension falls short, so there is no focus area at all.
    result = team(
        [
            DimensionResult("a", None, None, customer(4.2, 0.2), None, None),
            DimensionResult("b", None, None, customer(3.6, 0.4), None, None),
        ]
    )
    strengths, focus = strengths_and_focus(result, TYPICAL, None)
    assert [area.dimension for area in strengths] == ["a"]
    assert focus == []


def test_a_gap_clear_alone_is_not_stated_once_the_dimensions_are_taken_together() -> None:
    # p about 0.04 for d0 alone, but not below 5% once adjusted across seven dimensions (Benjamini-Hochberg).
    rows = [DimensionResult("d0", None, None, None, gap(2.1, 1.96), None)]
    rows += [DimensionResult(f"d{j}", None, None, None, gap(0.1, 1.96), None) for j in range(1, 7)]
    assert rows[0].perception_gap is not None and rows[0].perception_gap.excludes_zero
    assert stated_gaps(team(rows)) == []


def test_only_gaps_that_stay_clear_are_stated_largest_first() -> None:
    result = team(
        [
            DimensionResult("a", None, None, None, gap(0.25), gap(-0.9)),
            DimensionResult("b", None, None, None, gap(0.4), gap(0.1)),
        ]
    )
    assert [(s.dimension, s.kind) for s in stated_gaps(result)] == [("a", "symmetry"), ("b", "perception")]


def test_the_conversation_guide_asks_three_questions_each_about_what_the_report_says() -> None:
    employee = [customer(3.9), customer(2.8), customer(3.9), customer(3.9)]
    result = team(
        [
            DimensionResult("a", employee[0], None, customer(4.0), gap(0.1), None),  # a strength
            DimensionResult("b", employee[1], None, customer(3.0), gap(0.1), None),  # below typical, lowest employees
            DimensionResult("c", employee[2], None, customer(3.6), gap(0.5), None),  # overestimated, above typical
            DimensionResult("d", employee[3], None, customer(3.6), gap(0.2), None),
        ]
    )
    strengths, focus = strengths_and_focus(result, TYPICAL, DRIVERS)
    guide = conversation_guide(result, strengths, focus)
    assert [(prompt.kind, prompt.dimension) for prompt in guide] == [
        ("overestimated", "c"),  # the headline gap first; never told it is below the typical team
        ("focus", "b"),
        ("strength", "a"),  # "b" is also the employees' lowest: each dimension is asked about once
    ]
    nothing = team([DimensionResult(key, None, None, None, None, None) for key in "abcd"])
    assert [prompt.kind for prompt in conversation_guide(nothing, [], [])] == ["general"] * 3
    assert [prompt.index for prompt in conversation_guide(nothing, [], [])] == [0, 1, 2]
