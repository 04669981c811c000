"""The metrics operators read, and the per-customer columns each is built from."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from evaluation.model import Better


@dataclass(frozen=True)
class Metric:
    """R = mean(numerator) / mean(denominator) over customers; no denominator: a mean (a rate
    where the numerator is a 0/1 indicator)."""

    name: str
    numerator: str  # a per-customer column (indicators are derived, see INDICATORS)
    denominator: str | None = None  # ratio metrics only
    label: str = ""
    better: Better = "higher"
    short: str = ""  # at most 8 characters, where space is scarce (a chart's axis)


INDICATORS = {
    "converted": pl.col("conversions") > 0,
    "clicked": pl.col("clicks") > 0,
    "carted": pl.col("add_to_cart") > 0,
}
SOURCE = {"converted": "conversions", "clicked": "clicks", "carted": "add_to_cart"}

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "conversion_rate", "converted", label="converting customers / customers", short="conv"
        ),
        Metric("click_rate", "clicked", label="clicking customers / customers", short="click"),
        Metric(
            "add_to_cart_rate", "carted", label="customers adding to cart / customers", short="cart"
        ),
        Metric("revenue_per_customer", "revenue", label="revenue / customers", short="rev/cust"),
        Metric("ctr", "clicks", "impressions", "clicks / impressions", short="ctr"),
        Metric("roi", "revenue", "cost", "revenue / cost (gross)", short="roi"),
        Metric("cost_per_conversion", "cost", "conversions", "cost / conversions", "lower", "cpa"),
        Metric(
            "value_per_converter",
            "revenue",
            "converted",
            "revenue / converting customers",
            short="val/conv",
        ),
        Metric("cost_per_click", "cost", "clicks", "cost / clicks", "lower", "cpc"),
    )
}
OUTCOME_COLUMNS = ("impressions", "clicks", "add_to_cart", "conversions", "revenue", "cost")


def columns_needed(metric: Metric) -> set[str]:
    cols = {metric.numerator} | ({metric.denominator} if metric.denominator else set())
    return {SOURCE.get(c, c) for c in cols}


def available(columns: set[str]) -> list[str]:
    return [name for name, m in METRICS.items() if columns_needed(m) <= columns]
