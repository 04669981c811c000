"""Entry point: parse the command line, run one command, word its errors as one line.

Each command is a module with `add(subparsers)`; only what a command needs is imported when it
runs, so `crm-tui segment` never loads Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from campaigns.errors import PlanError
from crm_tui.cli import evaluate, plan, predict, sample, segment, tui
from crm_tui.cli.wording import error_line
from crm_tui.errors import InputError
from crm_tui.language import ENVIRONMENT, LANGUAGES, choose, use

COMMANDS = (tui, segment, sample, plan, evaluate, predict)
NAMES = ("tui", "segment", "sample", "plan", "evaluate", "predict")


def main(argv: Sequence[str] | None = None) -> int:
    given, args = _language_option().parse_known_args(sys.argv[1:] if argv is None else argv)
    try:
        use(choose(given.lang))
    except InputError as exc:
        print(f"crm-tui: error: {error_line(exc)}", file=sys.stderr)
        return 2
    if not args or (args[0] not in NAMES and not args[0].startswith("-")):
        args = ["tui", *args]
    ns = build_parser().parse_args(args)
    try:
        if getattr(ns, "timings", False):
            return _timed(ns)
        return int(ns.handler(ns) or 0)
    except (InputError, PlanError) as exc:
        print(f"crm-tui: error: {error_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _timed(ns: argparse.Namespace) -> int:
    """Run the command recording its phases, and say on stderr where the time went."""
    import time

    from crm_tui.app.timings import recording, summary

    start = time.perf_counter()
    with recording() as phases:
        code = int(ns.handler(ns) or 0)
    print(f"timings: {summary(phases, time.perf_counter() - start)}", file=sys.stderr)
    return code


def _language_option() -> argparse.ArgumentParser:
    """--lang, taken before the command or after it, like the locale it overrides."""
    parser = argparse.ArgumentParser(prog="crm-tui", add_help=False)
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=f"language of the readable output and the app (default: ${ENVIRONMENT}, "
        "else the locale); JSON, TOML and files are the same in both",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-tui",
        parents=[_language_option()],
        description="Segment customers, plan repeat-customer campaigns and measure their lift.",
        epilog="With no command, or with a FILE, opens the terminal app.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub)
    return parser
