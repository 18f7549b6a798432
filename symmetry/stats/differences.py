"""Differences between two groups of answers: the perception and symmetry gaps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.stats._validation import as_float_vector, check_confidence_level


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


def mean_difference(a: npt.ArrayLike, b: npt.ArrayLike, *, confidence_level: float = 0.95) -> Difference:
    r"""Mean of `a` minus mean of `b`, with the Welch interval (unequal variances).

    NaN values are ignored. Each side needs at least two answers.

    Notes
    -----
    :math:`SE = \\sqrt{s_a^2/n_a + s_b^2/n_b}`, with Welch-Satterthwaite degrees of freedom.

    Examples
    --------
    >>> d = mean_difference([4, 5, 4, 5], [3, 3, 4, 2])
    >>> d.estimate, round(d.se, 4), [round(v, 3) for v in d.ci]
    (1.5, 0.5, [0.243, 2.757])

    """
    check_confidence_level(confidence_level)
    xa, xb = as_float_vector(a, "a"), as_float_vector(b, "b")
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    if xa.size < 2 or xb.size < 2:
        raise ValueError(f"each side needs at least two answers, got {xa.size} and {xb.size}")
    var_a, var_b = float(np.var(xa, ddof=1)) / xa.size, float(np.var(xb, ddof=1)) / xb.size
    se = math.sqrt(var_a + var_b)
    estimate = float(np.mean(xa) - np.mean(xb))
    if se == 0:
        return Difference(estimate=estimate, se=0.0, df=math.inf, ci=(estimate, estimate))
    df = (var_a + var_b) ** 2 / (var_a**2 / (xa.size - 1) + var_b**2 / (xb.size - 1))
    half_width = float(stats.t.ppf(0.5 + confidence_level / 2, df)) * se
    return Difference(estimate=estimate, se=se, df=df, ci=(estimate - half_width, estimate + half_width))
