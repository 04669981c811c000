"""Plan commands against segmentation, as whole processes on the same orders file.

    python benchmarks/plan_bench.py [--orders 10000000] [--repeat 3]

Builds (once, cached under benchmarks/data/, the file segment_bench.py uses) a Parquet file of
canonical orders, writes a churn-recall starter plan for it, then times, each in a fresh
process with its own peak memory:
- segment:     crm-tui segment FILE (the reference);
- plan init:   crm-tui plan init --objective churn_recall --orders FILE --out plan.toml;
- plan check:  crm-tui plan check plan.toml (audiences, history baselines, power, budget);
- plan assign: crm-tui plan assign plan.toml --out assignment.csv.
Prints median wall seconds, peak RSS and each command's ratio to segment, and each command's
own --timings line from its last run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from processes import whole_process
from segment_bench import build

CRM = [sys.executable, "-m", "crm_tui"]


def commands(orders: Path, work: Path) -> dict[str, list[str]]:
    plan = str(work / "plan.toml")
    return {
        "segment": [*CRM, "segment", str(orders)],
        "plan init": [
            *CRM,
            *("plan", "init", "--objective", "churn_recall", "--salt", "bench"),
            *("--orders", str(orders), "--out", plan, "--force"),
        ],
        "plan check": [*CRM, "plan", "check", plan],
        "plan assign": [
            *CRM,
            *("plan", "assign", plan, "--out", str(work / "assignment.csv"), "--force"),
        ],
    }


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the --timings line of one run in a fresh process."""
    return whole_process([*command, "--timings"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    orders = build(args.orders)
    print(f"{orders.name}: {args.orders:,} orders; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        jobs = commands(orders, Path(folder))
        measure(jobs["plan init"])  # the plan the other plan commands read
        runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in jobs}
        for _ in range(args.repeat):
            for name, command in jobs.items():  # interleaved: drift hits every job alike
                runs[name].append(measure(command))
    reference = statistics.median(r[0] for r in runs["segment"])
    for name, found in runs.items():
        wall = statistics.median(r[0] for r in found)
        peak = max(r[1] for r in found)
        print(
            f"{name:>11}: median {wall:6.2f} s  {wall / reference:4.2f}x segment  "
            f"peak RSS {peak:,.0f} MB"
        )
    for name, found in runs.items():
        print(f"{name:>11}: {found[-1][2]}")


if __name__ == "__main__":
    main()
