"""The statistics, computed from sufficient statistics so that millions of rows cost one group-by.

Every function here is checked in the tests against statsmodels or a direct computation on the
raw values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from evaluation.model import ConfidenceInterval, TestResult

SMALL_EXPECTED = 5  # below this expected count in a 2x2 cell, the exact test is used


@functools.lru_cache(maxsize=16)
def z_crit(alpha: float) -> float:
    return float(-special.ndtri(alpha / 2))


def _two_sided_normal(z: float) -> float:
    # special.ndtr is the same normal CDF as stats.norm, without the distribution's overhead
    return float(2 * special.ndtr(-abs(z)))


def _rel(a: float, c: float) -> float:
    return a / c - 1 if c != 0 else math.nan


def wilson(x: int, n: int, alpha: float) -> tuple[float, float]:
    z = z_crit(alpha)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def two_proportions(x_a: int, n_a: int, x_c: int, n_c: int, alpha: float) -> TestResult:
    """Pooled two-proportion z-test with a Wald interval, or Fisher's exact test with
    Newcombe's hybrid-score interval when a 2x2 cell's expected count is small."""
    p_a, p_c = x_a / n_a, x_c / n_c
    diff = p_a - p_c
    pooled = (x_a + x_c) / (n_a + n_c)
    expected = min(n * q for n in (n_a, n_c) for q in (pooled, 1 - pooled))
    z = z_crit(alpha)
    if expected < SMALL_EXPECTED:
        from scipy.stats import fisher_exact  # small counts only: scipy.stats is slow to import

        fisher = fisher_exact([[x_a, n_a - x_a], [x_c, n_c - x_c]])
        p_value, statistic = float(fisher.pvalue), float(fisher.statistic)  # the odds ratio
        lo_a, hi_a = wilson(x_a, n_a, alpha)
        lo_c, hi_c = wilson(x_c, n_c, alpha)
        ci = ConfidenceInterval(
            diff - math.sqrt((p_a - lo_a) ** 2 + (hi_c - p_c) ** 2),
            diff + math.sqrt((hi_a - p_a) ** 2 + (p_c - lo_c) ** 2),
        )
        test = "Fisher exact"
    else:
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_c))
        statistic = diff / se0 if se0 > 0 else 0.0
        p_value = _two_sided_normal(statistic)
        se = math.sqrt(p_a * (1 - p_a) / n_a + p_c * (1 - p_c) / n_c)
        ci = ConfidenceInterval(diff - z * se, diff + z * se)
        test = "two-proportion z"
    rel_ci = None
    if x_a > 0 and x_c > 0:
        se_log = math.sqrt((1 - p_a) / x_a + (1 - p_c) / x_c)
        log_ratio = math.log(p_a / p_c)
        rel_ci = _exp_interval(log_ratio, se_log, z)
    return TestResult(p_c, p_a, diff, ci, _rel(p_a, p_c), rel_ci, p_value, test, statistic)


def welch(
    mean_a: float, var_a: float, n_a: int, mean_c: float, var_c: float, n_c: int, alpha: float
) -> TestResult:
    """Welch's t-test on means; relative lift interval by the delta method."""
    diff = mean_a - mean_c
    va, vc = var_a / n_a, var_c / n_c
    se = math.sqrt(va + vc)
    if se == 0 or n_a < 2 or n_c < 2:
        return TestResult(mean_c, mean_a, diff, None, _rel(mean_a, mean_c), None, None, "Welch t")
    df = (va + vc) ** 2 / (va**2 / (n_a - 1) + vc**2 / (n_c - 1))
    t = diff / se
    p_value = float(2 * special.stdtr(df, -abs(t)))
    q = float(special.stdtrit(df, 1 - alpha / 2))
    rel_ci = None
    if mean_c != 0:
        ratio = mean_a / mean_c
        se_ratio = math.sqrt(va / mean_c**2 + mean_a**2 * vc / mean_c**4)
        z = z_crit(alpha)
        rel_ci = ConfidenceInterval(ratio - z * se_ratio - 1, ratio + z * se_ratio - 1)
    ci = ConfidenceInterval(diff - q * se, diff + q * se)
    rel = _rel(mean_a, mean_c)
    return TestResult(mean_c, mean_a, diff, ci, rel, rel_ci, p_value, "Welch t", t, df)


@dataclass(frozen=True)
class RatioMoments:
    """Per-customer moments of numerator y and denominator x (sample variances, ddof 1)."""

    n: int
    mean_y: float
    mean_x: float
    var_y: float
    var_x: float
    cov_xy: float

    @property
    def ratio(self) -> float:
        return self.mean_y / self.mean_x if self.mean_x != 0 else math.nan

    @property
    def variance(self) -> float:
        """Delta-method variance of sum(y)/sum(x) with customers as the unit."""
        mx, my = self.mean_x, self.mean_y
        if mx == 0 or self.n < 2:
            return math.nan
        return (
            self.var_y / mx**2 - 2 * my * self.cov_xy / mx**3 + my**2 * self.var_x / mx**4
        ) / self.n


def ratio_delta(a: RatioMoments, c: RatioMoments, alpha: float) -> TestResult:
    """Difference of two ratio metrics, customers as the unit of randomisation."""
    r_a, r_c = a.ratio, c.ratio
    diff = r_a - r_c
    var = a.variance + c.variance
    # a ratio that is the same for every customer has no variance beyond rounding noise
    if not math.isfinite(var) or var <= 1e-12 * max(r_a**2, r_c**2):
        return TestResult(r_c, r_a, diff, None, _rel(r_a, r_c), None, None, "delta method z")
    z = z_crit(alpha)
    se = math.sqrt(var)
    p_value = _two_sided_normal(diff / se)
    rel_ci = None
    if r_a > 0 and r_c > 0:
        se_log = math.sqrt(a.variance / r_a**2 + c.variance / r_c**2)
        rel_ci = _exp_interval(math.log(r_a / r_c), se_log, z)
    ci = ConfidenceInterval(diff - z * se, diff + z * se)
    rel = _rel(r_a, r_c)
    return TestResult(r_c, r_a, diff, ci, rel, rel_ci, p_value, "delta method z", diff / se)


def fieller(
    a: float, b: float, var_a: float, var_b: float, cov_ab: float, alpha: float
) -> ConfidenceInterval | None:
    """Fieller's interval for a / b from normal estimates a and b.

    It inverts the test of a - theta * b = 0, so it holds exactly where the delta method fails;
    None when b is not surely away from zero, where the set of ratios is unbounded.
    """
    z2 = z_crit(alpha) ** 2
    quad = b * b - z2 * var_b
    if quad <= 0:
        return None
    half = a * b - z2 * cov_ab
    disc = half * half - quad * (a * a - z2 * var_a)
    if disc < 0:
        return None
    root = math.sqrt(disc)
    return ConfidenceInterval((half - root) / quad, (half + root) / quad)


def _exp_interval(log_ratio: float, se_log: float, z: float) -> ConfidenceInterval:
    """A relative lift's interval from a normal interval of the log ratio."""
    return ConfidenceInterval(
        math.exp(log_ratio - z * se_log) - 1, math.exp(log_ratio + z * se_log) - 1
    )


EXACT_LIMIT = 20_000


def prob_beats_control(x_a: int, n_a: int, x_c: int, n_c: int) -> float:
    """P(p_arm > p_control) under independent Beta(1 + x, 1 + n - x) posteriors.

    Evan Miller's closed form, summed in log space over the smaller success count; beyond
    EXACT_LIMIT successes in both arms both posteriors are normal to many digits, and the
    normal difference is used.
    """
    if min(x_a, x_c) >= EXACT_LIMIT:
        mean_a, var_a = _beta_moments(1 + x_a, 1 + n_a - x_a)
        mean_c, var_c = _beta_moments(1 + x_c, 1 + n_c - x_c)
        return float(special.ndtr((mean_a - mean_c) / math.sqrt(var_a + var_c)))
    if x_a > x_c:
        return 1.0 - _prob_greater(x_c, n_c, x_a, n_a)
    return _prob_greater(x_a, n_a, x_c, n_c)


def _beta_moments(a: float, b: float) -> tuple[float, float]:
    return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))


def _prob_greater(x_a: int, n_a: int, x_c: int, n_c: int) -> float:
    """P(A > C) for Beta posteriors, looping over A's successes."""
    alpha_a, beta_a = 1 + x_a, 1 + n_a - x_a
    alpha_c, beta_c = 1 + x_c, 1 + n_c - x_c
    i = np.arange(alpha_a)
    terms = (
        special.betaln(alpha_c + i, beta_c + beta_a)
        - np.log(beta_a + i)
        - special.betaln(1 + i, beta_a)
        - special.betaln(alpha_c, beta_c)
    )
    return float(np.clip(np.exp(special.logsumexp(terms)), 0.0, 1.0))


def sample_ratio(
    observed: Mapping[str, int], shares: Mapping[str, float]
) -> tuple[float, dict[str, float]]:
    """Chi-square goodness of fit of arm sizes to planned shares; returns p and expected sizes."""
    total = sum(observed.values())
    weight = sum(shares.values())
    expected = {arm: total * shares[arm] / weight for arm in shares}
    if len(expected) < 2 or total == 0:
        return 1.0, expected
    statistic = sum((observed.get(a, 0) - e) ** 2 / e for a, e in expected.items())
    return float(special.chdtrc(len(expected) - 1, statistic)), expected


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (family-wise error)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg step-up adjustment (false discovery rate)."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()
