from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from evaluation.stats import (
    RatioMoments,
    benjamini_hochberg,
    holm,
    prob_beats_control,
    ratio_delta,
    sample_ratio,
    two_proportions,
    welch,
)

TOL = 1e-8


@pytest.mark.parametrize(
    ("xa", "na", "xc", "nc"), [(120, 2000, 90, 2100), (5000, 40000, 4000, 10000)]
)
def test_two_proportion_z_against_statsmodels(xa: int, na: int, xc: int, nc: int) -> None:
    r = two_proportions(xa, na, xc, nc, 0.05)
    assert r.test == "two-proportion z"
    z, p = proportions_ztest([xa, xc], [na, nc])
    assert r.p_value == pytest.approx(p, rel=TOL)
    assert r.statistic == pytest.approx(z, rel=TOL) and r.df is None
    lo, hi = confint_proportions_2indep(xa, na, xc, nc, method="wald", compare="diff")
    assert r.abs_ci is not None
    assert (r.abs_ci.low, r.abs_ci.high) == pytest.approx((lo, hi), rel=TOL)
    lo, hi = confint_proportions_2indep(xa, na, xc, nc, method="log", compare="ratio")
    assert r.rel_ci == pytest.approx((lo - 1, hi - 1), rel=TOL)


def test_small_counts_use_fisher_and_newcombe() -> None:
    r = two_proportions(3, 40, 1, 45, 0.05)
    assert r.test == "Fisher exact"
    assert r.p_value == pytest.approx(stats.fisher_exact([[3, 37], [1, 44]]).pvalue, rel=TOL)
    lo, hi = confint_proportions_2indep(3, 40, 1, 45, method="newcomb", compare="diff")
    assert r.abs_ci == pytest.approx((lo, hi), rel=TOL)


def test_welch_against_scipy_and_statsmodels() -> None:
    rng = np.random.default_rng(4)
    a = rng.lognormal(3, 1.2, 900)
    c = rng.lognormal(2.9, 1.0, 1100)
    r = welch(a.mean(), a.var(ddof=1), len(a), c.mean(), c.var(ddof=1), len(c), 0.05)
    scipy_t = stats.ttest_ind(a, c, equal_var=False)
    assert r.p_value == pytest.approx(scipy_t.pvalue, rel=TOL)
    assert r.statistic == pytest.approx(scipy_t.statistic, rel=TOL)
    assert r.df == pytest.approx(scipy_t.df, rel=TOL)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(c))
    assert r.abs_ci == pytest.approx(cm.tconfint_diff(alpha=0.05, usevar="unequal"), rel=TOL)
    # relative lift by the delta method, by hand
    ratio = a.mean() / c.mean()
    se = math.sqrt(
        a.var(ddof=1) / len(a) / c.mean() ** 2
        + a.mean() ** 2 * c.var(ddof=1) / len(c) / c.mean() ** 4
    )
    z = stats.norm.isf(0.025)
    assert r.rel_ci == pytest.approx((ratio - z * se - 1, ratio + z * se - 1), rel=TOL)


def moments(y: np.ndarray, x: np.ndarray) -> RatioMoments:
    return RatioMoments(
        len(y), y.mean(), x.mean(), y.var(ddof=1), x.var(ddof=1), np.cov(x, y, ddof=1)[0, 1]
    )


def linearised_variance(y: np.ndarray, x: np.ndarray) -> float:
    """The delta-method variance written as the variance of the linearised ratio."""
    r = y.sum() / x.sum()
    return float(np.var(y - r * x, ddof=1) / (len(y) * x.mean() ** 2))


def test_ratio_delta_against_linearisation() -> None:
    rng = np.random.default_rng(5)
    xa, xc = rng.poisson(6, 3000) + 1, rng.poisson(6, 2500) + 1
    ya, yc = rng.binomial(xa, 0.05), rng.binomial(xc, 0.04)
    r = ratio_delta(moments(ya, xa), moments(yc, xc), 0.05)
    va, vc = linearised_variance(ya, xa), linearised_variance(yc, xc)
    diff = ya.sum() / xa.sum() - yc.sum() / xc.sum()
    se = math.sqrt(va + vc)
    assert r.abs_diff == pytest.approx(diff, rel=TOL)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(diff) / se), rel=TOL)
    z = stats.norm.isf(0.025)
    assert r.abs_ci == pytest.approx((diff - z * se, diff + z * se), rel=TOL)
    ra, rc = ya.sum() / xa.sum(), yc.sum() / xc.sum()
    se_log = math.sqrt(va / ra**2 + vc / rc**2)
    expected = (
        math.exp(math.log(ra / rc) - z * se_log) - 1,
        math.exp(math.log(ra / rc) + z * se_log) - 1,
    )
    assert r.rel_ci == pytest.approx(expected, rel=TOL)


def test_adjustments_against_statsmodels() -> None:
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.049]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]), rel=TOL)
    assert benjamini_hochberg(p) == pytest.approx(
        list(multipletests(p, method="fdr_bh")[1]), rel=TOL
    )


def test_prob_beats_control_against_integration() -> None:
    for xa, na, xc, nc in [(30, 1000, 20, 1000), (5, 50, 9, 60), (0, 10, 0, 12)]:
        a, c = stats.beta(1 + xa, 1 + na - xa), stats.beta(1 + xc, 1 + nc - xc)
        expected, _ = integrate.quad(
            lambda p, a=a, c=c: a.pdf(p) * c.cdf(p), 0, 1, epsabs=1e-12, limit=200
        )
        assert prob_beats_control(xa, na, xc, nc) == pytest.approx(expected, abs=1e-8)


def test_sample_ratio_against_scipy() -> None:
    p, expected = sample_ratio(
        {"control": 1900, "treatment": 8100}, {"control": 0.2, "treatment": 0.8}
    )
    assert expected == {"control": 2000.0, "treatment": 8000.0}
    assert p == pytest.approx(stats.chisquare([1900, 8100], [2000, 8000]).pvalue, rel=TOL)


def test_prob_beats_control_normal_branch_agrees_with_exact() -> None:
    from evaluation import stats as st

    args = (25_000, 500_000, 24_400, 500_000)
    exact = st._prob_greater(*args)
    assert min(args[0], args[2]) >= st.EXACT_LIMIT
    assert prob_beats_control(*args) == pytest.approx(exact, abs=1e-4)
