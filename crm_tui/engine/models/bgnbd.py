"""BG/NBD (Fader, Hardie and Lee 2005): how often each customer buys and whether they still do.

While alive a customer buys at a Poisson rate, Gamma(r, alpha) across customers; after each
purchase they drop out with probability p, Beta(a, b) across customers. Fitted by maximum
likelihood on each customer's repeat occasions x, the time of the last one t_x and their tenure
T, with identical histories counted once, so millions of customers cost their few distinct
histories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import special

from crm_tui.engine.models.likelihood import BOUNDS, Maximum, maximise

WEEK = 7.0  # the models work in weeks, the unit of the published fits; inputs are in days


@dataclass(frozen=True)
class History:
    """Distinct (x, t_x, T) histories, in weeks, with how many customers share each."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray) -> History:
        distinct, which = distinct_histories(frequency, recency, tenure)
        count = np.bincount(which, minlength=len(distinct))
        return cls(distinct[:, 0], distinct[:, 1] / WEEK, distinct[:, 2] / WEEK, count)


def distinct_histories(
    frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (frequency, recency, tenure) rows and, per customer, which is theirs.

    A Polars group-by: NumPy's unique over rows sorts them lexicographically, 30 times slower
    on millions of customers."""
    frame = pl.DataFrame(
        {"x": frequency, "r": recency, "t": tenure}, schema=dict.fromkeys("xrt", pl.Float64)
    )
    keyed = frame.with_columns(pl.struct("x", "r", "t").rank("dense").cast(pl.Int64).alias("h") - 1)
    distinct = keyed.group_by("h").agg(pl.col("x", "r", "t").first()).sort("h")
    return distinct.select("x", "r", "t").to_numpy(), keyed["h"].to_numpy()


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float  # in weeks
    a: float
    b: float
    log_likelihood: float
    customers: int
    repeat_customers: int
    problems: tuple[str, ...] = ()  # why the fit cannot be trusted, if it cannot

    time_unit = "weeks"

    def p_alive(self, frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray) -> np.ndarray:
        """P(still a customer) given the history (days)."""
        x, t_x, T = _weeks(frequency, recency, tenure)
        return 1 / (1 + self._dropout_odds(x, t_x, T))

    def expected_purchases(
        self, days: float, frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray
    ) -> np.ndarray:
        """Expected purchase occasions in the next `days` days, given the history (days)."""
        x, t_x, T = _weeks(frequency, recency, tenure)
        t = days / WEEK
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        head = (a + b + x - 1) / (a - 1)
        body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper
        return head * body / (1 + self._dropout_odds(x, t_x, T))

    def p_no_purchase(
        self, days: float, frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray
    ) -> np.ndarray:
        """P(no purchase in the next `days` days): gone already, or alive and the Poisson clock,
        its rate Gamma(r + x, alpha + T) given the history, does not tick."""
        x, t_x, T = _weeks(frequency, recency, tenure)
        alive = 1 / (1 + self._dropout_odds(x, t_x, T))
        quiet = ((self.alpha + T) / (self.alpha + T + days / WEEK)) ** (self.r + x)
        return 1 - alive + alive * quiet

    def _dropout_odds(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """P(dropped out after the last purchase) / P(alive), zero without a repeat purchase."""
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (
                self.a / (self.b + x - 1) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x)
            )
        return np.where(x > 0, odds, 0.0)


def _weeks(
    frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(frequency, float),
        np.asarray(recency, float) / WEEK,
        np.asarray(tenure, float) / WEEK,
    )


def log_likelihood(params: np.ndarray, h: History) -> tuple[float, np.ndarray]:
    """The BG/NBD log-likelihood of all customers (FHL 2005, eq. 6), and its gradient in the
    logarithms of (r, alpha, a, b)."""
    r, alpha, a, b = params
    x, t_x, T, n = h.x, h.t_x, h.T, h.count
    repeat = x > 0
    shared = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(alpha)
        + special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    alive = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            repeat, math.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    both = np.logaddexp(alive, dropped)
    w = np.exp(dropped - both)  # the share of the likelihood from "dropped out after t_x"
    with np.errstate(divide="ignore", invalid="ignore"):
        last = np.where(repeat, w, 0.0)
        d_r = special.digamma(r + x) - special.digamma(r) + math.log(alpha)
        d_r -= (1 - w) * np.log(alpha + T) + last * np.log(alpha + t_x)
        d_alpha = r / alpha - (r + x) * ((1 - w) / (alpha + T) + last / (alpha + t_x))
        d_a = special.digamma(a + b) - special.digamma(a + b + x) + last / a
        d_b = special.digamma(a + b) + special.digamma(b + x) - special.digamma(b)
        d_b -= special.digamma(a + b + x) + np.where(repeat, w / (b + x - 1), 0.0)
    gradient = np.array([n @ d for d in (d_r, d_alpha, d_a, d_b)]) * params
    return float(n @ (shared + both)), gradient


def fit(frequency: np.ndarray, recency: np.ndarray, tenure: np.ndarray) -> BgNbd:
    """Maximum likelihood, from all ones as the published fits start."""
    h = History.of(frequency, recency, tenure)
    found = maximise(lambda p: log_likelihood(p, h), 4)
    r, alpha, a, b = found.params
    repeat = int(h.count[h.x > 0].sum())
    return BgNbd(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=found.log_likelihood,
        customers=int(h.count.sum()),
        repeat_customers=repeat,
        problems=_problems(found, repeat),
    )


MIN_REPEAT_CUSTOMERS = 30


def _problems(found: Maximum, repeat: int) -> tuple[str, ...]:
    out = []
    if found.failure is not None:
        out.append(f"the fit did not converge ({found.failure})")
    names = ("r", "alpha", "a", "b")
    at_bound = [
        n
        for n, v in zip(names, found.params, strict=True)
        if not 1.01 * BOUNDS[0] < v < 0.99 * BOUNDS[1]
    ]
    if at_bound:
        out.append(f"{', '.join(at_bound)} at the edge of what the fit allows")
    if repeat < MIN_REPEAT_CUSTOMERS:
        out.append(f"only {repeat} customers bought again; at least {MIN_REPEAT_CUSTOMERS} needed")
    return tuple(out)


def simulate(
    rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n customers of the BG/NBD process in weeks: purchase rate Gamma(r, alpha), drop-out
    after each purchase Beta(a, b), each watched for a tenure of 10 to 78 weeks after the first
    purchase. Repeat purchases, the week of the last and the tenure, for checking a fit
    against known parameters."""
    rate = rng.gamma(r, 1 / alpha, n)
    drop = rng.beta(a, b, n)
    tenure = rng.uniform(10, 78, n)
    clock, x, last = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1 / rate), clock)
        bought = alive & (clock <= tenure)
        x += bought
        last = np.where(bought, clock, last)
        alive = bought & (rng.random(n) >= drop)
    return x, last, tenure
