"""The `plan` and `evaluate` commands."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from crm_tui.errors import InputError


@contextmanager
def plan_errors() -> Iterator[None]:
    """Plan problems reach the user as the same one-line errors as bad files."""
    from campaigns import PlanError

    try:
        yield
    except PlanError as exc:
        hint = ""
        if getattr(exc, "missing_column", None) == "visitor":
            hint = " (the visitor column comes from a visitors file: add --visitors FILE)"
        raise InputError(f"{exc}{hint}") from None


def add_plan(sub: Any) -> None:
    from crm_tui.cli import add_data_options

    plan = sub.add_parser("plan", help="build, check and assign campaign plans")
    verbs = plan.add_subparsers(dest="verb", required=True, metavar="VERB")

    init = verbs.add_parser("init", help="write a starter plan for an objective")
    init.add_argument(
        "--objective",
        required=True,
        choices=["visitor_conversion", "churn_recall", "event_retention", "custom"],
    )
    init.add_argument("--orders", type=Path, help="orders file to check the plan against")
    init.add_argument("--salt", help="assignment salt (default: a new random one, recorded)")
    init.add_argument("--name", help="plan name")
    init.add_argument("--out", type=Path, required=True, help="plan.toml to write")
    init.add_argument("--force", action="store_true", help="replace --out if it exists")
    add_data_options(init)
    init.set_defaults(handler=_plan_init)

    for verb, helptext in (
        ("check", "validate a plan and show audiences, MDE and budget"),
        ("assign", "write the customer-to-arm assignment"),
    ):
        p = verbs.add_parser(verb, help=helptext)
        p.add_argument("plan", type=Path)
        p.add_argument("--orders", type=Path, help="orders file (default: the sample data)")
        p.add_argument("--profiles", type=Path, help="customer profiles with contact opt-ins")
        add_data_options(p)
        if verb == "check":
            p.add_argument("--json", action="store_true")
            p.set_defaults(handler=_plan_check)
        else:
            p.add_argument("--out", type=Path, required=True, help="assignment .csv or .parquet")
            p.add_argument("--force", action="store_true")
            p.set_defaults(handler=_plan_assign)


def _orders_or_sample(path: Path | None) -> Path:
    if path is not None:
        return path
    from crm_tui.pipeline import sample_paths

    return sample_paths()["orders"]


def _shop(ns: argparse.Namespace, plan: Any) -> Any:
    from crm_tui.columns import parse_overrides
    from crm_tui.planning import shop_for_plan

    if ns.as_of is not None:
        plan = replace(plan, as_of=ns.as_of)
    return shop_for_plan(
        plan, _orders_or_sample(ns.orders), parse_overrides(ns.column), ns.visitors
    )


def _profiles(ns: argparse.Namespace) -> Any:
    if ns.profiles is None:
        return None
    from crm_tui.side_tables import load_profiles

    loaded = load_profiles(ns.profiles)
    for line in loaded.findings.lines():  # on stderr, so that --json output stays JSON
        print(f"note: {ns.profiles}: {line.strip()}", file=sys.stderr)
    return loaded.frame


def _plan_init(ns: argparse.Namespace) -> int:
    from campaigns.library import starter_plan
    from campaigns.toml_io import save_plan
    from crm_tui.cli import load_shop_from, settings_from
    from crm_tui.planning import check, plan_settings

    with plan_errors():
        if ns.out.exists() and not ns.force:
            raise InputError(f"{ns.out}: already exists; pass --force to replace it")
        settings = settings_from(ns)
        shop = load_shop_from(ns, ns.orders) if ns.orders else None
        as_of = shop.segmentation.as_of if shop else ns.as_of
        starter = starter_plan(
            ns.objective, ns.salt or secrets.token_hex(6), as_of, plan_settings(settings)
        )
        plan = replace(starter.plan, name=ns.name) if ns.name else starter.plan
        report = check(plan, shop)[0] if shop else None
        save_plan(plan, ns.out, ns.force, starter.comments)
    print(f"wrote {ns.out} ({ns.objective}, {len(plan.targets)} targets, salt {plan.salt})")
    if report is not None:
        from crm_tui.plan_report import check_text

        print(check_text(report))
    return 0


def _plan_check(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import load_plan
    from crm_tui.plan_report import check_text
    from crm_tui.planning import check

    with plan_errors():
        plan = load_plan(ns.plan)
        report, _ = check(plan, _shop(ns, plan), _profiles(ns))
    if ns.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(check_text(report))
    return 0


def _plan_assign(ns: argparse.Namespace) -> int:
    from campaigns.assign import achieved_shares
    from campaigns.toml_io import load_plan
    from crm_tui.atomic import check_writable
    from crm_tui.cli import _check_table_suffix, write_table
    from crm_tui.plan_report import shares_text
    from crm_tui.planning import check

    _check_table_suffix(ns.out)
    check_writable(ns.out, ns.force)
    with plan_errors():
        plan = load_plan(ns.plan)
        report, assignment = check(plan, _shop(ns, plan), _profiles(ns))
    write_table(assignment, ns.out, ns.force)
    print(f"wrote {assignment.height:,} customers to {ns.out} (plan hash {report.plan_hash})")
    print(shares_text(achieved_shares(assignment), report))
    return 0


def add_evaluate(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="measure a campaign's lift from its results")
    p.add_argument("results", type=Path, help="per-customer or aggregated results, or outcomes")
    p.add_argument(
        "--assignment",
        type=Path,
        help="assignment from `plan assign`; RESULTS are "
        "then outcome rows, and everyone assigned counts (intent to treat)",
    )
    p.add_argument("--plan", type=Path, help="the plan: control arm and planned shares")
    p.add_argument("--control", help="name of the control arm")
    p.add_argument("--by", metavar="COLUMN", help="also compare within each value of COLUMN")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--metrics", help="comma-separated metrics (default: all the data allows)")
    p.add_argument(
        "--adjust",
        choices=["holm", "bh"],
        default="holm",
        help="multiple-testing adjustment (default holm)",
    )
    p.add_argument("--column", action="append", metavar="CANONICAL=SOURCE")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--markdown", action="store_true")
    p.add_argument("--out", type=Path, help="write the report to a file instead of printing")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(handler=_evaluate)


def _evaluate(ns: argparse.Namespace) -> int:
    from campaigns.toml_io import load_plan
    from crm_tui.atomic import check_writable, write_text_atomic
    from crm_tui.columns import parse_overrides
    from crm_tui.evaluating import run_evaluation
    from evaluation import render

    if ns.out is not None:
        check_writable(ns.out, ns.force)
    metrics = [m.strip() for m in ns.metrics.split(",") if m.strip()] if ns.metrics else None
    with plan_errors():
        plan = load_plan(ns.plan) if ns.plan else None
    report = run_evaluation(
        ns.results,
        assignment_path=ns.assignment,
        plan=plan,
        control=ns.control,
        by=ns.by,
        alpha=ns.alpha,
        metrics=metrics,
        adjustment=ns.adjust,
        overrides=parse_overrides(ns.column),
    )
    if ns.json:
        text = json.dumps(render.to_json(report), ensure_ascii=False, indent=2) + "\n"
    elif ns.markdown:
        text = render.to_markdown(report)
    else:
        text = render.to_text(report) + "\n"
    if ns.out is not None:
        write_text_atomic(ns.out, text, ns.force)
        print(f"wrote {ns.out}")
    else:
        print(text, end="")
    return 0
