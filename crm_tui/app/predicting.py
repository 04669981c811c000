"""Who will come back and what they are worth: the customer-base models on a shop's orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from crm_tui.app.shop import Shop
from crm_tui.engine import Segmentation
from crm_tui.engine.models import customer_base
from crm_tui.engine.models.customer_base import CustomerBase, Validation
from crm_tui.errors import InputError

HORIZON_DAYS = 365  # CLV and expected purchases look a year ahead unless told otherwise
# churn_risk: no purchase within the days in which 90% of repeat buyers come back, the
# lifecycle's threshold of "lost"
CHURN_THRESHOLD = 2
ANNUAL_DISCOUNT = 0.10
DECILES = 10


@dataclass(frozen=True)
class PredictRequest:
    as_of: dt.date | None = None  # scores use purchases before it; default the day after the last
    calibration_end: dt.date | None = None  # check: fit up to it, compare with the days after
    horizon_days: int = HORIZON_DAYS
    annual_discount: float = ANNUAL_DISCOUNT
    churn_days: int | None = None  # None: the shop's lifecycle threshold of "lost"


@dataclass(frozen=True)
class Prediction:
    as_of: dt.date
    horizon_days: int
    annual_discount: float
    churn_days: int  # churn_risk is the chance of no purchase within these days
    base: CustomerBase  # fitted on every purchase before as_of
    scores: pl.DataFrame  # per customer
    deciles: pl.DataFrame  # of expected purchases: the customers most likely to buy first
    validation: Validation | None  # the same fit up to calibration_end, checked after it


def predict(shop: Shop, request: PredictRequest) -> Prediction:
    orders = shop.orders
    last = orders["ordered_at"].max()
    if not isinstance(last, dt.datetime):
        raise InputError(f"{shop.files.orders}: no orders to fit a model on")
    as_of = request.as_of or last.date() + dt.timedelta(days=1)
    _check(request, shop, as_of)
    validation = None
    if request.calibration_end is not None:
        early = customer_base.fit(orders, request.calibration_end)
        _trusted(early, shop, f"up to {request.calibration_end}")
        holdout = (as_of - request.calibration_end).days - 1
        validation = customer_base.validate(early, orders, holdout, 0.05)
    base = customer_base.fit(orders, as_of - dt.timedelta(days=1))
    _trusted(base, shop, f"before {as_of}")
    churn_days = request.churn_days or churn_horizon(shop, as_of, request.horizon_days)
    scores = customer_base.scores(base, request.horizon_days, request.annual_discount, churn_days)
    return Prediction(
        as_of,
        request.horizon_days,
        request.annual_discount,
        churn_days,
        base,
        scores,
        deciles(scores),
        validation,
    )


def _check(request: PredictRequest, shop: Shop, as_of: dt.date) -> None:
    first = shop.orders["ordered_at"].min()
    assert isinstance(first, dt.datetime)
    if as_of <= first.date():
        raise InputError(f"as of {as_of}: no orders before it", setting="as_of")
    end = request.calibration_end
    if end is not None and not first.date() <= end < as_of - dt.timedelta(days=1):
        raise InputError(
            f"calibration end {end}: expected a day from {first.date()} to two days before "
            f"{as_of}, so that some days are left to check the fit on",
            setting="calibration_end",
        )
    if request.horizon_days < 1:
        raise InputError(f"horizon {request.horizon_days}: expected days from 1", "horizon")
    if not 0 <= request.annual_discount < 1:
        raise InputError(
            f"discount {request.annual_discount}: expected a yearly rate from 0 to below 1",
            "discount",
        )


def _trusted(base: CustomerBase, shop: Shop, when: str) -> None:
    """A fit that cannot be trusted is an answer in words, not numbers that mean nothing."""
    if base.problems:
        raise InputError(
            f"{shop.files.orders}: the customer-base model of the purchases {when} cannot be "
            f"trusted: {'; '.join(base.problems)}"
        )


def deciles(scores: pl.DataFrame) -> pl.DataFrame:
    """Customers in ten equal groups by expected purchases, the likeliest buyers first."""
    ranked = scores.sort("expected_purchases", "customer_id", descending=[True, False])
    return (
        ranked.with_columns((pl.int_range(pl.len()) * DECILES // pl.len() + 1).alias("decile"))
        .group_by("decile")
        .agg(
            pl.len().alias("customers"),
            pl.col("p_alive").mean(),
            pl.col("expected_purchases").mean(),
            pl.col("clv").mean(),
            pl.col("clv").sum().alias("clv_total"),
        )
        .sort("decile")
    )


def churn_horizon(shop: Shop, as_of: dt.date, fallback: int) -> int:
    """The days after which a customer who has not bought counts as lost, as the shop's
    lifecycle learns them with the default settings; `fallback` where too few came back."""
    try:
        seg = shop.segment(as_of=as_of)
    except InputError:
        return fallback
    return round(seg.lifecycle.thresholds_days[CHURN_THRESHOLD])


def with_scores(customers: pl.DataFrame, shop: Shop, seg: Segmentation) -> pl.DataFrame:
    """The customers frame with each buyer's scores as of the segmentation's day (visitors who
    never bought have none), for selectors such as `churn_risk > 0.7 and clv > 200`."""
    churn_days = round(seg.lifecycle.thresholds_days[CHURN_THRESHOLD])
    prediction = predict(shop, PredictRequest(as_of=seg.as_of, churn_days=churn_days))
    return customers.join(prediction.scores, on="customer_id", how="left")
