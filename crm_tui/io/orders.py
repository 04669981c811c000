"""Load an order export into the canonical orders frame, dropping and counting unusable rows."""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from campaigns.files import remove_stale
from crm_tui.errors import InputError
from crm_tui.io import parsing
from crm_tui.io.columns import ColumnMapping, resolve_columns
from crm_tui.io.database import Database, Source
from crm_tui.io.findings import (
    EXAMPLES_PER_REASON,
    REASON,
    ROW,
    Findings,
    drops_by_reason,
    first_reason,
    split_dropped,
    summarised,
    why,
)
from crm_tui.io.presets import ORDER_PRESETS, ORDER_REQUIRED
from crm_tui.io.readers import (
    BATCH_ROWS,
    collect_reporting,
    first_line,
    known_rows,
    reading_errors,
    scan_table,
    source_files,
)
from crm_tui.language import N_
from crm_tui.progress import report
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
PART = "_part"
FLUSH_ROWS = 1 << 20  # orders a part gathers in memory before they are written
SPILL_PREFIX = "crm-tui-orders-"  # then the process id: a killed run's parts are found by it


@dataclass(frozen=True)
class LoadedOrders:
    orders: pl.DataFrame | SpilledOrders
    findings: Findings


@dataclass(frozen=True)
class Spill:
    """How to keep a large shop's orders on disk instead of in memory.

    A source of more than `above` orders is written to a temporary folder in parts of whole
    customers, a power of two of them with about `part_rows` orders each or fewer;
    `part_number(parts)` says which part an order's customer belongs to."""

    above: int
    part_rows: int
    part_number: Callable[[int], pl.Expr]

    def parts_for(self, rows: int) -> int:
        if rows <= self.above:
            return 1
        return 1 << max(0, math.ceil(rows / self.part_rows) - 1).bit_length()


@dataclass(frozen=True, eq=False)
class SpilledOrders:
    """Canonical orders in a temporary folder, removed with this object: each part a lazy
    frame holding every order of its customers, in the order of the file."""

    parts: tuple[pl.LazyFrame, ...]
    first_order_at: dt.datetime
    last_order_at: dt.datetime
    folder: tempfile.TemporaryDirectory[str] = field(repr=False)


def load_orders(
    path: str | Path | Database,
    overrides: Mapping[str, str] | None = None,
    spill: Spill | None = None,
) -> LoadedOrders:
    """Read, map and validate an orders file (or a database query's rows); raise InputError
    for what cannot be worked around. With `spill`, a large source's orders go to disk.

    Orders in line-item layouts are always held in memory: an order's lines may lie anywhere
    in the file, and only a whole-file group-by makes them one order."""
    path = path if isinstance(path, Database) else Path(path)
    if spill is not None:  # the parts a killed run could not delete, gigabytes maybe
        remove_stale(Path(tempfile.gettempdir()), SPILL_PREFIX)
    with reading_errors(path), scan_table(path) as raw:
        schema = raw.collect_schema()
        mapping = resolve_columns(path, schema.names(), ORDER_PRESETS, ORDER_REQUIRED, overrides)
        parsed = _parse(raw.with_row_index(ROW, offset=2), schema, mapping, path)
        # rows of line items are not orders: their count says nothing of how far reading is
        total = None if mapping.preset.layout == "line_items_first" else known_rows(path, raw)
        checks = _checks(parsed, mapping)
        reasons = parsed.with_columns(first_reason(checks))
        parts = _parts(spill, mapping, path, total)
        if spill is not None and parts > 1:
            return _spilled(reasons, checks, mapping, path, total, spill.part_number(parts), parts)
        frame = collect_reporting(reasons, N_("reading orders"), total)
    rows_read = int(frame[LINES].sum()) if LINES in frame.columns else frame.height
    kept, dropped, examples = split_dropped(frame, checks)
    kept = parsing.whole_number_ids(kept, ID_COLUMNS)
    kept, dropped, examples = _drop_duplicates(kept, mapping, dropped, examples)
    orders = _per_order(kept, mapping)
    _check_some_kept(path, orders.height, rows_read, dropped)
    return LoadedOrders(
        orders, _findings(path, mapping, rows_read, kept.height, dropped, examples, frame.height)
    )


def _check_some_kept(path: Source, kept: int, rows_read: int, dropped: dict[str, int]) -> None:
    if kept == 0:
        raise InputError(
            Phrase(
                "{path}: no usable orders among {rows_read:,} rows ({why})",
                path=path,
                rows_read=rows_read,
                why=why(dropped),
            )
        )


def _findings(
    path: Source,
    mapping: ColumnMapping,
    rows_read: int,
    rows_kept: int,
    dropped: dict[str, int],
    examples: dict[str, list[int]],
    orders: int,
) -> Findings:
    return Findings(
        source=str(path),
        preset=mapping.preset.name,
        mapping={**mapping.sources, **{k: " x ".join(v) for k, v in mapping.derived.items()}},
        rows_read=rows_read,
        rows_kept=rows_kept,
        dropped=dropped,
        examples=examples,
        notes=_notes(mapping, rows_read, orders),
    )


def _parts(spill: Spill | None, mapping: ColumnMapping, path: Source, total: int | None) -> int:
    """How many parts to spill the orders in: 1 keeps them in memory, as line items and a
    database's rows (already read whole) always are."""
    layouts = {"line_items_first", "line_items_sum"}
    if spill is None or isinstance(path, Database) or mapping.preset.layout in layouts:
        return 1
    # a text file's rows are not counted before reading: a bound of one per 32 bytes
    rows = total if total is not None else sum(p.stat().st_size for p in source_files(path)) // 32
    return spill.parts_for(rows)


def _spilled(
    reasons: pl.LazyFrame,
    checks: list[tuple[pl.Expr, str]],
    mapping: ColumnMapping,
    path: Source,
    total: int | None,
    part: pl.Expr,
    parts: int,
) -> LoadedOrders:
    """The orders read batch by batch, each batch's kept orders appended to their customers'
    part on disk: memory holds a batch and the order ids' hashes, not the orders."""
    folder = tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
    writer = _PartWriter(Path(folder.name), parts)
    summaries, id_hashes, rows_read = [], [], 0
    for batch in reasons.collect_batches(chunk_size=BATCH_ROWS):
        rows_read += batch.height
        report(N_("reading orders"), rows_read, total)
        summaries.append(summarised(batch.filter(pl.col(REASON).is_not_null())))
        kept = parsing.whole_number_ids(batch.filter(pl.col(REASON).is_null()), ID_COLUMNS)
        if "order_id" in mapping.sources:
            id_hashes.append(kept["order_id"].hash())
        writer.add(_per_order(kept, mapping).with_columns(kept[ROW], part.alias(PART)))
    files = writer.close()
    dropped, examples = drops_by_reason(summaries, checks)
    repeated = _repeated_orders(files, id_hashes)
    if repeated.len():
        reason = N_("duplicate order id")
        dropped = {**dropped, reason: repeated.len()}
        examples = {**examples, reason: repeated.head(EXAMPLES_PER_REASON).to_list()}
    rows_kept = writer.rows - repeated.len()
    _check_some_kept(path, rows_kept, rows_read, dropped)
    assert writer.schema is not None  # some orders were kept
    lazy = [_part_frame(f, writer.schema, repeated) for f in files]
    at = pl.col("ordered_at")
    span = pl.concat(lazy).select(at.min().alias("first"), at.max().alias("last")).collect()
    first, last = span.row(0)
    orders = SpilledOrders(tuple(lazy), first, last, folder)
    return LoadedOrders(
        orders, _findings(path, mapping, rows_read, rows_kept, dropped, examples, rows_read)
    )


class _PartWriter:
    """Appends orders to their part's files in the folder, a file per FLUSH_ROWS orders."""

    def __init__(self, folder: Path, parts: int) -> None:
        self.folder = folder
        self.waiting: list[list[pl.DataFrame]] = [[] for _ in range(parts)]
        self.files: list[list[Path]] = [[] for _ in range(parts)]
        self.rows = 0
        self.schema: pl.Schema | None = None

    def add(self, orders: pl.DataFrame) -> None:
        """Orders with their part in the column PART."""
        self.rows += orders.height
        for (k,), frame in orders.partition_by(PART, as_dict=True, include_key=False).items():
            self.schema = frame.schema
            self.waiting[k].append(frame)
            if sum(f.height for f in self.waiting[k]) >= FLUSH_ROWS:
                self._write(k)

    def close(self) -> list[list[Path]]:
        for k in range(len(self.waiting)):
            self._write(k)
        return self.files

    def _write(self, k: int) -> None:
        if self.waiting[k]:
            path = self.folder / f"part-{k:03}-{len(self.files[k]):05}.arrow"
            try:
                pl.concat(self.waiting[k]).write_ipc(path, compression="uncompressed")
            except (OSError, pl.exceptions.PolarsError) as exc:
                raise InputError(
                    Phrase(
                        "{folder}: cannot write the orders' parts there ({why}); a shop this"
                        " large keeps about 40 bytes an order on disk: set TMPDIR to a folder"
                        " with room",
                        folder=self.folder.parent,
                        why=first_line(exc),
                    )
                ) from None
            self.files[k].append(path)
            self.waiting[k] = []


def _repeated_orders(files: list[list[Path]], id_hashes: list[pl.Series]) -> pl.Series:
    """The row numbers, in order, of the kept orders whose id an earlier order has.

    As in memory: distinct hashes prove distinct ids; only the orders whose id's hash repeats
    are read back, with their ids, to find which repeat."""
    hashes = pl.concat(id_hashes) if id_hashes else pl.Series(dtype=pl.UInt64)
    if hashes.n_unique() == hashes.len():
        return pl.Series(ROW, [], pl.UInt32)
    suspects = hashes.filter(hashes.is_duplicated()).unique()
    found = (
        pl.scan_ipc([f for part in files for f in part])
        .filter(pl.col("order_id").hash().is_in(suspects.implode()))
        .select("order_id", ROW)
        .collect()
        .sort(ROW)
    )
    return found.filter(~pl.col("order_id").is_first_distinct())[ROW]


def _part_frame(files: list[Path], schema: pl.Schema, repeated: pl.Series) -> pl.LazyFrame:
    """A part's orders without the repeated ones; the row numbers that found them are dropped."""
    frame = pl.scan_ipc(files) if files else pl.LazyFrame(schema=schema)
    if repeated.len():
        frame = frame.filter(~pl.col(ROW).is_in(repeated.implode()))
    return frame.drop(ROW)


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
