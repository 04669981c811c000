"""`crm-tui predict ORDERS`: who will come back, what each customer is worth, and how well the
model ranked the customers who did come back."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crm_tui.app.predicting import ANNUAL_DISCOUNT, HORIZON_DAYS
from crm_tui.cli.options import (
    add_data_options,
    add_table_output,
    add_timings_option,
    check_table_output,
    date,
    files_from,
)
from crm_tui.language import N_, _


def add(sub: Any) -> None:
    p = sub.add_parser("predict", help=_("fit BG/NBD and Gamma-Gamma: p_alive, purchases, CLV"))
    p.add_argument(
        "orders",
        type=Path,
        help=_("orders file (CSV, text log, Parquet, .xlsx) or a folder of Parquet files"),
    )
    add_data_options(p)
    p.add_argument(
        "--as-of",
        type=date,
        metavar="YYYY-MM-DD",
        help=_("score with the purchases before this day (default: the day after the last order)"),
    )
    p.add_argument(
        "--calibration-end",
        type=date,
        metavar="YYYY-MM-DD",
        help=_("also fit on purchases up to this day and check it on the days after, to --as-of"),
    )
    p.add_argument(
        "--horizon",
        type=int,
        default=HORIZON_DAYS,
        metavar="DAYS",
        help=_("days ahead for expected purchases and CLV (default {days})").format(
            days=HORIZON_DAYS
        ),
    )
    p.add_argument(
        "--discount",
        type=float,
        default=ANNUAL_DISCOUNT,
        metavar="RATE",
        help=_("yearly discount rate of CLV (default {rate})").format(rate=ANNUAL_DISCOUNT),
    )
    p.add_argument(
        "--churn-days",
        type=int,
        metavar="DAYS",
        help=_(
            "churn_risk: no purchase within these days (default: the lifecycle's lost threshold)"
        ),
    )
    add_table_output(p, N_("the scores per customer"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    add_timings_option(p)
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from crm_tui.app.predicting import PredictRequest, predict
    from crm_tui.app.shop import load_shop
    from crm_tui.io.writers import write_table
    from crm_tui.reports import predict as report

    check_table_output(ns)
    shop = load_shop(files_from(ns, ns.orders))
    request = PredictRequest(
        ns.as_of, ns.calibration_end, ns.horizon, ns.discount, churn_days=ns.churn_days
    )
    prediction = predict(shop, request)
    if ns.out is not None:
        write_table(prediction.scores.sort("customer_id"), ns.out, ns.force, ns.excel)
    if ns.json:
        print(json.dumps(report.to_json(prediction), ensure_ascii=False, indent=2))
    else:
        print(report.to_text(prediction))
        if ns.out is not None:
            print(f"\nWrote {prediction.scores.height:,} customers' scores to {ns.out}")
    return 0
