"""Evaluation speed: ten million per-customer rows, two arms, all metrics, 20 segments.

    python benchmarks/evaluate_bench.py [--rows 10000000] [--repeat 5] [--from-file]

In one process: the full `evaluation.evaluate` (capping, every metric and test with its intervals,
chance to beat and risk, overall and per segment) against a bare Polars group-by of the outcome
columns' sums and squares (the floor). Prints medians and the ratio.

--from-file: the same rows with a text customer_id in a Parquet file (built once under
benchmarks/data/), and each job a whole process from the file: `crm-tui evaluate FILE --by
segment` against a script that reads the file and runs the floor's group-by.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from processes import whole_process

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


DATA = Path(__file__).resolve().parent / "data"
FLOOR_SCRIPT = """
import sys
import polars as pl
sys.path.insert(0, {folder!r})
from evaluate_bench import floor
floor(pl.read_parquet({path!r}))
"""


def results_file(rows: int) -> Path:
    path = DATA / f"results_{rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        ids = pl.format("C{}", pl.int_range(pl.len())).alias("customer_id")
        build(rows).select(ids, pl.all()).write_parquet(path)
    return path


def from_file(rows: int, repeat: int) -> None:
    path = results_file(rows)
    jobs = {
        "floor": [
            sys.executable,
            "-c",
            FLOOR_SCRIPT.format(folder=str(DATA.parent), path=str(path)),
        ],
        "evaluate": [
            *(sys.executable, "-m", "crm_tui", "evaluate", str(path)),
            *("--by", "segment", "--timings"),
        ],
    }
    runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, command in jobs.items():  # interleaved: drift hits both alike
            runs[name].append(whole_process(command))
    wall = {name: statistics.median(r[0] for r in found) for name, found in runs.items()}
    print(f"{path.name}: {rows:,} rows; whole processes, medians of {repeat}")
    for name, found in runs.items():
        peak = max(r[1] for r in found)
        print(f"{name:>9}: median {wall[name]:.2f} s  peak RSS {peak:,.0f} MB")
    print(f"evaluate / floor = {wall['evaluate'] / wall['floor']:.2f}x (goal: under 2 s, 3x)")
    print(f"evaluate: {runs['evaluate'][-1][2]}")


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
    parser.add_argument("--from-file", action="store_true")
    args = parser.parse_args()
    if args.from_file:
        from_file(args.rows, args.repeat)
        return
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
