"""How a shop is segmented: one settings type, recorded in every plan and applied by the engine.

Each default is defined here and nowhere else; the TOML reader, the command line and the terminal
app all build their settings through this type, so its rules are checked in one place.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, fields

from campaigns.errors import PlanError
from evaluation.phrases import Phrase

LIFECYCLE_QUANTILES = (0.3, 0.6, 0.9)
TIER_THRESHOLDS = (188.0, 388.0)
BAND_MAX_CUTS = 3
BAND_MIN_SHARE = 0.05
BAND_MIN_CUSTOMERS = 30
MAX_DAYS = 36_500  # a century: longer thresholds are typing slips, and overflow date arithmetic


@dataclass(frozen=True)
class SegmentationSettings:
    """Everything the engine learns from or applies; the reference date travels beside it."""

    lifecycle_quantiles: tuple[float, float, float] = LIFECYCLE_QUANTILES
    lifecycle_days: tuple[float, float, float] | None = None  # fixed thresholds instead
    tier_thresholds: tuple[float, float] = TIER_THRESHOLDS
    band_max_cuts: int = BAND_MAX_CUTS
    band_min_share: float = BAND_MIN_SHARE
    band_min_customers: int = BAND_MIN_CUSTOMERS

    def __post_init__(self) -> None:
        problems = settings_problems(self)
        if problems:
            lines = [
                Phrase("{path}: {problem}", path=name, problem=problem)
                for name, problem in problems.items()
            ]
            raise PlanError(lines, setting=next(iter(problems)))


SETTING_NAMES = tuple(f.name for f in fields(SegmentationSettings))


def settings_problems(s: SegmentationSettings) -> dict[str, Phrase]:
    """Setting name -> what is wrong with its value, for every setting that breaks a rule."""
    problems: dict[str, Phrase] = {}
    q = s.lifecycle_quantiles
    if not _increasing(q, 3) or not (q[0] > 0 and q[-1] < 1):
        problems["lifecycle_quantiles"] = Phrase(
            "expected three increasing numbers between 0 and 1, got {values}",
            values=_show(s.lifecycle_quantiles),
        )
    days = s.lifecycle_days
    if days is not None and (not _increasing(days, 3) or days[0] < 0 or days[-1] > MAX_DAYS):
        problems["lifecycle_days"] = Phrase(
            "expected three increasing numbers of days from 0 to {most:,}, got {values}",
            most=MAX_DAYS,
            values=_show(days),
        )
    if not _increasing(s.tier_thresholds, 2) or s.tier_thresholds[0] <= 0:
        problems["tier_thresholds"] = Phrase(
            "expected two increasing positive amounts (VIP, top VIP), got {values}",
            values=_show(s.tier_thresholds),
        )
    if not _whole(s.band_max_cuts) or not 0 <= s.band_max_cuts <= 3:
        problems["band_max_cuts"] = Phrase(
            "expected a whole number from 0 to 3, got {value}", value=s.band_max_cuts
        )
    if not (isinstance(s.band_min_share, (int, float)) and 0 <= s.band_min_share < 1):
        problems["band_min_share"] = Phrase(
            "expected a share in [0, 1), got {value}", value=s.band_min_share
        )
    if not _whole(s.band_min_customers) or s.band_min_customers < 1:
        problems["band_min_customers"] = Phrase(
            "expected a whole number of at least 1, got {value}", value=s.band_min_customers
        )
    return problems


def _increasing(values: object, n: int) -> bool:
    """n finite numbers, each larger than the one before (days and amounts have to be finite)."""
    if not isinstance(values, tuple) or len(values) != n:
        return False
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return False
    if not all(math.isfinite(v) for v in values):
        return False
    return all(b > a for a, b in itertools.pairwise(values))


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(values: object) -> str:
    if isinstance(values, tuple):
        return ", ".join(f"{v:g}" if isinstance(v, (int, float)) else repr(v) for v in values)
    return repr(values)
