"""Minimum detectable effect and required size, two-sided, normal approximation.

The same formulation as statsmodels' NormalIndPower (checked against it in the tests): with
n = 1 / (1/n_treatment + 1/n_control) and z = the two-sided critical value,
power = P(Z > z - e*sqrt(n)) + P(Z < -z - e*sqrt(n)) for an effect size e, which is Cohen's h
for proportions and the difference over the standard deviation for means.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from scipy import special

# scipy.stats and scipy.optimize cost most of a second to import, more than a plan's check
# takes to compute: the normal distribution is scipy.special's ndtr/ndtri, and the effect for
# a power is found by bisection.


def power_at(effect: float, n_treatment: float, n_control: float, alpha: float) -> float:
    n = 1.0 / (1.0 / n_treatment + 1.0 / n_control)
    crit = -special.ndtri(alpha / 2)
    d = effect * math.sqrt(n)
    return float(special.ndtr(d - crit) + special.ndtr(-crit - d))


def effect_for_power(n_treatment: float, n_control: float, alpha: float, power: float) -> float:
    """The standardised effect detected with the given power."""
    if n_treatment <= 0 or n_control <= 0:
        return math.inf
    return _reaching(lambda e: power_at(e, n_treatment, n_control, alpha), power, 0.0, 1.0)


def _reaching(rising: Callable[[float], float], level: float, lower: float, upper: float) -> float:
    """Where a rising function reaches a level, to float precision: the bracket is doubled
    until it holds the crossing, then halved until it cannot be narrowed."""
    while rising(upper) < level:
        lower, upper = upper, upper * 2
    while (middle := (lower + upper) / 2) not in (lower, upper):
        if rising(middle) < level:
            lower = middle
        else:
            upper = middle
    return upper


def cohens_h(p1: float, p0: float) -> float:
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p0))


def proportion_mde(
    p0: float, n_treatment: int, n_control: int, alpha: float, power: float
) -> float:
    """Smallest absolute rise over p0 detectable at alpha with the given power."""
    h = effect_for_power(n_treatment, n_control, alpha, power)
    angle = math.asin(math.sqrt(p0)) + h / 2
    if angle >= math.pi / 2:
        return 1.0 - p0
    return math.sin(angle) ** 2 - p0


def size_for_effect(effect: float, ratio: float, alpha: float, power: float) -> float:
    """Treatment customers needed (control = ratio x treatment) to detect a standardised effect."""
    if effect == 0:
        return math.inf
    effect = abs(effect)
    return _reaching(lambda n1: power_at(effect, n1, n1 * ratio, alpha), power, 1e-9, 2.0)


@dataclass(frozen=True)
class PowerResult:
    metric: str
    baseline: float | None  # rate, or mean revenue per customer
    baseline_sd: float | None  # for revenue per customer
    baseline_source: str  # "history", "operator" or "none"
    n_treatment: int
    n_control: int
    mde_abs: float | None
    mde_rel: float | None
    wanted_lift: float
    needed_treatment: float | None  # for wanted_lift at this split
    needed_control: float | None
    alpha: float  # the level each comparison is powered at


def plan_power(
    metric: str,
    baseline: float | None,
    baseline_sd: float | None,
    source: str,
    n_treatment: int,
    n_control: int,
    alpha: float,
    power: float,
    wanted_lift: float,
    planned_ratio: float | None = None,
) -> PowerResult:
    """The MDE at the audiences found; the customers wanted_lift needs at the planned split
    (control per treatment customer), which the operator sets, not at the split a small
    audience happens to give (that only without a plan's shares)."""
    mde = needed = None
    achieved = n_control / n_treatment if n_treatment else 0.0
    ratio = achieved if planned_ratio is None else planned_ratio
    if baseline is not None and baseline > 0 and n_treatment > 0 and n_control > 0:
        if metric == "conversion_rate":
            mde = proportion_mde(baseline, n_treatment, n_control, alpha, power)
            target = min(baseline * (1 + wanted_lift), 1.0)
            needed = size_for_effect(cohens_h(target, baseline), ratio, alpha, power)
        elif baseline_sd:
            mde = effect_for_power(n_treatment, n_control, alpha, power) * baseline_sd
            needed = size_for_effect(baseline * wanted_lift / baseline_sd, ratio, alpha, power)
    # a rate already at 100% cannot rise by wanted_lift: no sample size reaches it
    if needed is not None and not math.isfinite(needed):
        needed = None
    return PowerResult(
        metric=metric,
        baseline=baseline,
        baseline_sd=baseline_sd,
        baseline_source=source if baseline is not None else "none",
        n_treatment=n_treatment,
        n_control=n_control,
        mde_abs=mde,
        mde_rel=(mde / baseline) if mde is not None and baseline else None,
        wanted_lift=wanted_lift,
        needed_treatment=math.ceil(needed) if needed is not None else None,
        needed_control=math.ceil(needed * ratio) if needed is not None else None,
        alpha=alpha,
    )
