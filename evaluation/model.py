"""Result objects with named fields, as SciPy's tests return them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

ALPHA = 0.05  # the default significance level of every evaluation
# The overall comparison's segment. It starts with a NUL, which crm-tui's readers drop from
# every text cell, so no segment of the data can take it (a segment named "all" was counted
# twice when the overall row was keyed "all").
OVERALL = "\x00all"
NO_VALUE = "(none)"  # the breakdown value of customers whose breakdown column is empty
SRM_THRESHOLD = 0.001  # a sample-ratio p below this means the split is broken


def segment_label(segment: str) -> str:
    """How a segment is shown: the overall comparison as "(all)"."""
    return "(all)" if segment == OVERALL else segment


ADJUSTMENTS = ("holm", "bh")  # multiple-testing adjustments; the first is the default


class ConfidenceInterval(NamedTuple):
    """As SciPy names an interval's ends."""

    low: float
    high: float


@dataclass(frozen=True)
class TestResult:
    """One arm against the control on one metric, shaped like SciPy's test results.

    statistic and df are those of the test named in `test` (df is None for z tests); the
    intervals are at the evaluation's alpha, abs_ci for the difference and rel_ci for the
    relative lift; None where the data cannot give one.
    """

    control_value: float
    arm_value: float
    abs_diff: float
    abs_ci: ConfidenceInterval | None
    rel_lift: float
    rel_ci: ConfidenceInterval | None
    p_value: float | None
    test: str
    statistic: float | None = None
    df: float | None = None


@dataclass(frozen=True)
class Comparison:
    """One arm against the control on one metric within one segment, with its test's result."""

    metric: str
    arm: str
    control: str
    segment: str
    n_arm: int
    n_control: int
    result: TestResult
    p_adjusted: float | None = None
    prob_beats_control: float | None = None

    def significant(self, alpha: float) -> bool:
        return self.p_adjusted is not None and self.p_adjusted < alpha


@dataclass(frozen=True)
class SampleRatio:
    """Sample-ratio mismatch: observed arm sizes against the planned shares."""

    p_value: float
    observed: dict[str, int]
    expected: dict[str, float]
    basis: str = "the planned shares"
    threshold: float = SRM_THRESHOLD

    @property
    def ok(self) -> bool:
        return not self.p_value < self.threshold


@dataclass(frozen=True)
class Incremental:
    """What the treatment added over the control, for the treated customers.

    Incremental revenue and cost are (treatment mean - control mean) x treated customers: the
    control often costs something too (the shop's usual ads). Incremental ROI is the one over
    the other, with Fieller's interval (None where the extra cost is not surely above zero).
    Gross ROI, revenue over cost in the treatment arm, stands beside it.
    """

    arm: str
    control: str
    segment: str
    treated: int
    incremental_revenue: float
    incremental_revenue_ci: ConfidenceInterval | None
    incremental_cost: float
    incremental_cost_ci: ConfidenceInterval | None
    incremental_roi: float | None
    incremental_roi_ci: ConfidenceInterval | None
    treatment_cost: float
    gross_roi: float | None


@dataclass(frozen=True)
class Report:
    control: str
    arms: tuple[str, ...]
    alpha: float
    adjustment: str
    unit: str  # "customer" or "aggregated"
    srm: SampleRatio | None
    comparisons: tuple[Comparison, ...]
    incremental: tuple[Incremental, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    customers: dict[str, int] = field(default_factory=dict)
