from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.errors import InputError
from crm_tui.io.orders import load_orders

CDNOW = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnow" / "CDNOW_master.txt"


def test_taobao_gbk_export(tmp_path: Path) -> None:
    header = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,宝贝总数量"
    rows = [
        "1001,张三,128.00,交易成功,2024-03-01 10:00:00,2024-03-01 10:01:00,2",
        "1002,李四,59.90,等待买家付款,2024-03-02 11:00:00,,1",
        "1003,王五,88.00,交易关闭,2024-03-02 12:00:00,2024-03-02 12:01:00,1",
        '1004,张三,"1,024.50",卖家已发货，等待买家确认,2024-03-05 09:00:00,2024-03-05 09:02:00,3',
        "1004,张三,1024.50,交易成功,2024-03-05 09:00:00,2024-03-05 09:02:00,3",
    ]
    path = tmp_path / "taobao.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("gbk"))
    loaded = load_orders(path)
    assert loaded.findings.preset == "taobao"
    assert loaded.findings.mapping["ordered_at"] == "订单付款时间"
    assert loaded.orders["order_id"].to_list() == ["1001", "1004"]
    assert loaded.orders["amount"].to_list() == [128.0, 1024.5]
    assert loaded.findings.dropped == {
        "unpaid order status": 1,
        "refunded/cancelled/closed status": 1,
        "duplicate order id": 1,
    }
    assert loaded.findings.examples["duplicate order id"] == [6]


def test_shopify_line_items(tmp_path: Path) -> None:
    path = tmp_path / "orders_export.csv"
    pl.DataFrame(
        {
            "Name": ["#1001", "#1001", "#1002", "#1003"],
            "Email": ["a@x.com", None, "b@x.com", "a@x.com"],
            "Financial Status": ["paid", None, "refunded", "paid"],
            "Paid at": [
                "2024-01-05 10:22:33 +0800",
                None,
                "2024-01-06 10:00:00 +0800",
                "2024-02-01 08:00:00 -0500",
            ],
            "Lineitem quantity": [1, 2, 1, 1],
            "Total": [59.5, None, 20.0, 15.0],
        }
    ).write_csv(path)
    loaded = load_orders(path)
    assert loaded.findings.preset == "shopify"
    assert loaded.orders.select("order_id", "customer_id", "amount", "items").rows() == [
        ("#1001", "a@x.com", 59.5, 3.0),
        ("#1003", "a@x.com", 15.0, 1.0),
    ]
    assert loaded.orders["ordered_at"].dt.hour().to_list() == [10, 8]
    assert loaded.findings.dropped == {"refunded/cancelled/closed status": 1}
    assert (loaded.findings.rows_read, loaded.findings.rows_kept) == (4, 2)
    assert "4 rows make 3 orders; kept and dropped count orders" in loaded.findings.notes


def test_online_retail_line_items(tmp_path: Path) -> None:
    path = tmp_path / "online_retail.xlsx"
    pl.DataFrame(
        {
            "InvoiceNo": ["536365", "536365", "C536379", "536380", "536381"],
            "StockCode": ["85123A", "71053", "D", "22", "23"],
            "Quantity": [6, 2, -1, 3, -2],
            "InvoiceDate": [
                "12/1/2010 8:26",
                "12/1/2010 8:26",
                "12/1/2010 9:41",
                "12/1/2010 9:45",
                "12/2/2010 9:00",
            ],
            "UnitPrice": [2.55, 3.39, 27.5, 1.0, 5.0],
            "CustomerID": [17850.0, 17850.0, 14527.0, None, 13047.0],
            "Country": ["United Kingdom"] * 5,
        }
    ).write_excel(path)
    loaded = load_orders(path)
    assert loaded.findings.preset == "online_retail"
    orders = loaded.orders
    assert orders["order_id"].to_list() == ["536365"]
    assert orders["amount"].to_list() == [pytest.approx(6 * 2.55 + 2 * 3.39)]
    assert orders["customer_id"].to_list() == ["17850"]  # stored as 17850.0 by the spreadsheet
    assert loaded.findings.dropped == {
        "cancelled invoice": 1,
        "empty customer": 1,
        "return (quantity not positive)": 1,
    }


def test_types_decided_from_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    lines = ["customer_id,ordered_at,amount"]
    lines += [f"c{i},2024-01-{1 + i % 28:02d},0" for i in range(150)]
    lines += ["c1,2024-02-01,12.75", "c2,2024-02-02,3"]
    path.write_text("\n".join(lines) + "\n")
    loaded = load_orders(path)
    assert loaded.orders["amount"].to_list() == [12.75, 3.0]
    assert loaded.findings.dropped == {"non-positive amount": 150}


def test_every_drop_reason_counted_with_rows(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount,status\n"
        "1,a,2024-01-01,10,paid\n"
        "2,,2024-01-01,10,paid\n"
        "3,b,yesterday,10,paid\n"
        "4,b,2024-01-02,ten,paid\n"
        "5,b,2024-01-02,-1,paid\n"
        "6,b,2024-01-02,5,refunded\n"
        "1,a,2024-01-03,7,paid\n"
    )
    findings = load_orders(path).findings
    assert findings.dropped == {
        "duplicate order id": 1,
        "empty customer": 1,
        "non-positive amount": 1,
        "refunded/cancelled/closed status": 1,
        "unparseable amount": 1,
        "unparseable date": 1,
    }
    assert findings.examples["empty customer"] == [3]
    assert findings.examples["duplicate order id"] == [8]


def test_distinct_ids_with_colliding_hashes_are_all_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,ordered_at,amount\n1,a,2024-01-01,10\n2,a,2024-01-02,5\n")
    # every id hashing alike sends the check to the exact pass, which must find no duplicate
    monkeypatch.setattr(
        pl.Series, "hash", lambda self, *a, **k: pl.zeros(len(self), pl.UInt64, eager=True)
    )
    loaded = load_orders(path)
    assert loaded.orders["order_id"].to_list() == ["1", "2"]
    assert loaded.findings.dropped == {}


def test_missing_column_names_it_and_lists_columns(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("customer,when,paid\na,2024-01-01,3\n")
    with pytest.raises(InputError) as err:
        load_orders(path)
    message = str(err.value)
    assert "missing required column ordered_at" in message
    assert "'when'" in message and "map ordered_at=HEADER" in message
    assert err.value.setting == "columns"
    loaded = load_orders(path, {"ordered_at": "when"})
    assert loaded.orders.height == 1


def test_bad_override(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,3\n")
    with pytest.raises(InputError, match="has no column 'nope'"):
        load_orders(path, {"amount": "nope"})
    with pytest.raises(InputError, match="unknown canonical column 'amout'"):
        load_orders(path, {"amout": "amount"})


def test_no_date_format(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("customer_id,date,amount\na,soon,3\n")
    with pytest.raises(InputError, match="holds no dates"):
        load_orders(path)


@pytest.mark.skipif(not CDNOW.exists(), reason="shared CDNOW data not present")
def test_cdnow_reads_without_flags() -> None:
    loaded = load_orders(CDNOW)
    assert loaded.findings.rows_read == 69659
    assert loaded.findings.dropped == {"non-positive amount": 80}
    assert loaded.orders["amount"].sum() == pytest.approx(2500315.63)
    assert loaded.orders["customer_id"].n_unique() == 23502  # 68 only ever paid $0.00
    assert loaded.orders["ordered_at"].min().isoformat() == "1997-01-01T00:00:00"
    assert loaded.orders["ordered_at"].max().isoformat() == "1998-06-30T00:00:00"


amounts = st.floats(min_value=0.01, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from("abcde"), st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)), amounts
        ),
        min_size=1,
        max_size=40,
    ),
    fmt=st.sampled_from(["%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y%m%d"]),
    suffix=st.sampled_from([".csv", ".parquet"]),
)
def test_loader_round_trip(tmp_path: Path, rows, fmt, suffix) -> None:
    frame = pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [r[1].strftime(fmt) for r in rows],
            "amount": [r[2] for r in rows],
        }
    )
    path = tmp_path / f"o{suffix}"
    frame.write_csv(path) if suffix == ".csv" else frame.write_parquet(path)
    orders = load_orders(path).orders
    assert orders["customer_id"].to_list() == [r[0] for r in rows]
    assert orders["ordered_at"].dt.date().to_list() == [r[1] for r in rows]
    assert orders["amount"].to_list() == [r[2] for r in rows]


def test_row_rules_belong_to_their_preset(tmp_path: Path) -> None:
    """'C' invoices are Online Retail's cancellations; elsewhere C is just a letter."""
    path = tmp_path / "o.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount,items,status\n"
        "C100,a,2024-01-01,10,1,paid\n"
        "C101,a,2024-01-02,10,0,paid\n"
        "C102,b,2024-01-02,10,1,交易关闭\n"
    )
    loaded = load_orders(path)
    assert loaded.findings.preset == "plain"
    assert loaded.orders["order_id"].to_list() == ["C100", "C101"]
    assert loaded.findings.dropped == {"refunded/cancelled/closed status": 1}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_reading_reports_rows_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    from crm_tui.io import readers
    from crm_tui.progress import Progress, listening

    monkeypatch.setattr(readers, "BATCH_ROWS", 64)
    frame = pl.DataFrame(
        {
            "customer_id": [f"c{i % 97}" for i in range(1000)],
            "ordered_at": [f"2024-01-{1 + i % 28:02d}" for i in range(1000)],
            "amount": [1.0 + i for i in range(1000)],
        }
    )
    path = tmp_path / f"orders{suffix}"
    frame.write_csv(path) if suffix == ".csv" else frame.write_parquet(path)
    heard: list[Progress] = []
    with listening(heard.append):
        loaded = load_orders(path)
    rows = [p.rows for p in heard if p.rows is not None]
    assert len(rows) > 2 and rows == sorted(rows) and rows[-1] == loaded.orders.height == 1000
    # Parquet keeps its row count: the total is known from the start; a CSV's is not
    assert {p.total for p in heard} == ({1000} if suffix == ".parquet" else {None})
    assert {p.phase for p in heard} == {"reading orders"}
