"""Load an order export into the canonical orders frame, dropping and counting unusable rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crm_tui.errors import InputError
from crm_tui.io import parsing
from crm_tui.io.columns import ColumnMapping, resolve_columns
from crm_tui.io.database import Database, Source
from crm_tui.io.findings import EXAMPLES_PER_REASON, ROW, Findings, first_reason, split_dropped, why
from crm_tui.io.presets import ORDER_PRESETS, ORDER_REQUIRED
from crm_tui.io.readers import collect_reporting, known_rows, reading_errors, scan_table
from crm_tui.language import N_
from evaluation.phrases import Phrase

ID_COLUMNS = ("customer_id", "order_id")
TEXT_COLUMNS = ("customer_id", "order_id", "category", "channel", "status")
# Placeholder dates (9999-12-31, 1900-01-01) and amounts no order has (inf, 1e300) are dropped
# and counted rather than carried into every total and date computation.
FIRST_YEAR, LAST_YEAR = 1970, 2100
DATE_OUT_OF_RANGE = Phrase(
    "date outside {first}-{last} (a placeholder?)", first=FIRST_YEAR, last=LAST_YEAR
)
MAX_AMOUNT = 1e9
AMOUNT_TOO_LARGE = Phrase("amount over {most:,.0f} or infinite", most=MAX_AMOUNT)
LINES = "_lines"  # file rows folded into each order, in line-item layouts


@dataclass(frozen=True)
class LoadedOrders:
    orders: pl.DataFrame
    findings: Findings


def load_orders(
    path: str | Path | Database, overrides: Mapping[str, str] | None = None
) -> LoadedOrders:
    """Read, map and validate an orders file (or a database query's rows); raise InputError
    for what cannot be worked around."""
    path = path if isinstance(path, Database) else Path(path)
    with reading_errors(path), scan_table(path) as raw:
        schema = raw.collect_schema()
        mapping = resolve_columns(path, schema.names(), ORDER_PRESETS, ORDER_REQUIRED, overrides)
        parsed = _parse(raw.with_row_index(ROW, offset=2), schema, mapping, path)
        # rows of line items are not orders: their count says nothing of how far reading is
        total = None if mapping.preset.layout == "line_items_first" else known_rows(path, raw)
        checks = _checks(parsed, mapping)
        reasons = parsed.with_columns(first_reason(checks))
        frame = collect_reporting(reasons, N_("reading orders"), total)
    rows_read = int(frame[LINES].sum()) if LINES in frame.columns else frame.height
    kept, dropped, examples = split_dropped(frame, checks)
    kept = parsing.whole_number_ids(kept, ID_COLUMNS)
    kept, dropped, examples = _drop_duplicates(kept, mapping, dropped, examples)
    orders = _per_order(kept, mapping)
    if orders.height == 0:
        raise InputError(
            Phrase(
                "{path}: no usable orders among {rows_read:,} rows ({why})",
                path=path,
                rows_read=rows_read,
                why=why(dropped),
            )
        )
    findings = Findings(
        source=str(path),
        preset=mapping.preset.name,
        mapping={**mapping.sources, **{k: " x ".join(v) for k, v in mapping.derived.items()}},
        rows_read=rows_read,
        rows_kept=kept.height,
        dropped=dropped,
        examples=examples,
        notes=_notes(mapping, rows_read, frame.height),
    )
    return LoadedOrders(orders, findings)


def _notes(mapping: ColumnMapping, rows_read: int, orders: int) -> tuple[str, ...]:
    notes: tuple[str, ...] = (mapping.preset.notes,) if mapping.preset.notes else ()
    if rows_read != orders:
        made = Phrase(
            "{rows:,} rows make {orders:,} orders; kept and dropped count orders",
            rows=rows_read,
            orders=orders,
        )
        notes += (made,)
    return notes


def _parse(
    raw: pl.LazyFrame, schema: pl.Schema, mapping: ColumnMapping, path: Source
) -> pl.LazyFrame:
    src = mapping.sources
    date_col = src["ordered_at"]
    money_col = src["amount"] if "amount" in src else mapping.derived["amount"][1]  # or price
    samples = parsing.sample_cells(raw, schema, [date_col, money_col])
    sample = samples[date_col]
    formats = parsing.datetime_formats(sample)
    if sample and not formats and not schema[date_col].is_temporal():
        raise InputError(
            Phrase(
                "{path}: column {date_col!r} (ordered_at) holds no dates in a "
                "known format, e.g. {value!r}; expected something like 2024-03-01"
                " or 2024-03-01 14:05:00",
                path=path,
                date_col=date_col,
                value=sample[0],
            )
        )
    exprs = [pl.col(ROW), parsing.moment(date_col, schema[date_col], formats).alias("ordered_at")]
    for name in TEXT_COLUMNS:
        if name in src:
            read = parsing.text_column(raw, src[name], schema[src[name]], name in ID_COLUMNS)
            exprs.append(read.alias(name))
    mark = parsing.decimal_mark(samples[money_col])
    if "amount" in src:
        exprs.append(parsing.number(src["amount"], schema[src["amount"]], mark).alias("amount"))
    else:
        qty, price = mapping.derived["amount"]
        amount = parsing.number(qty, schema[qty]) * parsing.number(price, schema[price], mark)
        exprs.append(amount.alias("amount"))
    if "items" in src:
        exprs.append(parsing.number(src["items"], schema[src["items"]]).alias("items"))
    parsed = raw.select(exprs)
    if mapping.preset.layout == "line_items_first":
        parsed = _collapse_line_items(parsed)
    return parsed


def _collapse_line_items(parsed: pl.LazyFrame) -> pl.LazyFrame:
    # The order's own fields sit on its first line-item row; later rows carry only the product.
    names = parsed.collect_schema().names()
    firsts = [pl.col(c).drop_nulls().first() for c in names if c not in {ROW, "order_id", "items"}]
    aggs = [pl.col(ROW).min(), pl.len().alias(LINES), *firsts]
    if "items" in names:
        aggs.append(pl.col("items").sum())
    return parsed.group_by("order_id", maintain_order=True).agg(aggs)


def _checks(parsed: pl.LazyFrame, mapping: ColumnMapping) -> list[tuple[pl.Expr, str]]:
    names = parsed.collect_schema().names()
    rules = mapping.preset.rows
    checks: list[tuple[pl.Expr, str]] = []
    if "status" in names:
        status = pl.col("status").str.to_lowercase()
        checks.append((status.is_in(rules.unpaid), N_("unpaid order status")))
        checks.append((status.is_in(rules.void), N_("refunded/cancelled/closed status")))
    if rules.cancelled_prefix is not None and "order_id" in names:
        cancelled = pl.col("order_id").str.starts_with(rules.cancelled_prefix)
        checks.append((cancelled, N_("cancelled invoice")))
    if rules.returns and "items" in names:
        checks.append((pl.col("items") <= 0, N_("return (quantity not positive)")))
    year = pl.col("ordered_at").dt.year()
    checks += [
        (pl.col("customer_id").is_null(), N_("empty customer")),
        (pl.col("ordered_at").is_null(), N_("unparseable date")),
        ((year < FIRST_YEAR) | (year > LAST_YEAR), DATE_OUT_OF_RANGE),
        (pl.col("amount").is_null() | pl.col("amount").is_nan(), N_("unparseable amount")),
        (pl.col("amount") <= 0, N_("non-positive amount")),
        (~pl.col("amount").is_finite() | (pl.col("amount") > MAX_AMOUNT), AMOUNT_TOO_LARGE),
    ]
    return checks


def _drop_duplicates(
    kept: pl.DataFrame,
    mapping: ColumnMapping,
    dropped: dict[str, int],
    examples: dict[str, list[int]],
) -> tuple[pl.DataFrame, dict[str, int], dict[str, list[int]]]:
    if "order_id" not in kept.columns or mapping.preset.layout == "line_items_sum":
        return kept, dropped, examples
    # Distinct hashes prove distinct ids, and counting them is several times faster than
    # tracking first occurrences of the text: the exact pass runs only when a hash repeats.
    if kept["order_id"].hash().n_unique() == kept.height:
        return kept, dropped, examples
    repeat = kept.select(~pl.col("order_id").is_first_distinct()).to_series()
    duplicates = kept.filter(repeat)
    if duplicates.height == 0:
        return kept, dropped, examples
    reason = N_("duplicate order id")
    dropped = {**dropped, reason: duplicates.height}
    examples = {**examples, reason: duplicates[ROW].sort().head(EXAMPLES_PER_REASON).to_list()}
    return kept.filter(~repeat), dropped, examples


def _per_order(kept: pl.DataFrame, mapping: ColumnMapping) -> pl.DataFrame:
    optional = [c for c in ("items", "category", "channel") if c in kept.columns]
    if "order_id" not in kept.columns:
        kept = kept.with_columns(pl.col(ROW).cast(pl.String).alias("order_id"))
    if mapping.preset.layout == "line_items_sum":
        # First-seen category/channel per invoice; the amount and items add up over its lines.
        firsts = [pl.col(c).first() for c in optional if c != "items"]
        sums = [pl.col("amount").sum(), *([pl.col("items").sum()] if "items" in optional else [])]
        kept = kept.group_by("order_id", maintain_order=True).agg(
            pl.col("customer_id").first(), pl.col("ordered_at").min(), *sums, *firsts
        )
    return kept.select("customer_id", "order_id", "ordered_at", "amount", *optional)
