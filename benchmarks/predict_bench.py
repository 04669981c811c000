"""Customer-base model speed: fitting and scoring millions of customers.

    python benchmarks/predict_bench.py [--customers 3000000] [--repeat 3]

Simulates customers of the BG/NBD process (rate Gamma(0.5, 6 weeks), drop-out Beta(0.8, 2.5),
watched 10 to 78 weeks, in whole days) with Gamma repeat values, then in one process times:
- floor: one evaluation of the BG/NBD log-likelihood and its gradient on every customer's
  history (what any fit must do at least once per step);
- fit: crm_tui.engine.models BG/NBD and Gamma-Gamma fits;
- score: p_alive, expected purchases, CLV over a year and churn_risk per customer.
Prints medians and each against the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np
import polars as pl

from crm_tui.engine.models import bgnbd, customer_base, gamma_gamma


def simulate(n: int) -> pl.DataFrame:
    rng = np.random.default_rng(1)
    x, last, tenure = bgnbd.simulate(rng, n, 0.5, 6.0, 0.8, 2.5)
    return pl.DataFrame(
        {
            "customer_id": np.arange(n).astype(str),
            "frequency": x,
            "recency": np.floor(last * 7),
            "tenure": np.floor(tenure * 7),
            "repeat_value": np.where(x > 0, rng.gamma(6, 3, n), np.nan),
        }
    ).with_columns(
        pl.col("repeat_value").fill_nan(None),
        # the repeat summary's revenue: scores carry it beside each customer
        (pl.col("repeat_value").fill_nan(0.0) * pl.col("frequency")).alias("revenue"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    s = simulate(args.customers)
    x, r, t = (s[c].to_numpy() for c in ("frequency", "recency", "tenure"))
    value = s["repeat_value"].to_numpy()
    every = bgnbd.History(x, r / 7, t / 7, np.ones(len(x), dtype=np.int64))
    times: dict[str, list[float]] = {"floor": [], "fit": [], "score": []}
    for _ in range(args.repeat):
        start = time.perf_counter()
        bgnbd.log_likelihood(np.array([0.5, 6.0, 0.8, 2.5]), every)
        times["floor"].append(time.perf_counter() - start)
        start = time.perf_counter()
        buying, worth = bgnbd.fit(x, r, t), gamma_gamma.fit(x, value)
        times["fit"].append(time.perf_counter() - start)
        base = customer_base.CustomerBase(dt.date(2026, 1, 1), buying, worth, s)
        start = time.perf_counter()
        customer_base.scores(base, 365, 0.1, 180)
        times["score"].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.customers:,} customers; polars {pl.__version__}, numpy {np.__version__}")
    for name, value_s in med.items():
        print(f"{name:>6}: median {value_s:.2f} s over {args.repeat} runs", end="")
        print("" if name == "floor" else f"  ({value_s / med['floor']:.0f}x the floor)")


if __name__ == "__main__":
    main()
