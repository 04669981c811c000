"""Small order tables for engine tests: a hypothesis strategy, a frame, and features by hand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl
from hypothesis import strategies as st

START = dt.datetime(2024, 1, 1)

# (customer, day offset, second of day, amount)
Row = tuple[str, int, int, float]

order_rows = st.lists(
    st.tuples(
        st.sampled_from([f"c{i}" for i in range(8)]),
        st.integers(0, 400),
        st.integers(0, 86399),
        st.integers(1, 50000).map(lambda c: c / 100),
    ),
    min_size=1,
    max_size=60,
)


def order_frame(rows: list[Row]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_id": [str(i) for i in range(len(rows))],
            "ordered_at": [START + dt.timedelta(days=r[1], seconds=r[2]) for r in rows],
            "amount": [r[3] for r in rows],
        }
    )


def features_by_hand(rows: list[Row]) -> dict[str, dict[str, object]]:
    """Per customer, the engine's features computed with plain Python."""
    per: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for cid, day, sec, amount in rows:
        per[cid].append((START + dt.timedelta(days=day, seconds=sec), amount))
    out: dict[str, dict[str, object]] = {}
    for cid, items in per.items():
        days = sorted({t.date() for t, _ in items})
        out[cid] = {
            "orders": len(items),
            "purchases": len(days),
            "revenue": sum(a for _, a in items),
            "first_order_at": min(t for t, _ in items),
            "last_order_at": max(t for t, _ in items),
            "first_order_amount": sum(a for t, a in items if t.date() == days[0]),
            "second_purchase_on": days[1] if len(days) > 1 else None,
            "max_order_amount": max(a for _, a in items),
        }
    return out


def daily_by_hand(rows: list[Row]) -> dict[dt.date, tuple[int, float]]:
    """Per day: buyers, and the share of them who had bought on an earlier day."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    for cid, day, sec, _ in rows:
        days[cid].add((START + dt.timedelta(days=day, seconds=sec)).date())
    buyers: dict[dt.date, list[bool]] = defaultdict(list)
    for bought in days.values():
        for day in bought:
            buyers[day].append(day > min(bought))
    return {day: (len(flags), sum(flags) / len(flags)) for day, flags in buyers.items()}
