"""Result objects with named fields, as SciPy's tests return them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evaluation.stats import TestResult


@dataclass(frozen=True)
class Comparison:
    metric: str
    arm: str
    control: str
    segment: str
    control_value: float
    arm_value: float
    abs_diff: float
    abs_ci: tuple[float, float] | None
    rel_lift: float
    rel_ci: tuple[float, float] | None
    p_value: float | None
    test: str
    n_arm: int
    n_control: int
    p_adjusted: float | None = None
    prob_beats_control: float | None = None

    @classmethod
    def of(
        cls,
        metric: str,
        where: tuple[str, str, str, int, int],
        result: TestResult,
        test: str | None = None,
        prob: float | None = None,
    ) -> Comparison:
        """From a test result; where = (arm, control, segment, n_arm, n_control)."""
        arm, control, segment, n_arm, n_control = where
        return cls(
            metric,
            arm,
            control,
            segment,
            result.control_value,
            result.arm_value,
            result.abs_diff,
            result.abs_ci,
            result.rel_lift,
            result.rel_ci,
            result.p_value,
            test or result.test,
            n_arm,
            n_control,
            prob_beats_control=prob,
        )

    def significant(self, alpha: float) -> bool:
        return self.p_adjusted is not None and self.p_adjusted < alpha


@dataclass(frozen=True)
class SampleRatio:
    """Sample-ratio mismatch: observed arm sizes against the planned shares."""

    p_value: float
    observed: dict[str, int]
    expected: dict[str, float]
    basis: str = "the planned shares"
    threshold: float = 0.001

    @property
    def ok(self) -> bool:
        return not self.p_value < self.threshold


@dataclass(frozen=True)
class Incremental:
    arm: str
    control: str
    segment: str
    treated: int
    incremental_revenue: float
    incremental_revenue_ci: tuple[float, float] | None
    treatment_cost: float
    incremental_roi: float | None
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
