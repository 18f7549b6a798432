"""Key drivers: how much of the customers' view each employee dimension accounts for, across teams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from symmetry.arrays import FloatArray
from symmetry.stats._validation import check_confidence


@dataclass(frozen=True, slots=True)
class RelativeWeights:
    """Johnson's relative weights (summing to R^2), and their bootstrap intervals when asked for."""

    weights: FloatArray
    r2: float
    ci: FloatArray | None
    """(predictors x 2) percentile intervals over teams resampled, or None."""
    n: int


def _weights(x: FloatArray, y: FloatArray) -> tuple[FloatArray, float]:
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant resampled column gives NaN, refused below
        correlations = np.asarray(np.corrcoef(np.column_stack([x, y]), rowvar=False), dtype=np.float64)
    if np.isnan(correlations).any():
        raise ValueError("relative weights are undefined when the outcome or a predictor is constant")
    rxx, rxy = correlations[:-1, :-1], correlations[:-1, -1]
    eigenvalues, vectors = np.linalg.eigh(rxx)
    if eigenvalues.min() <= 1e-10:
        raise ValueError("the predictors are collinear: relative weights are undefined")
    lam = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.solve(lam, rxy)
    weights = (lam**2) @ (beta**2)
    return weights, float(weights.sum())


def relative_weights(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    n_resamples: int = 0,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> RelativeWeights:
    r"""Johnson's (2000) relative weights of correlated predictors.

    Parameters
    ----------
    X : array_like
        (teams x predictors) scores; rows with a NaN anywhere are dropped.
    y : array_like
        The outcome of each team.
    n_resamples : int
        Bootstrap resamples of teams for percentile intervals; 0 for none.
    confidence : float
        Coverage of the bootstrap intervals.
    rng : numpy.random.Generator or int, optional
        Seed or generator for the bootstrap, for reproducible intervals.

    Notes
    -----
    With :math:`R_{xx} = V D V^\top`, :math:`\Lambda = V D^{1/2} V^\top` is the correlation of the predictors with
    their closest orthogonal counterparts; :math:`\beta = \Lambda^{-1} r_{xy}` and the weights are
    :math:`\epsilon = \Lambda^{\circ 2} \beta^{\circ 2}`, which sum to :math:`R^2`.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor variables in
    multiple regression. *Multivariate Behavioral Research*, 35(1), 1-19.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3)); y = X @ [0.5, 0.3, 0.0] + rng.normal(size=50)
    >>> result = relative_weights(X, y)
    >>> bool(abs(result.weights.sum() - result.r2) < 1e-12), int(result.weights.argmax())
    (True, 0)

    """
    check_confidence(confidence)
    matrix = np.asarray(X, dtype=np.float64)
    outcome = np.asarray(y, dtype=np.float64)
    if matrix.ndim != 2 or outcome.ndim != 1 or matrix.shape[0] != outcome.shape[0]:
        raise ValueError(f"`X` must be (n x p) and `y` of length n, got {matrix.shape} and {outcome.shape}")
    complete = ~(np.isnan(matrix).any(axis=1) | np.isnan(outcome))
    matrix, outcome = matrix[complete], outcome[complete]
    n, p = matrix.shape
    if n and (np.ptp(outcome) == 0 or np.any(np.ptp(matrix, axis=0) == 0)):
        raise ValueError("relative weights are undefined when the outcome or a predictor is constant")
    if n <= p + 1:
        raise ValueError(f"relative weights need more teams than predictors plus one, got {n} for {p}")
    weights, r2 = _weights(matrix, outcome)
    intervals = None
    if n_resamples:
        generator = np.random.default_rng(rng)
        draws = []
        for _ in range(n_resamples):
            rows = generator.integers(0, n, n)
            try:
                draws.append(_weights(matrix[rows], outcome[rows])[0])
            except (ValueError, np.linalg.LinAlgError):
                continue  # a resample with too few distinct teams to invert: skipped, not counted
        tail = (1 - confidence) / 2 * 100
        intervals = np.percentile(np.asarray(draws), [tail, 100 - tail], axis=0).T
    return RelativeWeights(weights=weights, r2=r2, ci=intervals, n=n)
