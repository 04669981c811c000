"""Load campaign results and assignments with the same reader, presets and checks as orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crm_tui.errors import InputError
from crm_tui.io import parsing
from crm_tui.io.columns import resolve_columns
from crm_tui.io.findings import Findings, any_failed, split_failed, why
from crm_tui.io.presets import RESULT_PRESETS, normalise_header
from crm_tui.io.readers import reading_errors, scan_table
from crm_tui.language import N_
from evaluation.phrases import Phrase, counted

COUNT_COLUMNS = ("customers", "impressions", "clicks", "add_to_cart", "conversions")
MONEY_COLUMNS = ("revenue", "cost", "pre_revenue")
TEXT_COLUMNS = ("customer_id", "arm", "segment")
TOTAL_LABELS = ("total", "totals", "sum", "all", "合计", "总计", "汇总", "总和")
NO_ID = "_no_customer_id"  # the check on ids that are not kept
MAX_VALUE = 1e12  # no campaign has more people, events or money in one row


@dataclass(frozen=True)
class LoadedResults:
    frame: pl.DataFrame
    findings: Findings
    per_customer: bool


def load_results(
    path: str | Path,
    overrides: Mapping[str, str] | None = None,
    need_arm: bool = True,
    extra: Sequence[str] = (),
) -> LoadedResults:
    """Per-customer results (a customer_id column) or aggregated ones (a customers column).

    extra: further columns to keep as labels when the file has them (a breakdown such as city).
    """
    path = Path(path)
    required = ("arm",) if need_arm else ("customer_id",)
    with reading_errors(path), scan_table(path) as raw:
        schema = raw.collect_schema()
        mapping = resolve_columns(path, schema.names(), RESULT_PRESETS, required, overrides)
        src = mapping.sources
        # results that name their arms are compared as they are: their ids are only checked
        ids = "customer_id" in src and not need_arm
        texts = [c for c in TEXT_COLUMNS if c in src and (c != "customer_id" or ids)]
        headers = _extra_headers(schema, extra, set(src))
        found = parsing.dictionaries(raw, schema, [*(src[c] for c in texts), *headers.values()])
        exprs = [_text(raw, c, src[c], schema[src[c]], found.get(src[c])) for c in texts]
        if "customer_id" in src and not ids:
            exprs.append(
                parsing.maybe_blank_id(src["customer_id"], schema[src["customer_id"]]).alias(NO_ID)
            )
        exprs += [
            parsing.label(raw, h, schema[h], found.get(h)).alias(name)
            for name, h in headers.items()
        ]
        money = parsing.sample_cells(raw, schema, [src[c] for c in MONEY_COLUMNS if c in src])
        for c in (*COUNT_COLUMNS, *MONEY_COLUMNS):
            if c in src:
                mark = parsing.decimal_mark(money[src[c]]) if c in MONEY_COLUMNS else "."
                value = parsing.number(src[c], schema[src[c]], mark)
                exprs.append(value.alias(c))
                if not parsing.is_number_type(schema[src[c]]):  # numbers always read
                    exprs.append((pl.col(src[c]).is_not_null() & value.is_null()).alias(_bad(c)))
        parsed = raw.select(exprs)
        checks = _checks(src, ids, parsed.collect_schema().names(), _total_row(src, found))
        frame = parsed.with_columns(any_failed(checks)).collect()
        if NO_ID in frame.columns and frame[NO_ID].any():
            frame = _blank_ids(raw, src["customer_id"], schema, frame, checks)
    kept, dropped, examples = split_failed(frame, checks)
    kept = (
        parsing.whole_number_ids(kept, ["customer_id"]) if ids else kept.drop(NO_ID, strict=False)
    )
    per_customer = "customer_id" in src
    if not per_customer and "customers" not in src:
        raise InputError(
            Phrase(
                "{path}: expected per-customer results (a customer_id column) or "
                "aggregated ones (a customers column); the file has {value}",
                path=path,
                value=", ".join(repr(c) for c in schema.names()),
            )
        )
    if kept.height == 0:
        raise InputError(
            Phrase(
                "{path}: no usable result rows among {height:,} ({why})",
                path=path,
                height=frame.height,
                why=why(dropped),
            )
        )
    counts = [c for c in (*COUNT_COLUMNS, *MONEY_COLUMNS) if c in kept.columns]
    kept = kept.drop(c for c in kept.columns if c.startswith(_bad("")))
    kept = kept.with_columns(pl.col(c).fill_null(0.0) for c in counts if kept[c].has_nulls())
    findings = Findings(
        str(path), mapping.preset.name, dict(src), frame.height, kept.height, dropped, examples
    )
    return LoadedResults(kept, findings, per_customer)


def _text(
    raw: pl.LazyFrame,
    name: str,
    column: str,
    dtype: pl.DataType,
    dictionary: parsing.Dictionary | None,
) -> pl.Expr:
    if name == "customer_id":
        return parsing.text_column(raw, column, dtype, True, dictionary).alias(name)
    return parsing.label(raw, column, dtype, dictionary).alias(name)


def _extra_headers(schema: pl.Schema, extra: Sequence[str], taken: set[str]) -> dict[str, str]:
    """The file's header for each extra name it has (and no canonical column took)."""
    by_norm = {normalise_header(h): h for h in schema.names()}
    found = {name: by_norm.get(normalise_header(name)) for name in extra if name not in taken}
    return {name: header for name, header in found.items() if header is not None}


def _blank_ids(
    raw: pl.LazyFrame,
    column: str,
    schema: pl.Schema,
    frame: pl.DataFrame,
    checks: list[tuple[pl.Expr, str]],
) -> pl.DataFrame:
    """The frame with the ids that only may be blank (see maybe_blank_id) read whole."""
    blank = raw.select(parsing.blank_id(column, schema[column]).alias(NO_ID)).collect()
    return frame.with_columns(blank[NO_ID]).with_columns(any_failed(checks))


def _bad(column: str) -> str:
    return f"_bad_{column}"


def _total_row(src: Mapping[str, str], found: Mapping[str, parsing.Dictionary]) -> pl.Expr:
    """Whether a row is the sum row ad platforms add under the arms: no arm of its own."""
    arm = pl.col("arm")
    if src.get("arm") not in found:
        return arm.str.to_lowercase().is_in(TOTAL_LABELS)
    # a dictionary's labels are looked at once each, not once per row
    labels = found[src["arm"]].labels()
    return arm.is_in([a for a in labels if a.lower() in TOTAL_LABELS])


def _checks(
    src: Mapping[str, str], ids: bool, names: Sequence[str], total_row: pl.Expr
) -> list[tuple[pl.Expr, str]]:
    checks: list[tuple[pl.Expr, str]] = []
    if "customer_id" in src:
        empty = pl.col("customer_id").is_null() if ids else pl.col(NO_ID)
        checks.append((empty, N_("empty customer")))
    if "arm" in src:
        checks.append((pl.col("arm").is_null(), N_("empty arm")))
        checks.append((total_row, N_("total row")))
    for column in (*COUNT_COLUMNS, *MONEY_COLUMNS):
        if column in src:
            value = pl.col(column)
            negative = Phrase("negative {column}", column=column)
            unparseable = Phrase("unparseable {column}", column=column)
            implausible = Phrase("implausible {column}", column=column)
            checks.append((value.is_not_null() & (value < 0), negative))
            if _bad(column) in names:
                checks.append((pl.col(_bad(column)), unparseable))
            checks.append((value.is_infinite() | (value > MAX_VALUE), implausible))
    if "customers" in src and "customer_id" not in src:
        checks.append((pl.col("customers") < 1, N_("no customers in the row")))
    # a click needs an impression; a click can lead to several orders, so conversions may
    # exceed clicks, and in aggregated rows orders may exceed customers
    if "clicks" in src and "impressions" in src:
        checks.append(
            (pl.col("clicks") > pl.col("impressions"), N_("more clicks than impressions"))
        )
    return checks


class LoadedAssignment(NamedTuple):
    frame: pl.DataFrame  # one row per customer
    duplicates: int  # repeated rows of a customer in the same arm, counted once


def load_assignment(path: str | Path, extra: Sequence[str] = ()) -> LoadedAssignment:
    """An assignment written by `crm-tui plan assign` (CSV or Parquet).

    A customer in two arms is refused: it would be analysed in both.
    """
    path = Path(path)
    with reading_errors(path), scan_table(path) as raw:
        names = raw.collect_schema().names()
        missing = [c for c in ("customer_id", "arm") if c not in names]
        if missing:
            raise InputError(
                Phrase(
                    "{path}: not an assignment file: missing {value}; it has {value2}",
                    path=path,
                    value=", ".join(missing),
                    value2=", ".join(repr(c) for c in names),
                )
            )
        known = ("customer_id", "target", "segment", "arm")
        keep = [c for c in (*known, *extra) if c in names and c != "planned_share"]
        keep = list(dict.fromkeys(keep))
        schema = raw.collect_schema()
        columns = [
            parsing.text_column(raw, c, schema[c], c == "customer_id").alias(c) for c in keep
        ]
        if "planned_share" in names:  # assignments written before it was added lack it
            share = parsing.number("planned_share", schema["planned_share"])
            columns.append(share.alias("planned_share"))
        frame = raw.select(columns).collect()
    frame = parsing.whole_number_ids(frame, ["customer_id"])
    frame = frame.filter(pl.col("customer_id").is_not_null())
    _refuse_two_arms(path, frame)
    unique = frame.unique("customer_id", keep="first", maintain_order=True)
    return LoadedAssignment(unique, frame.height - unique.height)


def _refuse_two_arms(path: Path, frame: pl.DataFrame) -> None:
    arms = frame.group_by("customer_id").agg(pl.col("arm").unique().sort())
    split = arms.filter(pl.col("arm").list.len() > 1).sort("customer_id")
    if split.height:
        customer, both = split.row(0)
        raise InputError(
            counted(
                "{path}: {n:,} customer is in two arms (e.g. {customer!r}: {arms}); an "
                "assignment gives each customer one arm",
                "{path}: {n:,} customers are in two arms (e.g. {customer!r}: {arms}); an "
                "assignment gives each customer one arm",
                split.height,
                path=path,
                customer=customer,
                arms=" / ".join(a or "-" for a in both),
            )
        )
