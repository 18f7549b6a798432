"""Agreement, reliability, multiple testing, partial and dependent correlations and relative weights, pinned to
R (multilevel 2.7, psych 2.2.9) by tests/reference/issue5_reference.R on the data it wrote beside it."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from symmetry.stats import (
    average_deviation,
    awg,
    compare_dependent_correlations,
    cronbach_alpha,
    fdr_bh,
    icc1,
    icc2,
    partial_correlation,
    relative_weights,
    rwg,
    rwg_j,
)

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
R = json.loads((REFERENCE / "issue5_reference.json").read_text(encoding="utf-8"))


def read_columns(name: str) -> dict[str, np.ndarray]:
    with (REFERENCE / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {column: np.array([float(row[column]) for row in rows]) for column in rows[0]}


@pytest.fixture(scope="module")
def lq2002() -> dict[str, np.ndarray]:
    return read_columns("lq2002.csv")


def listed(values: dict[object, float]) -> dict[str, float]:
    return {str(int(group)): value for group, value in values.items() if str(int(group)) in R["lq2002"]["rwg"]}


def test_rwg_matches_multilevel(lq2002: dict[str, np.ndarray]) -> None:
    ours = listed(rwg(lq2002["TSIG01"], lq2002["COMPID"], scale_points=5))
    assert ours == pytest.approx(R["lq2002"]["rwg"], abs=1e-9)


def test_rwg_j_matches_multilevel(lq2002: dict[str, np.ndarray]) -> None:
    items = np.column_stack([lq2002["TSIG01"], lq2002["TSIG02"], lq2002["TSIG03"]])
    ours = listed(rwg_j(items, lq2002["COMPID"], scale_points=5))
    assert ours == pytest.approx(R["lq2002"]["rwg_j"], abs=1e-9)


def test_awg_matches_multilevel(lq2002: dict[str, np.ndarray]) -> None:
    ours = listed(awg(lq2002["TSIG01"], lq2002["COMPID"], low=1, high=5))
    assert ours == pytest.approx(R["lq2002"]["awg"], abs=1e-9)


@pytest.mark.parametrize(("around", "key"), [("mean", "ad_mean"), ("median", "ad_median")])
def test_average_deviation_matches_multilevel(lq2002: dict[str, np.ndarray], around: str, key: str) -> None:
    ours = listed(average_deviation(lq2002["TSIG01"], lq2002["COMPID"], around=around))
    assert ours == pytest.approx(R["lq2002"][key], abs=1e-9)


def test_icc_on_lq2002_matches_multilevel(lq2002: dict[str, np.ndarray]) -> None:
    assert icc1(lq2002["TSIG01"], lq2002["COMPID"]) == pytest.approx(R["lq2002"]["icc1"], rel=1e-9)
    assert icc2(lq2002["TSIG01"], lq2002["COMPID"]) == pytest.approx(R["lq2002"]["icc2"], rel=1e-9)


def test_cronbach_alpha_and_feldt_interval_match_psych(lq2002: dict[str, np.ndarray]) -> None:
    result = cronbach_alpha(np.column_stack([lq2002["TSIG01"], lq2002["TSIG02"], lq2002["TSIG03"]]))
    assert result.alpha == pytest.approx(R["alpha"]["alpha"], rel=1e-9)
    assert result.ci == pytest.approx((R["alpha"]["alpha_ci_low"], R["alpha"]["alpha_ci_high"]), rel=1e-9)
    assert (result.n, result.items) == (2042, 3)


def test_benjamini_hochberg_matches_p_adjust() -> None:
    assert fdr_bh(R["p_adjust"]["p"]).tolist() == pytest.approx(R["p_adjust"]["bh"], rel=1e-12)
    with_missing = fdr_bh([0.01, math.nan, 0.04])
    assert math.isnan(with_missing[1])
    assert with_missing[[0, 2]].tolist() == pytest.approx([0.02, 0.04])


def test_dependent_correlations_match_psych_r_test() -> None:
    result = compare_dependent_correlations(r12=0.45, r34=0.15, r23=0.5, r13=0.4, r14=0.2, r24=0.35, n=40)
    assert result.z == pytest.approx(R["r_test"]["r_test_z"], rel=1e-9)
    assert result.pvalue == pytest.approx(R["r_test"]["r_test_p"], rel=1e-9)


def test_partial_correlation_matches_psych() -> None:
    data = read_columns("partial.csv")
    result = partial_correlation(data["x"], data["y"], data["size"])
    assert result.r == pytest.approx(R["partial"]["partial_r"], rel=1e-9)
    assert result.pvalue == pytest.approx(R["partial"]["p"], rel=1e-9)
    assert result.n == 30


def test_relative_weights_match_johnson_in_r_and_sum_to_r2() -> None:
    data = read_columns("relweights.csv")
    X = np.column_stack([data[name] for name in ("X1", "X2", "X3", "X4")])
    result = relative_weights(X, data["y"], n_resamples=200, rng=1)
    assert result.weights.tolist() == pytest.approx(R["relative_weights"]["raw_weights"], rel=1e-9)
    assert result.r2 == pytest.approx(R["relative_weights"]["r2_lm"], rel=1e-9)
    assert result.ci is not None
    assert np.all(result.ci[:, 0] <= result.weights) and np.all(result.weights <= result.ci[:, 1])
    again = relative_weights(X, data["y"], n_resamples=200, rng=1)
    assert again.ci is not None and np.array_equal(again.ci, result.ci)  # seeded: the same intervals
