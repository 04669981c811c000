"""Visitors (visited, maybe never bought) and customer profiles with contact opt-ins."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import polars as pl

from crm_tui.errors import InputError
from crm_tui.io import parsing
from crm_tui.io.columns import resolve_columns
from crm_tui.io.findings import ROW, Findings, first_reason, split_dropped
from crm_tui.io.presets import PROFILE_PRESETS, VISITOR_PRESETS, Preset
from crm_tui.io.readers import reading_errors, scan_table
from crm_tui.language import N_
from evaluation.phrases import Phrase

_YES = ("1", "true", "yes", "y", "t", "是", "opt-in", "opted in")


class LoadedTable(NamedTuple):
    frame: pl.DataFrame
    findings: Findings


def load_visitors(path: str | Path, overrides: Mapping[str, str] | None = None) -> LoadedTable:
    """customer_id plus behaviour counts, one row per visitor (repeat visits summed)."""
    frame, findings = _load(Path(path), VISITOR_PRESETS, overrides)
    counts = [c for c in ("page_views", "favourites", "add_to_cart") if c in frame.columns]
    aggs = [pl.len().alias("visits"), *[pl.col(c).sum() for c in counts]]
    return LoadedTable(frame.group_by("customer_id").agg(aggs).sort("customer_id"), findings)


def load_profiles(path: str | Path, overrides: Mapping[str, str] | None = None) -> LoadedTable:
    """customer_id plus one boolean opt-in column per channel the file speaks of."""
    frame, findings = _load(Path(path), PROFILE_PRESETS, overrides)
    return LoadedTable(frame.unique("customer_id", keep="first", maintain_order=True), findings)


def _load(
    path: Path, presets: tuple[Preset, ...], overrides: Mapping[str, str] | None
) -> LoadedTable:
    """The mapped columns; rows without a customer id are left out and counted."""
    with reading_errors(path), scan_table(path) as raw:
        schema = raw.collect_schema()
        mapping = resolve_columns(path, schema.names(), presets, ("customer_id",), overrides)
        id_column = mapping.sources["customer_id"]
        exprs = [
            pl.col(ROW),
            parsing.text_column(raw, id_column, schema[id_column], True).alias("customer_id"),
        ]
        for name, source in mapping.sources.items():
            if name.endswith("_opt_in"):
                exprs.append(_flag(source).alias(name))
            elif name in {"page_views", "favourites", "add_to_cart"}:
                exprs.append(parsing.number(source, schema[source]).fill_null(0).alias(name))
        checked = raw.with_row_index(ROW, offset=2).select(exprs)
        frame = checked.with_columns(
            first_reason([(pl.col("customer_id").is_null(), N_("empty customer"))])
        ).collect()
    kept, dropped, examples = split_dropped(frame)
    if kept.height == 0:
        raise InputError(
            Phrase(
                "{path}: no rows with a customer id",
                path=path,
            )
        )
    findings = Findings(
        source=str(path),
        preset=mapping.preset.name,
        mapping=dict(mapping.sources),
        rows_read=frame.height,
        rows_kept=kept.height,
        dropped=dropped,
        examples=examples,
    )
    return LoadedTable(parsing.whole_number_ids(kept.drop(ROW), ["customer_id"]), findings)


def _flag(source: str) -> pl.Expr:
    return pl.col(source).cast(pl.String).str.strip_chars().str.to_lowercase().is_in(_YES)
