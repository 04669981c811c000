"""Shops bigger than memory: segment and plan assign on partitioned Parquet as orders grow.

    python benchmarks/scale_bench.py [--orders 10000000 30000000 100000000] [--repeat 1]

Builds (once, cached under benchmarks/data/orders_parts_N/) a folder of Parquet files of
5,000,000 canonical orders each, written chunk by chunk so that building never holds more than
one chunk: about 3 customers per 10 orders, each order's customer drawn at random (so a
customer's orders lie in several files, as in monthly exports), times spread over two years,
lognormal amounts. For each size, in fresh processes with their own peak memory:
- floor:       a bare Polars streaming group-by of the folder (orders, revenue, first and last
               order per customer) written to a Parquet file: what any per-customer pass costs;
- segment:     crm-tui segment FOLDER;
- plan assign: crm-tui plan assign (a churn-recall starter plan made untimed beforehand).
Prints median wall seconds, peak RSS and each command's --timings line, and how cost grows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from processes import whole_process
from segment_bench import orders_frame

DATA = Path(__file__).resolve().parent / "data"
CHUNK = 5_000_000
CRM = [sys.executable, "-m", "crm_tui"]
FLOOR = """
import sys, polars as pl
orders = pl.scan_parquet(sys.argv[1])
orders.group_by("customer_id").agg(
    pl.len().alias("orders"), pl.col("amount").sum(), pl.col("ordered_at").min().alias("first"),
    pl.col("ordered_at").max().alias("last"),
).sink_parquet(sys.argv[2])
"""


def build(n_orders: int) -> Path:
    folder = DATA / f"orders_parts_{n_orders}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    customers = int(n_orders * 0.3)
    for i, start in enumerate(range(0, n_orders, CHUNK)):
        rng = np.random.default_rng([3, i])
        n = min(CHUNK, n_orders - start)
        seconds = rng.integers(0, 730 * 86400, n)
        customer = rng.integers(0, customers, n)
        amount = np.round(rng.lognormal(4.7, 0.8, n), 2)
        frame = orders_frame(customer, np.arange(start, start + n), seconds, amount)
        frame.write_parquet(folder / f"part-{i:03}.parquet")
    (folder / "done").touch()
    return folder


def jobs(orders: Path, work: Path) -> dict[str, list[str]]:
    plan = str(work / "plan.toml")
    return {
        "floor": [sys.executable, "-c", FLOOR, str(orders), str(work / "floor.parquet")],
        "segment": [*CRM, "segment", str(orders), "--timings"],
        "plan assign": [
            *CRM,
            *("plan", "assign", plan, "--out", str(work / "assignment.csv"), "--force"),
            "--timings",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000_000, 30_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, polars {pl.__version__}")
    rows = []
    for n in args.orders:
        orders = build(n)
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            init = ["plan", "init", "--objective", "churn_recall", "--salt", "bench"]
            whole_process([*CRM, *init, "--orders", str(orders), "--out", str(work / "plan.toml")])
            runs: dict[str, list[tuple[float, float, str]]] = {}
            for _ in range(args.repeat):
                for name, command in jobs(orders, work).items():
                    runs.setdefault(name, []).append(whole_process(command))
        for name, found in runs.items():
            wall = statistics.median(r[0] for r in found)
            peak = max(r[1] for r in found)
            rows.append((n, name, wall, peak))
            print(f"{n:>12,} {name:>11}: median {wall:7.1f} s  peak RSS {peak:7,.0f} MB")
            if found[-1][2]:
                print(f"{'':>26}{found[-1][2]}")
    first = {name: (n, wall, peak) for n, name, wall, peak in rows if n == args.orders[0]}
    for n, name, wall, peak in rows:
        n0, wall0, peak0 = first[name]
        print(
            f"{name:>11} at {n:>12,}: {n / n0:5.1f}x the orders, {wall / wall0:5.1f}x the time, "
            f"{peak / peak0:4.1f}x the memory"
        )


if __name__ == "__main__":
    main()
