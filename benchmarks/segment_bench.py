"""Segmentation speed: the full engine against a bare Polars group-by and a careful pandas version.

    python benchmarks/segment_bench.py [--orders 10000000] [--repeat 3]

Builds (once, cached under benchmarks/data/) a Parquet file of canonical orders with about 3
customers per 10 orders, then in one run times, each in a fresh process so peak memory is its own:
- floor:  scan + group-by customer with count, sum, min, max (what any per-customer work costs);
- engine: crm_tui.engine.segment on the scanned file (every feature and scheme);
- validated: crm_tui.io.orders.load_orders (mapping, parsing, drop checks) + the engine;
- pandas: the same features and schemes written the way a careful analyst would (vectorised,
          one sort, no row loops).
Prints median seconds, ratios and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).resolve().parent / "data"


def orders_frame(
    customer: np.ndarray, order_id: np.ndarray, seconds: np.ndarray, amount: np.ndarray
) -> pl.DataFrame:
    """Canonical orders: customer ids C<n>, text order ids, times in seconds after
    2024-01-01."""
    return pl.DataFrame(
        {
            "customer": customer,
            "order_id": order_id,
            "ordered_at": (
                np.datetime64("2024-01-01T00:00:00", "us") + seconds.astype("timedelta64[s]")
            ).astype("datetime64[us]"),
            "amount": amount,
        }
    ).select(
        pl.format("C{}", pl.col("customer")).alias("customer_id"),
        pl.col("order_id").cast(pl.String),
        pl.col("ordered_at").cast(pl.Datetime("us")),
        "amount",
    )


def build(n_orders: int) -> Path:
    path = DATA / f"orders_{n_orders}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    counts = rng.geometric(0.3, size=int(n_orders * 0.3 * 1.05))
    customer = np.repeat(np.arange(len(counts)), counts)[:n_orders]
    seconds = rng.integers(0, 730 * 86400, n_orders)
    amount = np.round(rng.lognormal(4.7, 0.8, n_orders), 2)
    frame = orders_frame(customer, np.arange(n_orders), seconds, amount)
    frame.sample(fraction=1.0, shuffle=True, seed=2).write_parquet(path)
    return path


def floor(path: Path) -> int:
    out = (
        pl.scan_parquet(path)
        .group_by("customer_id")
        .agg(
            pl.len(),
            pl.col("amount").sum(),
            pl.col("ordered_at").min().alias("first"),
            pl.col("ordered_at").max().alias("last"),
        )
        .collect()
    )
    return out.height


def engine(path: Path) -> int:
    from crm_tui.engine.segmentation import segment

    return segment(pl.scan_parquet(path)).customers.height


def validated(path: Path) -> int:
    from crm_tui.engine.segmentation import segment
    from crm_tui.io.orders import load_orders

    return segment(load_orders(path).orders).customers.height


def pandas_version(path: Path) -> int:
    import pandas as pd

    df = pd.read_parquet(path)
    df = df[df["customer_id"].notna() & (df["amount"] > 0)]
    df = df.drop_duplicates("order_id")
    df["day"] = df["ordered_at"].dt.normalize()
    df = df.sort_values(["customer_id", "day"], kind="stable")
    g = df.groupby("customer_id", sort=False)
    first_day = g["day"].transform("min")
    c = g.agg(
        orders=("amount", "size"),
        revenue=("amount", "sum"),
        first_order_at=("ordered_at", "min"),
        last_order_at=("ordered_at", "max"),
        max_order_amount=("amount", "max"),
        purchases=("day", "nunique"),
    )
    c["first_order_amount"] = df[df["day"] == first_day].groupby("customer_id")["amount"].sum()
    later = df.loc[df["day"] > first_day, ["customer_id", "day"]]
    c["second_purchase_on"] = later.groupby("customer_id", sort=False)["day"].min()
    as_of = df["day"].max() + pd.Timedelta(days=1)
    c["days_since_last"] = (as_of - c["last_order_at"].dt.normalize()).dt.days
    c["first_to_second_days"] = (
        c["second_purchase_on"] - c["first_order_at"].dt.normalize()
    ).dt.days
    q = np.quantile(c["first_to_second_days"].dropna(), [0.3, 0.6, 0.9], method="inverted_cdf")
    c["lifecycle"] = np.select(
        [c["days_since_last"] <= q[0], c["days_since_last"] <= q[1], c["days_since_last"] <= q[2]],
        ["active", "silent", "sleeping"],
        "lost",
    )
    n = len(c)
    for col, src in (
        ("r_score", -c["days_since_last"]),
        ("f_score", c["purchases"]),
        ("m_score", c["revenue"]),
    ):
        c[col] = 1 + ((src.rank(method="min") - 1) * 5 // n).astype(int)
    c["tier"] = np.select(
        [c["max_order_amount"] >= 388, c["max_order_amount"] >= 188], ["top VIP", "VIP"], "member"
    )
    return len(c)


JOBS = {"floor": floor, "engine": engine, "validated": validated, "pandas": pandas_version}


def measure(name: str, path: Path) -> tuple[float, int, float]:
    """Run one job in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--job", name, "--path", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    elapsed, rows, peak = json.loads(out.strip().splitlines()[-1])
    return elapsed, rows, peak


def run_job(name: str, path: Path) -> None:
    # imports are start-up cost, not segmentation work: load them before the clock starts
    # (scipy.special, which the bands' chi-square imports on first use, takes 0.09 s)
    import scipy.special  # noqa: F401

    import crm_tui.engine.segmentation
    import crm_tui.io.orders  # noqa: F401

    if name == "pandas":
        import pandas  # noqa: F401

    start = time.perf_counter()
    rows = JOBS[name](path)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps([elapsed, rows, peak_mb]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--job", choices=sorted(JOBS), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        run_job(args.job, args.path)
        return
    path = build(args.orders)
    print(
        f"{path.name}: {args.orders:,} orders; python {sys.version.split()[0]}, "
        f"polars {pl.__version__}"
    )
    names = ["floor", "engine", "validated"] + ([] if args.skip_pandas else ["pandas"])
    results: dict[str, list[tuple[float, int, float]]] = {n: [] for n in names}
    for _ in range(args.repeat):
        for name in names:  # interleaved, so drift in the machine hits all alike
            results[name].append(measure(name, path))
    medians = {n: statistics.median(r[0] for r in rs) for n, rs in results.items()}
    for name, rs in results.items():
        peak = max(r[2] for r in rs)
        print(
            f"{name:>7}: median {medians[name]:6.2f} s  customers {rs[0][1]:,}  "
            f"peak RSS {peak:,.0f} MB"
        )
    print(f"engine / floor  = {medians['engine'] / medians['floor']:.2f}x  (goal <= 2, aim 1.5)")
    print(f"validated / floor = {medians['validated'] / medians['floor']:.2f}x")
    if "pandas" in medians:
        print(f"pandas / engine = {medians['pandas'] / medians['engine']:.2f}x  (goal >= 3)")
        print(f"pandas / validated = {medians['pandas'] / medians['validated']:.2f}x")


if __name__ == "__main__":
    main()
