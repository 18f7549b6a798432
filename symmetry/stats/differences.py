"""Differences between two sets of answers: the perception and symmetry gaps, for one team or for all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector, check_confidence
from symmetry.stats.aggregation import GroupStatistics, group_statistics, python_labels


@dataclass(frozen=True, slots=True)
class Difference:
    """A difference of two means with its Welch standard error and confidence interval."""

    estimate: float
    se: float
    df: float
    ci: tuple[float, float]

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies entirely on one side of zero."""
        return self.ci[0] > 0 or self.ci[1] < 0

    @property
    def pvalue(self) -> float:
        """Two-sided p-value of Welch's t test that the difference is zero; NaN where the spread is unknown."""
        if not self.se > 0:
            return float("nan")
        return float(2 * stats.t.sf(abs(self.estimate / self.se), self.df))


def _welch(
    n_a: npt.NDArray[Any],
    mean_a: FloatArray,
    variance_a: FloatArray,
    n_b: npt.NDArray[Any],
    mean_b: FloatArray,
    variance_b: FloatArray,
    confidence: float,
) -> list[Difference]:
    """Welch differences for aligned arrays of per-group counts, means and variances (each n >= 2).

    Where neither side varies the standard error is 0, and a zero-width interval would claim a certainty five
    answers cannot give: the interval is NaN there, and so is the p-value.
    """
    share_a, share_b = variance_a / n_a, variance_b / n_b
    se = np.sqrt(share_a + share_b)
    estimate = mean_a - mean_b
    with np.errstate(invalid="ignore", divide="ignore"):
        df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    df = np.where(se > 0, df, np.inf)
    half_width = np.where(se > 0, stats.t.ppf(0.5 + confidence / 2, df) * se, np.nan)
    columns = (np.asarray(estimate).tolist(), se.tolist(), np.asarray(df).tolist(), np.asarray(half_width).tolist())
    return [Difference(estimate=e, se=s, df=d, ci=(e - h, e + h)) for e, s, d, h in zip(*columns, strict=True)]


MIN_ANSWERS = 3
"""Fewest answers on each side for a gap: with two, one unusual answer is half the evidence."""


def mean_difference(
    a: npt.ArrayLike, b: npt.ArrayLike, *, confidence: float = 0.95, min_answers: int = MIN_ANSWERS
) -> Difference:
    r"""Mean of `a` minus mean of `b`, with the Welch interval (unequal variances).

    NaN values are ignored. Each side needs at least `min_answers` (3) answers.

    Notes
    -----
    :math:`SE = \sqrt{s_a^2/n_a + s_b^2/n_b}`, with Welch-Satterthwaite degrees of freedom.

    Examples
    --------
    >>> d = mean_difference([4, 5, 4, 5], [3, 3, 4, 2])
    >>> d.estimate, round(d.se, 4), [round(v, 3) for v in d.ci]
    (1.5, 0.5, [0.243, 2.757])

    """
    check_confidence(confidence)
    xa, xb = as_float_vector(a, "a"), as_float_vector(b, "b")
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    if min_answers < 2:
        raise ValueError(f"`min_answers` must be at least 2, got {min_answers}")
    if xa.size < min_answers or xb.size < min_answers:
        raise ValueError(f"each side needs at least {min_answers} answers, got {xa.size} and {xb.size}")
    return _welch(
        np.array([xa.size]),
        np.array([xa.mean()]),
        np.array([xa.var(ddof=1)]),
        np.array([xb.size]),
        np.array([xb.mean()]),
        np.array([xb.var(ddof=1)]),
        confidence,
    )[0]


def group_mean_differences(
    a: npt.ArrayLike,
    a_groups: npt.ArrayLike,
    b: npt.ArrayLike,
    b_groups: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    min_answers: int = MIN_ANSWERS,
) -> dict[Any, Difference]:
    """Per group, mean of `a` minus mean of `b` with the Welch interval, in one pass over all groups.

    The two sides may come from different respondents (mirror items from employees, customer items from
    customers). Groups with fewer than `min_answers` (3) answers on either side are left out.

    Examples
    --------
    >>> gaps = group_mean_differences([4, 5, 4, 5, 3], ["t", "t", "t", "t", "u"], [3, 3, 4, 2, 4], ["t"] * 4 + ["u"])
    >>> list(gaps), gaps["t"].estimate
    (['t'], 1.5)

    """
    return differences_from_statistics(
        group_statistics(a, a_groups), group_statistics(b, b_groups), confidence=confidence, min_answers=min_answers
    )


def differences_from_statistics(
    side_a: GroupStatistics, side_b: GroupStatistics, *, confidence: float = 0.95, min_answers: int = MIN_ANSWERS
) -> dict[Any, Difference]:
    """:func:`group_mean_differences` from per-group sufficient statistics."""
    check_confidence(confidence)
    if min_answers < 2:
        raise ValueError(f"`min_answers` must be at least 2, got {min_answers}")
    common, in_a, in_b = np.intersect1d(side_a.labels, side_b.labels, assume_unique=True, return_indices=True)
    keep = (side_a.n[in_a] >= min_answers) & (side_b.n[in_b] >= min_answers)
    in_a, in_b = in_a[keep], in_b[keep]
    differences = _welch(
        side_a.n[in_a],
        side_a.mean[in_a],
        side_a.variance[in_a],
        side_b.n[in_b],
        side_b.mean[in_b],
        side_b.variance[in_b],
        confidence,
    )
    return dict(zip(python_labels(common[keep]), differences, strict=True))
