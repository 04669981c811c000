"""Files as operators' tools really write them: read right, or dropped and counted by name."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from crm_tui.errors import InputError
from crm_tui.io.orders import AMOUNT_TOO_LARGE, DATE_OUT_OF_RANGE, load_orders

HEADER = "customer_id,ordered_at,amount,category"
ROWS = [f"c{i % 7},2024-0{1 + i % 9}-1{i % 9},{10 + i}.50,café crème" for i in range(40)]
TOTAL = sum(10.5 + i for i in range(40))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf16.csv", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
        ("utf16be.csv", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
        ("cr.csv", lambda t: t.replace("\n", "\r").encode()),
        ("latin1.csv", lambda t: t.encode("latin-1")),
        ("bom.csv", lambda t: codecs.BOM_UTF8 + t.encode()),
    ],
)
def test_encodings_and_line_endings(tmp_path: Path, name: str, encode) -> None:
    path = write(tmp_path, name, encode("\n".join([HEADER, *ROWS]) + "\n"))
    loaded = load_orders(path)
    assert loaded.orders.height == 40 and loaded.findings.dropped == {}
    assert loaded.orders["amount"].sum() == pytest.approx(TOTAL)
    assert set(loaded.orders["category"]) == {"café crème"}


def test_placeholder_dates_and_absurd_amounts_are_dropped_and_counted(tmp_path: Path) -> None:
    extra = [
        "c1,9999-12-31,5,x",
        "c1,1900-01-01,5,x",
        "c2,2024-03-03,inf,x",
        "c3,2024-03-03,1e300,x",
    ]
    path = write(tmp_path, "o.csv", ("\n".join([HEADER, *ROWS, *extra]) + "\n").encode())
    loaded = load_orders(path)
    assert loaded.findings.dropped == {DATE_OUT_OF_RANGE: 2, AMOUNT_TOO_LARGE: 2}
    assert loaded.orders["amount"].sum() == pytest.approx(TOTAL)


def test_a_repeated_header_is_refused_by_name(tmp_path: Path) -> None:
    lines = ["customer_id,ordered_at,amount,amount", *[r.rsplit(",", 1)[0] + ",1" for r in ROWS]]
    path = write(tmp_path, "o.csv", ("\n".join(lines) + "\n").encode())
    with pytest.raises(InputError, match="'amount' appears more than once"):
        load_orders(path)


def test_an_excel_id_column_with_numbers_then_text_keeps_the_text_ids(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet, day = book.add_worksheet(), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["customer_id", "ordered_at", "amount"])
    ids = [17850, 13047, 17850, "W-1", "W-2"]
    for row, cid in enumerate(ids, 1):
        sheet.write(row, 0, cid)
        sheet.write_datetime(row, 1, dt.datetime(2024, 1, row), day)
        sheet.write(row, 2, 10.0 * row)
    book.close()
    loaded = load_orders(path)
    assert loaded.findings.dropped == {}
    assert loaded.orders["customer_id"].to_list() == ["17850", "13047", "17850", "W-1", "W-2"]
    assert loaded.orders["amount"].to_list() == [10.0, 20.0, 30.0, 40.0, 50.0]


@pytest.mark.parametrize(
    ("separator", "cells", "amounts"),
    [
        (";", ["12,50", "1.299,00", "1 299,00 €", "€1.299,50"], [12.5, 1299.0, 1299.0, 1299.5]),
        (",", ['"¥1,299.00"', "12.50", '"1,299"', "$3"], [1299.0, 12.5, 1299.0, 3.0]),
        (",", ["1299", "12.5", "1.5", "7"], [1299.0, 12.5, 1.5, 7.0]),
    ],
)
def test_amounts_as_shops_write_them(
    tmp_path: Path, separator: str, cells: list[str], amounts: list[float]
) -> None:
    head = separator.join(["customer_id", "ordered_at", "amount"])
    lines = [separator.join([f"c{i}", f"2024-01-0{i + 1}", c]) for i, c in enumerate(cells)]
    path = write(tmp_path, "o.csv", "\n".join([head, *lines]).encode())
    assert load_orders(path).orders["amount"].to_list() == amounts


def test_european_money_in_results(tmp_path: Path) -> None:
    from crm_tui.io.results import load_results

    path = write(tmp_path, "r.csv", b"arm;customers;revenue\ncontrol;10;1.299,50\nb;10;12,25\n")
    assert load_results(path).frame["revenue"].to_list() == [1299.5, 12.25]
