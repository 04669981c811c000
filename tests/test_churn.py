"""The churn classifier: its fit against statsmodels, its features against a direct computation,
and that no feature sees the future."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from crm_tui.engine.models import churn


def orders_table() -> pl.DataFrame:
    rows = [
        ("a", dt.datetime(2025, 1, 1), 10.0),
        ("a", dt.datetime(2025, 1, 1, 20), 5.0),  # the same day: one purchase
        ("a", dt.datetime(2025, 2, 1), 20.0),
        ("a", dt.datetime(2025, 3, 20), 30.0),
        ("b", dt.datetime(2025, 2, 10), 40.0),
        ("c", dt.datetime(2025, 4, 2), 99.0),  # after the cut-off
    ]
    return pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")


def test_features_against_a_direct_computation() -> None:
    got = churn.features(orders_table(), dt.date(2025, 4, 1), recent_days=30)
    a, b = got.rows(named=True)
    assert (a["customer_id"], b["customer_id"]) == ("a", "b")
    assert a["log_purchases"] == pytest.approx(np.log1p(3))
    assert a["days_since_last"] == 12 and a["tenure_days"] == 90
    assert a["log_revenue"] == pytest.approx(np.log1p(65.0))
    assert a["log_first_value"] == pytest.approx(np.log1p(15.0))
    assert a["mean_interval"] == pytest.approx(78 / 2)
    assert a["recent_purchases"] == 1  # 2025-03-20 is within 30 days of 2025-04-01
    assert b["mean_interval"] == 0 and b["recent_purchases"] == 0


def test_no_feature_sees_the_future() -> None:
    orders = orders_table()
    later = pl.DataFrame(
        [("a", dt.datetime(2025, 4, 1), 500.0), ("b", dt.datetime(2025, 6, 1), 1.0)],
        schema=orders.schema,
        orient="row",
    )
    on = dt.date(2025, 4, 1)
    assert churn.features(orders, on, 30).equals(churn.features(pl.concat([orders, later]), on, 30))


def test_logistic_fit_matches_statsmodels_when_the_ridge_is_negligible() -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    frame = pl.DataFrame(
        {name: rng.normal(size=n) * (i + 1) for i, name in enumerate(churn.FEATURES)}
    )
    z = (frame.to_numpy() - frame.to_numpy().mean(0)) / frame.to_numpy().std(0)
    truth = np.array([-1.0, 0.8, -0.5, 0.3, 0.0, 0.2, -0.4, 0.6])
    y = rng.random(n) < 1 / (1 + np.exp(-(truth[0] + z @ truth[1:])))
    model = churn.fit_logistic(frame, y)
    reference = sm.Logit(y.astype(float), sm.add_constant(z)).fit(disp=0).params
    assert model.coef == pytest.approx(reference, abs=2e-3)
    p = model.p_buy(frame)
    assert p == pytest.approx(1 / (1 + np.exp(-(reference[0] + z @ reference[1:]))), abs=1e-3)


def test_calibration_and_roc_by_hand() -> None:
    p = np.array([0.9, 0.8, 0.3, 0.2])
    y = np.array([True, False, True, False])
    table = churn.calibration(p, y, groups=2)
    assert table.rows() == [(1, 2, pytest.approx(0.85), 0.5), (2, 2, pytest.approx(0.25), 0.5)]
    points = churn.roc_points(p, y, points=5)
    assert points[0] == (1.0, 1.0) and points[-1] == (0.0, 0.0)


def test_reasons_an_operator_can_read() -> None:
    frame = pl.DataFrame(
        {
            "log_purchases": [np.log1p(4), np.log1p(1), np.log1p(3), np.log1p(5)],
            "days_since_last": [100, 40, 50, 10],
            "mean_interval": [30.0, 0.0, 30.0, 12.0],
            "recent_purchases": [0, 0, 0, 2],
        }
    )
    got = frame.select(churn.reasons(90).alias("r"))["r"].to_list()
    assert got == [
        "no purchase for 100 days, over 2x their usual 30 days",
        "bought once, 40 days ago",
        "no purchase in the last 90 days",
        "buying at their usual pace",
    ]
