"""Statistics for the symmetry of attention: aggregation to team level, gaps, linkage and outcomes.

Shaped like ``scipy.stats``: pure functions, keyword-only options, frozen result objects and a
``ValueError`` that says what is wrong with the input. Missing answers are NaN and are ignored.
"""

from symmetry.stats.aggregation import GroupStatistics, MeanEstimate, group_means, group_statistics, icc1, icc2
from symmetry.stats.correlation import (
    CorrelationMethod,
    CorrelationResult,
    correlation,
    disattenuated_correlation,
    minimum_detectable_correlation,
)
from symmetry.stats.differences import Difference, group_mean_differences, mean_difference
from symmetry.stats.outcomes import NetPromoterScore, group_net_promoter_scores, net_promoter_score

__all__ = [
    "CorrelationMethod",
    "CorrelationResult",
    "Difference",
    "GroupStatistics",
    "MeanEstimate",
    "NetPromoterScore",
    "correlation",
    "disattenuated_correlation",
    "group_mean_differences",
    "group_means",
    "group_net_promoter_scores",
    "group_statistics",
    "icc1",
    "icc2",
    "mean_difference",
    "minimum_detectable_correlation",
    "net_promoter_score",
]
