"""Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV"): what each customer's purchases are
worth. A customer's purchase values are Gamma(p, nu) around their own mean, nu is Gamma(q, v)
across customers; fitted on the customers who bought again, from the mean value of their repeat
purchase occasions, which is independent of how often they buy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from crm_tui.engine.models.bgnbd import MIN_REPEAT_CUSTOMERS
from crm_tui.engine.models.likelihood import maximise


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int  # the repeat customers it was fitted on
    problems: tuple[str, ...] = ()

    def expected_value(self, frequency: np.ndarray, repeat_value: np.ndarray) -> np.ndarray:
        """Expected value of a purchase occasion: the population mean shrunk towards the
        customer's own repeat mean as their repeat purchases accumulate."""
        x = np.asarray(frequency, float)
        m = np.nan_to_num(np.asarray(repeat_value, float))
        return self.p * (self.v + x * m) / (self.p * x + self.q - 1)


def log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> tuple[float, np.ndarray]:
    """The Gamma-Gamma log-likelihood, and its gradient in the logarithms of (p, q, v)."""
    p, q, v = params
    px = p * x
    value = np.sum(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * math.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + v)
    )
    both = special.digamma(px + q)
    d_p = np.sum(x * (both - special.digamma(px) + np.log(m) + np.log(x) - np.log(x * m + v)))
    d_q = np.sum(both - special.digamma(q) + math.log(v) - np.log(x * m + v))
    d_v = np.sum(q / v - (px + q) / (x * m + v))
    return float(value), np.array([d_p, d_q, d_v]) * params


def fit(frequency: np.ndarray, repeat_value: np.ndarray) -> GammaGamma:
    """Fit on the customers with a repeat occasion of positive value."""
    x = np.asarray(frequency, float)
    m = np.asarray(repeat_value, float)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[keep], m[keep]
    found = maximise(lambda p: log_likelihood(p, x, m), 3)
    p, q, v = (float(e) for e in found.params)
    problems = []
    if len(x) < MIN_REPEAT_CUSTOMERS:
        problems.append(
            f"only {len(x)} customers bought again; at least {MIN_REPEAT_CUSTOMERS} needed"
        )
    elif found.failure is not None:
        problems.append(f"the value fit did not converge ({found.failure})")
    elif not q > 1:
        problems.append("q at or below 1: the expected value of a purchase is not defined")
    return GammaGamma(p, q, v, found.log_likelihood, len(x), tuple(problems))
