"""Evaluate a campaign: per arm against the control, per metric, optionally per segment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from evaluation import stats
from evaluation.errors import EvaluationError
from evaluation.metrics import METRICS, OUTCOME_COLUMNS, Metric, available
from evaluation.model import (
    ADJUSTMENTS,
    ALPHA,
    Comparison,
    ConfidenceInterval,
    Incremental,
    Report,
    SampleRatio,
)
from evaluation.sufficient import Moments, sufficient_statistics

COVARIATE = "pre_revenue"


def intent_to_treat(
    assignment: pl.DataFrame, outcomes: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Everyone assigned to an arm, with zeros for those who have no outcome row."""
    assigned = assignment.filter(pl.col("arm").is_not_null())
    keep = [c for c in outcomes.columns if c in (*OUTCOME_COLUMNS, COVARIATE)]
    outcome_rows = (
        outcomes.select("customer_id", *keep)
        .group_by("customer_id")
        .agg(pl.col(c).sum() for c in keep)
    )
    joined = assigned.join(outcome_rows, on="customer_id", how="left")
    missing = joined.filter(pl.all_horizontal(pl.col(c).is_null() for c in keep)).height
    joined = joined.with_columns(pl.col(c).fill_null(0) for c in keep)
    stray = outcome_rows.join(assigned, on="customer_id", how="anti").height
    coverage = {
        "assigned": assigned.height,
        "assigned_without_outcome": missing,
        "outcomes_not_assigned": stray,
        "not_in_an_arm": assignment.height - assigned.height,
    }
    return joined, coverage


def evaluate(
    results: pl.DataFrame,
    control: str,
    *,
    shares: Mapping[str, float] | None = None,
    by: str | None = None,
    alpha: float = ALPHA,
    metrics: Sequence[str] | None = None,
    adjustment: str = ADJUSTMENTS[0],
    notes: Sequence[str] = (),
) -> Report:
    """Per-customer results (one row per customer: arm plus outcome columns) -> Report."""
    check_arguments(results, by, alpha, adjustment)
    chosen = _metrics(results, metrics)
    moments = sufficient_statistics(results, by, chosen)
    arms = tuple(sorted(moments.arms()))
    if control not in arms:
        raise EvaluationError(
            f"control arm {control!r} is not in the results; arms are {', '.join(arms)}"
        )
    treatments = [a for a in arms if a != control]
    comparisons: list[Comparison] = []
    incremental: list[Incremental] = []
    for segment in moments.segments():
        c = moments.get(segment, control)
        for arm in treatments:
            a = moments.get(segment, arm)
            if a is None or c is None:
                continue
            comparisons += [_compare(m, a, c, arm, control, segment, alpha) for m in chosen]
            if COVARIATE in results.columns and "revenue_per_customer" in [m.name for m in chosen]:
                comparisons.append(_cuped(a, c, arm, control, segment, alpha))
            if {"revenue", "cost"} <= set(results.columns):
                incremental.append(_incremental(a, c, arm, control, segment, alpha))
    observed = {arm: moments.overall(arm).n for arm in arms}
    srm = check_sample_ratio(observed, shares)
    return Report(
        control=control,
        arms=arms,
        alpha=alpha,
        adjustment=adjustment,
        unit="customer",
        srm=srm,
        comparisons=tuple(adjust_p_values(comparisons, adjustment)),
        incremental=tuple(incremental),
        notes=tuple(notes),
        customers=observed,
    )


def check_sample_ratio(
    observed: Mapping[str, int], shares: Mapping[str, float] | None
) -> SampleRatio:
    """Observed arm sizes against the planned shares, or equal shares when there is no plan."""
    p_value, expected = stats.sample_ratio(observed, shares or {a: 1.0 for a in observed})
    basis = "the planned shares" if shares else "equal shares (no plan given)"
    return SampleRatio(p_value, dict(observed), expected, basis)


def check_arguments(results: pl.DataFrame, by: str | None, alpha: float, adjustment: str) -> None:
    """The same argument checks for per-customer and aggregated results."""
    if "arm" not in results.columns:
        raise EvaluationError("results have no arm column")
    if by is not None and by not in results.columns:
        raise EvaluationError(
            f"by {by!r}: no such column; columns are {', '.join(results.columns)}"
        )
    if not 0 < alpha < 1:
        raise EvaluationError(f"alpha {alpha}: expected a number between 0 and 1")
    if adjustment not in ADJUSTMENTS:
        raise EvaluationError(f"adjustment {adjustment!r}: expected {' or '.join(ADJUSTMENTS)}")


def _metrics(results: pl.DataFrame, names: Sequence[str] | None) -> list[Metric]:
    present = available(set(results.columns))
    if names is None:
        if not present:
            raise EvaluationError(
                "results have none of the outcome columns " + ", ".join(OUTCOME_COLUMNS)
            )
        return [METRICS[n] for n in present]
    out = []
    for name in names:
        if name not in METRICS:
            raise EvaluationError(f"unknown metric {name!r}; metrics are {', '.join(METRICS)}")
        if name not in present:
            raise EvaluationError(f"metric {name} needs columns the results do not have")
        out.append(METRICS[name])
    return out


def _compare(
    metric: Metric, a: Moments, c: Moments, arm: str, control: str, segment: str, alpha: float
) -> Comparison:
    prob = None
    if metric.kind == "proportion":
        xa, xc = int(a.sum(metric.numerator)), int(c.sum(metric.numerator))
        result = stats.two_proportions(xa, a.n, xc, c.n, alpha)
        prob = stats.prob_beats_control(xa, a.n, xc, c.n)
    elif metric.kind == "mean":
        y = metric.numerator
        result = stats.welch(a.mean(y), a.var(y), a.n, c.mean(y), c.var(y), c.n, alpha)
    else:
        assert metric.denominator is not None
        result = stats.ratio_delta(
            a.ratio_moments(metric.numerator, metric.denominator),
            c.ratio_moments(metric.numerator, metric.denominator),
            alpha,
        )
    return Comparison(metric.name, arm, control, segment, a.n, c.n, result, prob_beats_control=prob)


def _cuped(
    a: Moments, c: Moments, arm: str, control: str, segment: str, alpha: float
) -> Comparison:
    # theta from both arms pooled, so the adjustment cannot favour either arm
    pooled = a + c
    var_x = pooled.var(COVARIATE)
    theta = pooled.cov("revenue", COVARIATE) / var_x if var_x > 0 else 0.0
    mean_x = pooled.mean(COVARIATE)

    def adjusted(m: Moments) -> tuple[float, float]:
        mean = m.mean("revenue") - theta * (m.mean(COVARIATE) - mean_x)
        var = (
            m.var("revenue") + theta**2 * m.var(COVARIATE) - 2 * theta * m.cov("revenue", COVARIATE)
        )
        return mean, max(var, 0.0)

    (ma, va), (mc, vc) = adjusted(a), adjusted(c)
    r = replace(stats.welch(ma, va, a.n, mc, vc, c.n, alpha), test="Welch t (CUPED)")
    return Comparison("revenue_per_customer_cuped", arm, control, segment, a.n, c.n, r)


def _incremental(
    a: Moments, c: Moments, arm: str, control: str, segment: str, alpha: float
) -> Incremental:
    def difference(col: str) -> tuple[float, ConfidenceInterval | None, float]:
        """Treatment minus control mean, its interval, and its variance."""
        r = stats.welch(a.mean(col), a.var(col), a.n, c.mean(col), c.var(col), c.n, alpha)
        return r.abs_diff, r.abs_ci, a.var(col) / a.n + c.var(col) / c.n

    def scaled(ci: ConfidenceInterval | None) -> ConfidenceInterval | None:
        return ConfidenceInterval(ci.low * a.n, ci.high * a.n) if ci else None

    revenue, revenue_ci, var_revenue = difference("revenue")
    cost, cost_ci, var_cost = difference("cost")
    covariance = a.cov("revenue", "cost") / a.n + c.cov("revenue", "cost") / c.n
    spent = a.sum("cost")
    return Incremental(
        arm=arm,
        control=control,
        segment=segment,
        treated=a.n,
        incremental_revenue=revenue * a.n,
        incremental_revenue_ci=scaled(revenue_ci),
        incremental_cost=cost * a.n,
        incremental_cost_ci=scaled(cost_ci),
        incremental_roi=revenue / cost if cost > 0 else None,
        incremental_roi_ci=stats.fieller(revenue, cost, var_revenue, var_cost, covariance, alpha)
        if cost > 0
        else None,
        treatment_cost=spent,
        gross_roi=a.sum("revenue") / spent if spent > 0 else None,
    )


def adjust_p_values(comparisons: list[Comparison], adjustment: str) -> list[Comparison]:
    p_values = [c.result.p_value for c in comparisons]
    tested = [i for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    if not tested:
        return comparisons
    raw = [p_values[i] or 0.0 for i in tested]
    adjusted = stats.holm(raw) if adjustment == "holm" else stats.benjamini_hochberg(raw)
    out = list(comparisons)
    for i, p in zip(tested, adjusted, strict=True):
        out[i] = replace(out[i], p_adjusted=p)
    return out
