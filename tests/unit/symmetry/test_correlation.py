"""Linkage correlations, pinned to R's cor.test (tests/reference/icc_bh1996.R) and to published power figures."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from symmetry.stats import correlation

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


@pytest.fixture(scope="module")
def group_means_of_lead_and_wellbeing() -> tuple[np.ndarray, np.ndarray]:
    with (REFERENCE / "bh1996.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    groups = np.array([int(row["GRP"]) for row in rows])
    lead = np.array([float(row["LEAD"]) for row in rows])
    wellbeing = np.array([float(row["WBEING"]) for row in rows])
    labels = np.unique(groups)
    return (
        np.array([lead[groups == g].mean() for g in labels]),
        np.array([wellbeing[groups == g].mean() for g in labels]),
    )


def test_pearson_matches_r_cor_test(group_means_of_lead_and_wellbeing: tuple[np.ndarray, np.ndarray]) -> None:
    result = correlation(*group_means_of_lead_and_wellbeing)
    assert result.n == 99
    assert result.r == pytest.approx(0.6066969389, rel=1e-9)
    assert result.ci == pytest.approx((0.4649747424, 0.7181022668), rel=1e-9)
    assert result.pvalue == pytest.approx(2.813842956e-11, rel=1e-6)


def test_spearman_matches_r_cor_test(group_means_of_lead_and_wellbeing: tuple[np.ndarray, np.ndarray]) -> None:
    result = correlation(*group_means_of_lead_and_wellbeing, method="spearman")
    assert result.r == pytest.approx(0.5668893012, rel=1e-9)
    assert result.pvalue == pytest.approx(9.539331772e-10, rel=1e-6)
    se = math.sqrt((1 + result.r**2 / 2) / (99 - 3))  # Bonett and Wright (2000)
    z = math.atanh(result.r)
    assert result.ci == pytest.approx((math.tanh(z - 1.959963984540054 * se), math.tanh(z + 1.959963984540054 * se)))


def test_kendall_uses_the_fieller_standard_error() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    y = x + rng.normal(size=30)
    result = correlation(x, y, method="kendall")
    assert result.r == pytest.approx(stats.kendalltau(x, y).statistic)
    half_width = 1.959963984540054 * math.sqrt(0.437 / (30 - 4))
    assert result.ci == pytest.approx(
        (math.tanh(math.atanh(result.r) - half_width), math.tanh(math.atanh(result.r) + half_width))
    )


def test_pairs_with_a_missing_side_are_dropped() -> None:
    result = correlation([1, 2, 3, 4, 5, math.nan], [2, 1, 4, 3, 5, 1])
    assert result.n == 5
    assert result.r == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("x", "y", "options", "message"),
    [
        ([1, 2, 3, 4], [1, 2, 3], {}, "same length"),
        ([1, 2, 3], [1, 2, 4], {}, "at least 4"),
        ([1, 1, 1, 1], [1, 2, 3, 4], {}, "constant"),
        ([1, 2, 3, 4], [1, 3, 2, 4], {"method": "cosine"}, "method"),
        ([1, 2, 3, 4], [1, 3, 2, 4], {"confidence": 95}, "confidence"),
    ],
)
def test_unusable_input_is_refused_with_a_message(x: list[float], y: list[float], options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        correlation(x, y, **options)
