"""Invariants that hold for any data (hypothesis): the statistics agree with their own theory."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symmetry.stats import correlation, fdr_bh, icc1, icc2, rwg, rwg_j

answers = st.integers(min_value=1, max_value=5)


@st.composite
def balanced_groups(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    groups = draw(st.integers(min_value=2, max_value=8))
    size = draw(st.integers(min_value=2, max_value=10))
    values = draw(st.lists(answers, min_size=groups * size, max_size=groups * size))
    return np.array(values, dtype=float), np.repeat(np.arange(groups), size), size


@given(balanced_groups())
@settings(max_examples=200, deadline=None)
def test_icc2_is_the_spearman_brown_step_up_of_icc1(data: tuple[np.ndarray, np.ndarray, int]) -> None:
    values, groups, k = data
    assume(np.ptp(values) > 0)
    one, two = icc1(values, groups), icc2(values, groups)
    assume(math.isfinite(two) and abs(1 + (k - 1) * one) > 1e-9)
    assert math.isclose(two, k * one / (1 + (k - 1) * one), rel_tol=1e-9, abs_tol=1e-9)


@given(balanced_groups())
@settings(max_examples=200, deadline=None)
def test_rwg_and_rwg_j_lie_in_the_unit_interval(data: tuple[np.ndarray, np.ndarray, int]) -> None:
    values, groups, _ = data
    for value in rwg(values, groups, scale_points=5).values():
        assert 0.0 <= value <= 1.0
    items = np.column_stack([values, values[::-1]])
    for value in rwg_j(items, groups, scale_points=5).values():
        assert 0.0 <= value <= 1.0


@given(
    # Tenths: affine maps of floats many orders of magnitude apart would merge values by rounding alone.
    st.lists(st.integers(min_value=-1000, max_value=1000).map(lambda v: v / 10), min_size=6, max_size=30),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=-100, max_value=100),
)
@settings(max_examples=200, deadline=None)
def test_correlations_do_not_change_under_affine_rescaling(xs: list[float], scale: float, shift: float) -> None:
    x = np.array(xs)
    y = np.sin(x) + x / 10
    assume(np.ptp(x) > 1e-3 and np.ptp(y) > 1e-3)
    for method in ("pearson", "spearman", "kendall"):
        original = correlation(x, y, method=method)  # type: ignore[arg-type]
        rescaled = correlation(scale * x + shift, 3 * y - 1, method=method)  # type: ignore[arg-type]
        assert math.isclose(original.r, rescaled.r, rel_tol=1e-6, abs_tol=1e-9)


@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_bh_adjustment_is_monotone_and_never_below_the_p_value(p: list[float]) -> None:
    values = np.array(p)
    adjusted = fdr_bh(values)
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-12)
    assert np.all(adjusted >= values - 1e-12)
    assert np.all(adjusted <= 1.0)
