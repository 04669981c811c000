"""Evaluation speed: ten million per-customer rows, two arms, all metrics, 20 segments.

    python benchmarks/evaluate_bench.py [--rows 10000000] [--repeat 5]

In one process: the full `evaluation.evaluate` (capping, every metric and test with its intervals,
chance to beat and risk, overall and per segment) against a bare Polars group-by of the outcome
columns' sums and squares (the floor). Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import polars as pl

from evaluation.evaluate import evaluate


def build(rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    impressions = rng.poisson(5, rows).astype(np.int32)
    clicks = rng.binomial(impressions, 0.04).astype(np.int32)
    conversions = rng.binomial(clicks, 0.2).astype(np.int32)
    return pl.DataFrame(
        {
            "arm": pl.Series(rng.choice(["control", "treatment"], rows)).cast(pl.Categorical),
            "segment": pl.Series(rng.integers(0, 20, rows)).cast(pl.String).cast(pl.Categorical),
            "impressions": impressions,
            "clicks": clicks,
            "add_to_cart": rng.binomial(clicks, 0.3).astype(np.int32),
            "conversions": conversions,
            "revenue": conversions * rng.lognormal(4, 1, rows),
            "cost": clicks * 0.8,
        }
    )


def floor(frame: pl.DataFrame) -> pl.DataFrame:
    cols = ["impressions", "clicks", "add_to_cart", "conversions", "revenue", "cost"]
    return frame.group_by("segment", "arm").agg(
        pl.len(),
        *[pl.col(c).sum() for c in cols],
        *[(pl.col(c) * pl.col(c)).sum().alias(f"{c}2") for c in cols],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = build(args.rows)
    times: dict[str, list[float]] = {"floor": [], "evaluate": []}
    for _ in range(args.repeat):
        for name, job in (
            ("floor", lambda: floor(frame)),
            ("evaluate", lambda: evaluate(frame, "control", by="segment")),
        ):
            start = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - start)
    report = evaluate(frame, "control", by="segment")
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{args.rows:,} rows, 2 arms, 20 segments, {len(report.comparisons)} comparisons; "
        f"polars {pl.__version__}"
    )
    for name, value in med.items():
        print(f"{name:>9}: median {value:.3f} s over {args.repeat} runs")
    print(
        f"evaluate / floor = {med['evaluate'] / med['floor']:.2f}x; "
        f"evaluate {med['evaluate']:.2f} s against the goal of 2 s"
    )


if __name__ == "__main__":
    main()
