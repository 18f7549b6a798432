"""Gaps (Welch) and net promoter scores (adjusted Wald)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from symmetry.stats import group_mean_differences, group_nps, mean_difference, nps


def test_mean_difference_matches_scipy_welch_interval() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.integers(1, 6, 14).astype(float), rng.integers(1, 6, 40).astype(float)
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    difference = mean_difference(a, b)
    assert difference.estimate == pytest.approx(a.mean() - b.mean())
    assert difference.ci == pytest.approx((expected.low, expected.high))


def test_interval_excluding_zero_is_flagged() -> None:
    assert mean_difference([5, 5, 4, 5, 4], [1, 2, 1, 2, 1]).excludes_zero
    assert not mean_difference([3, 4, 2, 5], [3, 2, 4, 4]).excludes_zero


def test_mean_difference_needs_three_answers_per_side() -> None:
    with pytest.raises(ValueError, match="at least 3 answers"):
        mean_difference([3.0, 4.0, 5.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        mean_difference([3.0, 4.0, 5.0], [1.0, 2.0], min_answers=1)


def test_net_promoter_score_and_adjusted_wald_interval() -> None:
    # 50 promoters, 30 passives, 20 detractors. Adjusted: p+ = 50.75/103, p- = 20.75/103,
    # V = p+ + p- - (p+ - p-)^2, interval (p+ - p-) +/- 1.96 sqrt(V / 103), worked by hand.
    score = nps([10] * 25 + [9] * 25 + [7] * 30 + [0] * 10 + [6] * 10)
    assert (score.score, score.n, score.promoters, score.detractors) == (30.0, 100, 50, 20)
    assert score.ci == pytest.approx((14.051, 44.201), abs=1e-3)


def test_net_promoter_interval_stays_within_bounds() -> None:
    score = nps([10, 10, 9])
    assert score.score == 100.0
    assert score.ci[1] <= 100.0
    assert score.ci[0] < 100.0


@pytest.mark.parametrize(("answers", "message"), [([], "at least one"), ([3, 11], "0-10")])
def test_net_promoter_score_rejects_bad_answers(answers: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nps(answers)


def test_grouped_gaps_equal_the_gap_of_each_group() -> None:
    rng = np.random.default_rng(3)
    inside_groups = rng.choice(["a", "b", "c", "solo"], size=60, p=[0.3, 0.3, 0.39, 0.01])
    outside_groups = rng.choice(["a", "b", "c", "d"], size=90)
    inside, outside = rng.integers(1, 6, 60).astype(float), rng.integers(1, 6, 90).astype(float)
    grouped = group_mean_differences(inside, inside_groups, outside, outside_groups)
    assert set(grouped) == {g for g in ("a", "b", "c") if np.sum(inside_groups == g) >= 3}
    for group, difference in grouped.items():
        expected = mean_difference(inside[inside_groups == group], outside[outside_groups == group])
        assert (difference.estimate, difference.se, difference.df) == pytest.approx(
            (expected.estimate, expected.se, expected.df), rel=1e-12
        )
        assert difference.ci == pytest.approx(expected.ci, rel=1e-12)


def test_grouped_net_promoter_scores_equal_the_score_of_each_group() -> None:
    rng = np.random.default_rng(4)
    answers, groups = rng.integers(0, 11, 200).astype(float), rng.choice(["x", "y", "z"], 200)
    answers[::17] = np.nan
    grouped = group_nps(answers, groups)
    assert set(grouped) == {"x", "y", "z"}
    for group, score in grouped.items():
        assert score == nps(answers[groups == group])
