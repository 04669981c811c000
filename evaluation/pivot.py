"""One test per comparison, inverted into both intervals: the p-value, the absolute and the
relative interval, the chance to beat the control and the risk all come from it.

Every per-customer metric is a ratio of sums, R = sum(y) / sum(x); a mean is a ratio over the
constant 1. Under the hypothesis that the arm's R equals the control's plus delta (or times rho),
each customer's residual e = y - R x has mean zero in both arms, with one R estimated from both
arms' sums. The statistic is the difference of the arms' mean residuals over its Welch standard
error; at delta = 0 (rho = 1) both hypotheses give the same statistic, so the p-value and the two
intervals agree about significance by construction.

Shops keep small holdouts and their revenue is skewed: the Welch statistic is then skewed too (a
small control's mean and its variance estimate rise together) and a plain t test rejects mostly on
one side. Hall's (1992) cubic transformation removes the n^-1/2 skewness term of the statistic's
Edgeworth expansion. It is monotone, so its inverse gives the critical values of the statistic,
and the skewness is estimated once, at the hypothesis of no difference, so that one transformation
serves the test and both intervals.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from evaluation.model import Better, ConfidenceInterval, TestResult
from evaluation.sufficient import ONE, Linear, Moments

# Values of the corrected statistic the expected loss is integrated over; beyond 8 the Student
# distributions of any real test hold under 1e-5 of their mass.
RISK_GRID = np.linspace(-8, 8, 641)


def combine(*terms: tuple[float, Linear]) -> dict[str, float]:
    out: dict[str, float] = {}
    for weight, linear in terms:
        for column, coefficient in linear.items():
            out[column] = out.get(column, 0.0) + weight * coefficient
    return out


@dataclass(frozen=True)
class Hall:
    """g(t) = t + a t^2 + a^2 t^3 / 3 + gamma / 6 with a = gamma / 3: monotone, invertible."""

    gamma: float

    def forward(self, t: float) -> float:
        a = self.gamma / 3
        return t + a * t * t + a * a * t**3 / 3 + self.gamma / 6

    def inverse(self, g: np.ndarray) -> np.ndarray:
        a, b = self.gamma / 3, self.gamma / 6
        if a == 0:
            return g - b
        return (np.cbrt(1 + 3 * a * (g - b)) - 1) / a


@dataclass(frozen=True)
class Line:
    """Residuals e_arm = A0 + lam A1, e_control = C0 + lam C1: the statistic is
    T(lam) = D(lam) / sqrt(V(lam)), D linear and V quadratic in lam."""

    d0: float
    d1: float
    v0: float
    v1: float
    v2: float

    def statistic(self, lam: float) -> float:
        variance = self.v0 + 2 * lam * self.v1 + lam * lam * self.v2
        if not variance > 0:
            return math.nan
        return (self.d0 + lam * self.d1) / math.sqrt(variance)

    def _quadratic(self, t: Any) -> tuple[Any, Any, Any]:
        """a, b, c of a lam^2 + 2 b lam + c = 0, which is D^2 = t^2 V (for a number or an array
        of t)."""
        t2 = t * t
        return (
            self.d1**2 - t2 * self.v2,
            self.d0 * self.d1 - t2 * self.v1,
            self.d0**2 - t2 * self.v0,
        )

    def crossings(self, t: float) -> list[float]:
        """Every lam where T(lam) may equal t: the real roots of D^2 = t^2 V."""
        a2, b, c = self._quadratic(t)
        if abs(a2) < 1e-300:
            return [-c / (2 * b)] if b != 0 else []
        disc = b * b - a2 * c
        if disc < 0:
            return []
        root = math.sqrt(disc)
        return [(-b - root) / a2, (-b + root) / a2]

    def accepted(
        self, t_low: float, t_high: float, null: float, floor: float = -math.inf
    ) -> ConfidenceInterval | None:
        """The lam above `floor` with t_low <= T(lam) <= t_high, as one interval: the stretch
        holding `null` if the test accepts it, else the stretch nearest the estimate, so the
        interval holds `null` exactly when the test does not reject it. T has at most one
        turning point; the crossings cut the line into pieces wholly in or out."""
        cuts = sorted(x for x in self.crossings(t_low) + self.crossings(t_high) if x > floor)
        edges = [floor, *cuts, math.inf]
        stretches: list[list[float]] = []
        for low, high in itertools.pairwise(edges):
            if not t_low <= self.statistic(_probe(low, high)) <= t_high:
                continue
            if stretches and stretches[-1][1] == low:
                stretches[-1][1] = high  # T touched a bound there without leaving
            else:
                stretches.append([low, high])
        if not stretches:
            return None
        estimate = -self.d0 / self.d1 if self.d1 != 0 else null
        chosen = min(
            stretches,
            key=lambda s: (not s[0] <= null <= s[1], max(s[0] - estimate, estimate - s[1], 0)),
        )
        return ConfidenceInterval(chosen[0], chosen[1])

    def solve(self, t: np.ndarray) -> np.ndarray:
        """For each t, the lam with T(lam) = t nearest the estimate (D = 0); +-inf where T never
        reaches t, with the sign of the side it stays on. For the many quantiles of the risk,
        where the statistic is monotone near the estimate."""
        t = np.asarray(t, dtype=float)
        a2, b, c = self._quadratic(t)
        disc = np.maximum(b * b - a2 * c, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = np.stack([(-b - np.sqrt(disc)) / a2, (-b + np.sqrt(disc)) / a2])
            d = self.d0 + roots * self.d1
            centre = np.divide(-self.d0, self.d1)
        valid = np.isfinite(roots) & ((np.sign(d) == np.sign(t)) | (np.abs(d) < 1e-12))
        distance = np.where(valid, np.abs(roots - centre), np.inf)
        pick = np.take_along_axis(roots, np.argmin(distance, axis=0)[None], axis=0)[0]
        side = -np.sign(self.d1) * np.sign(t)
        beyond = np.where(side > 0, np.inf, np.where(side < 0, -np.inf, np.nan))
        return np.where(np.isfinite(distance).any(axis=0), pick, beyond)


def _probe(low: float, high: float) -> float:
    """A point inside (low, high), which may be unbounded."""
    if math.isinf(low) and math.isinf(high):
        return 0.0
    if math.isinf(low):
        return high - 1e9 * (1 + abs(high))
    if math.isinf(high):
        return low + 1e9 * (1 + abs(low))
    return (low + high) / 2


@dataclass(frozen=True)
class Pivot:
    """The statistic at no difference, its skewness and degrees of freedom, and the two lines
    along which it is inverted."""

    statistic: float
    hall: Hall
    df: float
    absolute: Line
    relative: Line | None  # None where the control's value is not above zero

    def p_value(self) -> float:
        return float(2 * special.stdtr(self.df, -abs(self.hall.forward(self.statistic))))

    def _critical(self, probabilities: np.ndarray) -> np.ndarray:
        """The statistic's values at these upper-tail probabilities, skewness corrected."""
        return self.hall.inverse(special.stdtrit(self.df, 1 - probabilities))

    def interval(self, line: Line, alpha: float, relative: bool) -> ConfidenceInterval | None:
        """The differences (or, relative, the ratios rho above 0) the test does not reject."""
        high, low = self._critical(np.array([alpha / 2, 1 - alpha / 2]))
        if relative:
            return line.accepted(float(low), float(high), null=1.0, floor=0.0)
        return line.accepted(float(low), float(high), null=0.0)

    def prob_beats(self, better: Better) -> float:
        upper = float(special.stdtr(self.df, self.hall.forward(self.statistic)))
        return upper if better == "higher" else 1 - upper

    def risk(self, better: Better) -> float | None:
        """Expected loss, in the metric's units, of choosing the arm: the mean shortfall of the
        difference, over the distribution the test's intervals give it."""
        differences = self.absolute.solve(self.hall.inverse(RISK_GRID))
        if not np.isfinite(differences).all():
            return None
        weights = special.stdtr(self.df, RISK_GRID[1:]) - special.stdtr(self.df, RISK_GRID[:-1])
        loss = np.maximum(-differences if better == "higher" else differences, 0.0)
        return float(((loss[1:] + loss[:-1]) / 2 * weights).sum() / weights.sum())


def _line(a: Moments, c: Moments, a0: Linear, a1: Linear, c0: Linear, c1: Linear) -> Line:
    def variance(m: Moments, p: Linear, q: Linear) -> tuple[float, float, float]:
        return m.var_of(p) / m.n, m.cov_of(p, q) / m.n, m.var_of(q) / m.n

    va, vc = variance(a, a0, a1), variance(c, c0, c1)
    return Line(
        d0=a.mean_of(a0) - c.mean_of(c0),
        d1=a.mean_of(a1) - c.mean_of(c1),
        v0=va[0] + vc[0],
        v1=va[1] + vc[1],
        v2=va[2] + vc[2],
    )


def pivot(a: Moments, c: Moments, y: Linear, x: Linear) -> Pivot | None:
    """The test of R_arm = R_control for R = mean(y) / mean(x); None without variance."""
    if a.n < 2 or c.n < 2:
        return None
    sx_a, sx_c = a.mean_of(x) * a.n, c.mean_of(x) * c.n
    sy_a, sy_c = a.mean_of(y) * a.n, c.mean_of(y) * c.n
    total_x = sx_a + sx_c
    if total_x == 0:
        return None
    pooled = (sy_a + sy_c) / total_x
    residual = combine((1, y), (-pooled, x))  # e at no difference
    if all(_no_spread(m, residual, y, x, pooled) for m in (a, c)):
        return None
    va, vc = a.var_of(residual) / a.n, c.var_of(residual) / c.n
    variance = va + vc
    df = variance**2 / (va**2 / (a.n - 1) + vc**2 / (c.n - 1))
    gamma = (a.m3_of(residual) / a.n**2 - c.m3_of(residual) / c.n**2) / variance**1.5
    absolute = _line(
        a, c, residual, combine((-sx_c / total_x, x)), residual, combine((sx_a / total_x, x))
    )
    relative = None
    if sy_c > 0 and sx_c > 0:
        ra, rc = sy_a / total_x, sy_c / total_x
        relative = _line(
            a,
            c,
            combine((1, y), (-ra, x)),
            combine((-rc, x)),
            combine((-ra, x)),
            combine((1, y), (-rc, x)),
        )
    statistic = (a.mean_of(residual) - c.mean_of(residual)) / math.sqrt(variance)
    return Pivot(statistic, Hall(gamma), df, absolute, relative)


def _no_spread(m: Moments, residual: Linear, y: Linear, x: Linear, r: float) -> bool:
    """Whether the residuals vary by no more than the rounding of the sums they come from: a
    ratio that is the same for every customer (a fixed cost per click) has no test."""
    scale = m.mean_of(y) ** 2 + m.var_of(y) + r * r * (m.mean_of(x) ** 2 + m.var_of(x))
    return m.var_of(residual) <= 1e-10 * scale


def ratio(m: Moments, y: Linear, x: Linear) -> float:
    den = m.mean_of(x)
    return m.mean_of(y) / den if den != 0 else math.nan


def compare(
    a: Moments, c: Moments, y: Linear, x: Linear, alpha: float, test: str
) -> tuple[TestResult, Pivot | None]:
    """The arm against the control on R = mean(y) / mean(x)."""
    r_a, r_c = ratio(a, y, x), ratio(c, y, x)
    rel = r_a / r_c - 1 if r_c != 0 else math.nan
    found = pivot(a, c, y, x)
    if found is None:
        return TestResult(r_c, r_a, r_a - r_c, None, rel, None, None, test), None
    rel_ci = None
    # rho is a ratio of values that are never negative: below 0 it has no meaning
    accepted = None if found.relative is None else found.interval(found.relative, alpha, True)
    if accepted is not None:
        rel_ci = ConfidenceInterval(accepted.low - 1, accepted.high - 1)
    result = TestResult(
        control_value=r_c,
        arm_value=r_a,
        abs_diff=r_a - r_c,
        abs_ci=found.interval(found.absolute, alpha, False),
        rel_lift=rel,
        rel_ci=rel_ci,
        p_value=found.p_value(),
        test=test,
        statistic=found.statistic,
        df=found.df,
        skewness=found.hall.gamma,
    )
    return result, found


def constant() -> dict[str, float]:
    return {ONE: 1.0}
