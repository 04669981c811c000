"""`crm-tui sample --out DIR`: a realistic, deterministic sample data set."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crm_tui.cli.options import non_negative_int, positive_int
from crm_tui.errors import InputError
from crm_tui.language import _
from evaluation.phrases import Phrase


def add(sub: Any) -> None:
    p = sub.add_parser("sample", help=_("write a realistic, deterministic sample data set"))
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--customers", type=positive_int, default=20000)
    p.add_argument("--seed", type=non_negative_int, default=7)
    p.add_argument("--force", action="store_true", help=_("replace files already in DIR"))
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from crm_tui.app import sample

    if ns.out.exists() and not ns.out.is_dir():
        raise InputError(
            Phrase(
                "--out {out}: exists and is not a folder",
                out=ns.out,
            )
        )
    clash = [p for p in sample.FILE_NAMES if (ns.out / p).exists()]
    if clash and not ns.force:
        raise InputError(
            Phrase(
                "{out}: already holds {value}",
                out=ns.out,
                value=", ".join(clash),
            ),
            setting="overwrite",
        )
    for path in sample.write_all(ns.out, ns.customers, ns.seed, overwrite=ns.force):
        print(f"wrote {path}")
    return 0
