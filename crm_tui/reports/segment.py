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
from crm_tui.language import N_, _, say
from crm_tui.reports.text import pad

OCCASION_NOTE = N_(
    "Orders on the same calendar day count as one purchase for intervals, repeat rates and "
    "frequency; order counts and revenue keep every order."
)


def scheme_title(scheme: str) -> str:
    return _(scheme)


def stage_line(q: tuple[float, float, float]) -> str:
    """The lifecycle stages by days since the last purchase, in the language in use."""
    return _("active <= {a:.0f} days < silent <= {b:.0f} < sleeping <= {c:.0f} < lost").format(
        a=q[0], b=q[1], c=q[2]
    )


def schemes_present(seg: Segmentation) -> list[str]:
    return [s for s in SCHEMES if s in seg.customers.columns]


def mean(values: pl.Series) -> float:
    """A Series' mean as a float (NaN when empty), for formatting and JSON."""
    value = values.mean()
    return float(value) if isinstance(value, (int, float)) else float("nan")


def repeat_rate(customers: pl.DataFrame) -> float:
    bought = customers["orders"] > 0
    buyers = int(bought.sum())
    return int((bought & (customers["purchases"] >= 2)).sum()) / buyers if buyers else 0.0


def buyer_count(seg: Segmentation) -> int:
    """The customers who bought (the visitors who never did are customers of the frame too)."""
    return int((seg.customers["orders"] > 0).sum())


def to_json(seg: Segmentation, findings: Findings, side: Sequence[Findings] = ()) -> dict[str, Any]:
    """The orders file's findings and segments; side holds the visitors' file's findings."""
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
        "customers": buyer_count(seg),
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
        "repurchase_ladder": repurchase_ladder(seg.customers).to_dicts(),
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
    return _(
        "Repeat buyers among each day's buyers: {mean:.1%} on average, "
        "{recent:.1%} over the last 30 days"
    ).format(mean=mean(daily["repeat"]), recent=mean(recent["repeat"]))


def _file_text(f: Findings) -> list[str]:
    columns = ", ".join(f"{k} <- {v}" for k, v in f.mapping.items())
    return [
        _("{file}  (layout: {layout})").format(file=f.source, layout=f.preset),
        "  " + _("columns: {columns}").format(columns=columns),
        "  "
        + _("rows read {read:,}, kept {kept:,}, dropped {dropped:,}").format(
            read=f.rows_read, kept=f.rows_kept, dropped=f.rows_dropped
        ),
        *["  " + line.strip() for line in f.lines()],
        *["  " + _("note: {note}").format(note=say(n)) for n in f.notes],
    ]


def to_text(seg: Segmentation, findings: Findings, side: Sequence[Findings] = ()) -> str:
    q = seg.lifecycle.thresholds_days
    totals = _("Orders {orders:,}   customers {customers:,}   revenue {revenue:,.2f}")
    span = _("From {first:%Y-%m-%d} to {last:%Y-%m-%d}; as of {as_of}")
    step = _("  {k} -> {next}: {again:>7,} of {reached:>7,}  {rate}")
    lines = [
        *[line for f in (findings, *side) for line in _file_text(f)],
        "",
        totals.format(orders=seg.orders, customers=buyer_count(seg), revenue=seg.revenue),
        span.format(first=seg.first_order_at, last=seg.last_order_at, as_of=seg.as_of),
        _("Repeat rate {rate:.1%}.").format(rate=repeat_rate(seg.customers))
        + f" {_(OCCASION_NOTE)}",
        repeat_share_line(seg),
        "",
        _lifecycle_text(seg, q),
        "",
        _bands_text(seg),
        "",
        _("Repurchase ladder (customers with k purchases who made another)"),
        *[
            step.format(
                k=r["purchases"],
                next=r["purchases"] + 1,
                again=r["bought_again"],
                reached=r["customers"],
                rate=_pct(r["rate"]),
            )
            for r in repurchase_ladder(seg.customers).iter_rows(named=True)
        ],
    ]
    for scheme in schemes_present(seg):
        lines += ["", scheme_table(scheme, scheme_summary(seg.customers, scheme))]
        lines += [f"  {line}" for line in definitions(seg, scheme)]
    return "\n".join(lines)


def definitions(seg: Segmentation, scheme: str) -> list[str]:
    """How the scheme's names are defined on this shop, one line each (none where the table's
    own headings say it)."""
    active = seg.lifecycle.thresholds_days[0]
    if scheme == "lifecycle":
        return [
            _("days since the last purchase: {stages}").format(
                stages=stage_line(seg.lifecycle.thresholds_days)
            )
        ]
    if scheme != "rfm":
        return []
    return [
        _(
            "R by the lifecycle: 5 within {days:.0f} days, 4 active, 3 silent, 2 sleeping, "
            "1 lost; F (purchases) and M (revenue) by quintiles; FM = their mean rounded up, "
            "1 for a single purchase"
        ).format(days=active / 2),
        *(f"{_(name)}: {_(text)}" for name, text in RFM_DEFINITIONS.items()),
    ]


def _lifecycle_text(seg: Segmentation, q: tuple[float, float, float]) -> str:
    how = (
        _("the {:.0%}/{:.0%}/{:.0%} quantiles of the first-to-second purchase interval").format(
            *seg.lifecycle.quantiles
        )
        if seg.lifecycle.learned
        else _("given by the user")
    )
    d = interval_distribution(seg.lifecycle.intervals)
    dist = (
        "  "
        + _(
            "interval over {n:,} repeat customers: median {median:.0f} days, p90 {p90:.0f}, "
            "max {max:.0f}"
        ).format(n=d["customers"], median=d["median"], p90=d["p90"], max=d["max"])
        if d["customers"]
        else "  " + _("no repeat customers")
    )
    return "\n".join([_("Lifecycle thresholds: {how}").format(how=how), "  " + stage_line(q), dist])


def _bands_text(seg: Segmentation) -> str:
    b = seg.bands
    head = _(
        "First-order-value bands: learned on {n:,} customers whose first purchase was on or "
        "before {day} (the 90th-percentile repurchase interval before as-of, so they had time "
        "to return); overall repurchase {rate}"
    ).format(n=b.trained_on, day=seg.band_cutoff, rate=_pct(b.overall_rate))
    row = _("{customers:>7,} customers  repurchase {rate}  {priority}")
    rows = [
        f"  {pad(_(band.name), 9)} {_range(band.low, band.high):<18} "
        + row.format(customers=band.customers, rate=_pct(band.rate), priority=_(band.priority))
        for band in b.bands
    ]
    test = (
        "  "
        + _("chi-square {chi2:.1f}, p = {p:.3g} (bands differ)").format(chi2=b.chi2, p=b.p_value)
        if not np.isnan(b.p_value)
        else "  " + _("no split found: too few customers or no difference")
    )
    return "\n".join([head, *rows, test])


def _range(low: float, high: float) -> str:
    return f">= {low:,.2f}" if np.isinf(high) else f"{low:,.2f} - {high:,.2f}"


def _pct(x: float | None) -> str:
    return "  -  " if x is None or np.isnan(x) else f"{x:6.1%}"


# the table's columns: heading and width (negative: left-aligned)
SCHEME_COLUMNS = (
    (N_("segment"), -20),
    (N_("customers"), 10),
    (N_("share"), 8),
    (N_("revenue"), 14),
    (N_("rev %"), 8),
    (N_("spend/cust"), 11),
    (N_("orders/c"), 9),
    (N_("repeat"), 8),
)


def scheme_table(scheme: str, table: pl.DataFrame) -> str:
    def line(cells: list[str], last: str) -> str:
        shown = [
            pad(c, abs(w), "<" if w < 0 else ">")
            for c, (_h, w) in zip(cells, SCHEME_COLUMNS, strict=True)
        ]
        return "  " + "".join(shown) + "  " + last

    header = line([_(h) for h, _w in SCHEME_COLUMNS], _("strategy"))
    rows = [
        line(
            [
                _(r["segment"]),
                f"{r['customers']:,}",
                f"{r['share']:.1%}",
                f"{r['revenue']:,.2f}",
                f"{r['revenue_share']:.1%}",
                f"{r['spend_per_customer']:,.2f}",
                f"{r['orders_per_customer']:.2f}",
                f"{r['repeat_rate']:.1%}",
            ],
            _(r["strategy"]),
        )
        for r in table.iter_rows(named=True)
    ]
    return "\n".join([scheme_title(scheme), header, *rows])
