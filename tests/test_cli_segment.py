from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from crm_tui.cli.main import main


def test_segment_json(sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "segment",
            str(sample_dir / "orders.csv"),
            "--json",
            "--visitors",
            str(sample_dir / "visitors.csv"),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "orders",
        "customers",
        "revenue",
        "as_of",
        "repeat_rate",
        "lifecycle_thresholds_days",
        "first_order_value_cuts",
        "dropped",
        "schemes",
    ):
        assert key in out
    assert len(out["lifecycle_thresholds_days"]) == 3
    assert set(out["schemes"]) == {"lifecycle", "rfm", "first_order_value", "tier", "visitor"}
    lifecycle = out["schemes"]["lifecycle"]
    assert sum(r["customers"] for r in lifecycle) == out["customers"]
    assert {"segment", "customers", "revenue"} <= set(lifecycle[0])
    orders = pl.read_csv(sample_dir / "orders.csv").filter(pl.col("status") == "paid")
    assert out["orders"] == orders.height
    assert out["revenue"] == pytest.approx(orders["amount"].sum(), abs=0.01)


def test_segment_out_refuses_to_overwrite(sample_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "customers.parquet"
    target.write_text("precious")
    assert main(["segment", str(sample_dir / "orders.csv"), "--out", str(target)]) == 2
    assert target.read_text() == "precious"
    assert main(["segment", str(sample_dir / "orders.csv"), "--out", str(target), "--force"]) == 0
    assert pl.read_parquet(target).height > 0


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "orders.csv"
    bad.write_text("who,when\nx,y\n")
    result = subprocess.run(
        [sys.executable, "-m", "crm_tui", "segment", str(bad)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "missing required column" in lines[0] and str(bad) in lines[0]


def test_segment_does_not_import_textual(sample_dir: Path) -> None:
    code = (
        "import sys; from crm_tui.cli.main import main; "
        f"main(['segment', {str(sample_dir / 'orders.csv')!r}, '--json']); "
        "sys.stderr.write(str(any(m.startswith('textual') for m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().endswith("False")


def test_sample_command_is_deterministic_and_safe(tmp_path: Path) -> None:
    assert main(["sample", "--out", str(tmp_path / "a"), "--customers", "500", "--seed", "3"]) == 0
    assert main(["sample", "--out", str(tmp_path / "b"), "--customers", "500", "--seed", "3"]) == 0
    from crm_tui.app.sample import FILE_NAMES

    for name in FILE_NAMES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert main(["sample", "--out", str(tmp_path / "a"), "--customers", "500"]) == 2


def test_visitors_without_an_id_are_counted_and_shown(
    sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visitors = tmp_path / "visitors.csv"
    visitors.write_text("customer_id,page_views\nv1,3\n,2\nv2,1\n  ,4\n")
    args = ["segment", str(sample_dir / "orders.csv"), "--visitors", str(visitors)]
    assert main([*args, "--json"]) == 0
    side = json.loads(capsys.readouterr().out)["side_files"]
    assert side == [
        {
            "source": str(visitors),
            "rows_read": 4,
            "rows_kept": 2,
            "dropped": {"empty customer": 2},
            "dropped_examples": {"empty customer": [3, 5]},
        }
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"{visitors}  (layout: plain)" in text
    assert "rows read 4, kept 2, dropped 2" in text
    assert "2 rows dropped: empty customer (e.g. rows 3, 5)" in text


@pytest.mark.parametrize("days", ["10,inf,30", "10,20,1e300", "30,20,10", "nan,1,2"])
def test_absurd_lifecycle_days_are_one_line(
    sample_dir: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    assert main(["segment", str(sample_dir / "orders.csv"), "--lifecycle-days", days]) == 2
    err = capsys.readouterr().err
    assert "lifecycle_days: expected three increasing numbers of days" in err
    assert len(err.strip().splitlines()) == 1
