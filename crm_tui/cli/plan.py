"""`crm-tui plan init | check | assign`: starter plans, their audiences, and the assignment.

`check` and `assign` segment the shop as the plan defines it (its as_of and segmentation
settings), so they take no segmentation options: to change those, edit the plan.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from campaigns.model import OBJECTIVES
from crm_tui.cli.options import (
    add_data_options,
    add_excel_option,
    add_segmentation_options,
    files_from,
    settings_from,
)


def add(sub: Any) -> None:
    plan = sub.add_parser("plan", help="build, check and assign campaign plans")
    verbs = plan.add_subparsers(dest="verb", required=True, metavar="VERB")

    init = verbs.add_parser("init", help="write a starter plan for an objective")
    init.add_argument("--objective", required=True, choices=OBJECTIVES)
    init.add_argument("--orders", type=Path, help="orders file to check the plan against")
    init.add_argument("--salt", help="assignment salt (default: a new random one, recorded)")
    init.add_argument("--name", help="plan name")
    init.add_argument("--out", type=Path, required=True, help="plan.toml to write")
    init.add_argument("--force", action="store_true", help="replace --out if it exists")
    add_data_options(init)
    add_segmentation_options(init)
    init.set_defaults(handler=_init)

    check = verbs.add_parser("check", help="validate a plan and show audiences, MDE and budget")
    _add_plan_data(check)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_check)

    assign = verbs.add_parser("assign", help="write the customer-to-arm assignment")
    _add_plan_data(assign)
    assign.add_argument("--out", type=Path, required=True, help="assignment .csv or .parquet")
    assign.add_argument("--force", action="store_true")
    add_excel_option(assign)
    assign.set_defaults(handler=_assign)


def _add_plan_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path)
    p.add_argument("--orders", type=Path, help="orders file (default: the sample data)")
    p.add_argument("--profiles", type=Path, help="customer profiles with contact opt-ins")
    add_data_options(p)


def _shop(ns: argparse.Namespace) -> Any:
    from crm_tui.app.sample import sample_paths
    from crm_tui.app.shop import load_shop

    shop = load_shop(files_from(ns, ns.orders or sample_paths()["orders"]))
    for findings in shop.side_findings:  # on stderr, so that --json output stays JSON
        for line in (*findings.lines(), *findings.notes):
            print(f"note: {findings.source}: {line.strip()}", file=sys.stderr)
    return shop


def _init(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import save_plan
    from crm_tui.app.planning import check, new_plan
    from crm_tui.app.shop import load_shop
    from crm_tui.io.writers import check_writable
    from crm_tui.reports.plan import check_text
    from evaluation.render import printable

    check_writable(ns.out, ns.force)
    settings = settings_from(ns)
    shop = load_shop(files_from(ns, ns.orders)) if ns.orders else None
    as_of = shop.segment(settings, ns.as_of).as_of if shop else ns.as_of
    starter = new_plan(ns.objective, settings, as_of, ns.salt)
    plan = replace(starter.plan, name=ns.name) if ns.name else starter.plan
    report = check(plan, shop)[0] if shop else None
    save_plan(plan, ns.out, ns.force, starter.comments)
    print(f"wrote {ns.out} ({ns.objective}, {len(plan.targets)} targets, salt {plan.salt})")
    if report is not None:
        print(printable(check_text(report)))
    return 0


def _check(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import load_plan
    from crm_tui.app.planning import check
    from crm_tui.reports.plan import check_text
    from evaluation.render import printable

    plan = load_plan(ns.plan)
    report, _ = check(plan, _shop(ns))
    if ns.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(printable(check_text(report)))
    return 0


def _assign(ns: argparse.Namespace) -> int:
    from campaigns.assign import achieved_shares
    from campaigns.toml_io import load_plan
    from crm_tui.app.planning import check
    from crm_tui.io.writers import check_table_name, check_writable, write_table
    from crm_tui.reports.plan import shares_text
    from evaluation.render import printable

    check_table_name(ns.out)
    check_writable(ns.out, ns.force)
    plan = load_plan(ns.plan)
    report, assignment = check(plan, _shop(ns))
    write_table(assignment, ns.out, ns.force, ns.excel)
    print(f"wrote {assignment.height:,} customers to {ns.out} (plan hash {report.plan_hash})")
    print(printable(shares_text(achieved_shares(assignment), report)))
    return 0
