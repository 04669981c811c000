from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from campaigns.toml_io import load_plan
from crm_tui.cli.main import main


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.toml"
    args = [
        "plan",
        "init",
        "--objective",
        "churn_recall",
        "--orders",
        str(sample_dir / "orders.csv"),
        "--salt",
        "fixed",
        "--out",
        str(path),
    ]
    assert main(args) == 0
    return path


def test_init_records_salt_and_as_of(plan_file: Path) -> None:
    plan = load_plan(plan_file)
    assert plan.salt == "fixed"
    assert plan.as_of is not None
    assert plan.suppress == ("lifecycle = lost",)


def test_check_json(plan_file: Path, sample_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(
        [
            "plan",
            "check",
            str(plan_file),
            "--orders",
            str(sample_dir / "orders.csv"),
            "--profiles",
            str(sample_dir / "profiles.csv"),
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert {"targets", "suppressed", "total_cost"} <= set(report)
    for target in report["targets"]:
        assert (
            sum(target["arms"].values()) + sum(target["suppressed"].values()) == target["customers"]
        )
    assert report["total_cost"] == pytest.approx(sum(t["cost"] for t in report["targets"]))


def test_profiles_without_an_id_are_noted_on_stderr(
    plan_file: Path, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profiles = tmp_path / "profiles.csv"
    profiles.write_text("customer_id,sms_opt_in\nC000001,yes\n,no\n")
    args = ["plan", "check", str(plan_file), "--orders", str(sample_dir / "orders.csv")]
    capsys.readouterr()
    assert main([*args, "--profiles", str(profiles), "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert err.strip() == f"note: {profiles}: 1 row dropped: empty customer (e.g. row 3)"


def test_assign_writes_every_column_and_is_reproducible(
    plan_file: Path, sample_dir: Path, tmp_path: Path
) -> None:
    outs = []
    for name in ("a.csv", "b.parquet"):
        out = tmp_path / name
        args = [
            "plan",
            "assign",
            str(plan_file),
            "--orders",
            str(sample_dir / "orders.csv"),
            "--out",
            str(out),
        ]
        assert main(args) == 0
        outs.append(pl.read_csv(out) if name.endswith(".csv") else pl.read_parquet(out))
    a, b = outs
    expected = [
        "customer_id",
        "target",
        "segment",
        "arm",
        "planned_share",
        "strategy",
        "channel",
        "offer",
        "contact",
        "suppressed_reason",
        "plan_hash",
    ]
    assert a.columns == expected
    assert a["customer_id"].to_list() == b["customer_id"].to_list()
    assert a["arm"].to_list() == b["arm"].to_list()
    assert a["plan_hash"].n_unique() == 1


def test_csv_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    from crm_tui.io.writers import write_safe_csv

    frame = pl.DataFrame({"customer_id": ['=HYPERLINK("x")', "+1", "-2", "@a", "ok"]})
    write_safe_csv(frame, tmp_path / "x.csv")
    cells = pl.read_csv(tmp_path / "x.csv")["customer_id"].to_list()
    assert cells == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@a", "ok"]


def test_bad_plan_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        'schema_version = 1\nname = "x"\nobjective = "custom"\nsalt = "s"\n'
        '[[targets]]\nname = "t"\nselector = "lifecycle = slepping"\n'
    )
    assert main(["plan", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'sleeping'" in err and "Traceback" not in err


def test_init_refuses_to_overwrite(plan_file: Path) -> None:
    before = plan_file.read_text()
    assert main(["plan", "init", "--objective", "custom", "--out", str(plan_file)]) == 2
    assert plan_file.read_text() == before


@pytest.mark.parametrize("verb", ["check", "assign"])
@pytest.mark.parametrize(
    "flag", [["--as-of", "2025-01-01"], ["--tiers", "1,2"], ["--lifecycle-days", "1,2,3"]]
)
def test_plan_commands_take_no_segmentation_flags(
    verb: str, flag: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan says how it segments; a flag that would be ignored does not exist."""
    with pytest.raises(SystemExit) as exit_:
        main(["plan", verb, "plan.toml", *flag, "--out", "a.csv"])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_init_records_the_segmentation_flags(tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.toml"
    args = ["plan", "init", "--objective", "custom", "--salt", "s", "--out", str(out)]
    assert main([*args, "--tiers", "100,300", "--lifecycle-days", "20,40,80"]) == 0
    plan = load_plan(out)
    assert plan.segmentation.tier_thresholds == (100.0, 300.0)
    assert plan.segmentation.lifecycle_days == (20.0, 40.0, 80.0)


def test_an_empty_salt_is_refused(tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.toml"
    assert main(["plan", "init", "--objective", "custom", "--salt", " ", "--out", str(out)]) == 2
    assert "salt" in capsys.readouterr().err and not out.exists()


def test_a_plan_assigns_with_the_data_it_was_checked_against(
    tmp_path: Path, sample_dir: Path, capsys
) -> None:
    """The README tour's trap: checked with profiles, assigned without, opt-outs contacted."""
    import shutil

    for name in ("orders.csv", "profiles.csv"):
        shutil.copy(sample_dir / name, tmp_path / name)
    plan = tmp_path / "plan.toml"
    orders, profiles = ["--orders", str(tmp_path / "orders.csv")], str(tmp_path / "profiles.csv")
    init = ["plan", "init", "--objective", "churn_recall", "--salt", "s", *orders]
    assert main([*init, "--out", str(plan)]) == 0
    comments = [line for line in plan.read_text().splitlines() if line.startswith("#")]
    capsys.readouterr()
    assert main(["plan", "check", str(plan), "--profiles", profiles, "--record", "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert [line for line in plan.read_text().splitlines() if line.startswith("#")] == comments
    assert load_plan(plan).data.profiles is not None

    out = tmp_path / "assignment.csv"
    assert main(["plan", "assign", str(plan), "--out", str(out)]) == 0  # no data flags
    assignment = pl.read_csv(out, infer_schema=False)  # a hash may be all digits
    assert assignment["plan_hash"].unique().to_list() == [checked["plan_hash"]]
    opted_out = assignment.filter(pl.col("suppressed_reason").str.starts_with("opted out"))
    assert opted_out.height == sum(
        n for reason, n in checked["suppressed"].items() if reason.startswith("opted out")
    )
    assert opted_out.height > 0

    with (tmp_path / "profiles.csv").open("a") as handle:
        handle.write("new-customer,true,true,true,true,true\n")
    capsys.readouterr()
    again = ["plan", "assign", str(plan), "--out", str(tmp_path / "again.csv")]
    assert main(again) == 2
    err = capsys.readouterr().err
    assert "profiles.csv: changed since the plan was checked" in err and "--changed-data" in err
    assert not (tmp_path / "again.csv").exists()
    assert main([*again, "--changed-data"]) == 0


def test_a_plan_records_a_folder_of_parts_and_notices_a_changed_part(
    tmp_path: Path, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = pl.read_csv(sample_dir / "orders.csv", infer_schema=False)
    (tmp_path / "orders").mkdir()
    half = orders.height // 2
    orders.head(half).write_parquet(tmp_path / "orders" / "a.parquet")
    orders.slice(half).write_parquet(tmp_path / "orders" / "b.parquet")
    plan = tmp_path / "plan.toml"
    init = ["plan", "init", "--objective", "churn_recall", "--salt", "s"]
    assert main([*init, "--orders", str(tmp_path / "orders"), "--out", str(plan)]) == 0
    assert main(["plan", "check", str(plan), "--record"]) == 0
    recorded = load_plan(plan).data.orders
    assert recorded is not None and recorded.path == "orders"

    orders.slice(half + 1).write_parquet(tmp_path / "orders" / "b.parquet")
    capsys.readouterr()
    assert main(["plan", "assign", str(plan), "--out", str(tmp_path / "a.csv")]) == 2
    assert "orders: changed since the plan was checked" in capsys.readouterr().err
