"""The segmentation schemes: one registry of their segments, order and suggested strategies,
the per-scheme segment tables and the repurchase ladder.

Adding a scheme is one `Scheme` entry here plus the engine's expression for its column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from crm_tui.engine.bands import BACKUP, BAND_NAMES, RETAIN_FIRST, SECOND_PRIORITY
from crm_tui.engine.rfm import RFM_SEGMENTS

LIFECYCLE_STAGES = ("active", "silent", "sleeping", "lost")
TIERS = ("member", "VIP", "top VIP")


@dataclass(frozen=True)
class Scheme:
    """A column of the customers frame that names each customer's segment."""

    name: str
    segments: tuple[str, ...]  # in their natural order, as tables list them
    suggestions: Mapping[str, str]  # what DOMAIN practice suggests, by segment or by suggest_by
    suggest_by: str | None = None  # a column whose value picks the suggestion instead

    def suggestion(self, key: str | None) -> str:
        return self.suggestions.get(key or "", "")


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme(
            "lifecycle",
            LIFECYCLE_STAGES,
            {
                "active": "keep contact frequency; no discount-led messages",
                "silent": "keep contact frequency; light incentive",
                "sleeping": "limited contact; win back with a big discount",
                "lost": "suppress contact; only for major sales events",
            },
        ),
        Scheme(
            "rfm",
            tuple(RFM_SEGMENTS),
            {
                "Champions": "reward; early access and new products, no discounts needed",
                "Loyal": "upsell higher-value items; ask for reviews",
                "Potential Loyalists": "membership and a second-purchase incentive",
                "New Customers": "onboarding care; push the hard first-to-second purchase",
                "Promising": "brand awareness; small first-repurchase coupon",
                "Need Attention": "limited-time offer based on past purchases",
                "About To Sleep": "light incentive with popular products",
                "At Risk": "personal win-back message with a strong offer",
                "Can't Lose Them": "win back at any reasonable cost; phone or personal service",
                "Hibernating": "big-discount win-back; otherwise leave alone",
                "Lost": "suppress; contact only for major sales events",
            },
        ),
        Scheme(
            "first_order_value",
            tuple(dict.fromkeys(name for names in BAND_NAMES.values() for name in names)),
            {
                RETAIN_FIRST: "retain first: personal follow-up and a second-purchase offer",
                SECOND_PRIORITY: "second priority: light second-purchase incentive",
                BACKUP: "backup pool: low value, contact only in big campaigns",
            },
            suggest_by="first_order_priority",  # a band's strategy follows its priority
        ),
        Scheme(
            "tier",
            TIERS,
            {
                "member": "member care: points and birthday/holiday messages",
                "VIP": "VIP coupon (20 CNY) and early access",
                "top VIP": "top-VIP coupon (50 CNY) and personal service",
            },
        ),
        Scheme(
            "visitor",
            ("never bought", "bought"),
            {
                "never bought": "best-sellers with high value for money, at the right moment",
                "bought": "handled by the other schemes",
            },
        ),
    )
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
    rank = {name: i for i, name in enumerate(SCHEMES[scheme].segments)}
    # the engine's segments are Enums; the table speaks plain text to every consumer
    table = table.with_columns(pl.col("segment").cast(pl.String))
    table = table.with_columns(
        pl.col("segment").replace_strict(rank, default=len(rank)).alias("_rank")
    ).sort(["_rank", "segment"])
    key = _suggestion_keys(customers, SCHEMES[scheme])
    strategies = [SCHEMES[scheme].suggestion(key.get(s, s)) for s in table["segment"]]
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


def _suggestion_keys(customers: pl.DataFrame, scheme: Scheme) -> dict[str, str]:
    """Segment -> the value of the scheme's suggest_by column, where it has one."""
    if scheme.suggest_by is None or scheme.suggest_by not in customers.columns:
        return {}
    pairs = customers.select(
        pl.col(scheme.name).cast(pl.String), pl.col(scheme.suggest_by).cast(pl.String)
    )
    return dict(pairs.unique().drop_nulls().iter_rows())


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
