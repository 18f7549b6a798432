"""Within-team agreement: rwg, rwg(j), awg and the average deviation, per group in one pass."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector, check_same_length
from symmetry.stats.aggregation import GroupStatistics, group_statistics, python_labels


def uniform_null_variance(scale_points: int) -> float:
    """Variance of answers spread uniformly over an A-point scale: (A^2 - 1) / 12."""
    if scale_points < 2:
        raise ValueError(f"`scale_points` must be at least 2, got {scale_points}")
    return (scale_points**2 - 1) / 12


SLIGHTLY_SKEWED_5 = (0.05, 0.15, 0.20, 0.35, 0.25)
"""The slightly skewed null of a 5-point scale (James, Demaree and Wolf 1984; LeBreton and Senter 2008, table 3):
the leniency that respondents often show, for a sensitivity reading beside the uniform null."""


def null_variance(proportions: tuple[float, ...]) -> float:
    """The variance of answers 1..A given with these proportions: the null distribution of an rwg.

    Examples
    --------
    >>> round(null_variance(SLIGHTLY_SKEWED_5), 2)
    1.34

    """
    shares = np.asarray(proportions, dtype=np.float64)
    if shares.ndim != 1 or shares.size < 2 or np.any(shares < 0) or not math.isclose(float(shares.sum()), 1.0):
        raise ValueError(f"`proportions` must be at least two non-negative shares summing to 1, got {proportions}")
    points = np.arange(1, shares.size + 1)
    mean = float(shares @ points)
    return float(shares @ (points - mean) ** 2)


def rwg(values: npt.ArrayLike, groups: npt.ArrayLike, *, scale_points: int) -> dict[Any, float]:
    r"""Within-group agreement on one item, against the uniform null, per group.

    Parameters
    ----------
    values : array_like
        Answers on an A-point scale; NaN values are ignored.
    groups : array_like
        Group label of each answer.
    scale_points : int
        A, the number of answer options.

    Returns
    -------
    dict
        Group -> rwg in [0, 1]; NaN for a group of one.

    Notes
    -----
    :math:`r_{wg} = 1 - s^2 / \sigma_{EU}^2` with :math:`\sigma_{EU}^2 = (A^2 - 1)/12`; an observed variance above
    the null's gives 0, as R's ``multilevel::rwg`` truncates it.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability with and
    without response bias. *Journal of Applied Psychology*, 69(1), 85-98.

    Examples
    --------
    >>> rwg([4, 4, 5, 1, 5], ["a", "a", "a", "b", "b"], scale_points=5)
    {'a': 0.8333333333333333, 'b': 0.0}

    """
    return rwg_from_statistics(group_statistics(values, groups), scale_points=scale_points)


def rwg_from_statistics(summary: GroupStatistics, *, scale_points: int, null: float | None = None) -> dict[Any, float]:
    """:func:`rwg` from per-group sufficient statistics; `null` replaces the uniform null's variance."""
    null = uniform_null_variance(scale_points) if null is None else null
    agreement = np.clip(1 - summary.variance / null, 0.0, 1.0)
    return dict(zip(python_labels(summary.labels), agreement.tolist(), strict=True))


def _item_columns(items: npt.ArrayLike, groups: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[Any]]:
    matrix = np.asarray(items, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"`items` must be two-dimensional (answers x items), got shape {matrix.shape}")
    labels = np.asarray(groups)
    check_same_length(matrix, labels, ("items", "groups"))
    return matrix, labels


def rwg_j(items: npt.ArrayLike, groups: npt.ArrayLike, *, scale_points: int) -> dict[Any, float]:
    r"""Within-group agreement on a scale of J parallel items, per group.

    Rows with a missing answer are dropped (listwise), as R's ``multilevel::rwg.j`` works on complete rows.

    Notes
    -----
    With :math:`\bar{s}^2` the mean of the item variances within the group,
    :math:`r_{wg(j)} = J(1 - \bar{s}^2/\sigma_{EU}^2) / (J(1 - \bar{s}^2/\sigma_{EU}^2) + \bar{s}^2/\sigma_{EU}^2)`,
    with :math:`\bar{s}^2` truncated at :math:`\sigma_{EU}^2` (so the index lies in [0, 1]).

    Examples
    --------
    >>> round(rwg_j([[4, 4], [4, 5], [5, 5]], ["a", "a", "a"], scale_points=5)["a"], 4)
    0.9091

    """
    matrix, labels = _item_columns(items, groups)
    complete = ~np.isnan(matrix).any(axis=1)
    matrix, labels = matrix[complete], labels[complete]
    per_item = [group_statistics(matrix[:, j], labels) for j in range(matrix.shape[1])]
    return rwg_j_from_statistics(per_item, scale_points=scale_points)


def rwg_j_from_statistics(per_item: list[GroupStatistics], *, scale_points: int) -> dict[Any, float]:
    """:func:`rwg_j` from each item's per-group sufficient statistics (groups answering every item)."""
    null = uniform_null_variance(scale_points)
    common = set(python_labels(per_item[0].labels)).intersection(*(python_labels(s.labels) for s in per_item[1:]))
    variances = []
    for summary in per_item:
        by_label = dict(zip(python_labels(summary.labels), summary.variance.tolist(), strict=True))
        variances.append([by_label[label] for label in sorted(common)])
    ratio = np.minimum(np.mean(np.asarray(variances), axis=0) / null, 1.0)
    n_items = len(per_item)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio)
    return dict(zip(sorted(common), np.atleast_1d(agreement).tolist(), strict=True))


def awg(values: npt.ArrayLike, groups: npt.ArrayLike, *, low: float, high: float) -> dict[Any, float]:
    r"""Brown and Hauenstein's agreement index, free of the uniform null's dependence on the mean, per group.

    Notes
    -----
    :math:`a_{wg} = 1 - 2 s^2 / ([(H + L)M - M^2 - HL] \cdot k/(k - 1))` for a group of k answers with mean M
    on a scale from L to H. As Brown and Hauenstein advise and R's ``multilevel::awg`` computes it, it is not
    computed (NaN) when M lies outside :math:`[(L(k-1)+H)/k, (H(k-1)+L)/k]`, where the largest possible variance
    is too constrained for the index to mean anything, and it is 1 when every answer of a group of two or more sits
    at one end of the scale (M = L or M = H). A group of one is NaN whatever its answer, as in R.

    References
    ----------
    Brown, R. D., & Hauenstein, N. M. A. (2005). Interrater agreement reconsidered: an alternative to the rwg
    indices. *Organizational Research Methods*, 8(2), 165-184.

    Examples
    --------
    >>> round(awg([4, 4, 5, 3], ["a"] * 4, low=1, high=5)["a"], 4)
    0.6667

    """
    return awg_from_statistics(group_statistics(values, groups), low=low, high=high)


def awg_from_statistics(summary: GroupStatistics, *, low: float, high: float) -> dict[Any, float]:
    """:func:`awg` from per-group sufficient statistics."""
    if not high > low:
        raise ValueError(f"`high` must exceed `low`, got low={low}, high={high}")
    mean, n = summary.mean, summary.n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        maximum = ((high + low) * mean - mean**2 - high * low) * n / (n - 1)
        agreement = 1 - 2 * summary.variance / maximum
    # The bounds as multilevel::awg writes them, so that a mean on a bound compares as R's does.
    outside = (mean < (low * (n - 1) + high) / n) | (mean > (high * (n - 1) + low) / n)
    # In multilevel::awg's order: NA outside the bounds, then 1 at either end, then NA for any team of one.
    agreement = np.where(outside, np.nan, agreement)
    agreement = np.where((mean == high) | (mean == low), 1.0, agreement)
    agreement = np.where(n < 2, np.nan, agreement)
    return dict(zip(python_labels(summary.labels), agreement.tolist(), strict=True))


def average_deviation(values: npt.ArrayLike, groups: npt.ArrayLike, *, around: str = "mean") -> dict[Any, float]:
    """Mean absolute deviation of the answers from the group's mean (or median), per group.

    Examples
    --------
    >>> average_deviation([1, 2, 3, 6], ["a"] * 4)
    {'a': 1.5}

    """
    if around not in {"mean", "median"}:
        raise ValueError(f"`around` must be 'mean' or 'median', got {around!r}")
    x = as_float_vector(values, "values")
    labels_in = np.asarray(groups)
    check_same_length(x, labels_in, ("values", "groups"))
    keep = ~np.isnan(x)
    x, labels_in = x[keep], labels_in[keep]
    labels, index = np.unique(labels_in, return_inverse=True)
    deviations = np.empty(labels.size)
    for position in range(labels.size):  # medians have no one-pass form; groups are few
        answers = x[index == position]
        centre = answers.mean() if around == "mean" else np.median(answers)
        deviations[position] = np.abs(answers - centre).mean()
    return dict(zip(python_labels(labels), deviations.tolist(), strict=True))
