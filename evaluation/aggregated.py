"""Evaluation from aggregated results (one row per arm and segment, as ad platforms export).

Without per-customer rows there is no variance for revenue or for ratios over customers, so only
what the counts allow is tested; the report lists the statements it cannot support.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from evaluation import pivot
from evaluation.errors import EvaluationError
from evaluation.evaluate import (
    adjust_p_values,
    check_arguments,
    check_sample_ratio,
    family_of,
    few,
    look_level,
)
from evaluation.model import (
    ADJUSTMENTS,
    ALPHA,
    COUNTS_ONLY,
    PER_IMPRESSION,
    WELCH,
    Comparison,
    Incremental,
    Report,
    TestResult,
)
from evaluation.phrases import Phrase
from evaluation.pivot import constant
from evaluation.sequential import Look
from evaluation.sufficient import ALL, Moments, nonzero_key, product_key

COUNTS = ("customers", "impressions", "clicks", "add_to_cart", "conversions", "revenue", "cost")
POINT_ONLY = {
    "revenue_per_customer": ("revenue", "customers"),
    "roi": ("revenue", "cost"),
    "cost_per_conversion": ("cost", "conversions"),
    "value_per_converter": ("revenue", "conversions"),
    "cost_per_click": ("cost", "clicks"),
}


def evaluate_aggregated(
    results: pl.DataFrame,
    control: str,
    *,
    shares: Mapping[str, float] | None = None,
    by: str | None = None,
    alpha: float = ALPHA,
    metrics: Sequence[str] | None = None,
    adjustment: str = ADJUSTMENTS[0],
    primary: Sequence[str] = (),
    sequential: Look | None = None,
    notes: Sequence[str] = (),
) -> Report:
    check_arguments(results, by, alpha, adjustment)
    alpha = look_level(alpha, sequential)
    if "customers" not in results.columns:
        raise EvaluationError(
            Phrase(
                "aggregated results need a customers column (people per arm)",
            )
        )
    present = [c for c in COUNTS if c in results.columns]
    keys = ["arm"] if by is None else [pl.col(by).cast(pl.String).alias("_segment"), "arm"]
    table = results.group_by(keys).agg(pl.col(c).cast(pl.Float64).sum() for c in present)
    overall = table.group_by("arm").agg(pl.col(c).sum() for c in present)
    cells = {(ALL, r["arm"]): r for r in overall.iter_rows(named=True)}
    if by is not None:
        cells |= {(r["_segment"], r["arm"]): r for r in table.iter_rows(named=True)}
    arms = tuple(sorted({a for _, a in cells}))
    if control not in arms:
        raise EvaluationError(
            Phrase(
                "control arm {control!r} is not in the results; arms are {value}",
                control=control,
                value=", ".join(arms),
            )
        )
    comparisons: list[Comparison] = []
    incremental: list[Incremental] = []
    segments = [ALL, *sorted({s for s, _ in cells if s != ALL})]
    for segment in segments:
        c = cells.get((segment, control))
        for arm in (a for a in arms if a != control):
            a = cells.get((segment, arm))
            if a is None or c is None:
                continue
            comparisons += _compare(a, c, arm, control, segment, alpha, metrics, primary)
            if {"revenue", "cost"} <= set(present):
                incremental.append(_incremental(a, c, arm, control, segment))
    observed = {arm: int(cells[(ALL, arm)]["customers"]) for arm in arms}
    return Report(
        control=control,
        arms=arms,
        alpha=alpha,
        adjustment=adjustment,
        unit="aggregated",
        srm=check_sample_ratio(observed, shares),
        comparisons=tuple(adjust_p_values(comparisons, adjustment)),
        incremental=tuple(incremental),
        notes=(*notes, *_notes(present), *few(comparisons)),
        customers=observed,
        primary=tuple(primary),
        by=by,
        sequential=sequential,
    )


def _wanted(name: str, metrics: Sequence[str] | None) -> bool:
    return metrics is None or name in metrics


def _compare(
    a: dict,
    c: dict,
    arm: str,
    control: str,
    segment: str,
    alpha: float,
    metrics: Sequence[str] | None,
    primary: Sequence[str],
) -> list[Comparison]:
    out = []
    n_a, n_c = int(a["customers"]), int(c["customers"])
    proportions = [
        ("conversion_rate", "conversions", "customers"),
        ("add_to_cart_rate", "add_to_cart", "customers"),
        ("ctr", "clicks", "impressions"),
    ]
    for name, num, den in proportions:
        if num not in a or den not in a or not _wanted(name, metrics):
            continue
        if a[num] > a[den] or c[num] > c[den]:
            continue  # counts of events, not of people: no binomial test possible
        arm_units, control_units = _units(a[num], a[den]), _units(c[num], c[den])
        test = PER_IMPRESSION if name == "ctr" else WELCH
        r, found = pivot.compare(arm_units, control_units, {"y": 1.0}, constant(), alpha, test)
        events = min(min(u.nonzero("y"), u.n - u.nonzero("y")) for u in (arm_units, control_units))
        out.append(
            Comparison(
                name,
                arm,
                control,
                segment,
                n_a,
                n_c,
                r,
                prob_beats_control=None if found is None else found.prob_beats("higher"),
                risk=None if found is None else found.risk("higher"),
                family=family_of(name, segment, primary),
                events=events,
            )
        )
    for name, (num, den) in POINT_ONLY.items():
        if num not in a or den not in a or not _wanted(name, metrics):
            continue
        va = a[num] / a[den] if a[den] else float("nan")
        vc = c[num] / c[den] if c[den] else float("nan")
        rel = va / vc - 1 if vc else float("nan")
        point = TestResult(vc, va, va - vc, None, rel, None, None, COUNTS_ONLY)
        family = family_of(name, segment, primary)
        out.append(Comparison(name, arm, control, segment, n_a, n_c, point, family=family))
    return out


def _units(successes: float, units: float) -> Moments:
    """The moments of units with a 0/1 outcome, which their counts fully determine."""
    k = float(successes)  # y = y^2 = y^3 for a 0/1 outcome
    sums = {product_key(["y"] * order): k for order in (1, 2, 3)}
    return Moments(int(units), {**sums, nonzero_key("y"): k})


def _incremental(a: dict, c: dict, arm: str, control: str, segment: str) -> Incremental:
    """Point estimates only: sums per arm carry no variances for intervals."""

    def extra(col: str) -> float:
        return (a[col] / a["customers"] - c[col] / c["customers"]) * a["customers"]

    revenue, cost = extra("revenue"), extra("cost")
    return Incremental(
        arm=arm,
        control=control,
        segment=segment,
        treated=int(a["customers"]),
        incremental_revenue=revenue,
        incremental_revenue_ci=None,
        incremental_cost=cost,
        incremental_cost_ci=None,
        incremental_roi=revenue / cost if cost > 0 else None,
        incremental_roi_ci=None,
        treatment_cost=a["cost"],
        gross_roi=a["revenue"] / a["cost"] if a["cost"] else None,
    )


def _notes(present: list[str]) -> tuple[str, ...]:
    notes = [
        Phrase(
            "Aggregated results: revenue per customer, ROI, conversion cost, customer value and "
            "cost per click are shown as point estimates only; without per-customer rows their "
            "variance is unknown, so no interval or p-value can be given."
        ),
        Phrase("Conversion rate treats each conversion as a different customer."),
    ]
    if "impressions" in present:
        notes.append(
            Phrase(
                "CTR is tested per impression, as if impressions were independent; "
                "customers were randomised, so its p-value overstates the evidence."
            )
        )
    return tuple(notes)
