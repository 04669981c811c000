"""Writing files so that nothing the user had is lost, and spreadsheets never run a formula.

Every writer goes through a temporary file beside the destination that is renamed into place;
errors come out as InputError naming the destination.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from campaigns import files
from crm_tui.errors import InputError
from crm_tui.io.readers import FORMULA_LIKE
from evaluation.phrases import Phrase

UNWRITABLE = (FileExistsError, FileNotFoundError, IsADirectoryError, PermissionError)
TABLE_SUFFIXES = (".csv", ".parquet")


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail before any work is done when the output could not be written."""
    try:
        files.check_target(Path(path), overwrite)
    except UNWRITABLE as exc:
        raise _unwritable(exc) from None


def write_atomic(path: Path, write: Callable[[Path], object], overwrite: bool = False) -> None:
    try:
        files.write_atomic(Path(path), write, overwrite)
    except UNWRITABLE as exc:
        raise _unwritable(exc) from None


def _unwritable(exc: OSError) -> InputError:
    # the shells say how to replace an existing file; the library only says that it exists
    setting = "overwrite" if isinstance(exc, FileExistsError) else None
    return InputError(files.message_of(exc), setting=setting)


def write_text_atomic(path: Path, text: str, overwrite: bool = False) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)


def check_table_name(path: Path) -> None:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError(
            Phrase(
                "{path}: expected a .parquet or .csv file name",
                path=path,
            ),
            setting="out",
        )


def write_table(
    frame: pl.DataFrame, path: Path, overwrite: bool = False, excel: bool = False
) -> None:
    """A frame as Parquet or as spreadsheet-safe CSV, chosen by the file's suffix.

    excel: the CSV starts with a UTF-8 byte-order mark, without which a Chinese-locale Excel
    shows UTF-8 text as mojibake; crm-tui reads either.
    """
    check_table_name(path)
    writer: Callable[[Path], None]
    if path.suffix.lower() == ".parquet":
        writer = frame.write_parquet
    else:
        writer = lambda tmp: write_safe_csv(frame, tmp, excel)  # noqa: E731
    write_atomic(path, writer, overwrite)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells a spreadsheet would run (= + - @ tab CR) with an apostrophe.

    As OWASP advises; a cell that already starts with apostrophes before such a character gets
    one more, so that crm-tui's readers, which take one off, read back every value exactly.
    Categorical columns are looked at once per distinct value.
    """
    texts = [c for c, t in frame.schema.items() if t == pl.String]
    labels = [c for c, t in frame.schema.items() if isinstance(t, (pl.Categorical, pl.Enum))]
    return frame.with_columns(
        *[
            pl.when(pl.col(c).str.contains(FORMULA_LIKE))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c in texts
        ],
        *[_neutralised_labels(frame[c]) for c in labels],
    )


def _neutralised_labels(column: pl.Series) -> pl.Series:
    values = column.unique().drop_nulls().cast(pl.String)
    risky = values.filter(values.str.contains(FORMULA_LIKE))
    if risky.is_empty():
        return column
    return column.cast(pl.String).replace(risky, "'" + risky)


def write_safe_csv(frame: pl.DataFrame, path: Path, excel: bool = False) -> None:
    neutralise(frame).write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S", include_bom=excel)
