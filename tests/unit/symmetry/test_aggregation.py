"""Team means and ICCs, pinned to R's multilevel package on its bh1996 data (tests/reference/icc_bh1996.R)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from symmetry.stats import group_means, group_statistics, icc1, icc2

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


@pytest.fixture(scope="module")
def bh1996() -> dict[str, np.ndarray]:
    with (REFERENCE / "bh1996.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return {column: np.array([float(row[column]) for row in rows]) for column in ("GRP", "WBEING", "HRS", "LEAD")}


# Output of tests/reference/icc_bh1996.R (multilevel 2.7, R 4.2.2), kept in icc_bh1996.out.
R_ICC = {
    "WBEING": (0.04336905008, 0.7717128755),
    "HRS": (0.1331066791, 0.9196731954),
    "LEAD": (0.12702755, 0.9156129693),
}


@pytest.mark.parametrize("variable", sorted(R_ICC))
def test_icc1_and_icc2_match_r_multilevel(bh1996: dict[str, np.ndarray], variable: str) -> None:
    expected_icc1, expected_icc2 = R_ICC[variable]
    assert icc1(bh1996[variable], bh1996["GRP"]) == pytest.approx(expected_icc1, rel=1e-8)
    assert icc2(bh1996[variable], bh1996["GRP"]) == pytest.approx(expected_icc2, rel=1e-8)


def test_icc1_is_returned_negative_when_groups_differ_less_than_chance() -> None:
    values = [1, 5, 1, 5, 2, 5, 1, 5]
    groups = ["a", "a", "b", "b", "c", "c", "d", "d"]
    assert icc1(values, groups) < 0
    assert icc2(values, groups) < 0


def test_icc2_of_identical_group_means_is_minus_infinity_as_in_r() -> None:
    assert icc2([1, 5, 1, 5], ["a", "a", "b", "b"]) == -math.inf


def test_icc_ignores_missing_answers() -> None:
    values = [1, 2, 2, 4, 5, 5]
    groups = ["a", "a", "a", "b", "b", "b"]
    with_gaps = [*values, math.nan, math.nan]
    assert icc1(with_gaps, [*groups, "a", "b"]) == pytest.approx(icc1(values, groups))


@pytest.mark.parametrize(
    ("values", "groups", "message"),
    [
        ([1, 2, 3], ["a", "a"], "same length"),
        ([1, 2, 3], ["a", "a", "a"], "at least two groups"),
        ([1, 2], ["a", "b"], "two or more answers"),
        ([[1, 2]], ["a"], "one-dimensional"),
    ],
)
def test_icc_rejects_unusable_input(values: object, groups: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        icc1(values, groups)  # type: ignore[arg-type]


def test_group_means_use_the_t_interval_of_each_group(bh1996: dict[str, np.ndarray]) -> None:
    means = group_means(bh1996["WBEING"], bh1996["GRP"])
    assert len(means) == 99
    group = bh1996["WBEING"][bh1996["GRP"] == 1.0]
    estimate = means[1.0]
    half_width = stats.t.ppf(0.975, group.size - 1) * group.std(ddof=1) / np.sqrt(group.size)
    assert estimate.n == group.size
    assert estimate.mean == pytest.approx(group.mean())
    assert estimate.sd == pytest.approx(group.std(ddof=1))
    assert estimate.ci == pytest.approx((group.mean() - half_width, group.mean() + half_width))


def test_group_of_one_has_no_interval() -> None:
    estimate = group_means([4.0, 3.0, 5.0], ["solo", "pair", "pair"])["solo"]
    assert estimate.n == 1
    assert estimate.mean == 4.0
    assert math.isnan(estimate.sd)
    assert all(math.isnan(bound) for bound in estimate.ci)


def test_group_statistics_are_vectorised_sufficient_statistics() -> None:
    summary = group_statistics([2, 4, 6, 1], ["x", "x", "x", "y"])
    assert summary.labels.tolist() == ["x", "y"]
    assert summary.n.tolist() == [3, 1]
    assert summary.mean.tolist() == [4.0, 1.0]
    assert summary.variance[0] == 4.0
    assert math.isnan(summary.variance[1])
