"""Read a tabular file of any supported layout into a Polars frame, without interpreting columns.

Text files are read with every column as a string so that a column's type is decided later from
all of its values, never from the first rows. Encodings and layouts Polars cannot scan directly
(GBK/GB18030 exports, whitespace-aligned logs) are converted once, in chunks, to a temporary
UTF-8 CSV that Polars then scans lazily.
"""

from __future__ import annotations

import codecs
import csv
import glob
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from campaigns import files
from crm_tui.errors import InputError
from crm_tui.io.database import Database, Source, read_query
from crm_tui.progress import report
from evaluation.phrases import Phrase

_SAMPLE_BYTES = 1 << 20
BATCH_ROWS = 1 << 19  # about twenty reports for ten million rows
_CHUNK_BYTES = 8 << 20
_DELIMITERS = ",\t;|"
PARQUET_SUFFIXES = (".parquet", ".pq")
_GLOB_CHARACTERS = re.compile(r"[*?[]")
_EDGE_SPACE = re.compile(r"(?m)^[ \t]+|[ \t]+(?=\r?$)")
_INNER_SPACE = re.compile(r"[ \t]+")
# A CSV cell a spreadsheet would run as a formula starts with one of = + - @ tab CR. crm-tui's
# CSV writer puts one more apostrophe in front of such a cell (also when it already starts with
# apostrophes), and the CSV reader takes one off, so every value reads back as it was written;
# Parquet and Excel hold the values themselves.
FORMULA_LIKE = r"^'*[=+\-@\t\r]"
_ESCAPED = r"^'('*[=+\-@\t\r])"


@dataclass(frozen=True)
class TextLayout:
    """How a text file is encoded and separated, as sniffed from its first megabyte."""

    encoding: str  # "utf-8", "utf-16", "gb18030" or "cp1252"
    separator: str  # a single character, or " " for runs of whitespace
    cr_only: bool = False  # lines end in a lone CR (old Mac exports)

    @property
    def needs_conversion(self) -> bool:
        return self.encoding != "utf-8" or self.separator == " " or self.cr_only


def sniff_text_layout(sample: bytes) -> TextLayout:
    """Guess the encoding and separator of a delimited text file from its first bytes."""
    encoding = _sniff_encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample)
    cr_only = "\r" in text and "\n" not in text
    return TextLayout(encoding, _sniff_separator(text), cr_only)


def _sniff_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        # Chinese marketplace exports that are not UTF-8 are GBK; GB18030 is its superset.
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    # Bytes that are neither: a Western export (Latin-1 and its Windows superset), whose
    # accented letters GB18030 would otherwise read as Chinese characters.
    return "cp1252"


def _sniff_separator(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    header = lines[0]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=_DELIMITERS)
        if dialect.delimiter in header:
            return dialect.delimiter
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] > 0:
        return best
    if len(header.split()) > 1:
        return " "
    return ","


@contextmanager
def reading_errors(path: Source) -> Iterator[None]:
    """Turn Polars' and the system's errors on a malformed file into one line naming the file."""
    try:
        yield
    except (pl.exceptions.PolarsError, OSError, UnicodeError) as exc:
        raise InputError(
            Phrase(
                "{path}: cannot read the file ({first_line})",
                path=path,
                first_line=first_line(exc),
            )
        ) from None


@contextmanager
def scan_table(path: Source) -> Iterator[pl.LazyFrame]:
    """Yield a lazy frame over the file (or a database query's rows); temporary conversions
    live until the block ends."""
    if isinstance(path, Database):
        yield read_query(path).lazy()
        return
    if is_parquet_set(path):
        yield _scan_parquet_parts(source_files(path))
        return
    check_readable(path, Phrase("a CSV, text, Parquet or .xlsx file"))
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        yield _scan_parquet(path)
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        yield _read_excel(path).lazy()
    else:
        with _scan_text(path) as frame:
            yield frame


def known_rows(path: Source, raw: pl.LazyFrame) -> int | None:
    """The rows of a file scanned with scan_table, when that costs no pass over its data
    (Parquet keeps the count in its metadata; a workbook or a query's rows are already read),
    else None."""
    counted = {*PARQUET_SUFFIXES, ".xlsx", ".xlsm", ".xls"}
    if isinstance(path, Database) or is_parquet_set(path) or path.suffix.lower() in counted:
        return int(raw.select(pl.len()).collect().item())
    return None


def collect_reporting(query: pl.LazyFrame, phase: str, total: int | None) -> pl.DataFrame:
    """The query's frame, as collect() gives it, computed in batches with the rows done
    reported after each, so that a shell can show how far reading has got."""
    parts, rows = [], 0
    for batch in query.collect_batches(chunk_size=BATCH_ROWS):
        parts.append(batch)
        rows += batch.height
        report(phase, rows, total)
    return pl.concat(parts) if parts else pl.DataFrame(schema=query.collect_schema())


def check_readable(path: Path, expected: str) -> None:
    """A regular file, or one line saying what it is instead (a pipe would block forever)."""
    try:
        files.check_source(path, expected)
    except OSError as exc:
        raise InputError(files.message_of(exc)) from None


def is_parquet_set(path: Path) -> bool:
    """Whether path names several Parquet files: a folder of them, or a glob pattern
    (orders/*.parquet) that is not itself the name of a file."""
    return path.is_dir() or (not path.exists() and bool(_GLOB_CHARACTERS.search(str(path))))


def source_files(path: Path) -> tuple[Path, ...]:
    """The files a source reads, in name order: the Parquet files a folder holds (in any
    subfolder) or a pattern matches, or the file itself."""
    if not is_parquet_set(path):
        return (path,)
    if path.is_dir():
        found = sorted(
            p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file()
        )
        if not found:
            raise InputError(Phrase("{path}: the folder holds no Parquet files", path=path))
        return tuple(found)
    found = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
    if not found:
        raise InputError(Phrase("{path}: the pattern matches no files", path=path))
    for part in found:
        if part.suffix.lower() not in PARQUET_SUFFIXES:
            raise InputError(
                Phrase(
                    "{path}: expected a Parquet file; a folder or a pattern is read as the"
                    " parts of one Parquet table",
                    path=part,
                )
            )
    return tuple(found)


def _scan_parquet(path: Path) -> pl.LazyFrame:
    _parquet_schema(path)
    return pl.scan_parquet(path)


def _scan_parquet_parts(parts: tuple[Path, ...]) -> pl.LazyFrame:
    """One table over several Parquet files; a part whose columns differ is named."""
    for part in parts:
        check_readable(part, Phrase("a Parquet file"))
    first = _parquet_schema(parts[0])
    for part in parts[1:]:
        if _parquet_schema(part) != first:
            raise InputError(
                Phrase(
                    "{path}: its columns differ from those of {first} (expected the same"
                    " names and types in every part)",
                    path=part,
                    first=parts[0],
                )
            )
    return pl.scan_parquet(list(parts))


def _parquet_schema(path: Path) -> dict[str, pl.DataType]:
    try:
        return pl.read_parquet_schema(path)
    except Exception as exc:  # Polars raises several types for a damaged file
        raise InputError(
            Phrase(
                "{path}: not a readable Parquet file ({first_line})",
                path=path,
                first_line=first_line(exc),
            )
        ) from None


def _read_excel(path: Path) -> pl.DataFrame:
    try:
        # as text, like CSV cells: a column's type is decided from all its values later, so an
        # id column with numbers first and text further down keeps its text ids
        return pl.read_excel(path, sheet_id=1, engine="calamine", infer_schema_length=0)
    except ImportError:
        raise InputError(
            Phrase(
                '{path}: reading Excel needs the "fastexcel" package',
                path=path,
            )
        ) from None
    except Exception as exc:
        raise InputError(
            Phrase(
                "{path}: not a readable Excel workbook ({first_line})",
                path=path,
                first_line=first_line(exc),
            )
        ) from None


@contextmanager
def _scan_text(path: Path) -> Iterator[pl.LazyFrame]:
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise InputError(
            Phrase(
                "{path}: the file is empty",
                path=path,
            )
        )
    layout = sniff_text_layout(sample)
    if layout.encoding != "utf-16" and b"\x00" in sample[:4096]:
        raise InputError(
            Phrase(
                "{path}: looks like a binary file, expected CSV, text, Parquet or .xlsx",
                path=path,
            )
        )
    if not layout.needs_conversion:
        yield _scan_csv(path, layout.separator)
        return
    with tempfile.TemporaryDirectory(prefix="crm-tui-") as tmp:
        converted = Path(tmp) / "converted.csv"
        _convert_to_utf8_csv(path, converted, layout)
        yield _scan_csv(converted, "," if layout.separator == " " else layout.separator)


def _scan_csv(path: Path, separator: str) -> pl.LazyFrame:
    frame = pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        truncate_ragged_lines=True,
        encoding="utf8",
    )
    # guarded: the replacement runs only where a cell starts with an apostrophe at all
    escaped = pl.all().str.starts_with("'")
    unescaped = pl.all().str.replace(_ESCAPED, "${1}")
    return frame.with_columns(pl.when(escaped).then(unescaped).otherwise(pl.all()))


def _convert_to_utf8_csv(source: Path, target: Path, layout: TextLayout) -> None:
    decoder = codecs.getincrementaldecoder(layout.encoding)(errors="replace")
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        pending = ""
        while chunk := src.read(_CHUNK_BYTES):
            text = pending + decoder.decode(chunk)
            if layout.cr_only:
                text = text.replace("\r", "\n")
            cut = text.rfind("\n") + 1
            text, pending = text[:cut], text[cut:]
            dst.write(_normalise(text, layout.separator))
        rest = pending + decoder.decode(b"", final=True)
        dst.write(
            _normalise(rest.replace("\r", "\n") if layout.cr_only else rest, layout.separator)
        )


def _normalise(text: str, separator: str) -> str:
    if separator != " ":
        return text
    return _INNER_SPACE.sub(",", _EDGE_SPACE.sub("", text))


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
