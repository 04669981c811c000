from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from crm_tui.cli.main import main


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("campaign")
    assert main(["sample", "--out", str(out), "--customers", "4000", "--seed", "5"]) == 0
    return out


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sample_campaign_report(campaign: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(sample_args(campaign), capsys)
    assert set(out["srm"]) >= {"p_value", "observed", "expected", "ok"}
    keys = {
        "metric",
        "arm",
        "control",
        "segment",
        "control_value",
        "arm_value",
        "abs_diff",
        "abs_ci",
        "rel_lift",
        "rel_ci",
        "p_value",
        "p_adjusted",
        "test",
    }
    assert out["comparisons"] and keys <= set(out["comparisons"][0])
    assigned = pl.read_csv(campaign / "assignment.csv").filter(pl.col("arm").is_not_null())
    assert sum(out["srm"]["observed"].values()) == assigned.height
    assert any("had no outcome row" in n for n in out["notes"])


def test_markdown_to_file_and_no_clobber(campaign: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    args = [
        "evaluate",
        str(campaign / "results.csv"),
        "--assignment",
        str(campaign / "assignment.csv"),
        "--markdown",
        "--out",
        str(target),
    ]
    assert main(args) == 0
    assert target.read_text().startswith("# Campaign evaluation")
    assert main(args) == 2


def test_srm_warning_leads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n_control, n_treatment = 1000, 1300
    pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n_control + n_treatment)],
            "arm": ["control"] * n_control + ["treatment"] * n_treatment,
            "conversions": [i % 20 == 0 for i in range(n_control + n_treatment)],
        }
    ).write_csv(tmp_path / "r.csv")
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "r.csv")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("SAMPLE RATIO MISMATCH")


def test_chinese_ad_report_aggregated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "report.csv"
    text = (
        "分组,人数,展现量,点击量,加购数,成交笔数,成交金额,花费\n"
        "control,2000,16000,320,90,48,2900,256\n"
        "treatment,8000,64000,2100,700,260,40000,1680\n"
    )
    path.write_bytes(text.encode("gbk"))
    out = run_json(["evaluate", str(path)], capsys)
    metrics = {c["metric"] for c in out["comparisons"]}
    assert {"conversion_rate", "ctr", "roi"} <= metrics
    assert out["unit"] == "aggregated"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("customer_id,arm,clicks\nc1,control,x\nc2,treatment,y\n", [], "no usable"),
        ("customer_id,clicks\nc1,1\n", [], "missing required column arm"),
        ("customer_id,arm,clicks\nc1,a,1\nc2,b,2\n", [], "which arm is the control"),
        ("customer_id,arm,clicks\nc1,control,1\nc2,b,2\n", ["--metrics", "roi"], "needs columns"),
        (
            "customer_id,arm,clicks\nc1,control,1\nc2,b,2\n",
            ["--by", "region"],
            "--by takes a column",
        ),
    ],
)
def test_bad_results_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content)
    capsys.readouterr()
    assert main(["evaluate", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_report_files_take_their_format_from_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.csv"
    rows = "".join(f"c{i},{'ab'[i % 2]},1\n" for i in range(40))
    results.write_text("customer_id,arm,clicks\n" + rows)
    base = ["evaluate", str(results), "--control", "a", "--out"]
    assert main([*base, str(tmp_path / "report.csv")]) == 2
    assert "a report is text" in capsys.readouterr().err
    assert main([*base, str(tmp_path / "report.md")]) == 0
    assert (tmp_path / "report.md").read_text().startswith("# Campaign evaluation")
    assert main([*base, str(tmp_path / "report.json")]) == 0
    assert json.loads((tmp_path / "report.json").read_text())["control"] == "a"


def test_names_reach_no_terminal_and_no_spreadsheet_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.csv"
    arms = ["ctl", "=t\x1b[2Jx\x07"]
    rows = "".join(f"c{i},{arms[i % 2]},{i % 3}\n" for i in range(60))
    results.write_text("customer_id,arm,conversions\n" + rows)
    assert main(["evaluate", str(results), "--control", "ctl"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "=t\\x1b[2Jx\\x07" in out
    assert main(["evaluate", str(results), "--control", "ctl", "--markdown"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| (all)")]
    arm_cells = {line.split("|")[3].strip() for line in table}  # | segment | metric | arm |
    assert arm_cells == {"`=t\\x1b[2Jx\\x07`"}


AGGREGATED = "arm,customers,impressions,clicks,conversions,revenue,cost\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("control,0,10,1,0,0,0\ntreatment,100,50,5,5,50,10\n", "no customers in the row: 1"),
        ("control,nan,10,1,0,0,0\ntreatment,100,50,5,5,50,10\n", "unparseable customers: 1"),
        ("control,1e308,10,1,0,0,0\ntreatment,100,50,5,5,50,10\n", "implausible customers: 1"),
        ("control,100,10,30,0,0,0\ntreatment,100,50,5,5,50,10\n", "more clicks than impressions"),
        ("treatment,100,50,5,5,50,10\n", "only treatment"),
    ],
)
def test_broken_aggregated_rows_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(AGGREGATED + rows)
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("label", ["Total", "合计", "总计"])
def test_a_total_row_is_no_third_arm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    path = tmp_path / "r.csv"
    rows = "control,100,500,30,3,30,5\ntreatment,100,500,50,5,50,10\n"
    path.write_text(AGGREGATED + rows + f"{label},200,1000,80,8,80,15\n")
    assert main(["evaluate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["arms"] == ["control", "treatment"]
    assert any("1 row dropped: total row" in n for n in report["notes"])


def test_nan_revenue_is_dropped_not_averaged(tmp_path: Path, capsys) -> None:
    path = tmp_path / "r.csv"
    rows = [
        f"c{i},{'control' if i % 2 else 'treatment'},{i % 3},{10.0 * (i % 4)}" for i in range(60)
    ]
    rows[7] = "c7,control,1,nan"
    path.write_text("customer_id,arm,conversions,revenue\n" + "\n".join(rows) + "\n")
    assert main(["evaluate", str(path), "--json", "--metrics", "revenue_per_customer"]) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["comparisons"][0]
    control = [10.0 * (i % 4) for i in range(60) if i % 2 and i != 7]
    assert row["control_value"] == pytest.approx(sum(control) / len(control))
    assert row["p_value"] is not None


def test_an_assignment_gives_each_customer_one_arm(tmp_path: Path, capsys) -> None:
    outcomes = tmp_path / "o.csv"
    outcomes.write_text("customer_id,conversions\n" + "".join(f"c{i},{i % 2}\n" for i in range(40)))
    rows = "".join(f"c{i},{'control' if i % 4 == 0 else 'treatment'}\n" for i in range(40))
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("customer_id,arm\n" + rows + "c1,treatment\nc4,control\n")
    assert main(["evaluate", str(outcomes), "--assignment", str(repeated), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sum(report["customers"].values()) == 40
    assert any("2 repeated rows" in n for n in report["notes"])
    split = tmp_path / "split.csv"
    split.write_text("customer_id,arm\n" + rows + "c1,control\n")
    assert main(["evaluate", str(outcomes), "--assignment", str(split)]) == 2
    assert "1 customer is in two arms (e.g. 'c1': control / treatment)" in capsys.readouterr().err


def test_by_takes_any_column_of_the_results_or_the_assignment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arm = ["control" if (i // 20) % 4 == 0 else "treatment" for i in range(800)]
    results = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(800)],
            "arm": arm,
            "conversions": [i % 7 == 0 for i in range(800)],
            "City": [f"city{i % 20:02d}" for i in range(800)],  # a header in its own spelling
        }
    )
    results.write_csv(tmp_path / "r.csv")
    assert main(["evaluate", str(tmp_path / "r.csv"), "--by", "city", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    segments = {c["segment"] for c in report["comparisons"]} - {None}
    assert len(segments) == 12 and "other" in segments
    assert any("20 values; the 11 largest" in n for n in report["notes"])
    # with an assignment: its own columns, and a column only the outcomes file has
    assignment = results.select("customer_id", "arm", pl.Series("target", ["t1", "t2"] * 400))
    assignment.write_csv(tmp_path / "a.csv")
    outcomes = results.drop("arm").head(600)  # the last 200 customers have no outcome row
    outcomes.write_csv(tmp_path / "o.csv")
    base = ["evaluate", str(tmp_path / "o.csv"), "--assignment", str(tmp_path / "a.csv")]
    assert main([*base, "--by", "target", "--json"]) == 0
    by_target = json.loads(capsys.readouterr().out)
    assert {c["segment"] for c in by_target["comparisons"]} == {None, "t1", "t2"}
    assert main([*base, "--by", "City", "--json"]) == 0
    by_city = json.loads(capsys.readouterr().out)
    assert "(none)" in {c["segment"] for c in by_city["comparisons"]}


def sample_args(campaign: Path) -> list[str]:
    return [
        "evaluate",
        str(campaign / "results.csv"),
        "--assignment",
        str(campaign / "assignment.csv"),
        "--plan",
        str(campaign / "plan.toml"),
    ]


def test_the_report_says_what_is_primary_capped_and_incremental(
    campaign: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(sample_args(campaign), capsys)
    assert out["primary"] == ["conversion_rate"]  # the plan's metric
    families = {c["metric"]: c["family"] for c in out["comparisons"]}
    assert families["conversion_rate"] == "primary" and families["ctr"] == "secondary"
    assert out["caps"]["revenue"] > 0 and out["cap_quantile"] == 0.99
    revenue = next(c for c in out["comparisons"] if c["metric"] == "revenue_per_customer")
    assert revenue["uncapped"] is not None
    assert {"prob_beats_control", "risk", "events"} <= set(revenue)
    capsys.readouterr()
    assert main(sample_args(campaign)) == 0
    text = capsys.readouterr().out
    assert "Primary metrics (conversion_rate)" in text
    assert "revenue_per_customer (capped)" in text and "Before capping:" in text
    assert "incremental ROI" in text


def test_a_sequential_look_tests_at_its_own_level(
    campaign: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evaluation.sequential import look

    out = run_json([*sample_args(campaign), "--sequential", "spending", "--day", "3"], capsys)
    expected = look("spending", 3, 30, 0.05)  # the sample plan runs 30 days at alpha 0.05
    assert out["sequential"]["look_alpha"] == pytest.approx(expected.look_alpha)
    assert out["alpha"] == pytest.approx(expected.look_alpha)
    fixed = run_json(sample_args(campaign), capsys)
    for early, once in zip(out["comparisons"], fixed["comparisons"], strict=True):
        if early["abs_ci"] and once["abs_ci"]:
            low, high = ends(early["abs_ci"])
            assert low <= ends(once["abs_ci"])[0] <= ends(once["abs_ci"])[1] <= high


def ends(interval: list[float | None]) -> tuple[float, float]:
    """An interval from JSON, where an end the data cannot bound is null."""
    low, high = interval
    return (-math.inf if low is None else low, math.inf if high is None else high)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sequential", "spending"], "needs the day it is taken on; give --day N"),
        (["--sequential", "always-valid", "--day", "0"], "day 0: expected a whole number"),
        (["--cap", "1.5"], "cap 1.5: expected a quantile"),
    ],
)
def test_bad_sequential_and_cap_settings_are_one_line(
    campaign: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main([*sample_args(campaign), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_why_nothing_was_usable_is_worded_in_the_language_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "totals.csv"
    pl.DataFrame(
        {"customer_id": ["a", ""], "arm": ["Total", "control"], "clicks": [1, 2]}
    ).write_csv(path)
    assert main(["evaluate", str(path)]) == 2
    assert "(empty customer: 1; total row: 1)" in capsys.readouterr().err
    assert main(["--lang", "zh", "evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "（客户为空：1；合计行：1）" in err and "total row" not in err
