"""Cross-lagged comparison of two waves, gap labels, key drivers' threshold and the BCa interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from symmetry.analysis import gap_label
from symmetry.linkage import TeamPoint, key_drivers, lagged_linkage
from symmetry.stats import Difference, compare_dependent_correlations, correlation


def test_lagged_linkage_correlates_across_waves_and_compares_with_steiger() -> None:
    rng = np.random.default_rng(3)
    teams = [f"T{j}" for j in range(40)]
    e1, c1 = rng.normal(size=40), rng.normal(size=40)
    e2, c2 = e1 * 0.6 + rng.normal(size=40), e1 * 0.5 + c1 * 0.3 + rng.normal(size=40)
    earlier = [TeamPoint(t, e, c, 10) for t, e, c in zip(teams, e1, c1, strict=True)]
    later = [TeamPoint(t, e, c, 10) for t, e, c in zip(teams, e2, c2, strict=True)][::-1]  # order does not matter
    result = lagged_linkage(earlier, [*later, TeamPoint("new team", 0.0, 0.0, 10)])
    assert result is not None
    assert result.n == 40
    assert result.employee_then_customer.r == pytest.approx(stats.pearsonr(e1, c2).statistic)
    assert result.customer_then_employee.r == pytest.approx(stats.pearsonr(c1, e2).statistic)
    r = np.corrcoef(np.vstack([e1, c2, c1, e2]))
    expected = compare_dependent_correlations(
        r12=r[0, 1], r34=r[2, 3], r13=r[0, 2], r14=r[0, 3], r23=r[1, 2], r24=r[1, 3], n=40
    )
    assert result.comparison == expected
    assert lagged_linkage(earlier[:4], later) is None


@pytest.mark.parametrize(
    ("ci", "estimate", "label"),
    [((0.1, 0.9), 0.5, "over-estimates"), ((-0.9, -0.1), -0.5, "under-estimates"), ((-0.2, 0.8), 0.3, "in line")],
)
def test_a_gap_gets_a_direction_only_when_its_interval_excludes_zero(
    ci: tuple[float, float], estimate: float, label: str
) -> None:
    assert gap_label(Difference(estimate=estimate, se=0.2, df=10, ci=ci)) == label
    assert gap_label(None) is None


def test_key_drivers_need_thirty_teams() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(29, 3))
    y = X @ [0.5, 0.2, 0.1] + rng.normal(size=29)
    assert key_drivers(["a", "b", "c"], X.tolist(), y.tolist()) is None
    X = rng.normal(size=(60, 3))
    y = X @ [0.5, 0.2, 0.1] + rng.normal(size=60)
    drivers = key_drivers(["a", "b", "c"], X.tolist(), y.tolist(), n_resamples=200)
    assert drivers is not None
    assert sum(drivers.weights) == pytest.approx(drivers.r2)
    assert drivers.weights[0] == max(drivers.weights)


def test_bca_interval_is_seeded_and_near_fisher_on_many_teams() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=400)
    y = 0.4 * x + rng.normal(size=400)
    first = correlation(x, y, interval="bca", n_resamples=999, rng=5)
    again = correlation(x, y, interval="bca", n_resamples=999, rng=5)
    fisher = correlation(x, y)
    assert first.ci == again.ci
    assert first.ci[0] < first.r < first.ci[1]
    assert first.ci == pytest.approx(fisher.ci, abs=0.03)
    with pytest.raises(ValueError, match="interval"):
        correlation(x, y, interval="percentile")  # type: ignore[arg-type]
