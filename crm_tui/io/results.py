"""Load campaign results and assignments with the same reader, presets and checks as orders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crm_tui.errors import InputError
from crm_tui.io import parsing
from crm_tui.io.columns import resolve_columns
from crm_tui.io.findings import ROW, Findings, first_reason, split_dropped, why
from crm_tui.io.presets import RESULT_PRESETS
from crm_tui.io.readers import reading_errors, scan_table

COUNT_COLUMNS = ("customers", "impressions", "clicks", "add_to_cart", "conversions")
MONEY_COLUMNS = ("revenue", "cost", "pre_revenue")
TEXT_COLUMNS = ("customer_id", "arm", "segment")


@dataclass(frozen=True)
class LoadedResults:
    frame: pl.DataFrame
    findings: Findings
    per_customer: bool


def load_results(
    path: str | Path,
    overrides: Mapping[str, str] | None = None,
    need_arm: bool = True,
) -> LoadedResults:
    """Per-customer results (a customer_id column) or aggregated ones (a customers column)."""
    path = Path(path)
    required = ("arm",) if need_arm else ("customer_id",)
    with reading_errors(path), scan_table(path) as raw:
        schema = raw.collect_schema()
        mapping = resolve_columns(path, schema.names(), RESULT_PRESETS, required, overrides)
        src = mapping.sources
        exprs = [pl.col(ROW)]
        exprs += [
            (parsing.identifier if c == "customer_id" else parsing.text)(
                src[c], schema[src[c]]
            ).alias(c)
            for c in TEXT_COLUMNS
            if c in src
        ]
        for c in (*COUNT_COLUMNS, *MONEY_COLUMNS):
            if c in src:
                mark = "."
                if c in MONEY_COLUMNS:
                    mark = parsing.decimal_mark(parsing.sample_cells(raw, src[c]))
                value = parsing.number(src[c], schema[src[c]], mark)
                exprs.append(value.alias(c))
                exprs.append((pl.col(src[c]).is_not_null() & value.is_null()).alias(f"_bad_{c}"))
        parsed = raw.with_row_index(ROW, offset=2).select(exprs)
        frame = parsed.with_columns(first_reason(_checks(src))).collect()
    kept, dropped, examples = split_dropped(frame)
    kept = parsing.whole_number_ids(kept, ["customer_id"])
    per_customer = "customer_id" in src
    if not per_customer and "customers" not in src:
        raise InputError(
            f"{path}: expected per-customer results (a customer_id column) or aggregated ones "
            f"(a customers column); the file has {', '.join(repr(c) for c in schema.names())}"
        )
    if kept.height == 0:
        raise InputError(f"{path}: no usable result rows among {frame.height:,} ({why(dropped)})")
    counts = [c for c in (*COUNT_COLUMNS, *MONEY_COLUMNS) if c in kept.columns]
    kept = kept.drop(ROW, *[c for c in kept.columns if c.startswith("_bad_")])
    kept = kept.with_columns(pl.col(c).fill_null(0.0) for c in counts)
    findings = Findings(
        str(path), mapping.preset.name, dict(src), frame.height, kept.height, dropped, examples
    )
    return LoadedResults(kept, findings, per_customer)


def _checks(src: Mapping[str, str]) -> list[tuple[pl.Expr, str]]:
    checks: list[tuple[pl.Expr, str]] = []
    if "customer_id" in src:
        checks.append((pl.col("customer_id").is_null(), "empty customer"))
    if "arm" in src:
        checks.append((pl.col("arm").is_null(), "empty arm"))
    for column in (*COUNT_COLUMNS, *MONEY_COLUMNS):
        if column in src:
            value = pl.col(column)
            checks.append((value.is_not_null() & (value < 0), f"negative {column}"))
            checks.append((pl.col(f"_bad_{column}"), f"unparseable {column}"))
    return checks


def load_assignment(path: str | Path) -> pl.DataFrame:
    """An assignment written by `crm-tui plan assign` (CSV or Parquet)."""
    path = Path(path)
    with reading_errors(path), scan_table(path) as raw:
        names = raw.collect_schema().names()
        missing = [c for c in ("customer_id", "arm") if c not in names]
        if missing:
            raise InputError(
                f"{path}: not an assignment file: missing {', '.join(missing)}; it has "
                f"{', '.join(repr(c) for c in names)}"
            )
        keep = [c for c in ("customer_id", "target", "segment", "arm") if c in names]
        schema = raw.collect_schema()
        frame = raw.select(
            (parsing.identifier if c == "customer_id" else parsing.text)(c, schema[c]).alias(c)
            for c in keep
        ).collect()
    frame = parsing.whole_number_ids(frame, ["customer_id"])
    return frame.filter(pl.col("customer_id").is_not_null())
