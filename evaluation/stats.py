"""Statistics beside the per-comparison test (evaluation.pivot): Fieller's interval for a ratio of
estimates, the sample-ratio check and the multiple-testing adjustments.

Every function here is checked in the tests against statsmodels, SciPy or a direct computation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import special

from evaluation.model import ConfidenceInterval


@functools.lru_cache(maxsize=16)
def z_crit(alpha: float) -> float:
    return float(-special.ndtri(alpha / 2))


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
