"""`crm-tui evaluate RESULTS`: the campaign's lift per arm, metric and segment."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crm_tui.cli.options import add_timings_option
from crm_tui.errors import InputError
from crm_tui.language import _
from evaluation.model import ADJUSTMENTS, ALPHA, CAP_QUANTILE
from evaluation.phrases import Phrase
from evaluation.sequential import METHODS


def add(sub: Any) -> None:
    p = sub.add_parser("evaluate", help=_("measure a campaign's lift from its results"))
    p.add_argument("results", type=Path, help=_("per-customer or aggregated results, or outcomes"))
    p.add_argument(
        "--assignment",
        type=Path,
        help=_(
            "assignment from `plan assign`; RESULTS are "
            "then outcome rows, and everyone assigned counts (intent to treat)"
        ),
    )
    p.add_argument("--plan", type=Path, help=_("the plan: control arm and planned shares"))
    p.add_argument("--control", help=_("name of the control arm"))
    p.add_argument("--by", metavar="COLUMN", help=_("also compare within each value of COLUMN"))
    p.add_argument(
        "--alpha",
        type=float,
        help=_("significance level (default: the plan's, else {alpha})").format(alpha=ALPHA),
    )
    p.add_argument(
        "--cap",
        type=_cap,
        default=CAP_QUANTILE,
        metavar="Q|none",
        help=_(
            "test money capped at this quantile of all customers, the uncapped figures shown "
            "beside; none turns capping off (default {cap})"
        ).format(cap=CAP_QUANTILE),
    )
    p.add_argument(
        "--sequential",
        choices=METHODS,
        help=_(
            "a look at a running campaign: spending (alpha spent over the planned daily looks) "
            "or always-valid (confidence sequences, for open-ended programmes)"
        ),
    )
    p.add_argument(
        "--day", type=int, metavar="N", help=_("the day of this look (with --sequential)")
    )
    p.add_argument(
        "--days",
        type=int,
        metavar="N",
        help=_("the campaign's planned length in days (default: the plan's duration_days)"),
    )
    p.add_argument("--metrics", help=_("comma-separated metrics (default: all the data allows)"))
    p.add_argument(
        "--adjust",
        choices=ADJUSTMENTS,
        default=ADJUSTMENTS[0],
        help=_("multiple-testing adjustment (default {adjustment})").format(
            adjustment=ADJUSTMENTS[0]
        ),
    )
    p.add_argument("--column", action="append", metavar="CANONICAL=SOURCE")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--markdown", action="store_true")
    p.add_argument(
        "--out",
        type=Path,
        help=_(
            "write the report to a file: .json, .md or .txt (the format follows the name "
            "unless --json or --markdown says otherwise)"
        ),
    )
    p.add_argument("--force", action="store_true", help=_("replace --out if it exists"))
    add_timings_option(p)
    p.set_defaults(handler=run)


def _cap(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a quantile such as 0.99, or none; got {text!r}"
        ) from None


REPORT_SUFFIXES = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}


def _format_for(ns: argparse.Namespace) -> None:
    """A report file's format follows its name; a name that promises a table is refused."""
    suffix = ns.out.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(
            Phrase(
                "{out}: a report is text; name a .json, .md or .txt file",
                out=ns.out,
            ),
            setting="report_out",
        )
    ns.json = ns.json or (not ns.markdown and REPORT_SUFFIXES[suffix] == "json")
    ns.markdown = ns.markdown or (not ns.json and REPORT_SUFFIXES[suffix] == "markdown")


def run(ns: argparse.Namespace) -> int:
    from crm_tui.app.evaluating import EvaluationRequest, run_evaluation
    from crm_tui.io.columns import parse_overrides
    from crm_tui.io.writers import check_writable, write_text_atomic
    from crm_tui.reports import evaluation as render

    if ns.out is not None:
        check_writable(ns.out, ns.force)
        _format_for(ns)
    metrics = [m.strip() for m in ns.metrics.split(",") if m.strip()] if ns.metrics else None
    report = run_evaluation(
        EvaluationRequest(
            ns.results,
            assignment=ns.assignment,
            plan=ns.plan,
            control=ns.control,
            by=ns.by,
            alpha=ns.alpha,
            metrics=tuple(metrics) if metrics else None,
            adjustment=ns.adjust,
            cap=ns.cap,
            sequential=ns.sequential,
            day=ns.day,
            days=ns.days,
            overrides=tuple(parse_overrides(ns.column).items()),
        )
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
