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


LABELS = st.text(alphabet=" \t\x00ab控", max_size=4) | st.sampled_from(["control", " B ", ""])


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
    assert dictionary.frame.select("arm", "city").equals(plain.frame.select("arm", "city"))
    assert dictionary.findings.dropped == plain.findings.dropped


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["", " ", "\x00", " \x00 ", "c1", " c2 ", "7.0"])),
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
