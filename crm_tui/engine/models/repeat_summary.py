"""Each customer's purchase history as the customer-base models read it, as of a day."""

from __future__ import annotations

import datetime as dt

import polars as pl

from crm_tui.engine.features import Orders, customer_features, orders_where


def repeat_summary(orders: Orders, end: dt.date) -> pl.DataFrame:
    """One row per customer who bought by `end` (inclusive): repeat purchase occasions
    (`frequency`; several orders on one day are one occasion), days from the first occasion to
    the last (`recency`) and to `end` (`tenure`), the mean value of the repeat occasions
    (`repeat_value`, null without one) and all they spent (`revenue`)."""
    customers = customer_features(orders_where(orders, pl.col("ordered_at").dt.date() <= end))
    first = pl.col("first_order_at").dt.date()
    frequency = pl.col("purchases") - 1
    return customers.select(
        "customer_id",
        frequency.alias("frequency"),
        (pl.col("last_order_at").dt.date() - first).dt.total_days().alias("recency"),
        (pl.lit(end) - first).dt.total_days().alias("tenure"),
        pl.when(frequency > 0)
        .then((pl.col("revenue") - pl.col("first_order_amount")) / frequency)
        .alias("repeat_value"),
        "revenue",
    )
