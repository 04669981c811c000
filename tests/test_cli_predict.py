"""`crm-tui predict`: the fit, the check and the scores, and one line for what cannot be fitted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from crm_tui.app.sample import sample_paths
from crm_tui.cli.main import main


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sample_shop_fit_check_and_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = str(sample_paths()["orders"])
    out = tmp_path / "scores.csv"
    got = run_json(
        ["predict", orders, "--calibration-end", "2025-09-30", "--out", str(out)], capsys
    )
    assert {"r", "alpha", "a", "b", "time_unit"} <= set(got["bgnbd"])
    assert {"p", "q", "v"} <= set(got["gamma_gamma"])
    check = got["validation"]
    assert check["fitted_to"] == "2025-09-30" and check["holdout_days"] == 93
    assert 0.5 < check["auc"] < 1 and check["auc_ci"][0] < check["auc"] < check["auc_ci"][1]
    scores = pl.read_csv(out, schema_overrides={"customer_id": pl.String})
    assert scores.height == got["customers"] == sum(d["customers"] for d in got["deciles"])
    assert scores["p_alive"].is_between(0, 1).all()
    assert (scores["clv"] >= 0).all() and (scores["expected_purchases"] >= 0).all()
    first, last = got["deciles"][0], got["deciles"][-1]
    assert first["churn_risk"] > last["churn_risk"]
    assert sum(d["clv_total"] for d in got["deciles"]) == pytest.approx(scores["clv"].sum())
    # the sample spans two churn windows: churn_risk is the classifier's, checked on the later
    c = got["churn"]
    assert c["model"] == "logistic regression" and c["horizon_days"] > 0
    assert c["auc_ci"][0] < c["auc"] < c["auc_ci"][1]
    assert set(c["baseline_auc"]) == {"lifecycle", "p_alive", "expected_purchases"}
    assert scores["churn_risk"].is_between(0, 1).all()
    sizes = scores.group_by("churn_decile").len()["len"]
    assert sorted(scores["churn_decile"].unique()) == list(range(1, 11))
    assert sizes.max() - sizes.min() <= 1  # tenths
    riskiest = scores.filter(pl.col("churn_decile") == 1)["churn_risk"].min()
    assert riskiest >= scores.filter(pl.col("churn_decile") == 2)["churn_risk"].max()
    assert scores["churn_reason"].null_count() == 0
    observed = [row["observed"] for row in c["calibration"]]
    assert observed[0] > observed[-1]  # the likeliest returners return more


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        (
            ["a,2025-01-01,10", "b,2025-01-01,20", "a,2025-01-01,5"],
            [],
            "cannot be trusted: only 0 customers bought again; at least 30 needed",
        ),
        (
            ["a,2025-01-01,10", "a,2025-02-01,20", "b,2025-01-03,5"],
            ["--calibration-end", "2026-01-01"],
            "calibration end 2026-01-01: expected a day from 2025-01-01",
        ),
        (["a,2025-01-01,10"], ["--horizon", "0"], "horizon 0: expected days from 1"),
    ],
)
def test_what_cannot_be_fitted_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[str],
    extra: list[str],
    message: str,
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(["customer_id,ordered_at,amount", *rows]) + "\n")
    capsys.readouterr()
    assert main(["predict", str(orders), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_plan_can_target_by_the_models_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The audience of `churn_risk > 0.7 and clv > 100` among sleeping customers is the one
    the segment and predict outputs give, joined and filtered here directly."""
    orders = str(sample_paths()["orders"])
    plan = tmp_path / "plan.toml"
    init = ["plan", "init", "--objective", "churn_recall", "--orders", orders, "--salt", "s1"]
    assert main([*init, "--out", str(plan)]) == 0
    text = plan.read_text()
    old = 'selector = "lifecycle = sleeping and purchases >= 2"'
    assert old in text
    plan.write_text(
        text.replace(old, 'selector = "lifecycle = sleeping and churn_risk > 0.7 and clv > 100"')
    )
    check = run_json(["plan", "check", str(plan)], capsys)
    target = next(t for t in check["targets"] if t["name"] == "sleeping repeat buyers")
    customers, scores = tmp_path / "customers.parquet", tmp_path / "scores.parquet"
    assert main(["segment", orders, "--out", str(customers)]) == 0
    assert main(["predict", orders, "--out", str(scores)]) == 0
    joined = pl.read_parquet(customers).join(pl.read_parquet(scores), on="customer_id")
    expected = joined.filter(
        (pl.col("lifecycle") == "sleeping") & (pl.col("churn_risk") > 0.7) & (pl.col("clv") > 100)
    )
    assert target["selected"] == expected.height > 0


def test_the_top_fifth_by_churn_risk_of_sleeping_customers_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model-built audience: check, assign and evaluate, each step on the same customers."""
    paths = sample_paths()
    orders = str(paths["orders"])
    plan = tmp_path / "plan.toml"
    init = ["plan", "init", "--objective", "churn_recall", "--orders", orders, "--salt", "s2"]
    assert main([*init, "--out", str(plan)]) == 0
    text = plan.read_text()
    old = 'selector = "lifecycle = sleeping and purchases >= 2"'
    plan.write_text(
        text.replace(old, 'selector = "lifecycle = sleeping"\nrank = "churn_risk"\ntop = 0.2')
    )
    check = run_json(["plan", "check", str(plan)], capsys)
    target = next(t for t in check["targets"] if t["name"] == "sleeping repeat buyers")
    customers = tmp_path / "customers.parquet"
    assert main(["segment", orders, "--out", str(customers)]) == 0
    sleeping = pl.read_parquet(customers).filter(pl.col("lifecycle") == "sleeping").height
    assert target["selected"] == round(0.2 * sleeping)
    assignment = tmp_path / "assignment.csv"
    assert main(["plan", "assign", str(plan), "--out", str(assignment)]) == 0
    assigned = pl.read_csv(assignment, infer_schema=False)
    in_target = assigned.filter(pl.col("target") == "sleeping repeat buyers")
    assert in_target.height == target["customers"]
    from crm_tui.app.sample import campaign_results

    outcomes = tmp_path / "outcomes.csv"
    arms = assigned.filter(pl.col("arm").is_not_null()).select("customer_id", "arm")
    campaign_results(arms, seed=4).write_csv(outcomes)
    report = run_json(
        [
            "evaluate",
            str(outcomes),
            "--assignment",
            str(assignment),
            "--plan",
            str(plan),
            "--by",
            "target",
        ],
        capsys,
    )
    segments = {c["segment"] for c in report["comparisons"]}
    assert "sleeping repeat buyers" in segments
