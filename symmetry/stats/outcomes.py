"""Outcome scores: net promoter scores and top-box shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.stats._validation import as_float_vector, check_confidence_level


@dataclass(frozen=True, slots=True)
class NetPromoterScore:
    """A net promoter score on -100..100 with its adjusted-Wald interval."""

    score: float
    ci: tuple[float, float]
    n: int
    promoters: int
    detractors: int


def net_promoter_score(answers: npt.ArrayLike, *, confidence_level: float = 0.95) -> NetPromoterScore:
    r"""Percent promoters (9-10) minus percent detractors (0-6), with the adjusted-Wald interval.

    Parameters
    ----------
    answers : array_like
        Answers on the 0-10 scale; NaN values are ignored.
    confidence_level : float, optional
        Coverage of the interval, 0.95 by default.

    Notes
    -----
    The interval adds 3/4 to the promoters and to the detractors and 3 to n, then takes the mean and
    variance of the -1/0/+1 coding: :math:`\\hat{p}_\\pm = (x_\\pm + 3/4)/(n + 3)`,
    :math:`V = \\hat{p}_+ + \\hat{p}_- - (\\hat{p}_+ - \\hat{p}_-)^2`, interval
    :math:`\\hat{p}_+ - \\hat{p}_- \\pm z \\sqrt{V / (n + 3)}`, clipped to -100..100.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*, 70(4).

    Examples
    --------
    >>> nps = net_promoter_score([10] * 50 + [8] * 30 + [3] * 20)
    >>> nps.score, [round(v, 2) for v in nps.ci]
    (30.0, [14.05, 44.2])

    """
    check_confidence_level(confidence_level)
    x = as_float_vector(answers, "answers")
    x = x[~np.isnan(x)]
    if x.size == 0:
        raise ValueError("a net promoter score needs at least one answer")
    if np.any((x < 0) | (x > 10)):
        raise ValueError("net promoter answers must lie on the 0-10 scale")
    n = int(x.size)
    promoters, detractors = int(np.sum(x >= 9)), int(np.sum(x <= 6))
    p_plus, p_minus = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    centre = p_plus - p_minus
    half_width = float(stats.norm.ppf(0.5 + confidence_level / 2)) * math.sqrt((p_plus + p_minus - centre**2) / (n + 3))
    return NetPromoterScore(
        score=100.0 * (promoters - detractors) / n,
        ci=(max(-100.0, 100.0 * (centre - half_width)), min(100.0, 100.0 * (centre + half_width))),
        n=n,
        promoters=promoters,
        detractors=detractors,
    )
