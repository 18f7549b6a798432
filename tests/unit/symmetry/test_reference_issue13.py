"""Power, ICC intervals, awg and the corrected correlation, pinned to R (``tests/reference/issue13_reference.R``).

The script's output is kept beside it (``issue13_reference.json``), so these tests need no R.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from surveys.instruments.loader import load_instrument
from symmetry.analysis import AnswerMatrix, analyse_wave
from symmetry.domain import Respondent
from symmetry.linkage import TeamPoint, build_linkage, lagged_linkage, power_statement
from symmetry.simulation import GenerativeModel, Simulator
from symmetry.stats import (
    SLIGHTLY_SKEWED_5,
    adjusted_group_size,
    awg,
    corrected_correlation,
    correlation,
    correlation_power,
    critical_correlation,
    differences_from_statistics,
    group_statistics,
    icc1_from_statistics,
    icc2_from_statistics,
    icc_intervals,
    icc_reml,
    lagged_path,
    mean_difference,
    means_from_statistics,
    null_variance,
    relative_weights,
    statistics_from_sums,
    statistics_of_means,
    subset_statistics,
    teams_for_power,
)

R = json.loads((Path(__file__).parents[2] / "reference" / "issue13_reference.json").read_text())


def test_power_matches_pwr_r_test() -> None:
    power = R["power"]
    assert correlation_power(0.33 * math.sqrt(0.6 * 0.4), 35) == pytest.approx(power["power_r033_n35_rel"], abs=1e-12)
    assert correlation_power(0.30, 84) == pytest.approx(power["power_r030_n84"], abs=1e-12)
    assert correlation_power(0.50, 20) == pytest.approx(power["power_r050_n20"], abs=1e-12)
    for r, key in ((0.30, "n_r030"), (0.50, "n_r050"), (0.10, "n_r010"), (0.33 * math.sqrt(0.24), "n_r033_rel")):
        # pwr solves with uniroot's default tolerance (about 1.2e-4); ours is solved to 1e-9 teams.
        assert teams_for_power(r) == pytest.approx(power[key], abs=1.2e-4)
        assert correlation_power(r, teams_for_power(r)) == pytest.approx(0.8, abs=1e-9)
    assert critical_correlation(35) == pytest.approx(power["critical_n35"], abs=1e-12)
    assert critical_correlation(20) == pytest.approx(power["critical_n20"], abs=1e-12)


def test_the_three_power_figures_are_not_one_another() -> None:
    """At 35 teams the smallest significant observed r is .33; the misread figure (.46) is none of the three."""
    power = power_statement(35, 0.6, 0.4)
    assert power.critical_r == pytest.approx(0.334, abs=1e-3)
    assert power.expected_r == pytest.approx(0.33 * math.sqrt(0.24))
    assert power.power == pytest.approx(R["power"]["power_r033_n35_rel"], abs=1e-12)
    assert power.teams_needed == math.ceil(R["power"]["n_r033_rel"]) == 298
    unreliable = power_statement(35, -0.2, 0.4)
    assert (unreliable.expected_r, unreliable.power, unreliable.teams_needed) == (None, None, None)


def test_a_link_that_four_teams_already_detect_needs_four_teams() -> None:
    # pwr.r.test finds no root there (uniroot's interval starts at 4): the fewest teams a correlation is tested on.
    assert teams_for_power(0.95, power=0.5) == 4.0
    assert correlation_power(0.95, 4) >= 0.5
    assert teams_for_power(0.9, power=0.5, alpha=0.1) == 4.0


def test_power_refuses_what_it_cannot_compute() -> None:
    with pytest.raises(ValueError, match="exceed 3"):
        correlation_power(0.3, 3)
    with pytest.raises(ValueError, match="between -1 and 1"):
        correlation_power(1.0, 30)
    with pytest.raises(ValueError, match="power"):
        teams_for_power(0.3, power=1.0)
    assert math.isinf(teams_for_power(0.0))


def test_icc_intervals_match_psych_icc_on_a_balanced_design() -> None:
    icc = R["icc"]
    summary = group_statistics(icc["answers"], icc["teams"])
    assert icc1_from_statistics(summary) == pytest.approx(icc["icc1"], abs=1e-12)
    assert icc2_from_statistics(summary) == pytest.approx(icc["icc1k"], abs=1e-12)
    intervals = icc_intervals(summary)
    assert intervals.icc1 == pytest.approx((icc["icc1_lower"], icc["icc1_upper"]), abs=1e-12)
    assert intervals.icc2 == pytest.approx((icc["icc1k_lower"], icc["icc1k_upper"]), abs=1e-12)
    assert intervals.k == 5


def test_the_adjusted_group_size_is_below_the_mean_size_for_unequal_teams() -> None:
    sizes = [2, 6, 10]
    summary = statistics_from_sums(["a", "b", "c"], sizes, [6, 18, 30], [20, 60, 100])
    total = sum(sizes)
    assert adjusted_group_size(summary) == pytest.approx((total - sum(n * n for n in sizes) / total) / 2)
    assert adjusted_group_size(summary) < total / 3


def test_awg_matches_multilevel_awg_with_its_na() -> None:
    expected = R["awg"]
    ours = awg(expected["answers"], expected["groups"], low=1, high=5)
    assert list(ours) == expected["labels"]
    for label, value in zip(expected["labels"], expected["awg"], strict=True):
        if value is None:
            assert math.isnan(ours[label]), label
        else:
            assert ours[label] == pytest.approx(value, abs=1e-12), label


def _teams(rng: np.random.Generator, true_r: float, teams: int, per_team: int, icc1: float) -> tuple:
    """Answers of two sides in `teams` teams whose true scores correlate at `true_r`."""
    true = rng.multivariate_normal([0, 0], [[1, true_r], [true_r, 1]], size=teams)
    noise = math.sqrt((1 - icc1) / icc1)
    labels = np.repeat(np.arange(teams), per_team)
    x = true[labels, 0] + rng.normal(0, noise, labels.size)
    y = true[labels, 1] + rng.normal(0, noise, labels.size)
    return group_statistics(x, labels), group_statistics(y, labels)


def test_a_corrected_correlation_past_one_is_never_given_as_a_number() -> None:
    rng = np.random.default_rng(7)
    past_one = 0
    for _ in range(200):
        x, y = _teams(rng, 0.9, 12, 8, 0.15)
        observed = correlation(x.mean, y.mean)
        corrected = corrected_correlation(observed, x, y)
        if corrected.value is None:
            assert corrected.not_interpretable in {"low_reliability", "above_one"}
            assert all(math.isnan(bound) for bound in corrected.ci)
            if corrected.not_interpretable == "above_one":
                past_one += observed.r / math.sqrt(corrected.reliability_x * corrected.reliability_y) > 1
        else:
            assert -1 <= corrected.ci[0] <= corrected.value <= corrected.ci[1] <= 1
            assert corrected.reliability_x >= 0.5 and corrected.reliability_y >= 0.5
    assert past_one > 0  # the plain division would have printed values past 1


def test_the_corrected_interval_covers_the_true_correlation_at_least_as_often_as_it_says() -> None:
    rng = np.random.default_rng(11)
    covered = given = 0
    for _ in range(400):
        x, y = _teams(rng, 0.4, 40, 12, 0.2)
        corrected = corrected_correlation(correlation(x.mean, y.mean), x, y)
        if corrected.value is not None:
            given += 1
            covered += corrected.ci[0] <= 0.4 <= corrected.ci[1]
    assert given > 300
    assert covered / given >= 0.95  # conservative by construction: usually about 0.99


def test_low_reliability_makes_the_correction_not_interpretable() -> None:
    rng = np.random.default_rng(3)
    x, y = _teams(rng, 0.5, 30, 3, 0.05)
    corrected = corrected_correlation(correlation(x.mean, y.mean), x, y)
    assert min(corrected.reliability_x, corrected.reliability_y) < 0.5
    assert corrected.value is None and corrected.not_interpretable == "low_reliability"


def test_the_linkage_takes_its_reliabilities_from_the_teams_it_correlates() -> None:
    rng = np.random.default_rng(5)
    x, y = _teams(rng, 0.5, 20, 10, 0.3)
    # A team outside the correlation (its customers withheld, say) with wildly different employees.
    outlier = statistics_from_sums([99], [10], [300.0], [9_100.0])
    employees = statistics_from_sums(
        np.concatenate([x.labels, [99]]),
        np.concatenate([x.n, outlier.n]),
        np.concatenate([x.mean * x.n, [300.0]]),
        np.concatenate([x.variance * (x.n - 1) + x.mean**2 * x.n, [9_100.0]]),
    )
    points = [
        TeamPoint(int(label), float(e), float(c), 10) for label, e, c in zip(x.labels, x.mean, y.mean, strict=True)
    ]
    linkage = build_linkage("overall", points, employee=employees, customer=y)
    assert linkage.employee_reliability == pytest.approx(icc2_from_statistics(x), abs=1e-12)
    assert linkage.employee_reliability != pytest.approx(icc2_from_statistics(employees), abs=1e-3)
    assert subset_statistics(employees, x.labels).labels.tolist() == x.labels.tolist()
    assert linkage.corrected is not None and linkage.power is not None


def test_the_function_correlation_stays_public_whichever_name_is_imported_first() -> None:
    """`symmetry.stats.correlation` is both a submodule and a function; importing the submodule first must not win."""
    script = (
        "from symmetry import stats\n"
        "from symmetry.stats import corrected_correlation\n"
        "print(callable(stats.correlation), stats.correlation.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "correlation"]


def test_teams_with_equal_means_tie_exactly_whatever_the_items_answered() -> None:
    """Team a: 4 and 4 on one item each; team b: 27/7 and 29/7 over seven items; team c: 28/7 twice. All mean 4."""
    groups = ["a", "a", "b", "b", "c", "c", "d"]
    totals = [4, 4, 27, 29, 28, 28, 30]
    counts = [1, 1, 7, 7, 7, 7, 7]
    summary = statistics_of_means(groups, totals, counts)
    assert summary.mean.tolist()[:3] == [4.0, 4.0, 4.0]
    assert summary.mean[3] == pytest.approx(30 / 7)
    assert summary.variance[1] == pytest.approx(np.var([27 / 7, 29 / 7], ddof=1), abs=1e-12)
    # The order of the rows changes nothing, bit for bit.
    order = [6, 3, 1, 5, 0, 2, 4]
    shuffled = statistics_of_means([groups[i] for i in order], [totals[i] for i in order], [counts[i] for i in order])
    assert shuffled.mean.tobytes() == summary.mean.tobytes()
    assert shuffled.variance.tobytes() == summary.variance.tobytes()


def test_ranks_tie_where_team_means_are_equal() -> None:
    """Spearman's and Kendall's coefficients see equal means as ties, as R does on the exact means."""
    rng = np.random.default_rng(2)
    groups, totals, counts = [], [], []
    for team in range(12):
        for _ in range(6):
            k = int(rng.integers(1, 8))
            groups.append(team)
            counts.append(k)
            totals.append(int(rng.integers(k, 5 * k + 1)))
    # Two copies of team 0 written with other item counts: the same exact mean, so tied ranks.
    for copy in (12, 13):
        for total, count in zip(totals[:6], counts[:6], strict=True):
            groups.append(copy)
            totals.append(total * 2)
            counts.append(count * 2)
    summary = statistics_of_means(groups, totals, counts)
    exact = [
        sum(Fraction(t, c) for g, t, c in zip(groups, totals, counts, strict=True) if g == team) / 6
        for team in range(14)
    ]
    assert summary.mean.tolist() == [float(value) for value in exact]
    assert summary.mean[0] == summary.mean[12] == summary.mean[13]
    other = np.arange(14, dtype=float)[::-1]
    ranks = correlation(summary.mean, other, method="spearman")
    assert ranks.r == pytest.approx(stats.spearmanr([float(v) for v in exact], other).statistic, abs=1e-15)


def test_a_gap_without_spread_has_no_interval_and_no_p_value() -> None:
    gap = mean_difference([4] * 5, [5, 5, 5])
    assert gap.estimate == -1
    assert all(math.isnan(bound) for bound in gap.ci) and math.isnan(gap.pvalue)
    assert not gap.excludes_zero  # nothing is stated as certain


def test_a_gap_needs_three_answers_on_each_side_by_default() -> None:
    with pytest.raises(ValueError, match="at least 3 answers, got 5 and 2"):
        mean_difference([4] * 5, [5, 5])
    assert mean_difference([4, 5], [5, 4], min_answers=2).estimate == 0
    gaps = differences_from_statistics(
        group_statistics([3, 4, 5, 3, 4, 5, 2], ["t", "t", "t", "u", "u", "u", "u"]),
        group_statistics([4, 4, 5, 2, 3], ["t", "t", "t", "u", "u"]),
    )
    assert list(gaps) == ["t"]  # u has two customers


def test_exact_means_hold_for_long_questionnaires_too() -> None:
    """Past what one common denominator can hold in a float (here up to 40 items), the means still come out exact."""
    rng = np.random.default_rng(4)
    counts = rng.integers(1, 41, 300)
    totals = np.array([int(rng.integers(k, 5 * k + 1)) for k in counts])
    groups = rng.integers(0, 9, 300)
    summary = statistics_of_means(groups, totals, counts)
    exact = [
        sum(
            (Fraction(int(t), int(k)) for t, k, g in zip(totals, counts, groups, strict=True) if g == team), Fraction(0)
        )
        / int(np.sum(groups == team))
        for team in range(9)
    ]
    assert summary.mean.tolist() == [float(value) for value in exact]


def test_relative_weights_test_against_a_random_variable_separates_only_the_real_driver() -> None:
    """Percentile intervals of weights exclude zero for every driver; the random-variable test does not."""
    rng = np.random.default_rng(0)
    shared = rng.normal(size=(60, 1))
    X = 0.7 * shared + 0.7 * rng.normal(size=(60, 4))  # four correlated dimensions
    y = X[:, 0] * 0.8 + rng.normal(size=60)
    result = relative_weights(X, y, n_resamples=400, rng=1)
    assert result.ci is not None and bool((result.ci[:, 0] > 0).all())  # what misled before
    assert result.significant[0] and not any(result.significant[1:])
    assert result.r2_adjusted == pytest.approx(1 - (1 - result.r2) * 59 / 55)
    assert result.r2_ci[0] < result.r2 < result.r2_ci[1]
    assert (result.resamples, result.failed_resamples) == (400, 0)


def test_resamples_that_cannot_be_inverted_are_counted_not_hidden() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 3))
    X = np.vstack([X, X[:1].repeat(3, axis=0)])  # few distinct teams: many resamples are collinear
    y = X @ [0.5, 0.2, 0.1] + rng.normal(size=12)
    result = relative_weights(X, y, n_resamples=300, rng=2)
    assert result.failed_resamples > 0
    assert result.resamples == 300


def test_the_slightly_skewed_null_has_the_published_variance() -> None:
    """LeBreton and Senter (2008), table 3: 1.34 for a slightly skewed 5-point null (2.00 uniform)."""
    assert null_variance(SLIGHTLY_SKEWED_5) == pytest.approx(1.34, abs=1e-12)
    assert null_variance((0.2,) * 5) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="summing to 1"):
        null_variance((0.5, 0.6))


def test_item_level_agreement_is_reported_beside_rwg_j() -> None:
    """Over seven distinct dimensions rwg(j) reads more agreement than any of the items shows."""
    instrument = load_instrument("attention")
    simulator = Simulator(instrument, GenerativeModel(), 12, np.random.default_rng(6))
    employees = AnswerMatrix.from_responses(
        [i.id for i in instrument.items_for(Respondent.EMPLOYEE)],
        [(f"T{j:02d}", simulator.employee(j)) for j in range(12) for _ in range(12)],
    )
    customers = AnswerMatrix.from_responses(
        [i.id for i in instrument.items_for(Respondent.CUSTOMER)],
        [(f"T{j:02d}", simulator.customer(j)) for j in range(12) for _ in range(20)],
    )
    analysis = analyse_wave(instrument, employees, customers)
    overall = next(i for i in analysis.aggregation if i.dimension == "overall" and i.voice.value == "employee")
    assert overall.rwg_items < overall.rwg  # rwg(j) over seven dimensions overstates agreement
    assert overall.rwg_skewed <= overall.rwg_items  # a smaller null variance gives less agreement
    assert overall.icc2_ci[0] < overall.icc2 < overall.icc2_ci[1]
    assert overall.k0 == pytest.approx(12)
    one = next(i for i in analysis.aggregation if i.dimension != "overall" and i.voice.value == "employee")
    assert one.rwg_items == pytest.approx(one.rwg)


def test_cross_lagged_paths_match_lm_on_z_scores() -> None:
    lagged = R["lagged"]
    for name, (predictor, control, outcome) in {
        "employee_then_customer": ("e1", "c1", "c2"),
        "customer_then_employee": ("c1", "e1", "e2"),
    }.items():
        path = lagged_path(lagged[predictor], lagged[control], lagged[outcome])
        expected = lagged[name]
        assert path.coefficient == pytest.approx(expected["coefficient"], abs=1e-12)
        assert path.ci == pytest.approx((expected["lower"], expected["upper"]), abs=1e-12)
        assert path.pvalue == pytest.approx(expected["pvalue"], rel=1e-9)
        assert path.n == 12


def test_the_lagged_linkage_carries_both_paths() -> None:
    lagged = R["lagged"]
    teams = [f"T{j}" for j in range(12)]
    earlier = [TeamPoint(t, e, c, 10) for t, e, c in zip(teams, lagged["e1"], lagged["c1"], strict=True)]
    later = [TeamPoint(t, e, c, 10) for t, e, c in zip(teams, lagged["e2"], lagged["c2"], strict=True)]
    linkage = lagged_linkage(earlier, later)
    assert linkage is not None and linkage.employee_path is not None and linkage.customer_path is not None
    assert linkage.employee_path.coefficient == pytest.approx(lagged["employee_then_customer"]["coefficient"])
    assert linkage.customer_path.coefficient == pytest.approx(lagged["customer_then_employee"]["coefficient"])
    with pytest.raises(ValueError, match="at least 5 teams"):
        lagged_path([1, 2, 3, 4], [1, 2, 3, 5], [2, 3, 4, 4])


def test_team_mean_intervals_stay_on_the_scale() -> None:
    summary = group_statistics([5, 5, 5, 4, 1, 1, 2, 3], ["a", "a", "a", "a", "b", "b", "b", "b"])
    plain = means_from_statistics(summary)
    bounded = means_from_statistics(summary, bounds=(1, 5))
    assert plain["a"].ci[1] > 5 and plain["b"].ci[0] < 1  # what about 8% of the demo's team intervals did
    assert bounded["a"].ci == (plain["a"].ci[0], 5.0) and bounded["b"].ci == (1.0, plain["b"].ci[1])
    assert bounded["a"].mean == plain["a"].mean


@pytest.mark.parametrize("case", ["unequal", "boundary"])
def test_the_reml_icc_matches_lmer(case: str) -> None:
    expected = R["reml"][case]
    summary = group_statistics(expected["answers"], expected["groups"])
    fit = icc_reml(summary)
    assert fit.icc == pytest.approx(expected["icc"], rel=1e-6, abs=1e-9)
    assert fit.between_variance == pytest.approx(expected["between"], rel=1e-6, abs=1e-9)
    assert fit.within_variance == pytest.approx(expected["within"], rel=1e-6)
    assert fit.mean == pytest.approx(expected["mean"], rel=1e-9)
    assert icc1_from_statistics(summary) == pytest.approx(expected["anova_icc1"], rel=1e-12)


def test_the_reml_icc_differs_from_the_anova_one_on_unequal_teams_and_is_never_negative() -> None:
    unequal, boundary = R["reml"]["unequal"], R["reml"]["boundary"]
    assert abs(unequal["icc"] - unequal["anova_icc1"]) > 0.01  # unequal teams: two estimators, two values
    assert boundary["anova_icc1"] < 0
    assert icc_reml(group_statistics(boundary["answers"], boundary["groups"])).icc == 0.0


def test_the_reml_icc_refuses_what_the_anova_one_refuses() -> None:
    with pytest.raises(ValueError, match="two groups"):
        icc_reml(group_statistics([1, 2, 3], ["a", "a", "a"]))
    assert math.isnan(icc_reml(group_statistics([3, 3, 3, 3], ["a", "a", "b", "b"])).icc)
    no_spread_within = icc_reml(group_statistics([2, 2, 4, 4], ["a", "a", "b", "b"]))
    assert no_spread_within.icc == pytest.approx(1.0) and no_spread_within.within_variance == pytest.approx(0.0)
