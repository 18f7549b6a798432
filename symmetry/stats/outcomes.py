"""Outcome scores: net promoter scores, for one set of answers or for every group at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector, check_confidence, check_same_length
from symmetry.stats.aggregation import python_labels


@dataclass(frozen=True, slots=True)
class NetPromoterScore:
    """A net promoter score on -100..100 with its adjusted-Wald interval."""

    score: float
    ci: tuple[float, float]
    n: int
    promoters: int
    detractors: int


def _checked_answers(answers: npt.ArrayLike) -> FloatArray:
    x = as_float_vector(answers, "answers")
    if np.any((x < 0) | (x > 10)):
        raise ValueError("net promoter answers must lie on the 0-10 scale")
    return x


def _adjusted_wald(
    n: npt.NDArray[np.int64],
    promoters: npt.NDArray[np.int64],
    detractors: npt.NDArray[np.int64],
    confidence: float,
) -> list[NetPromoterScore]:
    p_plus, p_minus = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    centre = p_plus - p_minus
    half_width = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt((p_plus + p_minus - centre**2) / (n + 3))
    low, high = np.maximum(-100.0, 100.0 * (centre - half_width)), np.minimum(100.0, 100.0 * (centre + half_width))
    return [
        NetPromoterScore(
            score=100.0 * (int(pro) - int(det)) / int(count),
            ci=(float(lo), float(hi)),
            n=int(count),
            promoters=int(pro),
            detractors=int(det),
        )
        for count, pro, det, lo, hi in zip(n, promoters, detractors, low, high, strict=True)
    ]


def nps(scores: npt.ArrayLike, *, confidence: float = 0.95) -> NetPromoterScore:
    r"""Percent promoters (9-10) minus percent detractors (0-6), with the adjusted-Wald interval.

    Parameters
    ----------
    scores : array_like
        Answers on the 0-10 scale; NaN values are ignored.
    confidence : float, optional
        Coverage of the interval, 0.95 by default.

    Notes
    -----
    The interval adds 3/4 to the promoters and to the detractors and 3 to n, then takes the mean and
    variance of the -1/0/+1 coding: :math:`\hat{p}_\pm = (x_\pm + 3/4)/(n + 3)`,
    :math:`V = \hat{p}_+ + \hat{p}_- - (\hat{p}_+ - \hat{p}_-)^2`, interval
    :math:`\hat{p}_+ - \hat{p}_- \pm z \sqrt{V / (n + 3)}`, clipped to -100..100.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*, 70(4).

    Examples
    --------
    >>> nps = nps([10] * 50 + [8] * 30 + [3] * 20)
    >>> nps.score, [round(v, 2) for v in nps.ci]
    (30.0, [14.05, 44.2])

    """
    check_confidence(confidence)
    x = _checked_answers(scores)
    x = x[~np.isnan(x)]
    if x.size == 0:
        raise ValueError("a net promoter score needs at least one answer")
    counts = (np.array([x.size]), np.array([np.sum(x >= 9)]), np.array([np.sum(x <= 6)]))
    return _adjusted_wald(*counts, confidence)[0]


def group_nps(
    answers: npt.ArrayLike, groups: npt.ArrayLike, *, confidence: float = 0.95
) -> dict[Any, NetPromoterScore]:
    """:func:`nps` for every group in one pass; groups with no answer are left out.

    Examples
    --------
    >>> scores = group_nps([10, 9, 3, 7, float("nan")], ["a", "a", "a", "b", "c"])
    >>> {team: round(s.score, 1) for team, s in scores.items()}
    {'a': 33.3, 'b': 0.0}

    """
    check_confidence(confidence)
    x = _checked_answers(answers)
    labels_in = np.asarray(groups)
    check_same_length(x, labels_in, ("answers", "groups"))
    answered = ~np.isnan(x)
    labels, index = np.unique(labels_in[answered], return_inverse=True)
    x = x[answered]

    def count(selected: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.bincount(index, weights=selected, minlength=labels.size).astype(np.int64)

    return nps_from_counts(
        labels, count(np.ones(x.size, dtype=bool)), count(x >= 9), count(x <= 6), confidence=confidence
    )


def nps_from_counts(
    labels: npt.ArrayLike,
    n: npt.ArrayLike,
    promoters: npt.ArrayLike,
    detractors: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> dict[Any, NetPromoterScore]:
    """:func:`group_nps` from per-group counts of answers, promoters and detractors."""
    check_confidence(confidence)
    scores = _adjusted_wald(
        np.asarray(n, dtype=np.int64),
        np.asarray(promoters, dtype=np.int64),
        np.asarray(detractors, dtype=np.int64),
        confidence,
    )
    return dict(zip(python_labels(np.asarray(labels)), scores, strict=True))
