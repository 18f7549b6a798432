"""Internal consistency of a scale: Cronbach's alpha with Feldt's interval."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.stats._validation import check_confidence


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha with its confidence interval, and what it was computed on."""

    alpha: float
    ci: tuple[float, float]
    n: int
    items: int


def cronbach_alpha(items: npt.ArrayLike, *, confidence: float = 0.95) -> AlphaResult:
    r"""Cronbach's alpha of a scale, with the Feldt (1965) confidence interval.

    Parameters
    ----------
    items : array_like
        Answers, one row per respondent and one column per item (at least two). Rows with a missing answer
        are dropped (listwise).
    confidence : float
        Coverage of the interval.

    Notes
    -----
    :math:`\alpha = \frac{k}{k-1}\left(1 - \frac{\sum s_i^2}{s_X^2}\right)`. Feldt's interval treats
    :math:`(1 - \alpha)/(1 - \hat\alpha)` as F-distributed with :math:`n - 1` and :math:`(n - 1)(k - 1)` degrees
    of freedom.

    References
    ----------
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability coefficient
    twenty. *Psychometrika*, 30(3), 357-370.

    Examples
    --------
    >>> result = cronbach_alpha([[4, 5, 4], [2, 3, 3], [5, 5, 4], [3, 3, 2], [4, 4, 5]])
    >>> round(result.alpha, 4), result.n, result.items
    (0.8793, 5, 3)

    """
    check_confidence(confidence)
    matrix = np.asarray(items, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] < 2:
        raise ValueError(f"`items` must have one column per item and at least two items, got shape {matrix.shape}")
    matrix = matrix[~np.isnan(matrix).any(axis=1)]
    n = matrix.shape[0]
    if n < 3:
        raise ValueError(f"at least three complete rows are needed, got {n}")
    return alpha_from_variances(
        np.var(matrix, axis=0, ddof=1).tolist(), float(np.var(matrix.sum(axis=1), ddof=1)), n, confidence=confidence
    )


def alpha_from_variances(
    item_variances: list[float], total_variance: float, n: int, *, confidence: float = 0.95
) -> AlphaResult:
    """:func:`cronbach_alpha` from the item variances and the variance of respondents' totals (complete rows)."""
    check_confidence(confidence)
    k = len(item_variances)
    if k < 2 or n < 3:
        raise ValueError(f"alpha needs at least two items and three respondents, got {k} and {n}")
    if not total_variance > 0:
        raise ValueError("alpha is undefined when every respondent has the same total")
    alpha = k / (k - 1) * (1 - sum(item_variances) / total_variance)
    tail = (1 - confidence) / 2
    df_between, df_within = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(stats.f.ppf(1 - tail, df_between, df_within))
    high = 1 - (1 - alpha) * float(stats.f.ppf(tail, df_between, df_within))
    return AlphaResult(alpha=alpha, ci=(low, high), n=n, items=k)
