"""The one test behind every per-customer comparison, against SciPy, statsmodels and by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from evaluation.model import NO_VALUE, OVERALL
from evaluation.pivot import Hall, compare, constant, pivot
from evaluation.sufficient import Moments, sufficient_statistics

TOL = 1e-8


def moments_of(**columns: np.ndarray) -> Moments:
    """Moments of one arm from raw columns, through the library's own group-by."""
    frame = pl.DataFrame({"arm": ["a"] * len(next(iter(columns.values()))), **columns})
    groups = [set(columns)]
    return sufficient_statistics(frame.lazy(), None, groups).overall("a")


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(-2, 2)), min_size=1))
def test_zero_one_columns_named_as_indicators_give_the_same_sums(rows) -> None:
    """A 0/1 column's powers are itself and its nonzero count its sum: naming it an indicator
    only saves the group-by those sums."""
    frame = pl.DataFrame(rows, schema=["arm", "d", "y"], orient="row").with_columns(
        pl.col("arm").cast(pl.String), pl.col("d").cast(pl.Float64), pl.col("y").cast(pl.Float64)
    )
    groups = [{"d", "y"}, {"d"}]
    plain = sufficient_statistics(frame.lazy(), None, groups)
    told = sufficient_statistics(frame.lazy(), None, groups, indicators={"d"})
    assert told == plain
    arm = str(rows[0][0])
    mine = frame.filter(pl.col("arm") == arm)
    assert told.overall(arm).sums["d*d*y"] == pytest.approx((mine["d"] * mine["y"]).sum())
    assert told.overall(arm).nonzero("d") == (mine["d"] != 0).sum()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["s1", "s2", None]),
            st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, -1.0]),  # mostly zero
            st.floats(-5, 5, allow_nan=False),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_sums_and_counts_per_segment_and_arm_are_those_by_hand(rows) -> None:
    """Every product's sum and every nonzero count per (segment, arm), the overall cells and
    the cells of rows without a segment included, against NumPy on the same rows."""
    frame = pl.DataFrame(rows, schema=["arm", "seg", "x", "y"], orient="row", strict=False)
    frame = frame.with_columns(z=(pl.col("x") > 0).cast(pl.Float64))
    found = sufficient_statistics(frame.lazy(), "seg", [{"x", "y", "z"}], indicators={"z"})
    for (segment, arm), moments in found.cells.items():
        mine = [
            r
            for r in rows
            if r[0] == arm
            and (segment == OVERALL or r[1] == segment or (segment == NO_VALUE and r[1] is None))
        ]
        assert moments.n == len(mine)
        x = np.array([r[2] for r in mine])
        y = np.array([r[3] for r in mine])
        z = (x > 0).astype(float)
        assert moments.sums["x*x*y"] == pytest.approx((x * x * y).sum(), abs=1e-9)
        assert moments.sums["x*y*z"] == pytest.approx((x * y * z).sum(), abs=1e-9)
        assert moments.sums["y*y*y"] == pytest.approx((y**3).sum(), rel=1e-9, abs=1e-9)
        assert moments.nonzero("x") == int((x != 0).sum())
        assert moments.nonzero("y") == int((y != 0).sum())
        assert moments.nonzero("z") == int(z.sum())


def hand_pivot(ya, xa, yc, xc) -> tuple[float, float, float]:
    """Welch's t on the residuals y - R x with R from both arms, its df and Hall's skewness."""
    r = (ya.sum() + yc.sum()) / (xa.sum() + xc.sum())
    ea, ec = ya - r * xa, yc - r * xc
    welch = stats.ttest_ind(ea, ec, equal_var=False)
    va, vc = ea.var(ddof=1) / len(ea), ec.var(ddof=1) / len(ec)
    m3 = stats.moment(ea, 3) / len(ea) ** 2 - stats.moment(ec, 3) / len(ec) ** 2
    return float(welch.statistic), float(welch.df), float(m3 / (va + vc) ** 1.5)


def skewed(seed: int, n_a: int, n_c: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.lognormal(3, 1.2, n_a), rng.lognormal(2.9, 1.0, n_c)


def test_without_skewness_it_is_welch_as_scipy_and_statsmodels_compute_it() -> None:
    a, c = skewed(4, 900, 1100)
    found = pivot(moments_of(y=a), moments_of(y=c), {"y": 1.0}, constant())
    assert found is not None
    welch = stats.ttest_ind(a, c, equal_var=False)
    assert found.statistic == pytest.approx(welch.statistic, rel=TOL)
    assert found.df == pytest.approx(welch.df, rel=TOL)
    plain = replace(found, hall=Hall(0.0))
    assert plain.p_value() == pytest.approx(welch.pvalue, rel=TOL)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(c))
    expected = cm.tconfint_diff(alpha=0.05, usevar="unequal")
    assert plain.interval(plain.absolute, 0.05, False) == pytest.approx(expected, rel=TOL)


def test_relative_interval_without_skewness_is_fiellers() -> None:
    a, c = skewed(5, 700, 300)
    found = pivot(moments_of(y=a), moments_of(y=c), {"y": 1.0}, constant())
    assert found is not None and found.relative is not None
    plain = replace(found, hall=Hall(0.0))
    q = stats.t.ppf(0.975, found.df)
    va, vc = a.var(ddof=1) / len(a), c.var(ddof=1) / len(c)
    # (mean_a - rho mean_c)^2 = q^2 (va + rho^2 vc), solved for rho
    coefficients = [
        c.mean() ** 2 - q * q * vc,
        -2 * a.mean() * c.mean(),
        a.mean() ** 2 - q * q * va,
    ]
    assert plain.interval(plain.relative, 0.05, True) == pytest.approx(
        sorted(np.roots(coefficients).real), rel=1e-7
    )


def test_skew_corrected_p_by_hand() -> None:
    a, c = skewed(6, 3000, 400)
    found = pivot(moments_of(y=a), moments_of(y=c), {"y": 1.0}, constant())
    assert found is not None
    t, df, gamma = hand_pivot(a, np.ones_like(a), c, np.ones_like(c))
    assert (found.statistic, found.df, found.hall.gamma) == pytest.approx((t, df, gamma), rel=1e-7)
    g = t + gamma / 3 * t * t + gamma**2 / 27 * t**3 + gamma / 6  # Hall (1992)
    assert found.p_value() == pytest.approx(2 * stats.t.sf(abs(g), df), rel=1e-7)


def test_ratio_metric_is_welch_on_linearised_residuals() -> None:
    rng = np.random.default_rng(7)
    xa, xc = rng.poisson(4, 2000) + 1.0, rng.poisson(4, 500) + 1.0
    ya, yc = rng.binomial(xa.astype(int), 0.1) * 1.0, rng.binomial(xc.astype(int), 0.08) * 1.0
    result, found = compare(
        moments_of(y=ya, x=xa), moments_of(y=yc, x=xc), {"y": 1.0}, {"x": 1.0}, 0.05, "t"
    )
    assert found is not None
    assert (found.statistic, found.df, found.hall.gamma) == pytest.approx(
        hand_pivot(ya, xa, yc, xc), rel=1e-7
    )
    assert result.abs_diff == pytest.approx(ya.sum() / xa.sum() - yc.sum() / xc.sum(), rel=TOL)
    assert result.rel_lift == pytest.approx(
        (ya.sum() / xa.sum()) / (yc.sum() / xc.sum()) - 1, rel=TOL
    )


def test_interval_ends_sit_on_the_critical_values() -> None:
    """Inverting the test: at each end of each interval, the corrected statistic is at its
    critical value, and the hypothesis there is the one the line describes."""
    rng = np.random.default_rng(8)
    xa, xc = rng.poisson(3, 3000) + 1.0, rng.poisson(3, 300) + 1.0
    ya = np.where(rng.random(3000) < 0.05, rng.lognormal(3, 1.5, 3000), 0.0)
    yc = np.where(rng.random(300) < 0.05, rng.lognormal(3, 1.5, 300), 0.0)
    _, found = compare(
        moments_of(y=ya, x=xa), moments_of(y=yc, x=xc), {"y": 1.0}, {"x": 1.0}, 0.05, "t"
    )
    assert found is not None and found.relative is not None
    q = stats.t.ppf(0.975, found.df)
    for line, relative in ((found.absolute, False), (found.relative, True)):
        for end in found.interval(line, 0.05, relative):
            t = (line.d0 + end * line.d1) / math.sqrt(
                line.v0 + 2 * end * line.v1 + end**2 * line.v2
            )
            assert abs(found.hall.forward(t)) == pytest.approx(q, rel=1e-7)


def test_chance_to_beat_and_risk_read_the_same_test() -> None:
    a, c = skewed(9, 800, 200)
    found = pivot(moments_of(y=a), moments_of(y=c), {"y": 1.0}, constant())
    assert found is not None
    beats = found.prob_beats("higher")
    direction = found.hall.forward(found.statistic) > 0
    assert beats == pytest.approx(1 - found.p_value() / 2 if direction else found.p_value() / 2)
    assert found.prob_beats("lower") == pytest.approx(1 - beats)
    plain = replace(found, hall=Hall(0.0))
    diff = a.mean() - c.mean()
    se = math.sqrt(a.var(ddof=1) / len(a) + c.var(ddof=1) / len(c))
    # the loss of choosing the arm: E[max(0, -delta)] with delta = diff - se * t_df
    loss, _ = integrate.quad(
        lambda t: max(0.0, -(diff - se * t)) * stats.t.pdf(t, found.df), -50, 50, limit=200
    )
    assert plain.risk("higher") == pytest.approx(loss, rel=0.03)


def arm_values(draw: st.DrawFn, n: int) -> np.ndarray:
    buyers = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    values = draw(st.lists(st.floats(0.5, 5000, allow_nan=False), min_size=n, max_size=n))
    return np.where(buyers, values, 0.0)


@st.composite
def two_arms(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n_a, n_c = draw(st.integers(3, 60)), draw(st.integers(3, 60))
    ya, yc = arm_values(draw, n_a), arm_values(draw, n_c)
    xa = np.array(draw(st.lists(st.integers(1, 9), min_size=n_a, max_size=n_a)), float)
    xc = np.array(draw(st.lists(st.integers(1, 9), min_size=n_c, max_size=n_c)), float)
    return ya, xa, yc, xc


@given(two_arms(), st.sampled_from([0.01, 0.05, 0.2]), st.booleans())
def test_p_value_and_both_intervals_never_disagree(
    arms: tuple[np.ndarray, ...], alpha: float, ratio: bool
) -> None:
    ya, xa, yc, xc = arms
    x = {"x": 1.0} if ratio else constant()
    result, found = compare(
        moments_of(y=ya, x=xa), moments_of(y=yc, x=xc), {"y": 1.0}, x, alpha, "t"
    )
    if found is None:
        return
    assert result.p_value is not None and result.abs_ci is not None
    if abs(result.p_value - alpha) < 1e-9:
        return  # on the boundary itself, rounding decides
    significant = result.p_value < alpha
    assert significant == (not result.abs_ci.low <= 0 <= result.abs_ci.high)
    if result.rel_ci is not None:
        assert significant == (not result.rel_ci.low <= 0 <= result.rel_ci.high)


def test_linear_combination_moments_against_numpy() -> None:
    rng = np.random.default_rng(11)
    y, x = rng.lognormal(1, 1, 500), rng.poisson(3, 500) * 1.0
    m = moments_of(y=y, x=x)
    combination = y - 2.5 * x + 7
    assert m.mean_of({"y": 1, "x": -2.5, "1": 7}) == pytest.approx(combination.mean(), rel=TOL)
    assert m.var_of({"y": 1, "x": -2.5}) == pytest.approx(combination.var(ddof=1), rel=1e-9)
    assert m.m3_of({"y": 1, "x": -2.5}) == pytest.approx(stats.moment(combination, 3), rel=1e-7)
    assert m.nonzero("x") == int((x != 0).sum())


def test_no_variance_gives_no_test() -> None:
    flat = moments_of(y=np.full(10, 3.0))
    result, found = compare(flat, flat, {"y": 1.0}, constant(), 0.05, "t")
    assert found is None and result.p_value is None and result.abs_ci is None


def test_a_ratio_the_same_for_every_customer_has_no_test() -> None:
    """A fixed cost per click: the residuals are rounding noise, not spread to test."""
    rng = np.random.default_rng(12)
    xa, xc = rng.poisson(3, 900) + 1.0, rng.poisson(3, 100) + 1.0
    result, found = compare(
        moments_of(y=0.8 * xa, x=xa),
        moments_of(y=0.8 * xc, x=xc),
        {"y": 1.0},
        {"x": 1.0},
        0.05,
        "t",
    )
    assert found is None and result.p_value is None
    assert result.arm_value == pytest.approx(0.8) and result.control_value == pytest.approx(0.8)
