"""What loading a file found: which rows were dropped and why, with example row numbers."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from crm_tui.language import say
from evaluation.phrases import Phrase, counted

REASON = "_drop_reason"
FAILED = "_failed"
ROW = "_row"
EXAMPLES_PER_REASON = 5


@dataclass(frozen=True)
class Findings:
    """Validation outcome of one file; rows are numbered as a spreadsheet shows them (header 1)."""

    source: str
    preset: str
    mapping: dict[str, str]
    rows_read: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def rows_dropped(self) -> int:
        return sum(self.dropped.values())

    def phrases(self) -> list[Phrase]:
        """One sentence per drop reason, in English; each shell words them (see lines)."""
        out = []
        for reason, count in self.dropped.items():
            examples = self.examples.get(reason, [])
            listed = ", ".join(str(r) for r in examples)
            # made apart: Babel's extraction loses a plural whose arguments call another keyword
            rows = counted("row {rows}", "rows {rows}", len(examples), rows=listed)
            why = reason if isinstance(reason, Phrase) else Phrase(reason)
            out.append(
                counted(
                    "{n:,} row dropped: {reason} (e.g. {rows})",
                    "{n:,} rows dropped: {reason} (e.g. {rows})",
                    count,
                    reason=why,
                    rows=rows,
                )
            )
        return out

    def lines(self) -> list[str]:
        """The drops in the language in use."""
        return [say(p) for p in self.phrases()]


def first_reason(checks: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """The label of the first failing check for each row, or null when every check passes."""
    expr = pl.lit(None, dtype=pl.String)
    for failed, label in reversed(checks):
        expr = pl.when(failed).then(pl.lit(label)).otherwise(expr)
    return expr.alias(REASON)


def split_dropped(
    frame: pl.DataFrame, checks: Sequence[tuple[pl.Expr, str]] = ()
) -> tuple[pl.DataFrame, dict[str, int], dict[str, list[int]]]:
    """Separate kept rows from dropped ones; count the drops per reason with a few row numbers.

    The reasons come back from the frame as text; those of the checks come back as the
    Phrases they were, so that the shells can word them."""
    dropped = frame.filter(pl.col(REASON).is_not_null())
    kept = frame.filter(pl.col(REASON).is_null()).drop(REASON)
    counts, examples = drops_by_reason([summarised(dropped)], checks)
    return kept, counts, examples


def any_failed(checks: Sequence[tuple[pl.Expr, str]]) -> pl.Expr:
    """Whether any check fails for a row. Cheaper than `first_reason` on every row: the
    reasons are then worked out for the failing rows alone (see split_failed)."""
    failed = pl.any_horizontal([f for f, _ in checks]) if checks else pl.lit(False)
    return failed.fill_null(False).alias(FAILED)


def split_failed(
    frame: pl.DataFrame, checks: Sequence[tuple[pl.Expr, str]], first_row: int = 2
) -> tuple[pl.DataFrame, dict[str, int], dict[str, list[int]]]:
    """`split_dropped` for a frame marked by `any_failed` whose rows are the file's, in order
    from `first_row`: a frame in which no row failed comes back without a copy."""
    failed = frame[FAILED]
    if not failed.any():
        return frame.drop(FAILED), {}, {}
    rows = (failed.arg_true() + first_row).alias(ROW)
    dropped = frame.filter(failed).with_columns(rows, first_reason(list(checks)))
    counts, examples = drops_by_reason([summarised(dropped)], checks)
    return frame.filter(~failed).drop(FAILED), counts, examples


def summarised(dropped: pl.DataFrame) -> pl.DataFrame:
    """Dropped rows as one row per reason: how many, and the first few row numbers."""
    return dropped.group_by(REASON).agg(
        pl.len().alias("n"), pl.col(ROW).sort().head(EXAMPLES_PER_REASON).alias("rows")
    )


def drops_by_reason(
    summaries: Sequence[pl.DataFrame], checks: Sequence[tuple[pl.Expr, str]] = ()
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The counts and example rows per reason of several summaries (of parts of one file),
    the commonest reason first."""
    summary = (
        pl.concat(summaries)
        .group_by(REASON)
        .agg(
            pl.col("n").sum(),
            pl.col("rows")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .sort()
            .head(EXAMPLES_PER_REASON),
        )
        .sort(["n", REASON], descending=[True, False])
    )
    known = {str(label): label for _, label in checks}
    reasons = [known.get(r, r) for r in summary[REASON].to_list()]
    counts = dict(zip(reasons, summary["n"].to_list(), strict=True))
    examples = dict(zip(reasons, summary["rows"].to_list(), strict=True))
    return counts, examples


def why(dropped: dict[str, int]) -> Phrase:
    """The drop reasons in one clause, for an error when nothing usable is left: a Phrase, so
    that the reasons are worded in the user's language with the rest of the error."""
    if not dropped:
        return Phrase("the file has no data rows")
    clauses = [
        Phrase("{reason}: {n:,}", reason=r if isinstance(r, Phrase) else Phrase(r), n=n)
        for r, n in dropped.items()
    ]
    return functools.reduce(lambda a, b: Phrase("{first}; {rest}", first=a, rest=b), clauses)
