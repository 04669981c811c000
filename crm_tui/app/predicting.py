"""Who will come back and what they are worth: the customer-base models on a shop's orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from crm_tui.app.shop import Shop
from crm_tui.app.timings import phase
from crm_tui.engine import Segmentation
from crm_tui.errors import InputError
from crm_tui.language import N_
from evaluation.phrases import Phrase

if TYPE_CHECKING:
    from crm_tui.engine.models.customer_base import CustomerBase, Validation

# The models (SciPy) are imported when a fit runs: the terminal app builds its requests from
# here, and its first screen should not wait for them.

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
    # check the classifier on its later window and against the baselines; a plan that only
    # selects by the scores has no use for it
    check_churn: bool = True


@dataclass(frozen=True)
class Prediction:
    as_of: dt.date
    horizon_days: int
    annual_discount: float
    churn_days: int  # churn_risk is the chance of no purchase within these days
    churn_model: str  # "logistic regression", or "BG/NBD" where the orders cannot train it
    churn_check: ChurnCheck | None  # the classifier's check, if it was asked for
    base: CustomerBase  # fitted on every purchase before as_of
    scores: pl.DataFrame  # per customer
    deciles: pl.DataFrame  # of churn_risk: the riskiest tenth first
    validation: Validation | None  # the same fit up to calibration_end, checked after it


def predict(shop: Shop, request: PredictRequest) -> Prediction:
    from crm_tui.engine.models import customer_base

    orders = shop.parts
    as_of = request.as_of or shop.latest_as_of
    _check(request, shop, as_of)
    validation = None
    if request.calibration_end is not None:
        with phase(N_("fitting up to the calibration end")):
            early = customer_base.fit(orders, request.calibration_end)
        _trusted(early, shop, Phrase("up to {day}", day=request.calibration_end))
        holdout = (as_of - request.calibration_end).days - 1
        validation = customer_base.validate(early, orders, holdout, 0.05)
    with phase(N_("fitting BG/NBD and Gamma-Gamma")):
        base = customer_base.fit(orders, as_of - dt.timedelta(days=1))
    _trusted(base, shop, Phrase("before {day}", day=as_of))
    churn_days = request.churn_days or churn_horizon(shop, as_of, request.horizon_days)
    with phase(N_("scoring")):
        scores = customer_base.scores(
            base, request.horizon_days, request.annual_discount, churn_days
        )
    with phase(N_("churn classifier and its check")):
        check, risk = churn_classifier(shop, as_of, churn_days, request.check_churn)
    if risk is None:  # BG/NBD's churn_risk, which gives no reasons
        scores = scores.with_columns(pl.lit(None, pl.String).alias("churn_reason"))
    else:
        scores = scores.drop("churn_risk").join(risk, on="customer_id", how="left")
    scores = scores.with_columns(  # decile 1: the riskiest tenth
        (pl.col("churn_risk").rank("ordinal", descending=True) * DECILES // (pl.len() + 1) + 1)
        .cast(pl.Int32)
        .alias("churn_decile")
    )
    return Prediction(
        as_of,
        request.horizon_days,
        request.annual_discount,
        churn_days,
        "BG/NBD" if risk is None else "logistic regression",
        check,
        base,
        scores,
        deciles(scores),
        validation,
    )


def _check(request: PredictRequest, shop: Shop, as_of: dt.date) -> None:
    first = shop.order_span[0]
    if as_of <= first.date():
        raise InputError(
            Phrase(
                "as of {as_of}: no orders before it",
                as_of=as_of,
            ),
            setting="as_of",
        )
    end = request.calibration_end
    if end is not None and not first.date() <= end < as_of - dt.timedelta(days=1):
        raise InputError(
            Phrase(
                "calibration end {end}: expected a day from {value} to two days "
                "before {as_of}, so that some days are left to check the fit on",
                end=end,
                value=first.date(),
                as_of=as_of,
            ),
            setting="calibration_end",
        )
    if request.horizon_days < 1:
        raise InputError(
            Phrase(
                "horizon {horizon_days}: expected days from 1",
                horizon_days=request.horizon_days,
            ),
            "horizon",
        )
    if request.churn_days is not None and request.churn_days < 1:
        raise InputError(
            Phrase(
                "churn days {churn_days}: expected days from 1",
                churn_days=request.churn_days,
            ),
            "churn_days",
        )
    if not 0 <= request.annual_discount < 1:
        raise InputError(
            Phrase(
                "discount {annual_discount}: expected a yearly rate from 0 to below 1",
                annual_discount=request.annual_discount,
            ),
            "discount",
        )


def _trusted(base: CustomerBase, shop: Shop, when: str) -> None:
    """A fit that cannot be trusted is an answer in words, not numbers that mean nothing."""
    if base.problems:
        raise InputError(
            Phrase(
                "{orders}: the customer-base model of the purchases {when} cannot"
                " be trusted: {value}",
                orders=shop.files.orders,
                when=when,
                value="; ".join(base.problems),
            )
        )


def deciles(scores: pl.DataFrame) -> pl.DataFrame:
    """Per churn_decile (1: the riskiest tenth): customers, their mean churn_risk and p_alive,
    the revenue they brought so far and the CLV they are expected to bring."""
    columns = scores.select("churn_decile", "churn_risk", "p_alive", "revenue", "clv")
    # a decile at a time: a group-by's float sums changed in their last digits from run to run
    rows = [
        columns.filter(pl.col("churn_decile") == decile).select(
            pl.lit(decile, pl.Int32).alias("decile"),
            pl.len().cast(pl.UInt32).alias("customers"),
            pl.col("churn_risk").mean(),
            pl.col("p_alive").mean(),
            pl.col("revenue").sum(),
            pl.col("clv").sum().alias("clv_total"),
        )
        for decile in columns["churn_decile"].unique().sort()
    ]
    return pl.concat(rows)


MIN_CHURN_CUSTOMERS = 100  # in each window, with both outcomes, to train and to check on


@dataclass(frozen=True)
class ChurnCheck:
    """The classifier checked on a later window than it learned from, beside two baselines."""

    horizon_days: int
    trained_on: dt.date  # features as of this day, outcomes in the horizon after
    checked_on: dt.date  # the same, later: the check
    customers: int
    returned: int
    auc: float
    auc_ci: tuple[float, float]
    baselines: dict[str, tuple[float, tuple[float, float]]]  # name -> AUC and its interval
    calibration: pl.DataFrame  # decile, customers, predicted and observed rate of buying
    roc: list[tuple[float, float]]


def churn_classifier(
    shop: Shop, as_of: dt.date, days: int, check: bool
) -> tuple[ChurnCheck | None, pl.DataFrame | None]:
    """churn_risk per customer from the classifier, and its check if asked for; (None, None)
    where the orders do not span two horizons with enough customers."""
    from crm_tui.engine.models import churn
    from crm_tui.engine.models.customer_base import auc_with_interval

    orders = shop.parts
    checked_on = as_of - dt.timedelta(days=days)
    trained_on = checked_on - dt.timedelta(days=days)
    train = churn.features(orders, trained_on, days)
    test = churn.features(orders, checked_on, days)
    y_train = churn.labelled(train, churn.bought(orders, trained_on, days))
    y_test = churn.labelled(test, churn.bought(orders, checked_on, days))
    if min(_both(y_train), _both(y_test)) < MIN_CHURN_CUSTOMERS:
        return None, None
    latest = churn.fit_logistic(test, y_test)
    now = churn.features(orders, as_of, days)
    risk = now.select(
        "customer_id",
        pl.Series("churn_risk", 1 - latest.p_buy(now)),
        churn.reasons(days).alias("churn_reason"),
    )
    if not check:
        return None, risk
    p_test = churn.fit_logistic(train, y_train).p_buy(test)
    auc, ci = auc_with_interval(p_test, y_test, 0.05)
    return ChurnCheck(
        days,
        trained_on,
        checked_on,
        test.height,
        int(y_test.sum()),
        auc,
        ci,
        _baselines(shop, test, y_test, checked_on, days),
        churn.calibration(p_test, y_test),
        churn.roc_points(p_test, y_test),
    ), risk


def _both(y: np.ndarray) -> int:
    """The fewer of the customers who did and did not buy."""
    return int(min(y.sum(), (~y).sum()))


def _baselines(
    shop: Shop, test: pl.DataFrame, labels: np.ndarray, on: dt.date, days: int
) -> dict[str, tuple[float, tuple[float, float]]]:
    """The lifecycle rule and BG/NBD's p_alive and expected purchases, on the same customers and
    outcomes."""
    from crm_tui.engine.models import customer_base
    from crm_tui.engine.models.customer_base import auc_with_interval

    out = {}
    stage = {"active": 3.0, "silent": 2.0, "sleeping": 1.0, "lost": 0.0}
    try:
        staged = shop.segment(as_of=on, visitors=False).customers.select(
            "customer_id", pl.col("lifecycle").replace_strict(stage, default=0.0)
        )
        rule = test.select("customer_id").join(staged, on="customer_id", how="left")
        out["lifecycle"] = auc_with_interval(
            rule["lifecycle"].fill_null(0).to_numpy(), labels, 0.05
        )
    except InputError:
        pass
    base = customer_base.fit(shop.parts, on - dt.timedelta(days=1))
    if not base.bgnbd.problems:
        s = test.select("customer_id").join(base.summary, on="customer_id", how="left")
        x, t_x, T = (s[c].to_numpy().astype(float) for c in ("frequency", "recency", "tenure"))
        out["p_alive"] = auc_with_interval(base.bgnbd.p_alive(x, t_x, T), labels, 0.05)
        expected = base.bgnbd.expected_purchases(days, x, t_x, T)
        out["expected_purchases"] = auc_with_interval(expected, labels, 0.05)
    return out


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
    request = PredictRequest(as_of=seg.as_of, churn_days=churn_days, check_churn=False)
    prediction = predict(shop, request)
    return customers.join(prediction.scores, on="customer_id", how="left")
