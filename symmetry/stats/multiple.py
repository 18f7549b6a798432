"""Multiple comparisons: Benjamini-Hochberg adjusted p-values."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symmetry.arrays import FloatArray
from symmetry.stats._validation import as_float_vector


def fdr_bh(pvalues: npt.ArrayLike) -> FloatArray:
    r"""Benjamini-Hochberg adjusted p-values, as R's ``p.adjust(p, method = "BH")``.

    NaN p-values stay NaN and do not count among the tests, as R's default ``n = length(p[!is.na(p)])``.

    Notes
    -----
    With the m p-values sorted in decreasing order, the adjusted value of the one at rank i is
    :math:`\min_{j \ge i} \min(1, m\, p_{(j)} / j)` in increasing rank order.

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful approach
    to multiple testing. *Journal of the Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> fdr_bh([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.02, 0.04, 0.04, 0.02]

    """
    p = as_float_vector(pvalues, "pvalues")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = present.size
    if m == 0:
        return adjusted
    order = present[np.argsort(p[present])[::-1]]  # decreasing p
    ranks = np.arange(m, 0, -1)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(p[order] * m / ranks))
    return adjusted
