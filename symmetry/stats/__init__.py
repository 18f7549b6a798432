"""Statistics for the symmetry of attention: aggregation to team level, gaps, linkage and outcomes.

Shaped like ``scipy.stats``: pure functions, keyword-only options, frozen result objects and a
``ValueError`` that says what is wrong with the input. Missing answers are NaN and are ignored.

Imported on first use (PEP 562), so that a command that only reads the disclosure rules does not load scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symmetry.stats.aggregation import (
        GroupStatistics,
        IccIntervals,
        MeanEstimate,
        RandomInterceptIcc,
        adjusted_group_size,
        group_means,
        group_statistics,
        icc1,
        icc1_from_statistics,
        icc2,
        icc2_from_statistics,
        icc_intervals,
        icc_reml,
        means_from_statistics,
        pooled_statistics,
        statistics_from_sums,
        statistics_of_means,
        subset_statistics,
    )
    from symmetry.stats.agreement import (
        SLIGHTLY_SKEWED_5,
        average_deviation,
        awg,
        awg_from_statistics,
        null_variance,
        rwg,
        rwg_from_statistics,
        rwg_j,
        rwg_j_from_statistics,
        uniform_null_variance,
    )
    from symmetry.stats.correlation import (
        MIN_RELIABILITY,
        CorrectedCorrelation,
        CorrelationMethod,
        CorrelationResult,
        DependentComparison,
        LaggedPath,
        compare_dependent_correlations,
        corrected_correlation,
        correlation,
        lagged_path,
        partial_correlation,
    )
    from symmetry.stats.differences import (
        Difference,
        differences_from_statistics,
        group_mean_differences,
        mean_difference,
    )
    from symmetry.stats.drivers import (
        RelativeWeights,
        relative_weights,
    )
    from symmetry.stats.multiple import (
        fdr_bh,
    )
    from symmetry.stats.outcomes import (
        NetPromoterScore,
        group_nps,
        nps,
        nps_from_counts,
    )
    from symmetry.stats.power import (
        correlation_power,
        critical_correlation,
        teams_for_power,
    )
    from symmetry.stats.reliability import (
        AlphaResult,
        alpha_from_variances,
        cronbach_alpha,
    )


_SOURCES = {
    "AlphaResult": "reliability",
    "CorrectedCorrelation": "correlation",
    "CorrelationMethod": "correlation",
    "CorrelationResult": "correlation",
    "DependentComparison": "correlation",
    "Difference": "differences",
    "GroupStatistics": "aggregation",
    "IccIntervals": "aggregation",
    "LaggedPath": "correlation",
    "MIN_RELIABILITY": "correlation",
    "MeanEstimate": "aggregation",
    "RandomInterceptIcc": "aggregation",
    "NetPromoterScore": "outcomes",
    "RelativeWeights": "drivers",
    "SLIGHTLY_SKEWED_5": "agreement",
    "adjusted_group_size": "aggregation",
    "alpha_from_variances": "reliability",
    "average_deviation": "agreement",
    "awg": "agreement",
    "awg_from_statistics": "agreement",
    "compare_dependent_correlations": "correlation",
    "corrected_correlation": "correlation",
    "correlation": "correlation",
    "correlation_power": "power",
    "critical_correlation": "power",
    "cronbach_alpha": "reliability",
    "differences_from_statistics": "differences",
    "fdr_bh": "multiple",
    "group_mean_differences": "differences",
    "group_means": "aggregation",
    "group_nps": "outcomes",
    "group_statistics": "aggregation",
    "icc1": "aggregation",
    "icc1_from_statistics": "aggregation",
    "icc2": "aggregation",
    "icc2_from_statistics": "aggregation",
    "icc_intervals": "aggregation",
    "icc_reml": "aggregation",
    "lagged_path": "correlation",
    "mean_difference": "differences",
    "means_from_statistics": "aggregation",
    "nps": "outcomes",
    "nps_from_counts": "outcomes",
    "null_variance": "agreement",
    "partial_correlation": "correlation",
    "pooled_statistics": "aggregation",
    "relative_weights": "drivers",
    "rwg": "agreement",
    "rwg_from_statistics": "agreement",
    "rwg_j": "agreement",
    "rwg_j_from_statistics": "agreement",
    "statistics_from_sums": "aggregation",
    "statistics_of_means": "aggregation",
    "subset_statistics": "aggregation",
    "teams_for_power": "power",
    "uniform_null_variance": "agreement",
}
"""Each public name and the module of ``symmetry.stats`` that defines it."""


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module 'symmetry.stats' has no attribute {name!r}")
    source = importlib.import_module(f"symmetry.stats.{module}")
    value = getattr(source, name)
    globals()[name] = value
    if module in _SOURCES:
        # Its first import made the package's attribute the submodule `correlation`, which a function shares the
        # name of: the function is the public name.
        globals()[module] = getattr(source, module)
    return value


__all__ = [
    "MIN_RELIABILITY",
    "SLIGHTLY_SKEWED_5",
    "AlphaResult",
    "CorrectedCorrelation",
    "CorrelationMethod",
    "CorrelationResult",
    "DependentComparison",
    "Difference",
    "GroupStatistics",
    "IccIntervals",
    "LaggedPath",
    "MeanEstimate",
    "NetPromoterScore",
    "RandomInterceptIcc",
    "RelativeWeights",
    "adjusted_group_size",
    "alpha_from_variances",
    "average_deviation",
    "awg",
    "awg_from_statistics",
    "compare_dependent_correlations",
    "corrected_correlation",
    "correlation",
    "correlation_power",
    "critical_correlation",
    "cronbach_alpha",
    "differences_from_statistics",
    "fdr_bh",
    "group_mean_differences",
    "group_means",
    "group_nps",
    "group_statistics",
    "icc1",
    "icc1_from_statistics",
    "icc2",
    "icc2_from_statistics",
    "icc_intervals",
    "icc_reml",
    "lagged_path",
    "mean_difference",
    "means_from_statistics",
    "nps",
    "nps_from_counts",
    "null_variance",
    "partial_correlation",
    "pooled_statistics",
    "relative_weights",
    "rwg",
    "rwg_from_statistics",
    "rwg_j",
    "rwg_j_from_statistics",
    "statistics_from_sums",
    "statistics_of_means",
    "subset_statistics",
    "teams_for_power",
    "uniform_null_variance",
]
