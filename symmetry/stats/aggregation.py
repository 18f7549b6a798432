"""Aggregation of individual answers to team level: team means and the indices that justify them.

All functions work on one pass over per-team sufficient statistics (count, sum, sum of squares).
Missing answers (NaN) are dropped before anything is computed; a team left with no answer disappears.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector, check_confidence, check_same_length


@dataclass(frozen=True, slots=True)
class MeanEstimate:
    """A mean with its sample size, standard deviation and confidence interval.

    The interval is NaN for fewer than two answers, where no spread can be estimated.
    """

    n: int
    mean: float
    sd: float
    ci: tuple[float, float]


@dataclass(frozen=True, slots=True)
class GroupStatistics:
    """Per-group sufficient statistics, with the group labels in sorted order.

    Everything at team level (means, intervals, gaps, ICCs, agreement) follows from these, so a database can
    compute them with one GROUP BY instead of handing every answer over.
    """

    labels: npt.NDArray[Any]
    n: npt.NDArray[np.int64]
    mean: FloatArray
    variance: FloatArray
    """Unbiased (ddof=1) variance; NaN for a group of one."""


def group_statistics(values: npt.ArrayLike, groups: npt.ArrayLike) -> GroupStatistics:
    """Count, mean and variance of `values` within each group, ignoring NaN values.

    Examples
    --------
    >>> s = group_statistics([1, 2, 3, 5, float("nan")], ["a", "a", "b", "b", "b"])
    >>> s.labels.tolist(), s.n.tolist(), s.mean.tolist(), s.variance.tolist()
    (['a', 'b'], [2, 2], [1.5, 4.0], [0.5, 2.0])

    """
    x = as_float_vector(values, "values")
    labels_in = np.asarray(groups)
    if labels_in.ndim != 1:
        raise ValueError(f"`groups` must be one-dimensional, got shape {labels_in.shape}")
    check_same_length(x, labels_in, ("values", "groups"))
    keep = ~np.isnan(x)
    x, labels_in = x[keep], labels_in[keep]
    labels, index = np.unique(labels_in, return_inverse=True)
    n = np.bincount(index, minlength=labels.size).astype(np.int64)
    sums = np.bincount(index, weights=x, minlength=labels.size)
    mean = sums / np.maximum(n, 1)
    squared_deviations = np.bincount(index, weights=(x - mean[index]) ** 2, minlength=labels.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(n > 1, squared_deviations / (n - 1), np.nan)
    return GroupStatistics(labels=labels, n=n, mean=mean, variance=variance)


def python_labels(labels: npt.NDArray[Any]) -> list[Any]:
    """Group labels as Python objects (``str``, ``int``...), so that result dictionaries hold no numpy scalars."""
    return list(labels.tolist())


def group_means(values: npt.ArrayLike, groups: npt.ArrayLike, *, confidence: float = 0.95) -> dict[Any, MeanEstimate]:
    """Mean of `values` per group with a Student t confidence interval.

    Parameters
    ----------
    values : array_like
        Individual answers; NaN marks a missing answer and is ignored.
    groups : array_like
        Group label of each answer, same length as `values`.
    confidence : float, optional
        Coverage of the interval, 0.95 by default.

    Returns
    -------
    dict
        Group label -> :class:`MeanEstimate`.

    Examples
    --------
    >>> est = group_means([3, 4, 5, 2], ["t1", "t1", "t1", "t2"])
    >>> est["t1"].n, est["t1"].mean, round(est["t1"].ci[0], 4)
    (3, 4.0, 1.5159)

    """
    check_confidence(confidence)
    return means_from_statistics(group_statistics(values, groups), confidence=confidence)


def means_from_statistics(
    s: GroupStatistics, *, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> dict[Any, MeanEstimate]:
    """:func:`group_means` from per-group sufficient statistics (computed elsewhere, by a database for instance).

    With `bounds`, the ends of the answer scale, each interval is truncated to them: a mean of answers on 1 to 5
    cannot lie outside, and a t interval of a small team near an end would say it could.
    """
    check_confidence(confidence)
    sd = np.sqrt(s.variance)
    with np.errstate(invalid="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, s.n - 1)
        half_width = np.broadcast_to(t * sd / np.sqrt(s.n), s.n.shape)
    low, high = s.mean - half_width, s.mean + half_width
    if bounds is not None:
        low, high = np.clip(low, bounds[0], bounds[1]), np.clip(high, bounds[0], bounds[1])
    # Python floats from the start: arithmetic on numpy scalars, team by team, cost a fifth of a wave's analysis.
    columns = (s.n.tolist(), s.mean.tolist(), sd.tolist(), low.tolist(), high.tolist())
    return {
        label: MeanEstimate(n=int(n), mean=m, sd=d, ci=(lo, hi))
        for label, n, m, d, lo, hi in zip(python_labels(s.labels), *columns, strict=True)
    }


def mean_squares(s: GroupStatistics) -> tuple[float, float, float]:
    """Between- and within-group mean squares of a one-way ANOVA, and the mean group size k = N/J."""
    total, n_groups = int(s.n.sum()), int(s.labels.size)
    if n_groups < 2:
        raise ValueError(f"at least two groups with answers are needed, got {n_groups}")
    if total <= n_groups:
        raise ValueError("at least one group needs two or more answers to estimate the within-group variance")
    grand_mean = float(np.sum(s.n * s.mean) / total)
    between = float(np.sum(s.n * (s.mean - grand_mean) ** 2)) / (n_groups - 1)
    within = float(np.nansum((s.n - 1) * s.variance)) / (total - n_groups)
    return between, within, total / n_groups


def icc1(values: npt.ArrayLike, groups: npt.ArrayLike) -> float:
    r"""ICC(1): the share of variance in individual answers that lies between groups.

    Parameters
    ----------
    values : array_like
        Individual answers; NaN values are ignored.
    groups : array_like
        Group label of each answer.

    Returns
    -------
    float
        The estimate as it is: it can be negative when groups differ less than chance predicts.

    Notes
    -----
    From the one-way ANOVA of answers on groups, with k = N/J the mean group size, as R's
    ``multilevel::ICC1`` computes it:

    .. math:: ICC(1) = \frac{MSB - MSW}{MSB + (k - 1) MSW}

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
    In Klein & Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations*, 349-381.

    Examples
    --------
    >>> round(icc1([1, 2, 2, 4, 5, 5], ["a", "a", "a", "b", "b", "b"]), 4)
    0.9294

    """
    return icc1_from_statistics(group_statistics(values, groups))


def icc1_from_statistics(s: GroupStatistics) -> float:
    """:func:`icc1` from per-group sufficient statistics."""
    between, within, k = mean_squares(s)
    if between == 0 and within == 0:
        return math.nan  # every answer identical: no variance to share out, as R's multilevel::ICC1 gives NaN
    return (between - within) / (between + (k - 1) * within)


def icc2(values: npt.ArrayLike, groups: npt.ArrayLike) -> float:
    r"""ICC(2): the reliability of group means.

    Notes
    -----
    .. math:: ICC(2) = \frac{MSB - MSW}{MSB}

    Conventionally at least .70 before ranking groups; below about .50 group means are mostly noise.

    References
    ----------
    Bliese, P. D. (2000), as for :func:`icc1`.

    Examples
    --------
    >>> round(icc2([1, 2, 2, 4, 5, 5], ["a", "a", "a", "b", "b", "b"]), 4)
    0.9753

    """
    return icc2_from_statistics(group_statistics(values, groups))


def icc2_from_statistics(s: GroupStatistics) -> float:
    """:func:`icc2` from per-group sufficient statistics."""
    between, within, _ = mean_squares(s)
    if between == 0:
        # Identical group means: R's multilevel::ICC2 returns -Inf here, and so do we.
        return -math.inf if within > 0 else math.nan
    return (between - within) / between


def adjusted_group_size(s: GroupStatistics) -> float:
    r"""The adjusted mean group size k0 of an unbalanced one-way design, beside the plain N/J.

    Notes
    -----
    :math:`k_0 = (N - \sum_j n_j^2 / N) / (J - 1)`; it equals N/J when every group has the same size and is smaller
    otherwise, since large groups weigh less in the expected between-group mean square.

    References
    ----------
    Snedecor, G. W., & Cochran, W. G. (1989). *Statistical methods* (8th ed.), section 13.11.

    Examples
    --------
    >>> adjusted_group_size(statistics_from_sums(["a", "b"], [2, 6], [4, 12], [10, 30]))  # N/J would be 4
    3.0

    """
    sizes = s.n.astype(np.float64)
    total, groups = float(sizes.sum()), sizes.size
    if groups < 2:
        raise ValueError(f"at least two groups with answers are needed, got {groups}")
    return (total - float(np.sum(sizes**2)) / total) / (groups - 1)


@dataclass(frozen=True, slots=True)
class IccIntervals:
    """F-based confidence intervals of ICC(1) and ICC(2), with the group size they take for k."""

    icc1: tuple[float, float]
    icc2: tuple[float, float]
    k: float
    """The adjusted group size k0 (N/J for equal groups)."""
    confidence: float


def icc_intervals(s: GroupStatistics, *, confidence: float = 0.95) -> IccIntervals:
    r"""Confidence intervals of ICC(1) and ICC(2) from the F ratio of the one-way ANOVA, as ``psych::ICC`` gives.

    Notes
    -----
    With :math:`F = MSB/MSW` on J - 1 and N - J degrees of freedom, :math:`F_L = F / F_{1-\alpha/2}(J-1, N-J)` and
    :math:`F_U = F \cdot F_{1-\alpha/2}(N-J, J-1)`: ICC(1) lies in :math:`[(F_L - 1)/(F_L + k - 1),
    (F_U - 1)/(F_U + k - 1)]` and ICC(2) in :math:`[1 - 1/F_L, 1 - 1/F_U]`. ``psych::ICC`` (its ICC1 and ICC1k)
    needs equal groups; unequal ones take k0 (:func:`adjusted_group_size`) for k, an approximation.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
    *Psychological Bulletin*, 86(2), 420-428.

    """
    check_confidence(confidence)
    between, within, _ = mean_squares(s)
    total, groups = int(s.n.sum()), int(s.labels.size)
    k = adjusted_group_size(s)
    tail = (1 - confidence) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = between / within if within > 0 else math.inf
    f_low = f / float(stats.f.isf(tail, groups - 1, total - groups))
    f_high = f * float(stats.f.isf(tail, total - groups, groups - 1))

    def icc1_at(ratio: float) -> float:
        return 1.0 if math.isinf(ratio) else (ratio - 1) / (ratio + k - 1)

    def icc2_at(ratio: float) -> float:
        return 1.0 if math.isinf(ratio) else 1 - 1 / ratio if ratio > 0 else -math.inf

    return IccIntervals((icc1_at(f_low), icc1_at(f_high)), (icc2_at(f_low), icc2_at(f_high)), k, confidence)


@dataclass(frozen=True, slots=True)
class RandomInterceptIcc:
    """ICC(1) from the REML fit of a one-way random-intercept model, with the variances it comes from."""

    icc: float
    between_variance: float
    """tau^2, the variance of the group intercepts (0 on the boundary)."""
    within_variance: float
    """sigma^2, the residual variance within groups."""
    mean: float
    """The estimated grand mean (generalised least squares)."""


def icc_reml(s: GroupStatistics) -> RandomInterceptIcc:
    r"""ICC(1) as :math:`\tau^2 / (\tau^2 + \sigma^2)` of the model :math:`y_{ij} = \mu + u_j + e_{ij}`, fitted by REML.

    The ANOVA estimate (:func:`icc1`) is the convention of Bliese (2000) and of ``multilevel::ICC1``; this one is
    what ``nlme::lme(y ~ 1, random = ~ 1 | team, method = "REML")`` or ``lme4::lmer`` give. They agree on equal
    groups when the ANOVA estimate is positive; with unequal groups REML weighs each by its information, and it is
    never negative (the between-group variance stops at 0).

    Notes
    -----
    The restricted likelihood depends on the data only through the groups' counts, means and within-group sums of
    squares, so it is computed from ``s``. With :math:`\lambda = \tau^2/\sigma^2` and :math:`w_j = 1/(1 + n_j
    \lambda)`, :math:`\hat\mu = \sum w_j n_j \bar y_j / \sum w_j n_j` and :math:`Q = SSW + \sum w_j n_j (\bar y_j -
    \hat\mu)^2`, the profiled restricted log-likelihood is, up to a constant,
    :math:`-\tfrac12 [(N - 1)\log Q + \sum \log(1 + n_j \lambda) + \log \sum w_j n_j]`, maximised over the ICC
    :math:`\lambda/(1+\lambda) \in [0, 1)` where its slope in :math:`\lambda` is zero (or at 0 when it falls from
    there); then :math:`\hat\sigma^2 = Q/(N - 1)`.

    References
    ----------
    Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance components*, chapter 6. Wiley.

    Examples
    --------
    >>> s = statistics_from_sums(["a", "b", "c"], [3, 3, 3], [6, 12, 9], [14, 50, 29])
    >>> round(icc_reml(s).icc, 6) == round(icc1_from_statistics(s), 6)  # equal groups, positive ANOVA estimate
    True

    """
    between_ms, within_ms, _ = mean_squares(s)  # the same refusals as the ANOVA estimate
    n = s.n.astype(np.float64)
    means = s.mean
    within_ss = float(np.nansum((n - 1) * s.variance))
    total = float(n.sum())

    def fit(ratio: float) -> tuple[float, float, float]:
        """The slope of minus twice the profiled restricted log-likelihood at `ratio`, with mu and Q there."""
        weights = n / (1 + n * ratio)
        mu = float(np.sum(weights * means) / np.sum(weights))
        q = within_ss + float(np.sum(weights * (means - mu) ** 2))
        # mu is Q's own minimiser, so Q's slope leaves it out (envelope theorem).
        q_slope = -float(np.sum((weights * (means - mu)) ** 2))
        slope = (total - 1) * q_slope / q + float(np.sum(weights)) - float(np.sum(weights**2)) / float(np.sum(weights))
        return slope, mu, q

    def slope_at(share: float) -> float:
        return fit(share / (1 - share))[0]

    # The root of the slope rather than the deviance's minimum: the minimum of a flat curve is found to about 1e-8
    # only, the root to machine precision.
    if between_ms == 0 and within_ms == 0:
        return RandomInterceptIcc(math.nan, 0.0, 0.0, float(means[0]))  # every answer identical, as icc1
    upper = 1 - 1e-12
    if within_ss == 0:
        share = upper  # no spread within groups: the fit runs to the end of the range
    elif slope_at(0.0) >= 0:
        share = 0.0
    elif slope_at(upper) <= 0:
        share = upper
    else:
        share = optimize.brentq(slope_at, 0.0, upper, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    _, mu, q = fit(share / (1 - share))
    within = q / (total - 1)
    between = within * share / (1 - share)
    return RandomInterceptIcc(share, between, within, mu)


def statistics_from_sums(
    labels: npt.ArrayLike, n: npt.ArrayLike, sums: npt.ArrayLike, sums_of_squares: npt.ArrayLike
) -> GroupStatistics:
    """Sufficient statistics from per-group counts, sums and sums of squares, sorted by label.

    Examples
    --------
    >>> s = statistics_from_sums(["b", "a"], [2, 2], [9, 3], [41, 5])
    >>> s.labels.tolist(), s.mean.tolist(), s.variance.tolist()
    (['a', 'b'], [1.5, 4.5], [0.5, 0.5])

    """
    label_array = np.asarray(labels)
    order = np.argsort(label_array, kind="stable")
    counts = np.asarray(n, dtype=np.int64)[order]
    total = np.asarray(sums, dtype=np.float64)[order]
    squares = np.asarray(sums_of_squares, dtype=np.float64)[order]
    mean = total / np.maximum(counts, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Sums of squares around the mean; clipped at zero against rounding in large sums.
        variance = np.where(counts > 1, np.maximum(squares - counts * mean**2, 0.0) / (counts - 1), np.nan)
    return GroupStatistics(labels=label_array[order], n=counts, mean=mean, variance=variance)


def statistics_of_means(groups: npt.ArrayLike, totals: npt.ArrayLike, counts: npt.ArrayLike) -> GroupStatistics:
    """Per-group statistics of scores that are each a mean of whole numbers, ``totals / counts``, computed exactly.

    A respondent's overall score is the mean of the items they answered: summed as floats, two teams with the same
    mean could come out one unit in the last place apart (3.9999999999999996 and 4.0), and ranks would not tie.
    Here the whole-number totals are summed per group and number of items, and each group's mean and variance
    are computed as fractions and rounded once: equal means are equal floats, whatever the order of the rows.
    Rows with a count of 0 (nothing answered) are left out, and so is a group left with none.

    Examples
    --------
    >>> s = statistics_of_means(["a", "a", "b", "b"], [8, 4, 12, 10], [2, 1, 3, 2])
    >>> s.labels.tolist(), s.n.tolist(), s.mean.tolist(), s.variance.tolist()
    (['a', 'b'], [2, 2], [4.0, 4.5], [0.0, 0.5])

    """
    labels_in, whole, items = np.asarray(groups), np.asarray(totals), np.asarray(counts)
    check_same_length(whole, labels_in, ("totals", "groups"))
    check_same_length(items, labels_in, ("counts", "groups"))
    if not (np.array_equal(whole, np.round(whole)) and np.array_equal(items, np.round(items))):
        raise ValueError("`totals` and `counts` must be whole numbers")
    keep = items > 0
    labels, index = np.unique(labels_in[keep], return_inverse=True)
    whole, items = whole[keep].astype(np.int64), items[keep].astype(np.int64)
    widest = int(items.max(initial=0)) + 1
    cell = index * widest + items
    shape, size = (labels.size, widest), labels.size * widest
    respondents = np.bincount(cell, minlength=size).reshape(shape)
    sums = np.bincount(cell, weights=whole, minlength=size).reshape(shape)  # whole numbers, exact below 2**53
    squares = np.bincount(cell, weights=whole * whole, minlength=size).reshape(shape)
    n = respondents.sum(axis=1)
    per_item = np.arange(widest, dtype=np.float64)
    per_item[0] = 1.0  # no respondent is counted with 0 items
    # Over one common denominator L (the lcm of the numbers of items), a group's total of means is the whole
    # number sum_k S_k L/k: divided by n L, exact integers in floats, it is rounded once, so equal means are equal.
    common = math.lcm(*range(1, widest))
    scaled = sums * (common / per_item)
    if float(np.max(scaled, initial=0.0)) * max(widest, 1) < 2.0**53:
        mean = scaled.sum(axis=1) / (np.maximum(n, 1) * float(common))
    else:  # too large for exact floats: fractions, group by group
        mean = np.array(
            [
                float(
                    sum((Fraction(int(sums[g, k]), k) for k in np.flatnonzero(respondents[g]).tolist()), Fraction(0))
                    / int(n[g])
                )
                for g in range(labels.size)
            ]
        )
    squares_of_means = (squares / per_item**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(n > 1, np.maximum(squares_of_means - n * mean**2, 0.0) / (n - 1), np.nan)
    return GroupStatistics(labels=labels, n=n.astype(np.int64), mean=mean, variance=variance)


def subset_statistics(s: GroupStatistics, labels: Any) -> GroupStatistics:
    """The statistics of the groups among `labels` only, still in sorted order.

    Examples
    --------
    >>> subset_statistics(group_statistics([1, 2, 3, 5], ["a", "a", "b", "c"]), ["c", "a"]).labels.tolist()
    ['a', 'c']

    """
    if s.labels.size == 0:  # no group at all (an empty array's dtype is float, which no team key converts to)
        return s
    keep = np.isin(s.labels, np.asarray(list(labels), dtype=s.labels.dtype))
    return GroupStatistics(labels=s.labels[keep], n=s.n[keep], mean=s.mean[keep], variance=s.variance[keep])


def pooled_statistics(s: GroupStatistics) -> tuple[int, float, float]:
    """Count, mean and (ddof=1) variance of all the answers behind per-group statistics.

    Examples
    --------
    >>> pooled_statistics(group_statistics([1, 2, 3, 6], ["a", "a", "b", "b"]))
    (4, 3.0, 4.666666666666667)

    """
    total = int(s.n.sum())
    if total < 2:
        return total, float(s.mean @ s.n) / max(total, 1), math.nan
    mean = float(s.mean @ s.n) / total
    within = float(np.nansum((s.n - 1) * s.variance))
    between = float(s.n @ (s.mean - mean) ** 2)
    return total, mean, (within + between) / (total - 1)
