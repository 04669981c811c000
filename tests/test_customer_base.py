"""BG/NBD and Gamma-Gamma: the published CDNOW fit, recovery of known parameters from simulated
customers, and the per-customer history they read, against direct computations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from crm_tui.engine.models import bgnbd, customer_base, gamma_gamma
from crm_tui.engine.models.repeat_summary import repeat_summary

CDNOW = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
WEEK = 7.0


def cdnow_orders() -> pl.DataFrame:
    """The 1/10 sample: sample customer id, date, dollar value (no header, CRLF)."""
    rows = [line.split() for line in CDNOW.read_text().splitlines() if line.strip()]
    return pl.DataFrame(
        {
            "customer_id": [r[1] for r in rows],
            "ordered_at": [dt.datetime.strptime(r[2], "%Y%m%d") for r in rows],
            "amount": [float(r[4]) for r in rows],
        }
    )


@pytest.mark.skipif(not CDNOW.exists(), reason="shared CDNOW data not present")
def test_cdnow_reproduces_the_published_fits() -> None:
    """Fader, Hardie and Lee (2005): calibration to 1997-09-30, 2,357 customers, 946 repeaters."""
    orders = cdnow_orders()
    base = customer_base.fit(orders, dt.date(1997, 9, 30))
    m, g = base.bgnbd, base.gamma_gamma
    assert (m.customers, m.repeat_customers, g.customers) == (2357, 946, 946)
    three = [float(f"{value:.3g}") for value in (m.r, m.alpha, m.a, m.b, g.p, g.q, g.v)]
    assert three == [0.243, 4.41, 0.793, 2.43, 6.25, 3.74, 15.4]  # to three significant digits
    assert m.alpha * 7 == pytest.approx(30.9, abs=0.05)  # in days
    assert m.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert base.problems == ()
    # the paper's worked customer: 2 repeats, last at 30.43 weeks, tenure 38.86 weeks
    one = m.expected_purchases(
        39 * WEEK, np.array([2.0]), np.array([30.43 * WEEK]), np.array([38.86 * WEEK])
    )
    assert one[0] == pytest.approx(1.226, abs=5e-4)
    # expected purchases rank who bought again in the next 39 weeks (about 0.77)
    check = customer_base.validate(base, orders, 39 * 7, 0.05)
    assert check.auc == pytest.approx(0.77, abs=0.01)
    assert check.auc_ci[0] < check.auc < check.auc_ci[1]


def test_bgnbd_recovers_the_parameters_it_simulated() -> None:
    truth = (0.5, 6.0, 0.8, 2.5)
    x, last, tenure = bgnbd.simulate(np.random.default_rng(3), 30_000, *truth)
    m = bgnbd.fit(x, last * WEEK, tenure * WEEK)
    assert (m.r, m.alpha, m.a, m.b) == pytest.approx(truth, rel=0.15)
    assert m.problems == ()


def test_expected_purchases_of_a_new_customer_match_simulation() -> None:
    """With no history the conditional expectation is the process's mean over t weeks, and the
    chance of no purchase its share of customers who bought nothing."""
    m = bgnbd.BgNbd(0.5, 6.0, 0.8, 2.5, 0.0, 0, 0)
    t = 26.0
    rng = np.random.default_rng(5)
    rate, drop = rng.gamma(m.r, 1 / m.alpha, 200_000), rng.beta(m.a, m.b, 200_000)
    clock, count, alive = np.zeros(200_000), np.zeros(200_000), np.ones(200_000, bool)
    while alive.any():
        clock = np.where(alive, clock + rng.exponential(1 / rate), clock)
        bought = alive & (clock <= t)
        count += bought
        alive = bought & (rng.random(200_000) >= drop)
    expected = m.expected_purchases(t * WEEK, np.zeros(1), np.zeros(1), np.zeros(1))[0]
    assert expected == pytest.approx(count.mean(), rel=0.03)
    quiet = m.p_no_purchase(t * WEEK, np.zeros(1), np.zeros(1), np.zeros(1))[0]
    assert quiet == pytest.approx((count == 0).mean(), abs=0.005)


def test_gamma_gamma_recovers_the_parameters_it_simulated() -> None:
    rng = np.random.default_rng(6)
    p, q, v = 6.0, 4.0, 15.0
    n = 20_000
    nu = rng.gamma(q, 1 / v, n)
    x = rng.integers(1, 8, n)
    means = np.array([rng.gamma(p, 1 / nu_i, k).mean() for nu_i, k in zip(nu, x, strict=True)])
    g = gamma_gamma.fit(x, means)
    assert (g.p, g.q, g.v) == pytest.approx((p, q, v), rel=0.15)
    # shrinkage: one repeat purchase pulls a big spender toward the population mean
    assert g.expected_value(np.array([1.0]), np.array([500.0]))[0] < 500


def test_repeat_summary_against_a_direct_count() -> None:
    orders = pl.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "ordered_at": [
                dt.datetime(2025, 1, 1, 9),
                dt.datetime(2025, 1, 1, 18),  # the same day: one occasion
                dt.datetime(2025, 1, 11),
                dt.datetime(2025, 3, 1),  # after the end: not seen
                dt.datetime(2025, 1, 5),
                dt.datetime(2025, 1, 2),
                dt.datetime(2025, 1, 20),
            ],
            "amount": [10.0, 5.0, 30.0, 99.0, 7.0, 4.0, 8.0],
        }
    )
    got = repeat_summary(orders, dt.date(2025, 1, 31)).sort("customer_id")
    assert got.rows() == [
        ("a", 1, 10, 30, 30.0, 45.0),
        ("b", 0, 0, 26, None, 7.0),
        ("c", 1, 18, 29, 8.0, 12.0),
    ]


def test_auc_against_every_pair() -> None:
    rng = np.random.default_rng(7)
    score = rng.integers(0, 6, 300).astype(float)  # ties count half
    positive = rng.random(300) < 0.3 + 0.08 * score
    auc, (low, high) = customer_base.auc_with_interval(score, positive, 0.05)
    pos, neg = score[positive], score[~positive]
    pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    assert auc == pytest.approx(pairs.mean(), rel=1e-12)
    assert low < auc < high


def test_gradients_agree_with_finite_differences() -> None:
    from scipy.optimize import approx_fprime

    x, last, tenure = bgnbd.simulate(np.random.default_rng(8), 2000, 0.5, 6.0, 0.8, 2.5)
    h = bgnbd.History.of(x, last * WEEK, tenure * WEEK)
    at = np.log([0.4, 5.0, 0.9, 2.0])
    _, analytic = bgnbd.log_likelihood(np.exp(at), h)
    numeric = approx_fprime(at, lambda p: bgnbd.log_likelihood(np.exp(p), h)[0], 1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4)
    rng = np.random.default_rng(9)
    repeats, means = rng.integers(1, 6, 500).astype(float), rng.gamma(5, 6, 500)
    at = np.log([5.0, 3.0, 12.0])
    _, analytic = gamma_gamma.log_likelihood(np.exp(at), repeats, means)
    numeric = approx_fprime(
        at, lambda p: gamma_gamma.log_likelihood(np.exp(p), repeats, means)[0], 1e-6
    )
    assert analytic == pytest.approx(numeric, rel=1e-4)


def test_a_fit_that_stops_short_says_so_in_words() -> None:
    """A likelihood whose line search fails (a gradient that points nowhere) is reported as a
    failure; SciPy's message has nothing after its colon, so none is shown."""
    from crm_tui.engine.models.likelihood import maximise

    found = maximise(lambda p: (float("nan"), np.full(2, np.nan)), 2)
    assert found.failure == "ABNORMAL"
    peak = maximise(lambda p: (-float(((p - 3) ** 2).sum()), -2 * (p - 3) * p), 2)  # in logs
    assert peak.failure is None and peak.params == pytest.approx([3, 3], rel=1e-4)
