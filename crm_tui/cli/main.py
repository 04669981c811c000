"""Entry point: parse the command line, run one command, word its errors as one line.

Each command is a module with `add(subparsers)`; only what a command needs is imported when it
runs, so `crm-tui segment` never loads Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from campaigns.errors import PlanError
from crm_tui.cli import evaluate, plan, predict, sample, segment, tui
from crm_tui.cli.wording import error_line
from crm_tui.errors import InputError
from crm_tui.language import ENVIRONMENT, LANGUAGES, N_, _, choose, use
from crm_tui.reports.text import wrap

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
        help=_(
            "language of the readable output and the app (default: ${variable}, else the "
            "locale); JSON, TOML and files are the same in both"
        ).format(variable=ENVIRONMENT),
    )
    return parser


# argparse's own words, which it looks up in no catalogue of ours
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
)


class Formatter(argparse.HelpFormatter):
    """Help in the language in use: argparse's headings and its -h line, and each option's
    help (translated where it was defined; looking it up again leaves it as it is)."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(heading) if heading else heading)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return _(action.help) if action.help else action.help

    # argparse wraps by characters; Chinese takes two cells each and has no spaces to break at
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(" ".join(text.split()), width))


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="crm-tui",
        parents=[_language_option()],
        description=_("Segment customers, plan repeat-customer campaigns and measure their lift."),
        epilog=_("With no command, or with a FILE, opens the terminal app."),
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for command in COMMANDS:
        command.add(sub)
    return parser
