"""Looking every day without inflating false alarms: the significance level of one look.

Operators open a running campaign daily. Testing each look at alpha, a campaign with no effect is
declared significant at some look far more often than alpha (about 28% over 28 daily looks).
Two remedies, each turning the look into the level its tests and intervals use:

- "spending": group-sequential alpha spending (Lan-DeMets, O'Brien-Fleming type) over the planned
  daily looks of a campaign with a planned end. Early looks get almost none of alpha and the last
  nearly all of it, so the final test keeps nearly the power of a single test.
- "always-valid": a normal-mixture confidence sequence (Waudby-Smith et al., as GrowthBook's
  sequential mode), valid at any look of an open-ended programme, tuned to be tightest at the
  planned end; it costs more power at a fixed end.

A campaign's customers are assigned at its start and their outcomes accrue, so the information
of look k of K is taken as k / K (calendar time, as Spotify's design does): the boundaries assume
a look every day up to this one, which is conservative when there were fewer.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np

from evaluation.phrases import Phrase

# SciPy is imported in the functions that use it: every command's parser names METHODS, and
# importing scipy.special took a quarter of a second.

Method = Literal["spending", "always-valid"]
METHODS: tuple[Method, ...] = ("spending", "always-valid")
GRID = 301  # points of the numerical integration over each look's continuation region
MAX_BOUNDARY = 40.0  # |z| beyond which nothing is ever crossed


class SequentialError(ValueError):
    pass


@dataclass(frozen=True)
class Look:
    """Look `look` of `looks` planned: its |z| boundary and the level it amounts to."""

    method: Method
    look: int
    looks: int
    alpha: float  # the campaign's overall false-alarm rate
    boundary: float  # |z| a comparison must reach at this look
    look_alpha: float  # the two-sided level of that boundary: intervals are at this level

    @property
    def description(self) -> str:
        name = {
            "spending": "alpha spending over the planned daily looks (O'Brien-Fleming type)",
            "always-valid": "always-valid confidence sequences",
        }[self.method]
        return (
            f"Sequential: {name}; look {self.look} of {self.looks}: a comparison is significant "
            f"at |z| >= {self.boundary:.3f}, i.e. p < {self.look_alpha:.3g} at this look, so "
            f"that over all looks false alarms stay at {self.alpha:g}; intervals are at that level"
        )


def look(method: str, day: int, days: int, alpha: float) -> Look:
    """The level of day `day` of a campaign planned to run `days` days."""
    from scipy import special

    if method not in METHODS:
        raise SequentialError(
            Phrase(
                "sequential {method!r}: expected {value}",
                method=method,
                value=" or ".join(METHODS),
            )
        )
    if days < 1:
        raise SequentialError(
            Phrase(
                "planned days {days}: expected a whole number from 1",
                days=days,
            )
        )
    if not day >= 1:
        raise SequentialError(
            Phrase(
                "day {day}: expected a whole number from 1",
                day=day,
            )
        )
    if not 0 < alpha < 1:
        raise SequentialError(
            Phrase(
                "alpha {alpha}: expected a number between 0 and 1",
                alpha=alpha,
            )
        )
    k = min(day, days)
    if method == "spending":
        boundary = spending_boundaries(days, alpha)[k - 1]
    else:
        boundary = always_valid_boundary(k / days, alpha)
    look_alpha = float(2 * special.ndtr(-boundary))
    return Look(cast(Method, method), k, days, alpha, boundary, look_alpha)


def spent(t: float, alpha: float) -> float:
    """Lan-DeMets O'Brien-Fleming-type spending: the alpha used up by information fraction t."""
    from scipy import special

    if t <= 0:
        return 0.0
    return float(2 * special.ndtr(special.ndtri(alpha / 2) / math.sqrt(t)))


@functools.lru_cache(maxsize=64)
def spending_boundaries(looks: int, alpha: float) -> tuple[float, ...]:
    """Two-sided |z| boundaries for equally spaced looks, by recursive numerical integration of
    the statistic's path (Armitage, McPherson and Rowe): each look crosses with exactly the
    alpha the spending function allots it, given that no earlier look crossed."""
    from scipy import special

    step = 1 / looks
    first = spent(step, alpha)
    c = min(float(-special.ndtri(first / 2)) if first > 0 else MAX_BOUNDARY, MAX_BOUNDARY)
    boundaries = [c]
    grid = np.linspace(-c * math.sqrt(step), c * math.sqrt(step), GRID)
    density = _normal(grid, step)  # the sub-density of S = Z sqrt(t) where no look crossed
    for j in range(2, looks + 1):
        t = j / looks
        c = _boundary(grid, density, step, t, spent(t, alpha) - spent(t - step, alpha))
        boundaries.append(c)
        grid, density = _continue(grid, density, t, step, c)
    return tuple(boundaries)


def _normal(x: np.ndarray, variance: float) -> np.ndarray:
    return np.exp(-0.5 * x * x / variance) / math.sqrt(2 * math.pi * variance)


def _crossing(grid: np.ndarray, density: np.ndarray, step: float, t: float, c: float) -> float:
    """P(|S_t| >= c sqrt(t) and no earlier crossing)."""
    from scipy import special

    b, sd = c * math.sqrt(t), math.sqrt(step)
    tails = special.ndtr((-b - grid) / sd) + special.ndtr((grid - b) / sd)
    return float(_integrate(grid, density * tails))


def _boundary(grid: np.ndarray, density: np.ndarray, step: float, t: float, target: float) -> float:
    if target <= 0 or _crossing(grid, density, step, t, MAX_BOUNDARY) >= target:
        return MAX_BOUNDARY
    from scipy.optimize import brentq  # only sequential looks need it: slow to import

    return float(
        brentq(
            lambda c: _crossing(grid, density, step, t, c) - target, 0.0, MAX_BOUNDARY, xtol=1e-10
        )
    )


def _continue(
    grid: np.ndarray, density: np.ndarray, t: float, step: float, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """The sub-density of S_t on a grid over the continuation region |S_t| < c sqrt(t)."""
    b = c * math.sqrt(t)
    new_grid = np.linspace(-b, b, GRID)
    kernel = _normal(new_grid[:, None] - grid[None, :], step)
    return new_grid, _integrate(grid, kernel * density[None, :], axis=1)


def _integrate(grid: np.ndarray, values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Simpson's rule over an evenly spaced grid of an odd number of points."""
    h = grid[1] - grid[0]
    weights = np.ones(len(grid))
    weights[1:-1:2], weights[2:-1:2] = 4, 2
    return np.sum(values * weights, axis=axis) * h / 3


def always_valid_boundary(t: float, alpha: float) -> float:
    """The normal-mixture confidence sequence's |z| boundary at information fraction t, with
    the mixture tuned so that the sequence is tightest at t = 1 (Waudby-Smith et al. 2023,
    eq. 9 and 161, in information time)."""
    mix = -2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)  # rho^2 times the end's n
    x = t * mix
    return math.sqrt(2 * (x + 1) / x * math.log(math.sqrt(x + 1) / alpha))
