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
from typing import TYPE_CHECKING, Any

from campaigns.model import OBJECTIVES
from crm_tui.cli.options import (
    add_data_options,
    add_segmentation_options,
    add_table_output,
    add_timings_option,
    check_table_output,
    files_from,
    overrides_from,
    settings_from,
)
from crm_tui.errors import InputError
from crm_tui.language import _, say

if TYPE_CHECKING:
    from campaigns import CampaignPlan
    from crm_tui.app.shop import Shop, ShopFiles


def add(sub: Any) -> None:
    plan = sub.add_parser("plan", help=_("build, check and assign campaign plans"))
    verbs = plan.add_subparsers(dest="verb", required=True, metavar="VERB")

    init = verbs.add_parser("init", help=_("write a starter plan for an objective"))
    init.add_argument("--objective", required=True, choices=OBJECTIVES)
    init.add_argument("--orders", type=Path, help=_("orders file to check the plan against"))
    init.add_argument("--profiles", type=Path, help=_("customer profiles with contact opt-ins"))
    init.add_argument("--salt", help=_("assignment salt (default: a new random one, recorded)"))
    init.add_argument("--name", help=_("plan name"))
    init.add_argument("--out", type=Path, required=True, help=_("plan.toml to write"))
    init.add_argument("--force", action="store_true", help=_("replace --out if it exists"))
    add_data_options(init)
    add_segmentation_options(init)
    add_timings_option(init)
    init.set_defaults(handler=_init)

    check = verbs.add_parser("check", help=_("validate a plan and show audiences, MDE and budget"))
    _add_plan_data(check)
    check.add_argument("--json", action="store_true")
    check.add_argument(
        "--record",
        action="store_true",
        help=_("record the data files checked against in the plan (assign then uses them)"),
    )
    add_timings_option(check)
    check.set_defaults(handler=_check)

    assign = verbs.add_parser("assign", help=_("write the customer-to-arm assignment"))
    _add_plan_data(assign)
    add_table_output(assign, "the assignment", required=True)
    assign.add_argument(
        "--changed-data",
        action="store_true",
        help=_("assign even though the data differ from those the plan was checked against"),
    )
    add_timings_option(assign)
    assign.set_defaults(handler=_assign)


def _add_plan_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", type=Path)
    p.add_argument(
        "--orders",
        type=Path,
        help=_("orders file (default: the one the plan records, else the sample data)"),
    )
    p.add_argument(
        "--profiles",
        type=Path,
        help=_("customer profiles with contact opt-ins (default: recorded)"),
    )
    add_data_options(p)


def _files(ns: argparse.Namespace, plan: CampaignPlan) -> ShopFiles:
    """The files named on the command line, else those the plan records, else the sample's:
    a plan of the sample (sample_data/plan.toml records none) is checked against the sample's
    visitors and profiles too, as the app checks it."""
    from crm_tui.app.planning import plan_files
    from crm_tui.app.sample import sample_paths

    given = {"orders": ns.orders, "visitors": ns.visitors, "profiles": ns.profiles}
    if given["orders"] is None and plan.data.orders is None:
        sample = sample_paths()
        recorded = plan.data.files()
        given = {
            kind: path if path is not None or kind in recorded else sample.get(kind)
            for kind, path in given.items()
        }
    return plan_files(plan, ns.plan, given, overrides_from(ns))


def _shop(files: ShopFiles) -> Shop:
    from crm_tui.app.shop import load_shop

    shop = load_shop(files)
    for findings in shop.side_findings:  # on stderr, so that --json output stays JSON
        for line in (*findings.lines(), *map(say, findings.notes)):
            print(f"note: {findings.source}: {line.strip()}", file=sys.stderr)
    return shop


def _init(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import save_plan
    from crm_tui.app.planning import check, new_plan, recorded
    from crm_tui.app.shop import load_shop
    from crm_tui.io.writers import check_writable
    from crm_tui.reports.evaluation import printable
    from crm_tui.reports.plan import check_text

    check_writable(ns.out, ns.force)
    settings = settings_from(ns)
    files = files_from(ns, ns.orders) if ns.orders else None
    shop = load_shop(files) if files else None
    as_of = (ns.as_of or shop.latest_as_of) if shop else ns.as_of
    starter = new_plan(ns.objective, settings, as_of, ns.salt)
    plan = replace(starter.plan, name=ns.name) if ns.name else starter.plan
    if files is not None:
        plan = recorded(plan, files, ns.out)
    report = check(plan, shop)[0] if shop else None
    save_plan(plan, ns.out, ns.force, starter.comments)
    print(f"wrote {ns.out} ({ns.objective}, {len(plan.targets)} targets, salt {plan.salt})")
    if report is not None:
        print(printable(check_text(report)))
    return 0


def _check(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import load_plan, save_data
    from crm_tui.app.planning import changes, check, recorded
    from crm_tui.reports.evaluation import printable
    from crm_tui.reports.plan import check_text

    plan = load_plan(ns.plan)
    files = _files(ns, plan)
    for change in changes(plan, files, ns.plan):
        print(f"note: {change}", file=sys.stderr)
    if ns.record:  # checked as it will be saved, so the hash shown is the one assign writes
        plan = recorded(plan, files, ns.plan)
    report, _ = check(plan, _shop(files))
    if ns.record:
        save_data(ns.plan, plan.data)
        print(f"recorded the data files in {ns.plan}", file=sys.stderr)
    if ns.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(printable(check_text(report)))
    return 0


def _assign(ns: argparse.Namespace) -> int:
    from campaigns.assign import achieved_shares
    from campaigns.toml_io import load_plan
    from crm_tui.app.planning import changes, check
    from crm_tui.app.timings import phase
    from crm_tui.io.writers import write_table
    from crm_tui.language import N_
    from crm_tui.reports.evaluation import printable
    from crm_tui.reports.plan import shares_text

    check_table_output(ns)
    plan = load_plan(ns.plan)
    files = _files(ns, plan)
    changed = changes(plan, files, ns.plan)
    if changed and not ns.changed_data:
        raise InputError(changed[0], setting="changed_data")
    if not plan.data.files():
        print(f"note: {ns.plan} records no data files; `plan check --record` does", file=sys.stderr)
    report, assignment = check(plan, _shop(files))
    with phase(N_("writing the assignment")):
        write_table(assignment, ns.out, ns.force, ns.excel)
    print(f"wrote {assignment.height:,} customers to {ns.out} (plan hash {report.plan_hash})")
    print(printable(shares_text(achieved_shares(assignment), report)))
    return 0
