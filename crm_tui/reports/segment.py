"""The `segment` command's output: a readable summary and the JSON for scripts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from crm_tui.engine.rfm import RFM_DEFINITIONS
from crm_tui.engine.schemes import SCHEMES, repurchase_ladder, scheme_summary
from crm_tui.engine.segmentation import Segmentation
from crm_tui.io.findings import Findings

OCCASION_NOTE = (
    "Orders on the same calendar day count as one purchase for intervals, repeat rates and "
    "frequency; order counts and revenue keep every order."
)


def schemes_present(seg: Segmentation) -> list[str]:
    return [s for s in SCHEMES if s in seg.customers.columns]


def mean(values: pl.Series) -> float:
    """A Series' mean as a float (NaN when empty), for formatting and JSON."""
    value = values.mean()
    return float(value) if isinstance(value, (int, float)) else float("nan")


def repeat_rate(customers: pl.DataFrame) -> float:
    buyers = customers.filter(pl.col("orders") > 0)
    return mean(buyers["purchases"] >= 2) if buyers.height else 0.0


def to_json(seg: Segmentation, findings: Findings, side: Sequence[Findings] = ()) -> dict[str, Any]:
    """The orders file's findings and segments; side holds the visitors' file's findings."""
    buyers = seg.customers.filter(pl.col("orders") > 0)
    return {
        "source": findings.source,
        "preset": findings.preset,
        "mapping": findings.mapping,
        "rows_read": findings.rows_read,
        "dropped": findings.dropped,
        "dropped_examples": findings.examples,
        "side_files": [
            {
                "source": f.source,
                "rows_read": f.rows_read,
                "rows_kept": f.rows_kept,
                "dropped": f.dropped,
                "dropped_examples": f.examples,
            }
            for f in side
        ],
        "orders": seg.orders,
        "customers": buyers.height,
        "revenue": round(seg.revenue, 2),
        "first_order_at": seg.first_order_at.isoformat(),
        "last_order_at": seg.last_order_at.isoformat(),
        "as_of": seg.as_of.isoformat(),
        "repeat_rate": repeat_rate(seg.customers),
        "note": OCCASION_NOTE,
        "lifecycle_quantiles": list(seg.lifecycle.quantiles),
        "lifecycle_thresholds_days": list(seg.lifecycle.thresholds_days),
        "lifecycle_thresholds_learned": seg.lifecycle.learned,
        "interval_distribution": interval_distribution(seg.lifecycle.intervals),
        "first_order_value_cuts": list(seg.bands.cuts),
        "first_order_value_bands": [
            {
                "band": b.name,
                "low": b.low,
                "high": None if np.isinf(b.high) else b.high,
                "customers": b.customers,
                "repurchase_rate": b.rate,
                "priority": b.priority,
            }
            for b in seg.bands.bands
        ],
        "first_order_value_test": {
            "chi2": _finite(seg.bands.chi2),
            "p_value": _finite(seg.bands.p_value),
            "trained_on": seg.bands.trained_on,
            "first_purchase_on_or_before": seg.band_cutoff.isoformat(),
            "min_band": seg.bands.min_band,
        },
        "repurchase_ladder": repurchase_ladder(buyers).to_dicts(),
        "daily_repeat_share_mean": mean(seg.daily["repeat"]),
        "daily_repeat_share": [
            {"day": d.isoformat(), "buyers": b, "repeat_share": r}
            for d, b, r in seg.daily.iter_rows()
        ],
        "schemes": {s: scheme_summary(seg.customers, s).to_dicts() for s in schemes_present(seg)},
    }


def _finite(x: float) -> float | None:
    return None if np.isnan(x) else x


def interval_distribution(intervals: np.ndarray) -> dict[str, float | int]:
    if len(intervals) == 0:
        return {"customers": 0}
    qs = np.quantile(intervals, [0.1, 0.25, 0.5, 0.75, 0.9], method="inverted_cdf")
    return {
        "customers": len(intervals),
        "min": float(intervals.min()),
        "p10": float(qs[0]),
        "p25": float(qs[1]),
        "median": float(qs[2]),
        "p75": float(qs[3]),
        "p90": float(qs[4]),
        "max": float(intervals.max()),
        "mean": float(intervals.mean()),
    }


def repeat_share_line(seg: Segmentation) -> str:
    """The share of each day's buyers who had bought before, on average and lately."""
    daily, recent = seg.daily, seg.daily.tail(30)
    return (
        f"Repeat buyers among each day's buyers: {mean(daily['repeat']):.1%} on average, "
        f"{mean(recent['repeat']):.1%} over the last 30 days"
    )


def _file_text(f: Findings) -> list[str]:
    return [
        f"{f.source}  (layout: {f.preset})",
        "  columns: " + ", ".join(f"{k} <- {v}" for k, v in f.mapping.items()),
        f"  rows read {f.rows_read:,}, kept {f.rows_kept:,}, dropped {f.rows_dropped:,}",
        *["  " + line.strip() for line in f.lines()],
        *[f"  note: {n}" for n in f.notes],
    ]


def to_text(seg: Segmentation, findings: Findings, side: Sequence[Findings] = ()) -> str:
    buyers = seg.customers.filter(pl.col("orders") > 0)
    q = seg.lifecycle.thresholds_days
    lines = [
        *[line for f in (findings, *side) for line in _file_text(f)],
        "",
        f"Orders {seg.orders:,}   customers {buyers.height:,}   revenue {seg.revenue:,.2f}",
        f"From {seg.first_order_at:%Y-%m-%d} to {seg.last_order_at:%Y-%m-%d}; as of {seg.as_of}",
        f"Repeat rate {repeat_rate(seg.customers):.1%}. {OCCASION_NOTE}",
        repeat_share_line(seg),
        "",
        _lifecycle_text(seg, q),
        "",
        _bands_text(seg),
        "",
        "Repurchase ladder (customers with k purchases who made another)",
        *[
            f"  {r['purchases']} -> {r['purchases'] + 1}: {r['bought_again']:>7,} of "
            f"{r['customers']:>7,}  {_pct(r['rate'])}"
            for r in repurchase_ladder(buyers).iter_rows(named=True)
        ],
    ]
    for scheme in schemes_present(seg):
        lines += ["", scheme_table(scheme, scheme_summary(seg.customers, scheme))]
        lines += [f"  {line}" for line in definitions(seg, scheme)]
    return "\n".join(lines)


def definitions(seg: Segmentation, scheme: str) -> list[str]:
    """How the scheme's names are defined on this shop, one line each (none where the table's
    own headings say it)."""
    active, silent, sleeping = seg.lifecycle.thresholds_days
    if scheme == "lifecycle":
        return [
            f"days since the last purchase: active <= {active:.0f} < silent <= {silent:.0f} "
            f"< sleeping <= {sleeping:.0f} < lost"
        ]
    if scheme != "rfm":
        return []
    return [
        f"R by the lifecycle: 5 within {active / 2:.0f} days, 4 active, 3 silent, 2 sleeping, "
        "1 lost; F (purchases) and M (revenue) by quintiles; FM = their mean rounded up, "
        "1 for a single purchase",
        *(f"{name}: {text}" for name, text in RFM_DEFINITIONS.items()),
    ]


def _lifecycle_text(seg: Segmentation, q: tuple[float, float, float]) -> str:
    how = (
        "the {:.0%}/{:.0%}/{:.0%} quantiles of the first-to-second purchase interval".format(
            *seg.lifecycle.quantiles
        )
        if seg.lifecycle.learned
        else "given by the user"
    )
    d = interval_distribution(seg.lifecycle.intervals)
    dist = (
        f"  interval over {d['customers']:,} repeat customers: median {d['median']:.0f} days, "
        f"p90 {d['p90']:.0f}, max {d['max']:.0f}"
        if d["customers"]
        else "  no repeat customers"
    )
    return "\n".join(
        [
            f"Lifecycle thresholds: {how}",
            f"  active <= {q[0]:.0f} days < silent <= {q[1]:.0f} < sleeping <= {q[2]:.0f} < lost",
            dist,
        ]
    )


def _bands_text(seg: Segmentation) -> str:
    b = seg.bands
    head = (
        f"First-order-value bands: learned on {b.trained_on:,} customers whose first purchase was "
        f"on or before {seg.band_cutoff} (the 90% repurchase interval before as-of, so they "
        f"had time to return); overall repurchase {_pct(b.overall_rate)}"
    )
    rows = [
        f"  {band.name:<9} {_range(band.low, band.high):<18} {band.customers:>7,} customers  "
        f"repurchase {_pct(band.rate)}  {band.priority}"
        for band in b.bands
    ]
    test = (
        f"  chi-square {b.chi2:.1f}, p = {b.p_value:.3g} (bands differ)"
        if not np.isnan(b.p_value)
        else "  no split found: too few customers or no difference"
    )
    return "\n".join([head, *rows, test])


def _range(low: float, high: float) -> str:
    return f">= {low:,.2f}" if np.isinf(high) else f"{low:,.2f} - {high:,.2f}"


def _pct(x: float | None) -> str:
    return "  -  " if x is None or np.isnan(x) else f"{x:6.1%}"


def scheme_table(scheme: str, table: pl.DataFrame) -> str:
    header = (
        f"{scheme}\n  {'segment':<20}{'customers':>10}{'share':>8}{'revenue':>14}{'rev %':>8}"
        f"{'spend/cust':>11}{'orders/c':>9}{'repeat':>8}  strategy"
    )
    rows = [
        f"  {r['segment']:<20}{r['customers']:>10,}{r['share']:>8.1%}{r['revenue']:>14,.2f}"
        f"{r['revenue_share']:>8.1%}{r['spend_per_customer']:>11,.2f}"
        f"{r['orders_per_customer']:>9.2f}{r['repeat_rate']:>8.1%}  {r['strategy']}"
        for r in table.iter_rows(named=True)
    ]
    return "\n".join([header, *rows])
