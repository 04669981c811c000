"""What loading a file found: which rows were dropped and why, with example row numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from crm_tui.language import _, ngettext

REASON = "_drop_reason"
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

    def lines(self) -> list[str]:
        """Human-readable lines, one per drop reason (reasons are canonical, shown translated)."""
        out = []
        for reason, count in self.dropped.items():
            examples = self.examples.get(reason, [])
            line = ngettext(
                "{count:>8,} row dropped: {reason} (e.g. {rows})",
                "{count:>8,} rows dropped: {reason} (e.g. {rows})",
                count,
            )
            rows = ngettext("row {rows}", "rows {rows}", len(examples)).format(
                rows=", ".join(str(r) for r in examples)
            )
            out.append(line.format(count=count, reason=_(reason), rows=rows))
        return out


def first_reason(checks: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """The label of the first failing check for each row, or null when every check passes."""
    expr = pl.lit(None, dtype=pl.String)
    for failed, label in reversed(checks):
        expr = pl.when(failed).then(pl.lit(label)).otherwise(expr)
    return expr.alias(REASON)


def split_dropped(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int], dict[str, list[int]]]:
    """Separate kept rows from dropped ones; count the drops per reason with a few row numbers."""
    dropped = frame.filter(pl.col(REASON).is_not_null())
    kept = frame.filter(pl.col(REASON).is_null()).drop(REASON)
    if dropped.height == 0:
        return kept, {}, {}
    summary = (
        dropped.group_by(REASON)
        .agg(pl.len().alias("n"), pl.col(ROW).sort().head(EXAMPLES_PER_REASON).alias("rows"))
        .sort(["n", REASON], descending=[True, False])
    )
    counts = dict(zip(summary[REASON].to_list(), summary["n"].to_list(), strict=True))
    examples = dict(zip(summary[REASON].to_list(), summary["rows"].to_list(), strict=True))
    return kept, counts, examples


def why(dropped: dict[str, int]) -> str:
    """The drop reasons in one clause, for an error when nothing usable is left."""
    if not dropped:
        return "the file has no data rows"
    return "; ".join(f"{reason}: {n:,}" for reason, n in dropped.items())
