"""The segmentation engine: canonical orders in, one row per customer with every scheme out.

Several orders on one calendar day are one purchase occasion ("purchases") for intervals,
repurchase and frequency, as customer-base analysis counts them; `orders` and `revenue` keep
every order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import polars as pl

from campaigns.settings import SegmentationSettings
from crm_tui.engine import rfm
from crm_tui.engine.bands import BACKUP, RETAIN_FIRST, SECOND_PRIORITY, BandModel, learn_bands
from crm_tui.engine.features import Orders, Purchases, purchases_before
from crm_tui.engine.schemes import LIFECYCLE_STAGES, TIERS
from crm_tui.errors import InputError
from evaluation.phrases import Phrase

MIN_INTERVALS = 10
# columns whose values need a model learned over every customer first (the bands' tree, the
# quintile cuts): a segmentation asked for none of them skips the learning
BAND_COLUMNS = frozenset({"first_order_value", "first_order_priority"})
RFM_COLUMNS = frozenset({"r_score", "f_score", "m_score", "rfm"})
Columns = frozenset[str] | None  # the customer columns wanted; None: every one
ID = frozenset({"customer_id"})


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
    settings: SegmentationSettings
    lifecycle: Lifecycle
    learned_bands: BandModel | None  # None: not learned, as no column asked for needs them
    band_cutoff: dt.date  # first purchases on or before it trained the bands
    daily: pl.DataFrame  # per day: buyers, and the share who had bought on a day before
    orders: int
    revenue: float
    first_order_at: dt.datetime
    last_order_at: dt.datetime

    @property
    def bands(self) -> BandModel:
        """The first-order-value bands, learned by every segmentation of all the columns."""
        if self.learned_bands is None:
            raise ValueError("this segmentation was asked for no first-order-value column")
        return self.learned_bands


def segment(
    orders: Orders,
    settings: SegmentationSettings | None = None,
    as_of: dt.date | None = None,
) -> Segmentation:
    """Features and every scheme for each customer of a canonical orders frame.

    as_of is the reference date; by default the day after the last order, never today.
    """
    found = segment_each(orders, settings, [as_of])[0]
    if isinstance(found, InputError):
        raise found
    return found


def segment_each(
    orders: Orders,
    settings: SegmentationSettings | None,
    dates: Sequence[dt.date | None],
    columns: Sequence[Columns] | None = None,
) -> list[Segmentation | InputError]:
    """The segmentation as of each date, from one sort of the orders; where there is too little
    history for one, its error in its place. `columns` names, per date, the customer columns
    wanted: a date given some holds only those and customer_id."""
    wanted = list(columns) if columns is not None else [None] * len(dates)
    # as of a date, the shop knows only the orders placed before it
    pending = dict(enumerate(purchases_before(orders, dates)))
    found: dict[int, Segmentation | InputError] = {}
    # the dates of some columns first, cut to them at once, and each date's purchases let go
    # once used: the whole segmentation is then built beside a few columns, not a whole other
    for i in sorted(pending, key=lambda i: wanted[i] is None):
        bought = pending.pop(i)
        try:
            found[i] = _from_purchases(
                bought, settings or SegmentationSettings(), dates[i], wanted[i]
            )
        except InputError as exc:
            found[i] = exc
    return [found[i] for i in range(len(dates))]


def _from_purchases(
    bought: Purchases, settings: SegmentationSettings, as_of: dt.date | None, columns: Columns
) -> Segmentation:
    """The schemes (every one, or those `columns` needs) on the customers' features as of a
    date (the purchases before it)."""
    features = bought.customers
    if features.height == 0:
        if as_of is None:
            raise InputError(Phrase("no orders to segment"))
        raise InputError(Phrase("no orders to segment before {as_of}", as_of=as_of), "as_of")
    first_at = cast(dt.datetime, features["first_order_at"].min())
    last_at = cast(dt.datetime, features["last_order_at"].max())
    as_of = as_of or (last_at.date() + dt.timedelta(days=1))
    # the day counts are computed once; the thresholds and bands are learned from them, and the
    # scheme columns are then added in one lazy pass, which Polars runs in parallel
    timed = features.lazy().with_columns(_timing(as_of)).collect()
    lifecycle = _lifecycle(timed["first_to_second_days"].drop_nulls().to_numpy(), settings)
    min_tenure = int(np.ceil(lifecycle.thresholds_days[2]))
    bands = _bands(timed, settings, min_tenure) if _wants(columns, BAND_COLUMNS) else None
    customers = (
        timed.lazy()
        .with_columns(_schemes(timed, lifecycle, bands, settings, columns))
        .with_columns(_schemes_of_schemes(bands, columns))
        .collect()
    )
    orders, revenue = int(customers["orders"].sum()), float(customers["revenue"].sum())
    if columns is not None:
        customers = customers.select(c for c in customers.columns if c in columns | ID)
    return Segmentation(
        customers=customers,
        as_of=as_of,
        settings=settings,
        lifecycle=lifecycle,
        learned_bands=bands,
        band_cutoff=as_of - dt.timedelta(days=min_tenure),
        daily=bought.daily,
        orders=orders,
        revenue=revenue,
        first_order_at=first_at,
        last_order_at=last_at,
    )


def _wants(columns: Columns, named: frozenset[str]) -> bool:
    """Whether a segmentation of `columns` holds any of `named`."""
    return columns is None or bool(columns & named)


def _schemes(
    timed: pl.DataFrame,
    lifecycle: Lifecycle,
    bands: BandModel | None,
    settings: SegmentationSettings,
    columns: Columns,
) -> list[pl.Expr]:
    """The scheme columns on the customers' features, in the customers frame's order."""
    found = [_stage(lifecycle.thresholds_days)]
    if _wants(columns, RFM_COLUMNS):
        found += rfm.rfm_columns(timed, lifecycle.thresholds_days)
    if bands is not None:
        found.append(_band(bands))
    return [*found, _tier(settings.tier_thresholds)]


def _schemes_of_schemes(bands: BandModel | None, columns: Columns) -> list[pl.Expr]:
    """The columns read off other scheme columns: the RFM name, the band's priority."""
    found = []
    if _wants(columns, RFM_COLUMNS):
        found.append(rfm.rfm_segment())
    if bands is not None:
        found.append(_band_priority(bands))
    return found


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


def _lifecycle(intervals: np.ndarray, settings: SegmentationSettings) -> Lifecycle:
    if settings.lifecycle_days is not None:
        return Lifecycle(settings.lifecycle_days, settings.lifecycle_quantiles, False, intervals)
    if len(intervals) < MIN_INTERVALS:
        raise InputError(
            Phrase(
                "only {len} of the customers bought on two or more days; at least"
                " {min_intervals} are needed to learn lifecycle thresholds",
                len=len(intervals),
                min_intervals=MIN_INTERVALS,
            ),
            setting="lifecycle_days",
        )
    q = np.quantile(intervals, settings.lifecycle_quantiles, method="inverted_cdf")
    thresholds = (float(q[0]), float(q[1]), float(q[2]))
    return Lifecycle(thresholds, settings.lifecycle_quantiles, True, intervals)


def _stage(thresholds: tuple[float, float, float]) -> pl.Expr:
    days = pl.col("days_since_last")
    active, silent, sleeping, lost = LIFECYCLE_STAGES
    cases = [
        (days <= thresholds[0], active),
        (days <= thresholds[1], silent),
        (days <= thresholds[2], sleeping),
    ]
    return _first_match(cases, lost, LIFECYCLE_STAGES).alias("lifecycle")


def _bands(timed: pl.DataFrame, settings: SegmentationSettings, min_tenure: int) -> BandModel:
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
    return _by_band(bands, [b.name for b in bands.bands]).alias("first_order_value")


def _band_priority(bands: BandModel) -> pl.Expr:
    priorities = [b.priority for b in bands.bands]
    return _by_band(bands, priorities, (RETAIN_FIRST, SECOND_PRIORITY, BACKUP)).alias(
        "first_order_priority"
    )


def _by_band(bands: BandModel, values: list[str], labels: Sequence[str] | None = None) -> pl.Expr:
    """Each customer's band's value, by first-order amount."""
    amount = pl.col("first_order_amount")
    *lower, top = zip(bands.bands, values, strict=True)
    cases = [(amount < band.high, value) for band, value in lower]
    return _first_match(cases, top[1], labels or values)


def _tier(thresholds: tuple[float, float]) -> pl.Expr:
    best = pl.col("max_order_amount")
    member, vip, top_vip = TIERS
    cases = [(best >= thresholds[1], top_vip), (best >= thresholds[0], vip)]
    return _first_match(cases, member, TIERS).alias("tier")


def _first_match(
    cases: Sequence[tuple[pl.Expr, str]], otherwise: str, labels: Sequence[str]
) -> pl.Expr:
    """The label of the first true condition, else `otherwise`, as an Enum over labels.

    Enum columns hold small integers: several times cheaper to build than strings, and they
    sort in the order of the labels given (lifecycle stages, tiers) rather than alphabetically.
    """
    dtype = pl.Enum(list(labels))
    expr = pl.lit(otherwise, dtype)
    for condition, label in reversed(cases):
        expr = pl.when(condition).then(pl.lit(label, dtype)).otherwise(expr)
    return expr
