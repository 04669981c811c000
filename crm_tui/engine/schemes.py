"""The segmentation schemes: one registry of their segments, order and suggested strategies,
the per-scheme segment tables and the repurchase ladder.

Adding a scheme is one `Scheme` entry here plus the engine's expression for its column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import polars as pl

from crm_tui.engine.bands import BACKUP, BAND_NAMES, RETAIN_FIRST, SECOND_PRIORITY
from crm_tui.engine.rfm import RFM_SEGMENTS
from crm_tui.language import N_

LIFECYCLE_STAGES = (N_("active"), N_("silent"), N_("sleeping"), N_("lost"))
TIERS = (N_("member"), N_("VIP"), N_("top VIP"))


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
            N_("lifecycle"),
            LIFECYCLE_STAGES,
            {
                N_("active"): N_("keep contact frequency; no discount-led messages"),
                N_("silent"): N_("keep contact frequency; light incentive"),
                N_("sleeping"): N_("limited contact; win back with a big discount"),
                N_("lost"): N_("suppress contact; only for major sales events"),
            },
        ),
        Scheme(
            N_("rfm"),
            tuple(RFM_SEGMENTS),
            {
                N_("Champions"): N_("reward; early access and new products, no discounts needed"),
                N_("Loyal"): N_("upsell higher-value items; ask for reviews"),
                N_("Potential Loyalists"): N_("membership and a second-purchase incentive"),
                N_("New Customers"): N_("onboarding care; push the hard first-to-second purchase"),
                N_("Promising"): N_("brand awareness; small first-repurchase coupon"),
                N_("Need Attention"): N_("limited-time offer based on past purchases"),
                N_("About To Sleep"): N_("light incentive with popular products"),
                N_("At Risk"): N_("personal win-back message with a strong offer"),
                N_("Can't Lose Them"): N_(
                    "win back at any reasonable cost; phone or personal service"
                ),
                N_("Hibernating"): N_("big-discount win-back; otherwise leave alone"),
                N_("Lost"): N_("suppress; contact only for major sales events"),
            },
        ),
        Scheme(
            N_("first_order_value"),
            tuple(dict.fromkeys(name for names in BAND_NAMES.values() for name in names)),
            {
                RETAIN_FIRST: N_("retain first: personal follow-up and a second-purchase offer"),
                SECOND_PRIORITY: N_("second priority: light second-purchase incentive"),
                BACKUP: N_("backup pool: low value, contact only in big campaigns"),
            },
            suggest_by="first_order_priority",  # a band's strategy follows its priority
        ),
        Scheme(
            N_("tier"),
            TIERS,
            {
                N_("member"): N_("member care: points and birthday/holiday messages"),
                N_("VIP"): N_("VIP coupon (20 CNY) and early access"),
                N_("top VIP"): N_("top-VIP coupon (50 CNY) and personal service"),
            },
        ),
        Scheme(
            N_("visitor"),
            (N_("never bought"), N_("bought")),
            {
                N_("never bought"): N_(
                    "best-sellers with high value for money, at the right moment"
                ),
                N_("bought"): N_("handled by the other schemes"),
            },
        ),
    )
}


def scheme_summary(customers: pl.DataFrame, scheme: str) -> pl.DataFrame:
    """customers, share, revenue, share of revenue, spend and orders per customer, repeat rate."""
    if scheme not in customers.columns:
        raise KeyError(scheme)
    # only the columns summed: a copy of every column of millions of customers cost gigabytes
    rows = customers.select(scheme, "revenue", "orders", "purchases").filter(
        pl.col(scheme).is_not_null()
    )
    total_customers, total_revenue = rows.height, rows["revenue"].sum()
    table = (
        rows.group_by(pl.col(scheme).alias("segment"))
        .agg(
            pl.len().alias("customers"),
            pl.col("orders").sum(),
            (pl.col("purchases") >= 2).mean().alias("repeat_rate"),
        )
        .with_columns(pl.col("segment").to_physical().alias("_code"))
        .with_columns(
            pl.lit(pl.Series(_sums_by_code(rows[scheme], rows["revenue"])))
            .gather(pl.col("_code"))
            .alias("revenue")
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


def _sums_by_code(segments: pl.Series, values: pl.Series) -> np.ndarray:
    """Each Enum value's sum of values, added the same way on every run (NumPy's pairwise
    sum of the values in row order): Polars' parallel group-by adds floats in an order that
    changes from run to run, and so did a report's last digits."""
    codes = segments.to_physical().to_numpy()
    amounts = values.to_numpy()
    size = len(cast(pl.Enum, segments.dtype).categories)
    return np.array([amounts[codes == code].sum() for code in range(size)])


def _suggestion_keys(customers: pl.DataFrame, scheme: Scheme) -> dict[str, str]:
    """Segment -> the value of the scheme's suggest_by column, where it has one."""
    if scheme.suggest_by is None or scheme.suggest_by not in customers.columns:
        return {}
    pairs = customers.select(scheme.name, scheme.suggest_by).unique().drop_nulls()
    return dict(pairs.select(pl.all().cast(pl.String)).iter_rows())


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
