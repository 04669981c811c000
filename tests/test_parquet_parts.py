"""Orders split over several Parquet files: a folder or a glob pattern reads as one table."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from order_tables import order_frame, order_rows

from crm_tui.errors import InputError
from crm_tui.io.orders import load_orders
from crm_tui.io.readers import source_files

ONCE_PER_FOLDER = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _write_parts(frame: pl.DataFrame, folder: Path, cuts: list[int]) -> list[Path]:
    """The frame's rows in consecutive files part-00.parquet, part-01.parquet, ..."""
    folder.mkdir(parents=True)
    bounds = [0, *sorted(min(c, frame.height) for c in cuts), frame.height]
    paths = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        paths.append(folder / f"part-{i:02}.parquet")
        frame.slice(lo, hi - lo).write_parquet(paths[-1])
    return paths


@ONCE_PER_FOLDER
@given(rows=order_rows, cuts=st.lists(st.integers(0, 60), max_size=3))
def test_a_folder_reads_as_its_files_one_after_another(tmp_path_factory, rows, cuts) -> None:
    tmp = tmp_path_factory.mktemp("parts")
    frame = order_frame(rows)
    frame.write_parquet(tmp / "whole.parquet")
    _write_parts(frame, tmp / "orders", cuts)
    whole = load_orders(tmp / "whole.parquet")
    for source in (tmp / "orders", tmp / "orders" / "part-*.parquet"):
        parted = load_orders(source)
        assert parted.orders.equals(whole.orders)
        assert parted.findings.rows_read == whole.findings.rows_read
        assert parted.findings.dropped == whole.findings.dropped


def test_parts_in_subfolders_are_read_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "2024" / "12").mkdir(parents=True)
    (tmp_path / "2025" / "01").mkdir(parents=True)
    for name in ("2025/01/a.parquet", "2024/12/b.pq", "2024/12/a.parquet"):
        pl.DataFrame({"x": [1]}).write_parquet(tmp_path / name)
    (tmp_path / "2024" / "notes.txt").write_text("not a part")
    assert [p.relative_to(tmp_path).as_posix() for p in source_files(tmp_path)] == [
        "2024/12/a.parquet",
        "2024/12/b.pq",
        "2025/01/a.parquet",
    ]
    assert source_files(tmp_path / "one.csv") == (tmp_path / "one.csv",)


def test_bad_sets_of_parts_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: the folder holds no Parquet files"):
        load_orders(tmp_path / "empty")
    with pytest.raises(InputError, match=r"nothing-\*\.parquet: the pattern matches no files"):
        load_orders(tmp_path / "nothing-*.parquet")
    (tmp_path / "mixed").mkdir()
    frame = order_frame([("c1", 1, 0, 10.0)])
    frame.write_parquet(tmp_path / "mixed" / "a.parquet")
    frame.write_csv(tmp_path / "mixed" / "b.csv")
    with pytest.raises(InputError, match=r"b\.csv: expected a Parquet file"):
        load_orders(tmp_path / "mixed" / "*")
    frame.with_columns(pl.col("amount").cast(pl.String)).write_parquet(
        tmp_path / "mixed" / "c.parquet"
    )
    with pytest.raises(InputError, match=r"c\.parquet: its columns differ from those of .*a\."):
        load_orders(tmp_path / "mixed")
    (tmp_path / "mixed" / "c.parquet").write_bytes(b"PAR1 broken")
    with pytest.raises(InputError, match=r"c\.parquet: not a readable Parquet file"):
        load_orders(tmp_path / "mixed")
