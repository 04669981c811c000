from __future__ import annotations

import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.errors import InputError
from crm_tui.io.readers import scan_table, sniff_text_layout


def test_sniff_gbk_and_separators() -> None:
    assert sniff_text_layout("订单编号,买家会员名\n1,张三\n".encode("gbk")).encoding == "gb18030"
    assert sniff_text_layout(b"a;b\n1;2\n").separator == ";"
    assert sniff_text_layout(b"a\tb\n1\t2\n").separator == "\t"
    assert sniff_text_layout(b" id  date value\n 001 19970101  1.5\n").separator == " "
    assert sniff_text_layout(b"\xef\xbb\xbfa,b\n1,2\n").encoding == "utf-8"


cells = st.text(alphabet=string.ascii_letters + string.digits + "中文 .-", min_size=1, max_size=8)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=30),
    separator=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_text_round_trip(tmp_path: Path, rows, separator, encoding) -> None:
    rows = [tuple(c.strip() or "x" for c in r) for r in rows]
    lines = [separator.join(("alpha", "beta", "gamma"))]
    lines += [separator.join(r) for r in rows]
    path = tmp_path / "t.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    with scan_table(path) as lf:
        frame = lf.collect()
    assert frame.columns == ["alpha", "beta", "gamma"]
    got = [tuple(c.strip() for c in r) for r in frame.iter_rows()]
    assert got == rows


def test_whitespace_log(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(
        b" customer_id  date value\r\n 00001 19970101   1.50\r\n 00002 19970102 10\r\n"
    )
    with scan_table(path) as lf:
        frame = lf.collect()
    assert frame.to_dicts() == [
        {"customer_id": "00001", "date": "19970101", "value": "1.50"},
        {"customer_id": "00002", "date": "19970102", "value": "10"},
    ]


def test_parquet_and_excel(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    frame.write_parquet(tmp_path / "f.parquet")
    frame.write_excel(tmp_path / "f.xlsx")
    with scan_table(tmp_path / "f.parquet") as lf:
        assert lf.collect().to_dicts() == frame.to_dicts()
    # Excel cells are read as text, as CSV cells are: types are decided from whole columns
    with scan_table(tmp_path / "f.xlsx") as lf:
        assert lf.collect().to_dicts() == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary")],
)
def test_bad_text_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message), scan_table(path):
        pass


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"), scan_table(tmp_path / "nope.csv"):
        pass
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with (
        pytest.raises(InputError, match="not a readable Parquet"),
        scan_table(tmp_path / "x.parquet"),
    ):
        pass


LABELS = st.text(alphabet=" \t\x00ab控", max_size=4) | st.sampled_from(
    ["control", " B ", "", "Total", " 合计 ", "\u3000TOTAL"]
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(LABELS, LABELS), min_size=1, max_size=12))
def test_dictionary_text_is_cleaned_like_plain_text(tmp_path: Path, rows) -> None:
    """Categorical columns are cleaned once per distinct value: the same values as the
    row-by-row cleaning of the same column stored as plain text."""
    from crm_tui.io.results import load_results

    rows = [("control", "x"), *rows]  # a usable row, so that the file is never refused
    frame = pl.DataFrame(rows, schema=["arm", "city"], orient="row").with_columns(
        customer_id=pl.format("c{}", pl.int_range(pl.len())), conversions=pl.lit(1)
    )
    frame.write_parquet(tmp_path / "text.parquet")
    frame.with_columns(pl.col("arm", "city").cast(pl.Categorical)).write_parquet(
        tmp_path / "dictionary.parquet"
    )
    plain, dictionary = (
        load_results(tmp_path / f"{name}.parquet", extra=["city"])
        for name in ("text", "dictionary")
    )
    assert dictionary.frame.schema["arm"] == pl.Categorical  # labels stay a dictionary
    labels = pl.col("arm", "city").cast(pl.String)
    assert dictionary.frame.select(labels).equals(plain.frame.select("arm", "city"))
    assert dictionary.findings.dropped == plain.findings.dropped
    assert dictionary.findings.examples == plain.findings.examples


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["", " ", "\x00", " \x00 ", "c1", " c2 ", "7.0", "\u3000", "\xa0c3"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_ids_only_checked_drop_the_same_rows_as_ids_read(tmp_path_factory, ids) -> None:
    """Results that name their arms do not keep their ids (reading them cost a third of a
    second on ten million rows), but drop the rows without one exactly as reading them does."""
    from crm_tui.io.results import load_results

    path = tmp_path_factory.mktemp("ids") / "results.parquet"
    rows = len(ids) + 1
    pl.DataFrame(
        {
            "customer_id": ["c0", *ids],
            "arm": [("control", "treatment")[i % 2] for i in range(rows)],
            "conversions": list(range(rows)),
        }
    ).write_parquet(path)
    checked, read = load_results(path, need_arm=True), load_results(path, need_arm=False)
    assert "customer_id" not in checked.frame.columns
    assert checked.frame.equals(read.frame.drop("customer_id"))
    assert checked.findings.dropped == read.findings.dropped
    assert checked.findings.examples == read.findings.examples


def test_a_blank_id_starts_with_a_character_maybe_blank_id_looks_for() -> None:
    """maybe_blank_id looks at the first character only; every character that text cleaning
    strips (Polars' strip_chars, and the NUL) must be among those it looks for."""
    from crm_tui.io import parsing

    cells = [chr(c) for c in range(0x3100) if not 0xD800 <= c < 0xE000]
    frame = pl.DataFrame({"id": cells, "tail": [c + "x" for c in cells]})
    found = frame.select(
        blank=parsing.blank_id("id", pl.String),
        maybe=parsing.maybe_blank_id("id", pl.String),
        maybe_tail=parsing.maybe_blank_id("tail", pl.String),
    )
    assert found["blank"].sum() == 26  # Unicode's White_Space and the NUL
    assert found.filter(pl.col("blank") & ~pl.col("maybe")).height == 0
    assert found["maybe_tail"].equals(found["blank"], check_names=False)


@given(st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=30))
def test_reasons_worked_out_for_failing_rows_alone_are_those_of_every_row(values) -> None:
    """split_failed (reasons for the failing rows only) finds what split_dropped (a reason
    for every row) finds: the same kept rows, counts, first reasons and example rows."""
    from crm_tui.io.findings import ROW, any_failed, first_reason, split_dropped, split_failed

    frame = pl.DataFrame({"v": values}, schema={"v": pl.Int64})
    checks = [
        (pl.col("v").is_null(), "empty"),
        (pl.col("v") < 0, "negative"),
        (pl.col("v") == 3, "three"),
        (pl.col("v") > 1, "large"),  # 3 fails two checks: the first is its reason
    ]
    every = frame.with_row_index(ROW, offset=2).with_columns(first_reason(checks))
    kept, counts, examples = split_dropped(every, checks)
    failing = split_failed(frame.with_columns(any_failed(checks)), checks)
    assert failing[0].equals(kept.drop(ROW))
    assert failing[1:] == (counts, examples)
