"""CSV output that a spreadsheet opens as data: cells that would run as a formula are quoted."""

from __future__ import annotations

from pathlib import Path

import polars as pl

_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells starting with = + - @ tab or CR with an apostrophe (OWASP advice)."""
    text_columns = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def write_safe_csv(frame: pl.DataFrame, path: Path) -> None:
    neutralise(frame).write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S")
