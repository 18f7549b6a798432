"""Statistics for the symmetry of attention: aggregation to team level, gaps, linkage and outcomes.

Shaped like ``scipy.stats``: pure functions, keyword-only options, frozen result objects and a
``ValueError`` that says what is wrong with the input. Missing answers are NaN and are ignored.
"""

from symmetry.stats.aggregation import (
    GroupStatistics,
    MeanEstimate,
    group_means,
    group_statistics,
    icc1,
    icc1_from_statistics,
    icc2,
    icc2_from_statistics,
    means_from_statistics,
    pooled_statistics,
    statistics_from_sums,
)
from symmetry.stats.agreement import (
    average_deviation,
    awg,
    awg_from_statistics,
    rwg,
    rwg_from_statistics,
    rwg_j,
    rwg_j_from_statistics,
    uniform_null_variance,
)
from symmetry.stats.correlation import (
    CorrelationMethod,
    CorrelationResult,
    DependentComparison,
    compare_dependent_correlations,
    correlation,
    disattenuated_correlation,
    minimum_detectable_correlation,
    partial_correlation,
)
from symmetry.stats.differences import Difference, differences_from_statistics, group_mean_differences, mean_difference
from symmetry.stats.drivers import RelativeWeights, relative_weights
from symmetry.stats.multiple import fdr_bh
from symmetry.stats.outcomes import NetPromoterScore, group_nps, nps, nps_from_counts
from symmetry.stats.reliability import AlphaResult, alpha_from_variances, cronbach_alpha

__all__ = [
    "AlphaResult",
    "CorrelationMethod",
    "CorrelationResult",
    "DependentComparison",
    "Difference",
    "GroupStatistics",
    "MeanEstimate",
    "NetPromoterScore",
    "RelativeWeights",
    "alpha_from_variances",
    "average_deviation",
    "awg",
    "awg_from_statistics",
    "compare_dependent_correlations",
    "correlation",
    "cronbach_alpha",
    "differences_from_statistics",
    "disattenuated_correlation",
    "fdr_bh",
    "group_mean_differences",
    "group_means",
    "group_nps",
    "group_statistics",
    "icc1",
    "icc1_from_statistics",
    "icc2",
    "icc2_from_statistics",
    "mean_difference",
    "means_from_statistics",
    "minimum_detectable_correlation",
    "nps",
    "nps_from_counts",
    "partial_correlation",
    "pooled_statistics",
    "relative_weights",
    "rwg",
    "rwg_from_statistics",
    "rwg_j",
    "rwg_j_from_statistics",
    "statistics_from_sums",
    "uniform_null_variance",
]
