"""Whatever crm-tui writes, crm-tui reads back to the same values."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crm_tui.io.results import load_assignment
from crm_tui.io.writers import neutralise, write_table

# values as crm-tui's readers produce them: trimmed, non-empty, no NUL (readers drop it)
characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
names = st.text(characters, min_size=1, max_size=24).map(str.strip).filter(bool)
formula_like = st.sampled_from(["=1+1", "+8613800138000", "-42", "@SUM(A1)", "'=x", "''+1"])
values = st.one_of(names, formula_like)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(values, values, values, values), min_size=1, max_size=20))
@example(rows=[("=1+1", "-control", "+target", "@segment"), ("+8613800138000", "a", "b", "c")])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_assignment_reads_back_as_written(
    tmp_path: Path, suffix: str, rows: list[tuple[str, str, str, str]]
) -> None:
    frame = pl.DataFrame(rows, schema=["customer_id", "arm", "target", "segment"], orient="row")
    frame = frame.unique("customer_id", keep="first", maintain_order=True)
    path = tmp_path / f"assignment{suffix}"
    # an assignment's labels are Categorical, as plan assign makes them
    labelled = frame.with_columns(pl.col("arm", "target", "segment").cast(pl.Categorical))
    write_table(labelled, path, overwrite=True)
    back = load_assignment(path).frame
    assert back.select(frame.columns).to_dicts() == frame.to_dicts()


def test_a_spreadsheet_sees_no_formula() -> None:
    frame = pl.DataFrame({"customer_id": ["=1+1", "+86138", "-42", "@x", "'=y", "ok"]})
    cells = neutralise(frame)["customer_id"].to_list()
    assert cells == ["'=1+1", "'+86138", "'-42", "'@x", "''=y", "ok"]
    labels = frame.select(pl.col("customer_id").cast(pl.Categorical).alias("segment"))
    assert neutralise(labels)["segment"].to_list() == cells


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([17850.0, 13047.0], pl.Float64),
        ([17850, 13047], pl.Int64),
        (["17850", "13047"], pl.String),
        (["17850.0", "13047.00"], pl.String),
    ],
)
def test_a_numeric_id_is_the_same_customer_in_every_format(
    tmp_path: Path, values: list, dtype: pl.DataType
) -> None:
    """17850, 17850.0 (CSV), a float (Parquet or Excel) are all the customer '17850'."""
    path = tmp_path / "assignment.parquet"
    pl.DataFrame({"customer_id": pl.Series(values, dtype=dtype), "arm": ["a", "b"]}).write_parquet(
        path
    )
    assert load_assignment(path).frame["customer_id"].to_list() == ["17850", "13047"]


def test_assign_then_evaluate_keeps_every_customer(tmp_path: Path, capsys) -> None:
    """Formula-like, phone-number and numeric ids, and an arm named -control, survive the trip."""
    import json

    from crm_tui.cli.main import main

    ids = ["=1+1", "+8613800138000", "-42", "@me", "17850", *[f"+86{i:09d}" for i in range(40)]]
    orders = pl.DataFrame(
        {
            "customer_id": [c for c in ids for _ in range(2)],
            "ordered_at": [f"2025-0{1 + k}-1{i % 9}" for i, _ in enumerate(ids) for k in range(2)],
            "amount": [10.0 + i for i in range(2 * len(ids))],
        }
    )
    orders.write_csv(tmp_path / "orders.csv")
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'schema_version = 1\nname = "p"\nobjective = "custom"\nsalt = "s"\n'
        'arms = [{name = "-control", share = 0.5, control = true}, {name = "+t", share = 0.5}]\n'
        "[segmentation]\nlifecycle_days = [30, 60, 90]\n"
        '[[targets]]\nname = "=everyone"\nselector = "all"\n'
    )
    assignment = tmp_path / "assignment.csv"
    orders_arg = ["--orders", str(tmp_path / "orders.csv")]
    assert main(["plan", "assign", str(plan), *orders_arg, "--out", str(assignment)]) == 0
    # outcomes as an ad platform exports them: the ids as they are, no spreadsheet escape
    pl.DataFrame({"customer_id": ids, "conversions": [1] * len(ids)}).write_csv(
        tmp_path / "outcomes.csv", quote_style="necessary"
    )
    capsys.readouterr()
    args = ["evaluate", str(tmp_path / "outcomes.csv"), "--assignment", str(assignment)]
    assert main([*args, "--plan", str(plan), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert f"Intent-to-treat over {len(ids):,} assigned customers; 0 had no outcome row" in (
        " ".join(report["notes"])
    )
    assert report["control"] == "-control"
    assert sum(report["customers"].values()) == len(ids)


def test_excel_ready_csv_starts_with_a_bom_and_reads_back(tmp_path: Path) -> None:
    frame = pl.DataFrame({"customer_id": ["张三", "=1+1"], "arm": ["对照", "treatment"]})
    path = tmp_path / "assignment.csv"
    write_table(frame, path, excel=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_assignment(path).frame.select(frame.columns).to_dicts() == frame.to_dicts()


def _orders_in(fmt: str, folder: Path) -> Path:
    """One shop's orders, numeric customer ids included, as each format stores them."""
    ids = [17850, 13047, 12583, *range(20000, 20040)]
    rows = [(c, f"2025-0{1 + k}-1{i % 9}", 10.0 + i) for i, c in enumerate(ids) for k in range(2)]
    frame = pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")
    path = folder / f"orders.{fmt}"
    if fmt == "parquet":  # spreadsheets and pandas often leave numeric ids as floats
        frame.with_columns(pl.col("customer_id").cast(pl.Float64)).write_parquet(path)
    elif fmt == "xlsx":
        frame.write_excel(path)
    else:
        frame.with_columns(pl.col("customer_id").cast(pl.Float64)).write_csv(path)  # 17850.0
    return path


def test_the_same_customer_gets_the_same_arm_from_any_format(tmp_path: Path, capsys) -> None:
    import json

    from crm_tui.cli.main import main

    plan = tmp_path / "plan.toml"
    plan.write_text(
        'schema_version = 1\nname = "p"\nobjective = "custom"\nsalt = "s"\n'
        "[segmentation]\nlifecycle_days = [30, 60, 90]\n"
        '[[targets]]\nname = "everyone"\nselector = "all"\n'
    )
    arms = {}
    for fmt in ("csv", "parquet", "xlsx"):
        out = tmp_path / f"assignment-{fmt}.csv"
        orders = ["--orders", str(_orders_in(fmt, tmp_path))]
        assert main(["plan", "assign", str(plan), *orders, "--out", str(out)]) == 0
        arms[fmt] = dict(load_assignment(out).frame.select("customer_id", "arm").iter_rows())
    assert arms["csv"] == arms["parquet"] == arms["xlsx"]
    assert "17850" in arms["csv"] and len(arms["csv"]) == 43
    # outcomes in each format, with the ids as floats, find their customers in the assignment
    for fmt in ("csv", "parquet", "xlsx"):
        outcomes = pl.read_csv(tmp_path / "orders.csv")  # float ids: 17850.0
        outcomes = outcomes.group_by("customer_id").agg(pl.len().alias("conversions"))
        path = tmp_path / f"outcomes.{fmt}"
        getattr(outcomes, "write_excel" if fmt == "xlsx" else f"write_{fmt}")(path)
        capsys.readouterr()
        args = ["evaluate", str(path), "--assignment", str(tmp_path / "assignment-xlsx.csv")]
        assert main([*args, "--json"]) == 0
        notes = " ".join(json.loads(capsys.readouterr().out)["notes"])
        assert "over 43 assigned customers; 0 had no outcome row" in notes, (fmt, notes)


def test_a_nul_from_a_parquet_cell_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "assignment.parquet"
    pl.DataFrame({"customer_id": ["a\x00b", "\x00"], "arm": ["x", "y"]}).write_parquet(path)
    assert load_assignment(path).frame["customer_id"].to_list() == ["ab"]
