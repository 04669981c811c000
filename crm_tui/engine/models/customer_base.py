"""The customer-base models fitted together, each customer scored, and the scores checked on
what customers did after the fit."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import special

from crm_tui.engine.features import Orders, every_order
from crm_tui.engine.models import bgnbd, gamma_gamma
from crm_tui.engine.models.repeat_summary import repeat_summary

MONTH_DAYS = 30  # CLV sums discounted value month by month


@dataclass(frozen=True)
class CustomerBase:
    end: dt.date  # the last day of the purchases fitted on
    bgnbd: bgnbd.BgNbd
    gamma_gamma: gamma_gamma.GammaGamma
    summary: pl.DataFrame  # repeat_summary as of `end`

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.bgnbd.problems + self.gamma_gamma.problems))


def fit(orders: Orders, end: dt.date) -> CustomerBase:
    summary = repeat_summary(orders, end)
    columns = [summary[c].to_numpy() for c in ("frequency", "recency", "tenure")]
    buying = bgnbd.fit(*columns)
    value = gamma_gamma.fit(summary["frequency"].to_numpy(), summary["repeat_value"].to_numpy())
    return CustomerBase(end, buying, value, summary)


def scores(
    base: CustomerBase, horizon_days: int, annual_discount: float, churn_days: int
) -> pl.DataFrame:
    """Per customer: revenue to date, p_alive, expected purchase occasions and CLV over the
    horizon (the value of
    each month's expected purchases, discounted monthly), expected value of a purchase, and
    churn_risk, the chance of no purchase within churn_days."""
    s = base.summary
    frequency = s["frequency"].to_numpy()
    # customers with the same history have the same purchase outlook: compute it once
    histories, which = bgnbd.distinct_histories(
        frequency, s["recency"].to_numpy(), s["tenure"].to_numpy()
    )
    x, t_x, T = histories.T
    monthly = (1 + annual_discount) ** (1 / 12) - 1
    months = max(1, math.ceil(horizon_days / MONTH_DAYS))
    discounted = np.zeros(len(x))  # expected purchases, each month's discounted
    before = np.zeros(len(x))
    for k in range(1, months + 1):
        upto = base.bgnbd.expected_purchases(min(k * MONTH_DAYS, horizon_days), x, t_x, T)
        discounted += (upto - before) / (1 + monthly) ** k
        before = upto
    value = base.gamma_gamma.expected_value(frequency, s["repeat_value"].to_numpy())
    return s.select("customer_id", "revenue").with_columns(
        pl.Series("p_alive", base.bgnbd.p_alive(x, t_x, T)[which]),
        pl.Series("expected_purchases", before[which]),
        pl.Series("expected_value", value),
        pl.Series("clv", discounted[which] * value),
        pl.Series("churn_risk", base.bgnbd.p_no_purchase(churn_days, x, t_x, T)[which]),
    )


@dataclass(frozen=True)
class Validation:
    """How well a score ranks the customers who bought again in the holdout days after the fit."""

    fitted_to: dt.date  # the last day of the purchases the checked fit saw
    holdout_days: int  # the days after it that it is checked on
    customers: int
    returned: int
    auc: float
    auc_ci: tuple[float, float]  # Hanley and McNeil's interval


def validate(base: CustomerBase, orders: Orders, holdout_days: int, alpha: float) -> Validation:
    """AUC of expected purchases over the holdout for "bought again within it"."""
    start, stop = base.end, base.end + dt.timedelta(days=holdout_days)
    day = pl.col("ordered_at").dt.date()
    later = (
        every_order(orders)
        .filter((day > start) & (day <= stop))
        .select("customer_id")
        .unique()
        .collect()
        .with_columns(pl.lit(True).alias("returned"))
    )
    s = base.summary.join(later, on="customer_id", how="left")
    returned = s["returned"].fill_null(False).to_numpy()
    x, t_x, T = (s[c].to_numpy().astype(float) for c in ("frequency", "recency", "tenure"))
    score = base.bgnbd.expected_purchases(holdout_days, x, t_x, T)
    auc, ci = auc_with_interval(score, returned, alpha)
    return Validation(base.end, holdout_days, len(s), int(returned.sum()), auc, ci)


def auc_with_interval(
    score: np.ndarray, positive: np.ndarray, alpha: float
) -> tuple[float, tuple[float, float]]:
    """The area under the ROC curve (ties count half), from ranks, and its Hanley-McNeil
    interval."""
    from scipy.stats import rankdata  # only validation needs it: slow to import

    n1, n2 = int(positive.sum()), int((~positive).sum())
    if n1 == 0 or n2 == 0:
        return math.nan, (math.nan, math.nan)
    ranks = rankdata(score)
    auc = (ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n2)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n2 - 1) * (q2 - auc**2)) / (n1 * n2)
    half = float(-special.ndtri(alpha / 2)) * math.sqrt(max(var, 0.0))
    return float(auc), (float(max(0.0, auc - half)), float(min(1.0, auc + half)))
