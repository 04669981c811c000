"""Per-scheme segment tables and the repurchase ladder."""

from __future__ import annotations

import polars as pl

from crm_tui.engine.suggestions import LIFECYCLE_STAGES, SUGGESTIONS, TIERS, suggestion

SCHEMES = ("lifecycle", "rfm", "first_order_value", "tier", "visitor")
SEGMENT_ORDER: dict[str, tuple[str, ...]] = {
    "lifecycle": LIFECYCLE_STAGES,
    "rfm": tuple(SUGGESTIONS["rfm"]),
    "first_order_value": ("low", "mid-low", "mid", "mid-high", "high", "all"),
    "tier": TIERS,
    "visitor": ("never bought", "bought"),
}


def scheme_summary(customers: pl.DataFrame, scheme: str) -> pl.DataFrame:
    """customers, share, revenue, share of revenue, spend and orders per customer, repeat rate."""
    if scheme not in customers.columns:
        raise KeyError(scheme)
    rows = customers.filter(pl.col(scheme).is_not_null())
    total_customers, total_revenue = rows.height, rows["revenue"].sum()
    table = (
        rows.group_by(pl.col(scheme).alias("segment"))
        .agg(
            pl.len().alias("customers"),
            pl.col("revenue").sum(),
            pl.col("orders").sum(),
            (pl.col("purchases") >= 2).mean().alias("repeat_rate"),
        )
        .with_columns(
            (pl.col("customers") / total_customers).alias("share"),
            (pl.col("revenue") / total_revenue if total_revenue else pl.lit(0.0)).alias(
                "revenue_share"
            ),
            (pl.col("revenue") / pl.col("customers")).alias("spend_per_customer"),
            (pl.col("orders") / pl.col("customers")).alias("orders_per_customer"),
        )
    )
    rank = {name: i for i, name in enumerate(SEGMENT_ORDER.get(scheme, ()))}
    # the engine's segments are Enums; the table speaks plain text to every consumer
    table = table.with_columns(pl.col("segment").cast(pl.String))
    table = table.with_columns(
        pl.col("segment").replace_strict(rank, default=len(rank)).alias("_rank")
    ).sort(["_rank", "segment"])
    strategy_key = _strategy_keys(customers, scheme)
    strategies = [suggestion(scheme, strategy_key.get(s, s)) for s in table["segment"]]
    return table.select(
        "segment",
        "customers",
        "share",
        "revenue",
        "revenue_share",
        "spend_per_customer",
        "orders_per_customer",
        "repeat_rate",
    ).with_columns(pl.Series("strategy", strategies, dtype=pl.String))


def _strategy_keys(customers: pl.DataFrame, scheme: str) -> dict[str, str]:
    # first-order-value strategies follow a band's priority, not its name
    if scheme != "first_order_value" or "first_order_priority" not in customers.columns:
        return {}
    pairs = customers.select("first_order_value", "first_order_priority").unique().drop_nulls()
    return dict(pairs.iter_rows())


def repurchase_ladder(customers: pl.DataFrame, steps: int = 5) -> pl.DataFrame:
    """Share of customers with k purchases who made a (k+1)th, for k = 1..steps."""
    purchases = customers["purchases"]
    rows = []
    for k in range(1, steps + 1):
        reached = int((purchases >= k).sum())
        went_on = int((purchases >= k + 1).sum())
        rows.append((k, reached, went_on, went_on / reached if reached else None))
    return pl.DataFrame(
        rows, schema=["purchases", "customers", "bought_again", "rate"], orient="row"
    )
