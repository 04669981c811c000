"""Argument types and the option groups several commands share."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from campaigns.settings import LIFECYCLE_QUANTILES, TIER_THRESHOLDS, SegmentationSettings
from crm_tui.app.shop import ShopFiles
from crm_tui.io.columns import parse_overrides
from crm_tui.io.database import Source
from crm_tui.language import _


def add_data_options(p: argparse.ArgumentParser) -> None:
    """The column mapping and the visitors file, for every command that reads orders."""
    p.add_argument(
        "--column",
        action="append",
        metavar="CANONICAL=SOURCE",
        help=_("map a canonical column to a header of the file (repeatable)"),
    )
    p.add_argument("--visitors", type=Path, metavar="FILE", help=_("visitors file"))


def add_segmentation_options(p: argparse.ArgumentParser) -> None:
    """How to segment: for `segment`, and for `plan init`, which records them in the plan."""
    p.add_argument(
        "--as-of",
        type=date,
        metavar="YYYY-MM-DD",
        help=_("reference date (default: the day after the last order)"),
    )
    p.add_argument(
        "--lifecycle-quantiles",
        type=triple,
        metavar="A,B,C",
        help=_("quantiles of the repurchase interval for the stages")
        + _default(LIFECYCLE_QUANTILES),
    )
    p.add_argument(
        "--lifecycle-days",
        type=triple,
        metavar="A,B,C",
        help=_("fixed stage thresholds in days instead of learned ones"),
    )
    p.add_argument(
        "--tiers",
        type=pair,
        metavar="VIP,TOP",
        help=_("single-order value for VIP and top VIP") + _default(TIER_THRESHOLDS),
    )


def _default(values: tuple[float, ...]) -> str:
    return _(" (default {values})").format(values=",".join(f"{v:g}" for v in values))


def settings_from(ns: argparse.Namespace) -> SegmentationSettings:
    given = {
        "lifecycle_quantiles": ns.lifecycle_quantiles,
        "lifecycle_days": ns.lifecycle_days,
        "tier_thresholds": ns.tiers,
    }
    return SegmentationSettings(**{k: v for k, v in given.items() if v is not None})


def files_from(ns: argparse.Namespace, orders: Source) -> ShopFiles:
    return ShopFiles(orders, ns.visitors, getattr(ns, "profiles", None), overrides_from(ns))


def overrides_from(ns: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    return tuple(parse_overrides(ns.column).items())


def date(text: str) -> dt.date:
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


def triple(text: str) -> tuple[float, ...]:
    return _floats(text, 3)


def pair(text: str) -> tuple[float, ...]:
    return _floats(text, 2)


def positive_int(text: str) -> int:
    return _whole(text, 1, "a positive whole number")


def non_negative_int(text: str) -> int:
    return _whole(text, 0, "a whole number >= 0")


def _whole(text: str, least: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r}: expected {expected}")
    return value


def add_table_output(p: argparse.ArgumentParser, what: str, required: bool = False) -> None:
    """--out for a table the command writes, with --force and --excel."""
    p.add_argument(
        "--out",
        type=Path,
        required=required,
        help=_("write {what} (.parquet or .csv)").format(what=_(what)),
    )
    p.add_argument("--force", action="store_true", help=_("replace --out if it exists"))
    p.add_argument(
        "--excel",
        action="store_true",
        help=_(
            "write the CSV for Excel: UTF-8 with a byte-order mark, so that Chinese text shows "
            "right in a Chinese-locale Excel"
        ),
    )


def check_table_output(ns: argparse.Namespace) -> None:
    """Refuse a --out that names no table format or would replace a file unasked, before any
    work is done."""
    from crm_tui.io.writers import check_table_name, check_writable

    if ns.out is not None:
        check_table_name(ns.out)
        check_writable(ns.out, ns.force)


def add_timings_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timings", action="store_true", help=_("say on stderr how long each phase took")
    )
