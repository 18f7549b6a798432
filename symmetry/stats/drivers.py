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
    r2_adjusted: float = float("nan")
    """R² adjusted for the number of predictors: 1 - (1 - R²)(n - 1)/(n - p - 1)."""
    r2_ci: tuple[float, float] = (float("nan"), float("nan"))
    """Percentile bootstrap interval of R²."""
    versus_random: FloatArray | None = None
    """(predictors x 2) intervals of each weight minus a random variable's, in a model that includes it."""
    resamples: int = 0
    failed_resamples: int = 0
    """Resamples whose predictors could not be inverted (too few distinct teams): counted, left out of intervals."""

    @property
    def significant(self) -> tuple[bool, ...]:
        """Whether each predictor's weight exceeds a random variable's (Tonidandel, LeBreton and Johnson 2009)."""
        if self.versus_random is None:
            return tuple(False for _ in self.weights)
        return tuple(bool(low > 0) for low in self.versus_random[:, 0])


def _weights(x: FloatArray, y: FloatArray) -> tuple[FloatArray, float]:
    return _weights_of(_correlations(x, y))


def _correlations(x: FloatArray, y: FloatArray) -> FloatArray:
    """The correlations of the predictors and the outcome (last), refused where a column is constant."""
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant resampled column gives NaN, refused below
        correlations = np.asarray(np.corrcoef(np.column_stack([x, y]), rowvar=False), dtype=np.float64)
    if np.isnan(correlations).any():
        raise ValueError("relative weights are undefined when the outcome or a predictor is constant")
    return correlations


def _weights_of(correlations: FloatArray) -> tuple[FloatArray, float]:
    """The weights and R² of the predictors whose correlations (outcome last) are given."""
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
        Bootstrap resamples of teams for percentile intervals (of the weights, of R² and of each weight minus a
        random variable's); 0 for none. Resamples that cannot be inverted are counted in `failed_resamples`.
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
    Tonidandel, S., LeBreton, J. M., & Johnson, J. W. (2009). Determining the statistical significance of
    relative weights. *Psychological Methods*, 14(4), 387-399.

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
    adjusted = 1 - (1 - r2) * (n - 1) / (n - p - 1)
    if not n_resamples:
        return RelativeWeights(weights=weights, r2=r2, ci=None, n=n, r2_adjusted=adjusted)
    generator = np.random.default_rng(rng)
    # Tonidandel, LeBreton and Johnson (2009): a random variable joins the predictors, and a weight is
    # significant when the interval of its difference from the random variable's lies above zero.
    noise = generator.standard_normal(n)
    with_noise = np.column_stack([matrix, noise])
    draws, r2_draws, differences = [], [], []
    failed = 0
    for _ in range(n_resamples):
        rows = generator.integers(0, n, n)
        try:
            # One correlation matrix for both models (the costly step): without the random variable, and with it.
            correlations = _correlations(with_noise[rows], outcome[rows])
            without = np.delete(np.delete(correlations, p, axis=0), p, axis=1)
            resampled, resampled_r2 = _weights_of(without)
            noisy = _weights_of(correlations)[0]
        except (ValueError, np.linalg.LinAlgError):
            failed += 1
            continue
        draws.append(resampled)
        r2_draws.append(resampled_r2)
        differences.append(noisy[:-1] - noisy[-1])
    if not draws:
        raise ValueError(f"none of the {n_resamples} resamples of {n} teams could be inverted")
    tail = (1 - confidence) / 2 * 100
    intervals = np.percentile(np.asarray(draws), [tail, 100 - tail], axis=0).T
    low, high = np.percentile(np.asarray(r2_draws), [tail, 100 - tail])
    versus_random = np.percentile(np.asarray(differences), [tail, 100 - tail], axis=0).T
    return RelativeWeights(
        weights=weights,
        r2=r2,
        ci=intervals,
        n=n,
        r2_adjusted=adjusted,
        r2_ci=(float(low), float(high)),
        versus_random=versus_random,
        resamples=n_resamples,
        failed_resamples=failed,
    )
