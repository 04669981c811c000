"""Expressions that turn raw cells (strings or typed) into canonical values; bad cells become null.

Formats are chosen from a sample of the column's values but applied to every row, and a cell that
no chosen format reads is null, so the caller can count it as a dropped row with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y.%m.%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
_TIMEZONE_SUFFIX = r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)$"
_WHOLE_DECIMAL = r"^(-?\d+)\.0+$"
_NUMBER_NOISE = r"[¥￥$€£\s]|CNY|RMB|USD|EUR|元"
# what str.strip_chars() strips (Unicode's White_Space), and the NUL that _clean_text drops
_BLANKS = ["\x00", *"\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"]
_BLANKS += [chr(c) for c in range(0x2000, 0x200B)]
_THOUSANDS_COMMA = re.compile(r"-?\d{1,3}(,\d{3})+")  # 1,299 or 12,345,678
_THOUSANDS_DOT = re.compile(r"-?\d{1,3}(\.\d{3}){2,}")  # 1.299.000


def text(column: str, dtype: pl.DataType | None = None) -> pl.Expr:
    """A trimmed string; empty cells are null."""
    return _clean_text(pl.col(column))


def identifier(column: str, dtype: pl.DataType | None = None) -> pl.Expr:
    """A customer or order id as text; a float id (Parquet, Excel) without its ".0".

    Ids written as text with a ".0" are normalised by `whole_number_ids` once read.
    """
    value = pl.col(column)
    if dtype is not None and dtype.is_float():
        whole = value.is_finite() & (value == value.round())
        value = pl.when(whole).then(value.cast(pl.Int64, strict=False)).otherwise(value)
    return _clean_text(value)


def blank_id(column: str, dtype: pl.DataType) -> pl.Expr:
    """Whether `identifier` would read the cell as no id, without making the ids themselves:
    where the ids are only checked, cleaning ten million of them cost a third of a second."""
    if dtype == pl.String:
        value = pl.col(column)
        return value.is_null() | (
            value.str.replace_all("\x00", "", literal=True).str.strip_chars() == ""
        )
    return identifier(column, dtype).is_null()


def maybe_blank_id(column: str, dtype: pl.DataType) -> pl.Expr:
    """Whether `blank_id` may find the cell blank: null, empty, or starting with a space or a
    NUL. Looking at the first character alone cost half as much on ten million ids; only the
    cells it finds need reading whole."""
    if dtype != pl.String:
        return blank_id(column, dtype)
    value = pl.col(column)
    return value.is_null() | (value.str.len_bytes() == 0) | value.str.head(1).is_in(_BLANKS)


class Dictionary(NamedTuple):
    """A dictionary-encoded column's distinct values, and the same values as `text` reads them."""

    distinct: pl.Series
    cleaned: pl.Series

    def labels(self) -> list[str]:
        return self.cleaned.drop_nulls().to_list()


def dictionaries(
    raw: pl.LazyFrame, schema: pl.Schema, columns: Sequence[str]
) -> dict[str, Dictionary]:
    """The dictionaries of those of the columns that are Categorical or Enum (dictionary-encoded
    text in Parquet), in one query: each value is cleaned once, not once per row."""
    names = [c for c in dict.fromkeys(columns) if is_dictionary(schema[c])]
    if not names:
        return {}
    found = raw.select(pl.col(c).unique().cast(pl.String).implode() for c in names).collect()
    out = {}
    for name in names:
        distinct = found[name].explode()
        out[name] = Dictionary(distinct, pl.select(_clean_text(pl.lit(distinct))).to_series())
    return out


def text_column(
    raw: pl.LazyFrame,
    column: str,
    dtype: pl.DataType,
    is_id: bool = False,
    dictionary: Dictionary | None = None,
) -> pl.Expr:
    """A column as `identifier` (is_id) or `text` reads it. A Categorical or Enum column is
    cleaned once per distinct value (its `dictionary`, looked up if not given): cleaning ten
    million arm labels cost half a second."""
    if not is_dictionary(dtype):
        return (identifier if is_id else text)(column, dtype)
    return _cleaned(column, dictionary or _dictionary(raw, column, dtype), keep=False)


def label(
    raw: pl.LazyFrame, column: str, dtype: pl.DataType, dictionary: Dictionary | None = None
) -> pl.Expr:
    """A column of labels (arms, segments) as `text_column` reads it, except that
    dictionary-encoded labels stay Categorical: casting ten million of them to text cost a
    quarter of a second, and what is done with labels (grouping, comparing with text) works on
    them as they are."""
    if not is_dictionary(dtype):
        return text(column, dtype)
    return _cleaned(column, dictionary or _dictionary(raw, column, dtype), keep=True)


def is_dictionary(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (pl.Categorical, pl.Enum))


def _dictionary(raw: pl.LazyFrame, column: str, dtype: pl.DataType) -> Dictionary:
    return dictionaries(raw, pl.Schema({column: dtype}), [column])[column]


def _cleaned(column: str, dictionary: Dictionary, keep: bool) -> pl.Expr:
    """The column cleaned; kept Categorical (keep) or as text."""
    distinct, cleaned = dictionary
    changed = distinct.ne_missing(cleaned)
    if keep and not changed.any():
        return pl.col(column).cast(pl.Categorical)
    value = pl.col(column).cast(pl.String)
    value = value.replace(distinct.filter(changed), cleaned.filter(changed))
    return value.cast(pl.Categorical) if keep else value


def whole_number_ids(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """17850.0 in a CSV is the id "17850", as a float 17850.0 in Parquet or Excel is.

    A regular expression over every id costs several times the reading of it, so it runs only
    on a column where some id has a dot at all.
    """
    present = [c for c in columns if c in frame.columns]
    # one select, so that the columns are searched side by side
    found = frame.select(pl.col(c).str.contains(".", literal=True).any() for c in present)
    dotted = [c for c in present if found[c].item()]
    return frame.with_columns(pl.col(c).str.replace(_WHOLE_DECIMAL, "${1}") for c in dotted)


def _clean_text(value: pl.Expr) -> pl.Expr:
    # a NUL can only come from a Parquet or Excel cell, and would make any CSV written from it
    # look binary: no export means one, so it is dropped
    trimmed = value.cast(pl.String).str.replace_all("\x00", "", literal=True).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed)


SAMPLE_ROWS = 2000


def sample_cells(
    raw: pl.LazyFrame, schema: pl.Schema, columns: Sequence[str]
) -> dict[str, list[str]]:
    """Each text column's first non-empty cells, in one query: formats are chosen from them.

    A typed column (numbers or dates in Parquet or Excel) has no format to choose and gets none:
    reading it whole for a sample cost a large file's load most of a second."""
    names = list(dict.fromkeys(columns))
    texts = [c for c in names if schema[c] in (pl.String, pl.Categorical)]
    firsts = [pl.col(c).drop_nulls().head(SAMPLE_ROWS).cast(pl.String).implode() for c in texts]
    row = raw.select(firsts).collect().row(0) if texts else ()
    return {c: [] for c in names} | dict(zip(texts, row, strict=True))


def decimal_mark(sample: Sequence[str]) -> str:
    """ "," when a column's numbers write the decimals after a comma (1.299,50 or 12,50), else ".".

    Each sampled value votes by its own form; a value that fits both readings (1,299 or 1.299)
    votes for the English one, as the shops this tool serves first write it.
    """
    votes = {".": 0, ",": 0}
    for raw in sample:
        value = re.sub(r"[^\d,.\-]", "", str(raw))
        if "," in value and "." in value:
            votes[value[max(value.rfind(","), value.rfind("."))]] += 1
        elif "," in value:
            votes["." if _THOUSANDS_COMMA.fullmatch(value) else ","] += 1
        elif "." in value:
            votes["," if _THOUSANDS_DOT.fullmatch(value) else "."] += 1
    return "," if votes[","] > votes["."] else "."


def number(column: str, dtype: pl.DataType, decimal: str = ".") -> pl.Expr:
    """A float from a numeric column, or from text with currency signs and digit grouping.

    decimal is the column's decimal mark (see decimal_mark); the other mark groups digits.
    """
    if is_number_type(dtype):
        return pl.col(column).cast(pl.Float64)
    cleaned = pl.col(column).cast(pl.String).str.replace_all(_NUMBER_NOISE, "")
    grouping = "." if decimal == "," else ","
    cleaned = cleaned.str.replace_all(grouping, "", literal=True)
    if decimal == ",":
        cleaned = cleaned.str.replace(",", ".", literal=True)
    flag = cleaned.str.to_lowercase()
    # yes/no outcome columns (converted: true) count as 1 and 0
    value = pl.when(flag == "true").then(pl.lit("1")).when(flag == "false").then(pl.lit("0"))
    # "nan" is no number: it reads as an empty cell, so the caller drops and counts it
    return value.otherwise(cleaned).cast(pl.Float64, strict=False).fill_nan(None)


def is_number_type(dtype: pl.DataType) -> bool:
    """Whether `number` reads every cell of the type (only empty cells are null)."""
    return dtype.is_numeric() or dtype == pl.Boolean


def _normalised_datetime_text(column: str) -> pl.Expr:
    # Local wall-clock time is what an operator means by "ordered at"; the offset is dropped.
    return (
        pl.col(column)
        .cast(pl.String)
        .str.strip_chars()
        .str.replace(_TIMEZONE_SUFFIX, "")
        .str.replace("T", " ", literal=True)
    )


def datetime_formats(sample: Sequence[str]) -> list[str]:
    """Formats that read at least one sampled value, most successful first."""
    values = pl.Series("v", [str(v) for v in sample]).to_frame()
    normalised = values.select(_normalised_datetime_text("v")).to_series()
    scores = []
    for fmt in DATETIME_FORMATS:
        parsed = normalised.str.strptime(pl.Datetime("us"), fmt, strict=False)
        hits = len(parsed) - parsed.null_count()
        if hits:
            scores.append((hits, fmt))
    scores.sort(key=lambda s: -s[0])
    return [fmt for _, fmt in scores]


def moment(column: str, dtype: pl.DataType, formats: Sequence[str]) -> pl.Expr:
    """A naive datetime from a temporal column, or from text in any of the given formats."""
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        value = pl.col(column).cast(pl.Datetime("us"))
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            value = pl.col(column).dt.replace_time_zone(None).cast(pl.Datetime("us"))
        return value
    if dtype.is_integer():
        # yyyymmdd stored as a number, as transaction logs often do
        return (
            pl.col(column).cast(pl.String).str.strptime(pl.Datetime("us"), "%Y%m%d", strict=False)
        )
    if not formats:
        return pl.lit(None, dtype=pl.Datetime("us"))
    normalised = _normalised_datetime_text(column)
    attempts = [normalised.str.strptime(pl.Datetime("us"), f, strict=False) for f in formats]
    return pl.coalesce(attempts)
