"""The segmentation engine: canonical orders in, one row per customer with every scheme out.

Several orders on one calendar day are one purchase occasion ("purchases") for intervals,
repurchase and frequency, as customer-base analysis counts them; `orders` and `revenue` keep
every order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl

from crm_tui import rfm
from crm_tui.bands import BandModel, learn_bands
from crm_tui.errors import InputError
from crm_tui.features import customer_features

MIN_INTERVALS = 10


@dataclass(frozen=True)
class SegmentSettings:
    """Everything the engine learns or applies; recorded in plans so a run can be repeated."""

    as_of: dt.date | None = None
    lifecycle_quantiles: tuple[float, float, float] = (0.3, 0.6, 0.9)
    lifecycle_days: tuple[float, float, float] | None = None  # fixed thresholds instead
    tier_thresholds: tuple[float, float] = (188.0, 388.0)
    band_max_cuts: int = 3
    band_min_share: float = 0.05
    band_min_customers: int = 30

    def __post_init__(self) -> None:
        q = self.lifecycle_quantiles
        if not (0 < q[0] < q[1] < q[2] < 1):
            raise InputError(f"lifecycle quantiles {q}: expected three increasing values in (0, 1)")
        if self.lifecycle_days is not None and not (
            0 <= self.lifecycle_days[0] <= self.lifecycle_days[1] <= self.lifecycle_days[2]
        ):
            raise InputError(f"lifecycle days {self.lifecycle_days}: expected three increasing")
        lo, hi = self.tier_thresholds
        if not 0 < lo < hi:
            raise InputError(f"tier thresholds {self.tier_thresholds}: expected 0 < VIP < top VIP")
        if not 0 <= self.band_max_cuts <= 3:
            raise InputError(f"band max cuts {self.band_max_cuts}: expected 0 to 3")


@dataclass(frozen=True)
class Lifecycle:
    thresholds_days: tuple[float, float, float]
    quantiles: tuple[float, float, float]
    learned: bool
    intervals: np.ndarray = field(repr=False)  # first-to-second purchase days, repeat buyers


@dataclass(frozen=True)
class Segmentation:
    customers: pl.DataFrame
    as_of: dt.date
    settings: SegmentSettings
    lifecycle: Lifecycle
    bands: BandModel
    band_cutoff: dt.date  # first purchases on or before it trained the bands
    orders: int
    revenue: float
    first_order_at: dt.datetime
    last_order_at: dt.datetime


def segment(
    orders: pl.DataFrame | pl.LazyFrame, settings: SegmentSettings | None = None
) -> Segmentation:
    """Features and every scheme for each customer of a canonical orders frame."""
    settings = settings or SegmentSettings()
    if settings.as_of is not None:
        # as of a date, the shop knows only the orders placed before it
        orders = orders.lazy().filter(pl.col("ordered_at").dt.date() < settings.as_of)
    features = customer_features(orders)
    if features.height == 0:
        when = f" before {settings.as_of}" if settings.as_of else ""
        raise InputError(f"no orders to segment{when}")
    first_at = cast(dt.datetime, features["first_order_at"].min())
    last_at = cast(dt.datetime, features["last_order_at"].max())
    as_of = settings.as_of or (last_at.date() + dt.timedelta(days=1))
    # the day counts are computed once; the thresholds and bands are learned from them, and the
    # scheme columns are then added in one lazy pass, which Polars runs in parallel
    timed = features.lazy().with_columns(_timing(as_of)).collect()
    lifecycle = _lifecycle(timed["first_to_second_days"].drop_nulls().to_numpy(), settings)
    min_tenure = int(np.ceil(lifecycle.thresholds_days[2]))
    bands = _bands(timed, settings, min_tenure)
    customers = (
        timed.lazy()
        .with_columns(
            _stage(lifecycle.thresholds_days),
            *rfm.rfm_columns(timed),
            _band(bands),
            _tier(settings.tier_thresholds),
        )
        .with_columns(rfm.rfm_segment(), _band_priority(bands))
        .collect()
    )
    return Segmentation(
        customers=customers,
        as_of=as_of,
        settings=settings,
        lifecycle=lifecycle,
        bands=bands,
        band_cutoff=as_of - dt.timedelta(days=min_tenure),
        orders=int(customers["orders"].sum()),
        revenue=float(customers["revenue"].sum()),
        first_order_at=first_at,
        last_order_at=last_at,
    )


def _timing(as_of: dt.date) -> list[pl.Expr]:
    first = pl.col("first_order_at").dt.date()
    last = pl.col("last_order_at").dt.date()
    as_of_lit = pl.lit(as_of)
    return [
        (as_of_lit - last).dt.total_days().alias("days_since_last"),
        (as_of_lit - first).dt.total_days().alias("tenure_days"),
        (pl.col("second_purchase_on") - first).dt.total_days().alias("first_to_second_days"),
        pl.when(pl.col("purchases") > 1)
        .then((last - first).dt.total_days() / (pl.col("purchases") - 1))
        .alias("mean_days_between"),
        (pl.col("revenue") / pl.col("orders")).alias("average_order_value"),
    ]


def _lifecycle(intervals: np.ndarray, settings: SegmentSettings) -> Lifecycle:
    if settings.lifecycle_days is not None:
        return Lifecycle(settings.lifecycle_days, settings.lifecycle_quantiles, False, intervals)
    if len(intervals) < MIN_INTERVALS:
        raise InputError(
            f"only {len(intervals)} customers bought on two or more days; at least "
            f"{MIN_INTERVALS} are needed to learn lifecycle thresholds. Give them instead "
            "with --lifecycle-days A,B,C"
        )
    q = np.quantile(intervals, settings.lifecycle_quantiles, method="inverted_cdf")
    thresholds = (float(q[0]), float(q[1]), float(q[2]))
    return Lifecycle(thresholds, settings.lifecycle_quantiles, True, intervals)


def _stage(thresholds: tuple[float, float, float]) -> pl.Expr:
    days = pl.col("days_since_last")
    return (
        pl.when(days <= thresholds[0])
        .then(pl.lit("active"))
        .when(days <= thresholds[1])
        .then(pl.lit("silent"))
        .when(days <= thresholds[2])
        .then(pl.lit("sleeping"))
        .otherwise(pl.lit("lost"))
        .alias("lifecycle")
    )


def _bands(timed: pl.DataFrame, settings: SegmentSettings, min_tenure: int) -> BandModel:
    # A customer whose first purchase is older than the 90% repurchase interval has had the time
    # in which nine in ten eventual repeat buyers come back; younger ones would count as
    # "never returned" only because they have not had the time yet.
    eligible = timed.select("tenure_days", "first_order_amount", "second_purchase_on")
    eligible = eligible.filter(pl.col("tenure_days") >= min_tenure)
    min_band = max(settings.band_min_customers, int(settings.band_min_share * eligible.height))
    returned = eligible["second_purchase_on"].is_not_null().to_numpy()
    return learn_bands(
        eligible["first_order_amount"].to_numpy(), returned, settings.band_max_cuts, min_band
    )


def _band(bands: BandModel) -> pl.Expr:
    amount = pl.col("first_order_amount")
    expr = pl.lit(bands.bands[-1].name)
    for band in reversed(bands.bands[:-1]):
        expr = pl.when(amount < band.high).then(pl.lit(band.name)).otherwise(expr)
    return expr.alias("first_order_value")


def _band_priority(bands: BandModel) -> pl.Expr:
    mapping = {b.name: b.priority for b in bands.bands}
    return pl.col("first_order_value").replace_strict(mapping).alias("first_order_priority")


def _tier(thresholds: tuple[float, float]) -> pl.Expr:
    best = pl.col("max_order_amount")
    return (
        pl.when(best >= thresholds[1])
        .then(pl.lit("top VIP"))
        .when(best >= thresholds[0])
        .then(pl.lit("VIP"))
        .otherwise(pl.lit("member"))
        .alias("tier")
    )
