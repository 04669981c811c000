"""Evaluate a campaign: per arm against the control, per metric, optionally per segment."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from evaluation import pivot, stats
from evaluation.errors import EvaluationError
from evaluation.metrics import INDICATORS, METRICS, OUTCOME_COLUMNS, SOURCE, Metric, available
from evaluation.model import (
    ADJUSTMENTS,
    ALPHA,
    CAP_QUANTILE,
    CAPPED_COLUMNS,
    FAMILIES,
    MIN_EVENTS,
    OVERALL,
    WELCH,
    WELCH_CUPED,
    Comparison,
    ConfidenceInterval,
    Incremental,
    Report,
    SampleRatio,
    Uncapped,
)
from evaluation.phrases import Phrase
from evaluation.pivot import constant
from evaluation.sequential import Look
from evaluation.sufficient import ONE, Moments, sufficient_statistics

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
    primary: Sequence[str] = (),
    cap: float | None = CAP_QUANTILE,
    sequential: Look | None = None,
    notes: Sequence[str] = (),
) -> Report:
    """Per-customer results (one row per customer: arm plus outcome columns) -> Report.

    `primary` names the metrics the campaign was planned to move: the overall comparisons on
    them form the family their p-values are adjusted within. `cap` is the quantile money is
    capped at before it is tested (None: not capped).
    """
    check_arguments(results, by, alpha, adjustment)
    check_cap(cap)
    alpha = look_level(alpha, sequential)
    chosen = _metrics(results, metrics)
    check_primary(primary, [m.name for m in chosen])
    caps = money_caps(results, cap)
    moments = sufficient_statistics(
        _tested_columns(results, by, caps),
        by,
        _column_groups(chosen, results.columns, caps),
        sums=[c for c in caps if c in results.columns],  # the uncapped figures shown beside
        indicators=INDICATORS,
    )
    arms = tuple(sorted(moments.arms()))
    if control not in arms:
        raise EvaluationError(
            Phrase(
                "control arm {control!r} is not in the results; arms are {value}",
                control=control,
                value=", ".join(arms),
            )
        )
    cuped = COVARIATE in results.columns
    comparisons: list[Comparison] = []
    incremental: list[Incremental] = []
    for segment in moments.segments():
        c = moments.get(segment, control)
        for arm in (a for a in arms if a != control):
            a = moments.get(segment, arm)
            if a is None or c is None:
                continue
            for metric in chosen:
                comparison = _compare(metric, a, c, caps, alpha, cuped)
                comparisons.append(
                    replace(
                        comparison,
                        arm=arm,
                        control=control,
                        segment=segment,
                        family=family_of(metric.name, segment, primary),
                    )
                )
            if {"revenue", "cost"} <= set(results.columns):
                incremental.append(_incremental(a, c, arm, control, segment, alpha, caps))
    observed = {arm: moments.overall(arm).n for arm in arms}
    return Report(
        control=control,
        arms=arms,
        alpha=alpha,
        adjustment=adjustment,
        unit="customer",
        srm=check_sample_ratio(observed, shares),
        comparisons=tuple(adjust_p_values(comparisons, adjustment)),
        incremental=tuple(incremental),
        notes=(*notes, *_cap_notes(caps, cap), *_cuped_notes(cuped, chosen), *few(comparisons)),
        customers=observed,
        primary=tuple(primary),
        by=by,
        caps=caps,
        cap_quantile=cap if caps else None,
        sequential=sequential,
    )


def look_level(alpha: float, sequential: Look | None) -> float:
    """The level a look's tests and intervals use: alpha, or the sequential look's share."""
    if sequential is None:
        return alpha
    if sequential.alpha != alpha:
        raise EvaluationError(
            Phrase(
                "the look was planned at alpha {alpha}, not {alpha2}",
                alpha=sequential.alpha,
                alpha2=alpha,
            )
        )
    return sequential.look_alpha


def family_of(metric: str, segment: str, primary: Sequence[str]) -> str:
    """Which family a comparison's p-value is adjusted within."""
    if segment != OVERALL:
        return "breakdown"
    if not primary:
        return "overall"
    return "primary" if metric in primary else "secondary"


def check_cap(cap: float | None) -> None:
    if cap is not None and not 0.5 <= cap < 1:
        raise EvaluationError(
            Phrase(
                "cap {cap}: expected a quantile from 0.5 to below 1, or none",
                cap=cap,
            )
        )


def check_primary(primary: Sequence[str], chosen: Sequence[str]) -> None:
    unknown = [m for m in primary if m not in chosen]
    if unknown:
        raise EvaluationError(
            Phrase(
                "primary metric {name!r} is not among the metrics evaluated: {chosen}",
                name=unknown[0],
                chosen=", ".join(chosen),
            )
        )


def money_caps(results: pl.DataFrame, cap: float | None) -> dict[str, float]:
    """Each money column's cap: the quantile of all customers' values, both arms pooled, or of
    the customers with any value where more than 1 - cap of them have none."""
    columns = [c for c in CAPPED_COLUMNS if c in results.columns]
    if cap is None or not columns or results.height == 0:
        return {}
    values = (
        results.lazy()
        .select(
            *[pl.col(c).cast(pl.Float64).quantile(cap, "linear").alias(c) for c in columns],
            *[
                pl.col(c)
                .cast(pl.Float64)
                .filter(pl.col(c) != 0)
                .quantile(cap, "linear")
                .alias(f"#{c}")
                for c in columns
            ],
        )
        .collect()
        .row(0, named=True)
    )
    caps = {c: values[c] or values[f"#{c}"] for c in columns}
    return {c: float(v) for c, v in caps.items() if v is not None and v > 0}


def capped(column: str) -> str:
    return f"{column} (capped)"


def _tested_columns(
    results: pl.DataFrame, by: str | None, caps: Mapping[str, float]
) -> pl.LazyFrame:
    """The outcome columns as numbers, the indicators derived, each capped column beside its
    uncapped self."""
    numeric = [c for c in (*OUTCOME_COLUMNS, COVARIATE) if c in results.columns]
    return results.lazy().select(
        "arm",
        *([by] if by is not None and by not in numeric else []),
        *[pl.col(c).cast(pl.Float64) for c in numeric],
        *[e.cast(pl.Float64).alias(n) for n, e in INDICATORS.items() if SOURCE[n] in numeric],
        *[pl.col(c).cast(pl.Float64).clip(upper_bound=v).alias(capped(c)) for c, v in caps.items()],
    )


def _linear(metric: Metric, caps: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """The metric as R = mean(y) / mean(x) on the tested (capped) columns."""

    def tested(column: str) -> str:
        return capped(column) if column in caps else column

    y = {tested(metric.numerator): 1.0}
    x = {tested(metric.denominator): 1.0} if metric.denominator else constant()
    return y, x


def _column_groups(
    chosen: Sequence[Metric], columns: Sequence[str], caps: Mapping[str, float]
) -> list[set[str]]:
    """The columns tested together, whose products up to the third order the tests need."""
    groups = [{*y, *x} for y, x in (_linear(metric, caps) for metric in chosen)]
    revenue = capped("revenue") if "revenue" in caps else "revenue"
    if COVARIATE in columns:
        groups.append({revenue, _covariate(caps)})
    if {"revenue", "cost"} <= set(columns):  # incremental money, Fieller's covariance
        groups.append({revenue, "cost"})
    return groups


def _covariate(caps: Mapping[str, float]) -> str:
    return capped(COVARIATE) if COVARIATE in caps else COVARIATE


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
        raise EvaluationError(
            Phrase(
                "results have no arm column",
            )
        )
    if by is not None and by not in results.columns:
        raise EvaluationError(
            Phrase(
                "by {by!r}: no such column; columns are {value}",
                by=by,
                value=", ".join(results.columns),
            )
        )
    if not 0 < alpha < 1:
        raise EvaluationError(
            Phrase(
                "alpha {alpha}: expected a number between 0 and 1",
                alpha=alpha,
            )
        )
    if adjustment not in ADJUSTMENTS:
        raise EvaluationError(
            Phrase(
                "adjustment {adjustment!r}: expected {value}",
                adjustment=adjustment,
                value=" or ".join(ADJUSTMENTS),
            )
        )


def _metrics(results: pl.DataFrame, names: Sequence[str] | None) -> list[Metric]:
    present = available(set(results.columns))
    if names is None:
        if not present:
            raise EvaluationError(
                Phrase(
                    "results have none of the outcome columns {columns}",
                    columns=", ".join(OUTCOME_COLUMNS),
                )
            )
        return [METRICS[n] for n in present]
    out = []
    for name in names:
        if name not in METRICS:
            raise EvaluationError(
                Phrase(
                    "unknown metric {name!r}; metrics are {value}",
                    name=name,
                    value=", ".join(METRICS),
                )
            )
        if name not in present:
            raise EvaluationError(
                Phrase(
                    "metric {name} needs columns the results do not have",
                    name=name,
                )
            )
        out.append(METRICS[name])
    return out


def _compare(
    metric: Metric,
    a: Moments,
    c: Moments,
    caps: Mapping[str, float],
    alpha: float,
    cuped: bool,
) -> Comparison:
    """One metric, the arm against the control; arm, control and segment are filled in after."""
    y, x = _linear(metric, caps)
    events = min(_events(m, {*y, *x}) for m in (a, c))
    test = WELCH
    if cuped and metric.name == "revenue_per_customer":
        y, test = _cuped(a, c, y, caps), WELCH_CUPED
    result, found = pivot.compare(a, c, y, x, alpha, test)
    uncapped = None
    if _linear(metric, {}) != _linear(metric, caps):
        raw_y, raw_x = _linear(metric, {})
        arm_value, control_value = pivot.ratio(a, raw_y, raw_x), pivot.ratio(c, raw_y, raw_x)
        lift = arm_value / control_value - 1 if control_value else math.nan
        uncapped = Uncapped(control_value, arm_value, lift)
    return Comparison(
        metric.name,
        arm="",
        control="",
        segment="",
        n_arm=a.n,
        n_control=c.n,
        result=result,
        prob_beats_control=None if found is None else found.prob_beats(metric.better),
        risk=None if found is None else found.risk(metric.better),
        events=events,
        uncapped=uncapped,
    )


def _events(m: Moments, columns: set[str]) -> int:
    """Customers with the rarer outcome: a 0/1 outcome's rarer value, else any nonzero value."""
    counts = []
    for column in columns - {ONE}:
        nonzero = m.nonzero(column)
        indicator = column in INDICATORS
        counts.append(min(nonzero, m.n - nonzero) if indicator else nonzero)
    return min(counts, default=m.n)


def _cuped(
    a: Moments, c: Moments, y: Mapping[str, float], caps: Mapping[str, float]
) -> dict[str, float]:
    """Revenue less theta times its pre-period value (around the pooled mean), theta from both
    arms pooled so that the adjustment cannot favour either arm."""
    (revenue,) = y
    covariate = _covariate(caps)
    pooled = a + c
    var_x = pooled.var(covariate)
    theta = pooled.cov(revenue, covariate) / var_x if var_x > 0 else 0.0
    return {revenue: 1.0, covariate: -theta, ONE: theta * pooled.mean(covariate)}


def _incremental(
    a: Moments,
    c: Moments,
    arm: str,
    control: str,
    segment: str,
    alpha: float,
    caps: Mapping[str, float],
) -> Incremental:
    """On the tested (capped) revenue, the uncapped figures beside."""

    def difference(col: str) -> tuple[float, ConfidenceInterval | None]:
        result, _ = pivot.compare(a, c, {col: 1.0}, constant(), alpha, "")
        ci = result.abs_ci
        return result.abs_diff, ConfidenceInterval(ci.low * a.n, ci.high * a.n) if ci else None

    tested = capped("revenue") if "revenue" in caps else "revenue"
    revenue, revenue_ci = difference(tested)
    cost, cost_ci = difference("cost")
    var_revenue = a.var(tested) / a.n + c.var(tested) / c.n
    var_cost = a.var("cost") / a.n + c.var("cost") / c.n
    covariance = a.cov(tested, "cost") / a.n + c.cov(tested, "cost") / c.n
    spent = a.sum("cost")
    uncapped = a.mean("revenue") - c.mean("revenue")
    return Incremental(
        arm=arm,
        control=control,
        segment=segment,
        treated=a.n,
        incremental_revenue=revenue * a.n,
        incremental_revenue_ci=revenue_ci,
        incremental_cost=cost * a.n,
        incremental_cost_ci=cost_ci,
        incremental_roi=revenue / cost if cost > 0 else None,
        incremental_roi_ci=stats.fieller(revenue, cost, var_revenue, var_cost, covariance, alpha)
        if cost > 0
        else None,
        treatment_cost=spent,
        gross_roi=a.sum("revenue") / spent if spent > 0 else None,
        uncapped_revenue=uncapped * a.n if tested != "revenue" else None,
        uncapped_roi=uncapped / cost if tested != "revenue" and cost > 0 else None,
    )


def few(comparisons: Sequence[Comparison]) -> list[str]:
    """A note for each overall comparison whose smaller arm has too few customers with the
    outcome for any test to be trusted."""
    return [
        Phrase(
            "{metric} / {arm}: only {events} customers with the outcome in an arm; "
            "below {least} no test can be trusted, whatever its p-value says",
            metric=Phrase(c.metric),  # an identifier the shells word
            arm=c.arm,
            events=c.events,
            least=MIN_EVENTS,
        )
        for c in comparisons
        if c.segment == OVERALL and c.few_events
    ]


def _cap_notes(caps: Mapping[str, float], cap: float | None) -> list[str]:
    if not caps:
        return []
    values = ", ".join(f"{c} {v:,.2f}" for c, v in caps.items())
    return [
        Phrase(
            "Money is capped before it is tested ({values}: the {cap:.0%} quantile of all "
            "customers in both arms), so that a few large orders in a small arm cannot decide "
            "the test; the uncapped values and lifts are shown beside, as are the uncapped "
            "incremental revenue and ROI.",
            values=values,
            cap=cap,
        )
    ]


def _cuped_notes(cuped: bool, chosen: Sequence[Metric]) -> list[str]:
    if not cuped or "revenue_per_customer" not in [m.name for m in chosen]:
        return []
    return [
        Phrase(
            "revenue_per_customer is tested with CUPED: adjusted for each customer's "
            "{covariate}, which narrows its interval; the values shown are the adjusted means",
            covariate=COVARIATE,
        )
    ]


def adjust_p_values(comparisons: list[Comparison], adjustment: str) -> list[Comparison]:
    """Holm or Benjamini-Hochberg within each family of comparisons."""
    out = list(comparisons)
    for family in FAMILIES:
        tested = [
            i
            for i, c in enumerate(comparisons)
            if c.family == family
            and c.result.p_value is not None
            and not math.isnan(c.result.p_value)
        ]
        if not tested:
            continue
        raw = [comparisons[i].result.p_value or 0.0 for i in tested]
        adjusted = stats.holm(raw) if adjustment == "holm" else stats.benjamini_hochberg(raw)
        for i, p in zip(tested, adjusted, strict=True):
            out[i] = replace(out[i], p_adjusted=p)
    return out
