"""Correlations across teams, with intervals and the power statements that keep them honest."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.stats._validation import as_float_vector, check_confidence_level, check_same_length

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
    confidence_level: float = 0.95,
) -> CorrelationResult:
    r"""Correlation of paired team scores with a Fisher z confidence interval.

    Parameters
    ----------
    x, y : array_like
        Paired scores, one pair per team. Pairs with a NaN on either side are dropped.
    method : {"pearson", "spearman", "kendall"}
        The coefficient. The p-value is scipy's: the t test for Pearson and Spearman,
        the normal approximation with ties for Kendall.
    confidence_level : float
        Coverage of the interval.

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
    check_confidence_level(confidence_level)
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
    if method == "pearson":
        pearson = stats.pearsonr(xs, ys)
        r, pvalue = float(pearson.statistic), float(pearson.pvalue)
    elif method == "spearman":
        spearman = stats.spearmanr(xs, ys)
        r, pvalue = float(spearman.statistic), float(spearman.pvalue)
    else:
        kendall = stats.kendalltau(xs, ys)
        r, pvalue = float(kendall.statistic), float(kendall.pvalue)
    half_width = float(stats.norm.ppf(0.5 + confidence_level / 2)) * _fisher_z_standard_error(r, n, method)
    z = math.atanh(max(min(r, 1.0 - 1e-15), -1.0 + 1e-15))
    return CorrelationResult(
        r=r, ci=(math.tanh(z - half_width), math.tanh(z + half_width)), pvalue=pvalue, n=n, method=method
    )


def minimum_detectable_correlation(n: int, *, power: float = 0.8, alpha: float = 0.05) -> float:
    r"""Smallest correlation a two-sided test at `alpha` detects with probability `power` among `n` teams.

    Notes
    -----
    From the Fisher z approximation: :math:`r = \tanh((z_{1-\alpha/2} + z_{power}) / \sqrt{n - 3})`.
    A non-significant result among `n` teams rules out correlations above this value only.

    Examples
    --------
    >>> round(minimum_detectable_correlation(20), 2)
    0.59

    """
    if n < 4:
        raise ValueError(f"`n` must be at least 4 teams, got {n}")
    if not 0.0 < power < 1.0 or not 0.0 < alpha < 1.0:
        raise ValueError("`power` and `alpha` must lie strictly between 0 and 1")
    z = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    return math.tanh(z / math.sqrt(n - 3))


def disattenuated_correlation(r: float, *, reliability_x: float, reliability_y: float) -> float:
    """Correlation corrected for the unreliability of both sides (Spearman 1904).

    At team level the reliabilities are the ICC(2) of each side. The corrected value estimates the
    correlation between true team scores; it is reported beside the observed one and never tested.
    It is NaN when a reliability is not positive, and it can exceed 1 when reliabilities are underestimated.

    Examples
    --------
    >>> round(disattenuated_correlation(0.3, reliability_x=0.7, reliability_y=0.8), 4)
    0.4009

    """
    if reliability_x <= 0 or reliability_y <= 0:
        return math.nan
    return r / math.sqrt(reliability_x * reliability_y)
