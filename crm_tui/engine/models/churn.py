"""Churn early warning: will a customer buy again within H days?

A logistic regression on features of each customer's purchases as of a cut-off, trained and
checked with time-based splits so that no feature sees the future: trained on the features as of
as_of - 2H with who bought in the H days after, checked on the features as of as_of - H with who
bought in the H days up to as_of, then refitted on that later window to score every customer as
of as_of. SciPy fits it (L-BFGS with the exact gradient, a small ridge on standardised
features): a handful of features needs no larger library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import special

from crm_tui.engine.features import Orders, customer_features, every_order, orders_where

FEATURES = (
    "log_purchases",
    "days_since_last",
    "tenure_days",
    "log_revenue",
    "log_first_value",
    "mean_interval",
    "recent_purchases",
)
RIDGE = 1.0  # on standardised features: keeps the fit finite when a feature separates the classes


def features(orders: Orders, as_of: dt.date, recent_days: int) -> pl.DataFrame:
    """One row per customer who bought before `as_of`, with FEATURES as of that day."""
    day = pl.col("ordered_at").dt.date()
    customers = customer_features(orders_where(orders, day < as_of))
    recent = (
        every_order(orders)
        .filter((day < as_of) & (day >= as_of - dt.timedelta(days=recent_days)))
        .group_by("customer_id")
        .agg(day.n_unique().alias("recent_purchases"))
        .collect()
    )
    first, last = pl.col("first_order_at").dt.date(), pl.col("last_order_at").dt.date()
    return (
        customers.join(recent, on="customer_id", how="left")
        .select(
            "customer_id",
            pl.col("purchases").log1p().alias("log_purchases"),
            (pl.lit(as_of) - last).dt.total_days().alias("days_since_last"),
            (pl.lit(as_of) - first).dt.total_days().alias("tenure_days"),
            pl.col("revenue").clip(lower_bound=0).log1p().alias("log_revenue"),
            pl.col("first_order_amount").clip(lower_bound=0).log1p().alias("log_first_value"),
            ((last - first).dt.total_days() / pl.max_horizontal(pl.col("purchases") - 1, 1)).alias(
                "mean_interval"
            ),
            pl.col("recent_purchases").fill_null(0),
        )
        .sort("customer_id")
    )


def bought(orders: Orders, start: dt.date, days: int) -> pl.DataFrame:
    """customer_id of everyone with an order in [start, start + days)."""
    day = pl.col("ordered_at").dt.date()
    window = (day >= start) & (day < start + dt.timedelta(days=days))
    return every_order(orders).filter(window).select("customer_id").unique().collect()


def labelled(frame: pl.DataFrame, buyers: pl.DataFrame) -> np.ndarray:
    return frame["customer_id"].is_in(buyers["customer_id"].implode()).to_numpy()


@dataclass(frozen=True)
class Logistic:
    coef: np.ndarray  # intercept first, then one per feature (standardised)
    mean: np.ndarray
    scale: np.ndarray

    def p_buy(self, frame: pl.DataFrame) -> np.ndarray:
        z = (frame.select(FEATURES).to_numpy().astype(float) - self.mean) / self.scale
        return special.expit(self.coef[0] + z @ self.coef[1:])


def fit_logistic(frame: pl.DataFrame, y: np.ndarray) -> Logistic:
    from scipy.optimize import minimize  # only fitting needs it: slow to import

    raw = frame.select(FEATURES).to_numpy().astype(float)
    mean, scale = raw.mean(axis=0), raw.std(axis=0)
    scale[scale == 0] = 1.0
    X = np.column_stack([np.ones(len(raw)), (raw - mean) / scale])
    target = y.astype(float)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ beta
        value = np.sum(np.logaddexp(0, z) - target * z) + RIDGE / 2 * beta[1:] @ beta[1:]
        gradient = X.T @ (special.expit(z) - target)
        gradient[1:] += RIDGE * beta[1:]
        return float(value), gradient

    result = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B")
    return Logistic(result.x, mean, scale)


def calibration(p: np.ndarray, y: np.ndarray, groups: int = 10) -> pl.DataFrame:
    """Predicted and observed rate of buying again, by decile of the prediction (highest first)."""
    frame = pl.DataFrame({"p": p, "y": y.astype(float)}).sort("p", descending=True)
    decile = (pl.int_range(pl.len()) * groups // pl.len() + 1).alias("decile")
    frame = frame.with_columns(decile)
    # a decile at a time: a group-by's float means changed in their last digits from run to run
    return pl.concat(
        frame.filter(pl.col("decile") == d).select(
            pl.lit(d, frame.schema["decile"]).alias("decile"),
            pl.len().alias("customers"),
            pl.col("p").mean().alias("predicted"),
            pl.col("y").mean().alias("observed"),
        )
        for d in frame["decile"].unique().sort()
    )


def roc_points(score: np.ndarray, y: np.ndarray, points: int = 21) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) at evenly spaced thresholds of the score's
    quantiles, from "everyone" to "no one"."""
    thresholds = np.quantile(score, np.linspace(0, 1, points))
    positives, negatives = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    out = [(1.0, 1.0)]
    for t in thresholds[1:]:
        flagged = score > t
        out.append(
            (float((flagged & ~y).sum() / negatives), float((flagged & y).sum() / positives))
        )
    return out


def reasons(days: int) -> pl.Expr:
    """A reason an operator can read for each customer's risk, from their features."""
    since, usual = pl.col("days_since_last"), pl.col("mean_interval")
    once = pl.col("log_purchases") <= float(np.log1p(1))
    return (
        pl.when(~once & (since > 2 * usual))
        .then(
            pl.format(
                "no purchase for {} days, over 2x their usual {} days",
                since,
                usual.round(0).cast(pl.Int64),
            )
        )
        .when(once)
        .then(pl.format("bought once, {} days ago", since))
        .when(pl.col("recent_purchases") == 0)
        .then(pl.lit(f"no purchase in the last {days} days"))
        .otherwise(pl.lit("buying at their usual pace"))
    )
