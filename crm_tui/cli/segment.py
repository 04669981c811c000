"""`crm-tui segment ORDERS`: what was read, the learned thresholds and each scheme's segments."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crm_tui.cli.options import (
    add_data_options,
    add_segmentation_options,
    add_table_output,
    add_timings_option,
    check_table_output,
    files_from,
    settings_from,
)
from crm_tui.errors import InputError
from crm_tui.io.database import Source, database, is_database_uri
from crm_tui.language import N_, _
from evaluation.phrases import Phrase


def add(sub: Any) -> None:
    p = sub.add_parser("segment", help=_("segment customers of an orders file"))
    p.add_argument(
        "orders",
        help=_(
            "orders file (CSV, text log, Parquet, .xlsx), a folder or pattern of Parquet "
            "files (quoted: 'orders/*.parquet'), or a database URI "
            "(postgresql://user@host/db, sqlite:///path/shop.db, mysql://...)"
        ),
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--table", help=_("with a database URI: the orders table (default orders)"))
    source.add_argument("--query", help=_("with a database URI: a SELECT giving the orders"))
    add_data_options(p)
    add_segmentation_options(p)
    add_table_output(p, N_("the customers frame"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    add_timings_option(p)
    p.set_defaults(handler=run)


def orders_source(ns: argparse.Namespace) -> Source:
    if is_database_uri(ns.orders):
        return database(ns.orders, ns.table, ns.query)
    if ns.table is not None or ns.query is not None:
        raise InputError(
            Phrase(
                "{orders}: --table and --query go with a database URI, not a file",
                orders=ns.orders,
            ),
            setting="table" if ns.table is not None else "query",
        )
    return Path(ns.orders)


def run(ns: argparse.Namespace) -> int:
    from crm_tui.app.shop import load_shop
    from crm_tui.io.writers import write_table
    from crm_tui.reports import segment as report
    from crm_tui.reports.evaluation import printable

    check_table_output(ns)
    settings = settings_from(ns)
    shop = load_shop(files_from(ns, orders_source(ns)))
    seg = shop.segment(settings, ns.as_of)
    if ns.out is not None:
        write_table(seg.customers.sort("customer_id"), ns.out, ns.force, ns.excel)
    if ns.json:
        payload = report.to_json(seg, shop.findings, shop.side_findings)
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(printable(report.to_text(seg, shop.findings, shop.side_findings)))
        if ns.out is not None:
            print(f"\nWrote {seg.customers.height:,} customers to {ns.out}")
    return 0
