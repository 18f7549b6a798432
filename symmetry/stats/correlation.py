"""Correlations across teams, with intervals, and corrected for the unreliability of team means."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector, check_confidence, check_same_length
from symmetry.stats.aggregation import GroupStatistics, icc2_from_statistics, icc_intervals

CorrelationMethod = Literal["pearson", "spearman", "kendall"]

_MIN_PAIRS = {"pearson": 4, "spearman": 4, "kendall": 5}


@dataclass(frozen=True, slots=True)
class CorrelationResult:
    """A correlation coefficient with its confidence interval and two-sided p-value."""

    r: float
    ci: tuple[float, float]
    pvalue: float
    n: int
    method: CorrelationMethod


def _fisher_z_standard_error(r: float, n: int, method: CorrelationMethod) -> float:
    # Pearson's is exactly 1 / sqrt(n - 3); for ranks, Bonett and Wright (2000) for Spearman and
    # Fieller, Hartley and Pearson (1957) for Kendall.
    if method == "pearson":
        return 1.0 / math.sqrt(n - 3)
    if method == "spearman":
        return math.sqrt((1.0 + r * r / 2.0) / (n - 3))
    return math.sqrt(0.437 / (n - 4))


def correlation(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    method: CorrelationMethod = "pearson",
    confidence: float = 0.95,
    interval: Literal["fisher", "bca"] = "fisher",
    n_resamples: int = 2000,
    rng: np.random.Generator | int | None = None,
) -> CorrelationResult:
    r"""Correlation of paired team scores with a Fisher z confidence interval.

    Parameters
    ----------
    x, y : array_like
        Paired scores, one pair per team. Pairs with a NaN on either side are dropped.
    method : {"pearson", "spearman", "kendall"}
        The coefficient. The p-value is scipy's: the t test for Pearson and Spearman,
        the normal approximation with ties for Kendall.
    confidence : float
        Coverage of the interval.
    interval : {"fisher", "bca"}
        Fisher's z interval, or a bias-corrected and accelerated bootstrap interval resampling teams.
    n_resamples : int
        Bootstrap resamples, for ``interval="bca"``.
    rng : numpy.random.Generator or int, optional
        Seed or generator of the bootstrap: the same seed gives the same interval.

    Returns
    -------
    CorrelationResult

    Notes
    -----
    The interval is :math:`\tanh(z \pm z_{1-\alpha/2} SE)` with :math:`z = \operatorname{atanh}(r)`, and
    :math:`SE = 1/\sqrt{n-3}` for Pearson, :math:`\sqrt{(1 + r^2/2)/(n-3)}` for Spearman (Bonett and Wright
    2000) and :math:`\sqrt{0.437/(n-4)}` for Kendall (Fieller, Hartley and Pearson 1957).

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson, Kendall and
    Spearman correlations. *Psychometrika*, 65(1), 23-28.

    Examples
    --------
    >>> res = correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(res.r, 2), res.n, [round(v, 3) for v in res.ci]
    (0.8, 5, [-0.28, 0.986])

    """
    check_confidence(confidence)
    if method not in _MIN_PAIRS:
        raise ValueError(f"`method` must be one of {sorted(_MIN_PAIRS)}, got {method!r}")
    xs, ys = as_float_vector(x, "x"), as_float_vector(y, "y")
    check_same_length(xs, ys, ("x", "y"))
    complete = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[complete], ys[complete]
    n = int(xs.size)
    if n < _MIN_PAIRS[method]:
        raise ValueError(f"a {method} interval needs at least {_MIN_PAIRS[method]} complete pairs, got {n}")
    if np.ptp(xs) == 0 or np.ptp(ys) == 0:
        raise ValueError("a correlation is undefined when one side is constant")
    r, pvalue = _test(method, xs, ys)
    if interval == "bca":
        return CorrelationResult(
            r=r, ci=_bca(xs, ys, method, confidence, n_resamples, rng), pvalue=pvalue, n=n, method=method
        )
    if interval != "fisher":
        raise ValueError(f"`interval` must be 'fisher' or 'bca', got {interval!r}")
    half_width = float(stats.norm.ppf(0.5 + confidence / 2)) * _fisher_z_standard_error(r, n, method)
    z = math.atanh(max(min(r, 1.0 - 1e-15), -1.0 + 1e-15))
    return CorrelationResult(
        r=r, ci=(math.tanh(z - half_width), math.tanh(z + half_width)), pvalue=pvalue, n=n, method=method
    )


def _test(method: CorrelationMethod, x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """The coefficient and scipy's two-sided p-value."""
    if method == "pearson":
        result = stats.pearsonr(x, y)
        return float(result.statistic), float(result.pvalue)
    rank = stats.spearmanr(x, y) if method == "spearman" else stats.kendalltau(x, y)
    return float(rank.statistic), float(rank.pvalue)


def _bca(
    xs: FloatArray,
    ys: FloatArray,
    method: CorrelationMethod,
    confidence: float,
    n_resamples: int,
    rng: np.random.Generator | int | None,
) -> tuple[float, float]:
    # A resample of few teams can be constant on one side: its coefficient is NaN, which BCa tolerates.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        result = stats.bootstrap(
            (xs, ys),
            lambda a, b: _test(method, a, b)[0],
            paired=True,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=confidence,
            method="BCa",
            rng=np.random.default_rng(rng),
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def partial_correlation(
    x: npt.ArrayLike, y: npt.ArrayLike, control: npt.ArrayLike, *, confidence: float = 0.95
) -> CorrelationResult:
    r"""Pearson correlation of `x` and `y` with one variable (such as team size) held constant.

    Notes
    -----
    :math:`r_{xy\cdot z} = (r_{xy} - r_{xz} r_{yz}) / \sqrt{(1 - r_{xz}^2)(1 - r_{yz}^2)}`, tested with
    :math:`t = r\sqrt{(n - 3)/(1 - r^2)}` on :math:`n - 3` degrees of freedom; the Fisher z interval uses
    :math:`SE = 1/\sqrt{n - 4}`.

    Examples
    --------
    >>> result = partial_correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], [3, 1, 2, 2, 1, 3])
    >>> round(result.r, 4), result.n
    (0.8286, 6)

    """
    check_confidence(confidence)
    xs, ys, zs = as_float_vector(x, "x"), as_float_vector(y, "y"), as_float_vector(control, "control")
    check_same_length(xs, ys, ("x", "y"))
    check_same_length(xs, zs, ("x", "control"))
    complete = ~(np.isnan(xs) | np.isnan(ys) | np.isnan(zs))
    xs, ys, zs = xs[complete], ys[complete], zs[complete]
    n = int(xs.size)
    if n < 5:
        raise ValueError(f"a partial correlation needs at least 5 complete triples, got {n}")
    if min(np.ptp(xs), np.ptp(ys), np.ptp(zs)) == 0:
        raise ValueError("a partial correlation is undefined when a variable is constant")
    matrix = np.asarray(np.corrcoef(np.vstack([xs, ys, zs])), dtype=np.float64)
    rxy, rxz, ryz = matrix[0, 1], matrix[0, 2], matrix[1, 2]
    r = float((rxy - rxz * ryz) / math.sqrt((1 - rxz**2) * (1 - ryz**2)))
    t = r * math.sqrt((n - 3) / max(1 - r * r, 1e-300))
    pvalue = float(2 * stats.t.sf(abs(t), n - 3))
    half_width = float(stats.norm.ppf(0.5 + confidence / 2)) / math.sqrt(n - 4)
    z = math.atanh(max(min(r, 1.0 - 1e-15), -1.0 + 1e-15))
    return CorrelationResult(
        r=r, ci=(math.tanh(z - half_width), math.tanh(z + half_width)), pvalue=pvalue, n=n, method="pearson"
    )


@dataclass(frozen=True, slots=True)
class DependentComparison:
    """A test of the difference between two correlations measured on the same teams."""

    difference: float
    z: float
    pvalue: float
    n: int


def compare_dependent_correlations(
    *, r12: float, r34: float, r13: float, r14: float, r23: float, r24: float, n: int
) -> DependentComparison:
    r"""Steiger's (1980) test that two non-overlapping correlations of the same teams are equal.

    Used for the cross-lagged question: does employee attention at wave t go with customers' view at t+1
    (r12) more than customers' view at t goes with employee attention at t+1 (r34)?

    Notes
    -----
        The Pearson-Filon covariance of the two correlations, computed at their pooled value
        :math:`ar r`, gives :math:`Z = (z_{12} - z_{34})\sqrt{n - 3} / \sqrt{2 - 2ar{c}}` with Fisher's z; as in
        R's ``psych::r.test`` for four variables.

    References
    ----------
        Steiger, J. H. (1980). Tests for comparing elements of a correlation matrix. *Psychological Bulletin*,
        87(2), 245-251.

    Examples
    --------
        >>> result = compare_dependent_correlations(r12=0.5, r34=0.5, r13=0.3, r14=0.2, r23=0.2, r24=0.3, n=40)
        >>> result.z, result.pvalue
        (0.0, 1.0)

    """
    if n < 5:
        raise ValueError(f"`n` must be at least 5, got {n}")
    for name, value in {"r12": r12, "r34": r34, "r13": r13, "r14": r14, "r23": r23, "r24": r24}.items():
        if not -1 < value < 1:
            raise ValueError(f"`{name}` must lie strictly between -1 and 1, got {value}")
    pooled = (r12 + r34) / 2
    covariance = 0.5 * (
        (r13 - pooled * r23) * (r24 - r23 * pooled)
        + (r14 - r13 * pooled) * (r23 - pooled * r13)
        + (r13 - r14 * pooled) * (r24 - pooled * r14)
        + (r14 - pooled * r24) * (r23 - r24 * pooled)
    )
    c = covariance / (1 - pooled**2) ** 2
    z = (math.atanh(r12) - math.atanh(r34)) * math.sqrt(n - 3) / math.sqrt(2 * (1 - c))
    return DependentComparison(difference=r12 - r34, z=z, pvalue=float(2 * stats.norm.sf(abs(z))), n=n)


MIN_RELIABILITY = 0.5
"""Least ICC(2) on either side for a corrected correlation to be read: below it team means are mostly noise."""


@dataclass(frozen=True, slots=True)
class CorrectedCorrelation:
    """Pearson's r corrected for the unreliability of both sides' team means, or why it cannot be read.

    `value` is None when it is not interpretable: a reliability below the least one, or a corrected value past 1
    (which says the reliabilities are underestimated, not that the link is perfect). The interval is NaN then.
    """

    observed: float
    reliability_x: float
    reliability_y: float
    value: float | None
    ci: tuple[float, float]
    confidence: float
    not_interpretable: Literal["low_reliability", "above_one"] | None


def corrected_correlation(
    observed: CorrelationResult,
    x: GroupStatistics,
    y: GroupStatistics,
    *,
    min_reliability: float = MIN_RELIABILITY,
    confidence: float = 0.95,
) -> CorrectedCorrelation:
    r"""The correlation between true team scores (Spearman 1904), with an interval that carries every uncertainty.

    Parameters
    ----------
    observed : CorrelationResult
        Pearson's r of the team means, with its number of teams.
    x, y : GroupStatistics
        Each side's answers in the teams that entered `observed`: their ICC(2) are the reliabilities.
    min_reliability : float
        Least ICC(2) on each side for the corrected value to be given (:data:`MIN_RELIABILITY`).
    confidence : float
        Coverage of the interval.

    Notes
    -----
    :math:`r_c = r / \sqrt{ICC(2)_x\,ICC(2)_y}`. The interval is conservative: Fisher's interval of r and the
    F-based intervals of both ICC(2) (:func:`icc_intervals`), each at :math:`1 - (1 - c)/3`, combined at their
    least and most favourable ends, so that it covers with probability at least `c` (Bonferroni); it is
    clipped to [-1, 1]. Only the observed r is tested.

    Examples
    --------
    >>> from symmetry.stats.aggregation import statistics_from_sums
    >>> teams = ["a", "b", "c", "d", "e"]
    >>> x = statistics_from_sums(teams, [10] * 5, [20, 30, 35, 40, 45], [50, 100, 135, 170, 215])
    >>> y = statistics_from_sums(teams, [10] * 5, [25, 28, 36, 38, 44], [75, 90, 140, 155, 200])
    >>> r = correlation(x.mean, y.mean)
    >>> corrected = corrected_correlation(r, x, y)
    >>> round(corrected.reliability_x, 3), corrected.value is None, corrected.not_interpretable
    (0.868, True, 'above_one')

    """
    check_confidence(confidence)
    reliability_x, reliability_y = icc2_from_statistics(x), icc2_from_statistics(y)
    nothing = (math.nan, math.nan)
    if not (reliability_x >= min_reliability and reliability_y >= min_reliability):
        return CorrectedCorrelation(
            observed.r, reliability_x, reliability_y, None, nothing, confidence, "low_reliability"
        )
    value = observed.r / math.sqrt(reliability_x * reliability_y)
    if abs(value) > 1:
        return CorrectedCorrelation(observed.r, reliability_x, reliability_y, None, nothing, confidence, "above_one")
    each = 1 - (1 - confidence) / 3
    half = float(stats.norm.isf((1 - each) / 2)) / math.sqrt(observed.n - 3)
    r_low, r_high = math.tanh(math.atanh(observed.r) - half), math.tanh(math.atanh(observed.r) + half)
    (x_low, x_high), (y_low, y_high) = (icc_intervals(side, confidence=each).icc2 for side in (x, y))

    def divided(r: float, toward_zero: bool) -> float:
        """`r` over the reliabilities that shrink it most (`toward_zero`) or least."""
        product = x_high * y_high if toward_zero else x_low * y_low
        if product <= 0:
            return math.copysign(1.0, r)
        return max(-1.0, min(1.0, r / math.sqrt(min(product, 1.0))))

    low = divided(r_low, toward_zero=r_low >= 0)
    high = divided(r_high, toward_zero=r_high <= 0)
    return CorrectedCorrelation(observed.r, reliability_x, reliability_y, value, (low, high), confidence, None)


@dataclass(frozen=True, slots=True)
class LaggedPath:
    """The standardised coefficient of an earlier score on a later one, its own earlier value held constant."""

    coefficient: float
    ci: tuple[float, float]
    pvalue: float
    n: int


def lagged_path(
    earlier_predictor: npt.ArrayLike,
    earlier_outcome: npt.ArrayLike,
    later_outcome: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> LaggedPath:
    r"""One path of a cross-lagged panel: the later outcome on the earlier predictor, controlling its earlier value.

    Notes
    -----
    Ordinary least squares on z-scores, :math:`z(Y_2) = \beta_1 z(X_1) + \beta_2 z(Y_1) + e`, with the t interval of
    :math:`\beta_1` on n - 3 degrees of freedom, as ``lm(scale(y2) ~ scale(x1) + scale(y1))`` gives it. It
    describes an association over time: stable traits of teams, or a third cause, can produce it without either
    score acting on the other (Rogosa 1980; Hamaker, Kuiper and Grasman 2015).

    Examples
    --------
    >>> path = lagged_path([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], [2, 3, 3, 5, 6, 7])
    >>> round(path.coefficient, 3), path.n
    (1.11, 6)

    """
    check_confidence(confidence)
    columns = [as_float_vector(values, name) for values, name in (
        (earlier_predictor, "earlier_predictor"), (earlier_outcome, "earlier_outcome"), (later_outcome, "later_outcome")
    )]  # fmt: skip
    check_same_length(columns[0], columns[1], ("earlier_predictor", "earlier_outcome"))
    check_same_length(columns[0], columns[2], ("earlier_predictor", "later_outcome"))
    data = np.column_stack(columns)
    data = data[~np.isnan(data).any(axis=1)]
    n = data.shape[0]
    if n < 5:
        raise ValueError(f"a lagged path needs at least 5 teams, got {n}")
    spread = data.std(axis=0, ddof=1)
    if np.any(spread == 0):
        raise ValueError("a lagged path is undefined when a score is constant")
    z = (data - data.mean(axis=0)) / spread
    design = z[:, :2]
    coefficients, *_ = np.linalg.lstsq(design, z[:, 2], rcond=None)
    residuals = z[:, 2] - design @ coefficients
    df = n - 3  # two slopes and the intercept that z-scores fix at zero
    sigma2 = float(residuals @ residuals) / df
    try:
        covariance = sigma2 * np.linalg.inv(design.T @ design)
    except np.linalg.LinAlgError as error:
        raise ValueError("the earlier scores are collinear: a lagged path is undefined") from error
    se = math.sqrt(float(covariance[0, 0]))
    beta = float(coefficients[0])
    if se == 0:
        return LaggedPath(beta, (beta, beta), 0.0, n)
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return LaggedPath(beta, (beta - half, beta + half), float(2 * stats.t.sf(abs(beta / se), df)), n)
