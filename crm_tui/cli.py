"""The command line: `crm-tui [FILE]` opens the TUI; subcommands run the same core for scripts.

Only what a subcommand needs is imported, so `crm-tui segment` never loads Textual.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crm_tui.errors import InputError

SUBCOMMANDS = ("segment", "sample", "plan", "evaluate", "tui")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in SUBCOMMANDS and not args[0].startswith("-")):
        args = ["tui", *args]
    parser = build_parser()
    ns = parser.parse_args(args)
    try:
        return int(ns.handler(ns) or 0)
    except InputError as exc:
        print(f"crm-tui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-tui",
        description="Segment customers, plan repeat-customer campaigns and measure their lift.",
        epilog="With no command, or with a FILE, opens the terminal app.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_tui(sub)
    _add_segment(sub)
    _add_sample(sub)
    from crm_tui.cli_campaigns import add_evaluate, add_plan

    add_plan(sub)
    add_evaluate(sub)
    return parser


def add_data_options(p: argparse.ArgumentParser) -> None:
    """Options every command reading an orders file shares."""
    p.add_argument(
        "--column",
        action="append",
        metavar="CANONICAL=SOURCE",
        help="map a canonical column to a header of the file (repeatable)",
    )
    p.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="reference date (default: the day after the last order)",
    )
    p.add_argument("--visitors", type=Path, metavar="FILE", help="visitors file")
    p.add_argument(
        "--lifecycle-quantiles",
        type=_triple,
        metavar="A,B,C",
        help="quantiles of the repurchase interval for the stages (default 0.3,0.6,0.9)",
    )
    p.add_argument(
        "--lifecycle-days",
        type=_triple,
        metavar="A,B,C",
        help="fixed stage thresholds in days instead of learned ones",
    )
    p.add_argument(
        "--tiers",
        type=_pair,
        metavar="VIP,TOP",
        help="single-order value for VIP and top VIP (default 188,388)",
    )


def settings_from(ns: argparse.Namespace) -> Any:
    from crm_tui.engine import SegmentSettings

    kwargs: dict[str, Any] = {"as_of": ns.as_of}
    if ns.lifecycle_quantiles:
        kwargs["lifecycle_quantiles"] = ns.lifecycle_quantiles
    if ns.lifecycle_days:
        kwargs["lifecycle_days"] = ns.lifecycle_days
    if ns.tiers:
        kwargs["tier_thresholds"] = ns.tiers
    return SegmentSettings(**kwargs)


def load_shop_from(ns: argparse.Namespace, orders: Path) -> Any:
    from crm_tui.columns import parse_overrides
    from crm_tui.pipeline import load_shop

    return load_shop(orders, parse_overrides(ns.column), settings_from(ns), ns.visitors)


def _add_tui(sub: Any) -> None:
    p = sub.add_parser("tui", help="open the terminal app (the default)")
    p.add_argument("orders", nargs="?", type=Path, help="orders file (default: the sample data)")
    p.add_argument("--visitors", type=Path, metavar="FILE")
    p.add_argument("--profiles", type=Path, metavar="FILE")
    p.set_defaults(handler=_run_tui)


def _run_tui(ns: argparse.Namespace) -> int:
    from crm_tui.tui.app import run

    return run(ns.orders, ns.visitors, ns.profiles)


def _add_segment(sub: Any) -> None:
    p = sub.add_parser("segment", help="segment customers of an orders file")
    p.add_argument("orders", type=Path, help="orders file: CSV, text log, Parquet or .xlsx")
    add_data_options(p)
    p.add_argument("--out", type=Path, help="write the customers frame (.parquet or .csv)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_segment)


def _segment(ns: argparse.Namespace) -> int:
    from crm_tui import segment_report

    if ns.out is not None:
        _check_table_suffix(ns.out)
        from crm_tui.atomic import check_writable

        check_writable(ns.out, ns.force)
    shop = load_shop_from(ns, ns.orders)
    if ns.out is not None:
        write_table(shop.customers.sort("customer_id"), ns.out, ns.force)
    if ns.json:
        payload = segment_report.to_json(shop.segmentation, shop.findings, shop.side_findings)
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(segment_report.to_text(shop.segmentation, shop.findings, shop.side_findings))
        if ns.out is not None:
            print(f"\nWrote {shop.customers.height:,} customers to {ns.out}")
    return 0


def write_table(frame: Any, path: Path, force: bool) -> None:
    from crm_tui.atomic import write_atomic
    from crm_tui.safe_csv import write_safe_csv

    writer: Callable[[Path], None]
    if path.suffix.lower() == ".parquet":
        writer = frame.write_parquet
    else:
        writer = lambda tmp: write_safe_csv(frame, tmp)  # noqa: E731
    write_atomic(path, writer, force)


def _check_table_suffix(path: Path) -> None:
    if path.suffix.lower() not in {".parquet", ".csv"}:
        raise InputError(f"--out {path}: expected a .parquet or .csv file name")


def _add_sample(sub: Any) -> None:
    p = sub.add_parser("sample", help="write a realistic, deterministic sample data set")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--customers", type=_positive_int, default=20000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--force", action="store_true", help="replace files already in DIR")
    p.set_defaults(handler=_sample)


def _sample(ns: argparse.Namespace) -> int:
    from crm_tui import sample

    if ns.out.exists() and not ns.out.is_dir():
        raise InputError(f"--out {ns.out}: exists and is not a folder")
    clash = [p for p in sample.FILE_NAMES if (ns.out / p).exists()]
    if clash and not ns.force:
        raise InputError(f"{ns.out}: already holds {', '.join(clash)}; pass --force to replace")
    for path in sample.write_all(ns.out, ns.customers, ns.seed):
        print(f"wrote {path}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a date like 2025-06-30") from None


def _floats(text: str, n: int) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n:
        raise argparse.ArgumentTypeError(f"{text!r}: expected {n} comma-separated numbers")
    return values


def _triple(text: str) -> tuple[float, ...]:
    return _floats(text, 3)


def _pair(text: str) -> tuple[float, ...]:
    return _floats(text, 2)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive whole number")
    return value
