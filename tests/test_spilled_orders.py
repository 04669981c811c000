"""A large shop's orders kept on disk in parts of whole customers: the same orders and the same
findings as read into memory."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_tui.engine.features import part_number
from crm_tui.errors import InputError
from crm_tui.io import orders as orders_module
from crm_tui.io.orders import SPILL_PREFIX, Spill, SpilledOrders, load_orders

CELLS = st.fixed_dictionaries(
    {
        "customer_id": st.sampled_from(["c1", "c2", " c3 ", "c4", "17.0", "17", "", "c5"]),
        "order_id": st.sampled_from([str(i) for i in range(40)] + ["5.0", "", "7 "]),
        "ordered_at": st.sampled_from(
            ["2024-01-02", "2024-01-02 10:00", "2024-03-05", "2025-07-01", "oops", "9999-12-31"]
        ),
        "amount": st.sampled_from(["10.5", "0", "-3", "99", "x", "1e12", "250.25"]),
        "status": st.sampled_from(["paid", "paid", "refunded", "unpaid"]),
    }
)
CELLS_NAMES = ["customer_id", "order_id", "ordered_at", "amount", "status"]
SORTED = ["customer_id", "order_id", "ordered_at", "amount"]


def _spill(rows: int = 1) -> Spill:
    return Spill(above=0, part_rows=rows, part_number=part_number)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(CELLS, min_size=1, max_size=60), part_rows=st.sampled_from([1, 7, 25]))
def test_spilled_orders_are_the_orders_read_into_memory(
    tmp_path_factory, monkeypatch, rows, part_rows
) -> None:
    """Batches of five rows and files of three orders, so that drops, duplicate ids and a
    customer's orders fall in different batches and files."""
    monkeypatch.setattr(orders_module, "BATCH_ROWS", 5)
    monkeypatch.setattr(orders_module, "FLUSH_ROWS", 3)
    path = tmp_path_factory.mktemp("spill") / "orders.csv"
    pl.DataFrame(rows, schema=dict.fromkeys(CELLS_NAMES, pl.String)).write_csv(path)
    try:
        memory = load_orders(path)
    except InputError as exc:  # nothing usable: the spilled read says the same
        with pytest.raises(InputError) as spilled_error:
            load_orders(path, spill=_spill(part_rows))
        assert str(spilled_error.value) == str(exc)
        return
    spilled = load_orders(path, spill=_spill(part_rows))
    assert spilled.findings == memory.findings
    assert isinstance(memory.orders, pl.DataFrame)
    if not isinstance(spilled.orders, SpilledOrders):  # few enough for one part
        assert spilled.orders.equals(memory.orders)
        return
    parts = [p.collect() for p in spilled.orders.parts]
    assert pl.concat(parts).sort(SORTED).equals(memory.orders.sort(SORTED))
    for part in parts:  # by order of the file within a part
        original = memory.orders.filter(pl.col("customer_id").is_in(part["customer_id"].implode()))
        assert part.equals(original)
    ids = [set(p["customer_id"]) for p in parts]
    assert sum(map(len, ids)) == len(set().union(*ids))
    assert spilled.orders.first_order_at == memory.orders["ordered_at"].min()
    assert spilled.orders.last_order_at == memory.orders["ordered_at"].max()


def test_parts_are_a_power_of_two_of_at_most_part_rows_each() -> None:
    spill = _spill(10)
    sizes = (0, 10, 11, 20, 21, 40, 41, 80, 81)
    assert [spill.parts_for(n) for n in sizes] == [1, 1, 2, 2, 4, 4, 8, 8, 16]
    assert [Spill(40, 10, part_number).parts_for(n) for n in sizes] == [1] * 6 + [8, 8, 16]


def test_the_folder_goes_with_the_orders(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    pl.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "order_id": ["1", "2", "3"],
            "ordered_at": ["2024-01-01"] * 3,
            "amount": ["1", "2", "3"],
        }
    ).write_csv(path)
    loaded = load_orders(path, spill=_spill(1))
    assert isinstance(loaded.orders, SpilledOrders)
    folder = Path(loaded.orders.folder.name)
    assert any(f.suffix == ".arrow" for f in folder.iterdir())
    del loaded
    gc.collect()
    assert not folder.exists()


def test_line_items_stay_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "shopify.csv"
    header = "Name,Email,Financial Status,Paid at,Total,Lineitem quantity,Lineitem name"
    lines = [
        "#1001,a@x.com,paid,2024-03-01 10:00:00 +0800,30.00,1,Tea",
        "#1001,a@x.com,,,,2,Cup",
        "#1002,b@x.com,paid,2024-03-02 11:00:00 +0800,12.00,1,Tea",
    ]
    path.write_text("\n".join([header, *lines]) + "\n")
    loaded = load_orders(path, spill=_spill(1))
    assert isinstance(loaded.orders, pl.DataFrame)
    assert loaded.findings == load_orders(path).findings


def test_a_full_disk_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "orders.csv"
    ids = [f"c{i}" for i in range(100)]
    pl.DataFrame({"customer_id": ids, "ordered_at": "2024-01-01", "amount": "1"}).write_csv(path)

    def full(self: pl.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_ipc", full)
    with pytest.raises(InputError, match=r"cannot write the orders' parts there .*No space left"):
        load_orders(path, spill=_spill(10))
    assert path.exists()


def test_the_parts_a_killed_run_left_go_with_the_next_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed process cannot delete its parts. The next shop read with a spill threshold
    removes the folders whose process is gone, and leaves those of running processes and
    anything else."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    killed = tmp_path / f"{SPILL_PREFIX}{int(gone.stdout)}-abc" / "part-0"
    killed.mkdir(parents=True)
    (killed / "0.arrow").write_bytes(b"orders")
    kept = [tmp_path / f"{SPILL_PREFIX}{os.getpid()}-def", tmp_path / f"{SPILL_PREFIX}notes"]
    for folder in kept:
        folder.mkdir()
    path = tmp_path / "orders.csv"
    ids = [f"c{i}" for i in range(20)]
    pl.DataFrame(
        {"customer_id": ids, "ordered_at": ["2024-01-01"] * 20, "amount": ["1"] * 20}
    ).write_csv(path)
    loaded = load_orders(path, spill=_spill(1))
    assert not killed.parent.exists()
    assert all(folder.exists() for folder in kept)
    assert isinstance(loaded.orders, SpilledOrders)
    assert Path(loaded.orders.folder.name).name.startswith(f"{SPILL_PREFIX}{os.getpid()}-")
