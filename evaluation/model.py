"""Result objects with named fields, as SciPy's tests return them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from evaluation.phrases import Phrase

if TYPE_CHECKING:
    from evaluation.sequential import Look

Better = Literal["higher", "lower"]  # which way a metric improves
ALPHA = 0.05  # the default significance level of every evaluation
# The overall comparison's segment. It starts with a NUL, which crm-tui's readers drop from
# every text cell, so no segment of the data can take it (a segment named "all" was counted
# twice when the overall row was keyed "all").
OVERALL = "\x00all"
NO_VALUE = "(none)"  # the breakdown value of customers whose breakdown column is empty
SRM_THRESHOLD = 0.001  # a sample-ratio p below this means the split is broken


ADJUSTMENTS = ("holm", "bh")  # multiple-testing adjustments; the first is the default
# Money is capped at this quantile of all customers' values in both arms before it is tested
# (GrowthBook's percentile capping): with a 10% holdout and 5% buyers a handful of large orders
# otherwise decides the test. Capping every customer alike keeps the arms exchangeable, so the
# test stays valid for "no effect"; the uncapped figures are reported beside.
CAP_QUANTILE = 0.99
CAPPED_COLUMNS = ("revenue", "pre_revenue")
# the tests a comparison names, in English; the shells word them
WELCH = Phrase("Welch t, skew-corrected")
WELCH_CUPED = Phrase("Welch t, skew-corrected, CUPED")
PER_IMPRESSION = Phrase("Welch t, skew-corrected per impression")
COUNTS_ONLY = Phrase("none (aggregated counts)")
MIN_EVENTS = 20  # fewer customers with the outcome in an arm, and no test can be trusted
FAMILIES = ("primary", "secondary", "overall", "breakdown")


class ConfidenceInterval(NamedTuple):
    """As SciPy names an interval's ends."""

    low: float
    high: float


@dataclass(frozen=True)
class TestResult:
    """One arm against the control on one metric, shaped like SciPy's test results.

    statistic and df are those of the test named in `test`; the intervals are at the
    evaluation's alpha, abs_ci for the difference and rel_ci for the relative lift, both from
    the test that gives p_value, so that each excludes zero exactly when p_value < alpha. An end
    is infinite where the data cannot bound it; an interval is None where the data give none.
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
    skewness: float | None = None  # of the statistic, corrected for (see evaluation.pivot)


class Uncapped(NamedTuple):
    """A capped metric's figures before capping."""

    control_value: float
    arm_value: float
    rel_lift: float


@dataclass(frozen=True)
class Comparison:
    """One arm against the control on one metric within one segment, with its test's result.

    prob_beats_control and risk (the expected loss, in the metric's units, of choosing the arm)
    read the same test as the p-value: a flat-prior reading of its confidence distribution.
    `family` is the set of tests p_adjusted is adjusted within; `events` the fewer customers
    with the outcome in either arm (below MIN_EVENTS no test can be trusted).
    """

    metric: str
    arm: str
    control: str
    segment: str
    n_arm: int
    n_control: int
    result: TestResult
    p_adjusted: float | None = None
    prob_beats_control: float | None = None
    risk: float | None = None
    family: str = "overall"
    events: int | None = None
    uncapped: Uncapped | None = None

    @property
    def few_events(self) -> bool:
        return self.events is not None and self.events < MIN_EVENTS

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
    Revenue is the tested, capped revenue where the report caps it, as no interval of uncapped
    heavy-tailed revenue can be trusted; the uncapped figures stand beside, as does gross ROI,
    revenue over cost in the treatment arm.
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
    uncapped_revenue: float | None = None  # incremental revenue before capping, if capped
    uncapped_roi: float | None = None


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
    primary: tuple[str, ...] = ()
    by: str | None = None  # the breakdown column, if any
    caps: dict[str, float] = field(default_factory=dict)  # column -> the value it is capped at
    cap_quantile: float | None = None
    sequential: Look | None = None  # the look of a running campaign; alpha is then its level
