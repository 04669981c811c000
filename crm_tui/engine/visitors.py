"""The visitor scheme: visitors who never bought join the customers, with no orders."""

from __future__ import annotations

import polars as pl

from crm_tui.engine.schemes import SCHEMES


def with_visitors(customers: pl.DataFrame, visitors: pl.DataFrame) -> pl.DataFrame:
    """Add visitors who never bought as customers with no orders, and the `visitor` column."""
    never_bought, bought = SCHEMES["visitor"].segments
    dtype = pl.Enum(SCHEMES["visitor"].segments)
    buyers = customers.with_columns(pl.lit(bought, dtype).alias("visitor"))
    never = visitors.join(customers.select("customer_id"), on="customer_id", how="anti")
    prospects = never.select(
        "customer_id",
        pl.lit(0, dtype=pl.Int64).alias("orders"),
        pl.lit(0, dtype=pl.Int64).alias("purchases"),
        pl.lit(0.0).alias("revenue"),
        pl.lit(never_bought, dtype).alias("visitor"),
    )
    extra = [c for c in visitors.columns if c != "customer_id"]
    combined = pl.concat([buyers, prospects], how="diagonal_relaxed")
    return combined.join(visitors.select("customer_id", *extra), on="customer_id", how="left")
