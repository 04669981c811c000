"""`crm-tui [tui] [ORDERS]`: open the terminal app."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crm_tui.language import _
from evaluation.phrases import Phrase


def add(sub: Any) -> None:
    p = sub.add_parser("tui", help=_("open the terminal app (the default)"))
    p.add_argument(
        "orders",
        nargs="?",
        type=Path,
        help=_("orders file or folder of Parquet files (default: the sample data)"),
    )
    p.add_argument("--visitors", type=Path, metavar="FILE")
    p.add_argument("--profiles", type=Path, metavar="FILE")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from crm_tui.io.readers import check_readable, is_parquet_set, source_files

    if ns.orders is not None and is_parquet_set(ns.orders):
        source_files(ns.orders)  # a folder or pattern of Parquet parts: one of them, at least
    elif ns.orders is not None:
        check_readable(ns.orders, Phrase("a CSV, text, Parquet or .xlsx file"))
    for given in (ns.visitors, ns.profiles):
        if given is not None:
            check_readable(given, Phrase("a CSV, text, Parquet or .xlsx file"))
    from crm_tui.tui.app import run_app

    run_app(ns.orders, ns.visitors, ns.profiles)
    return 0
