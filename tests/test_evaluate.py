from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from crm_tui.app.sample import campaign_results
from evaluation.aggregated import evaluate_aggregated
from evaluation.errors import EvaluationError
from evaluation.evaluate import evaluate, intent_to_treat
from evaluation.model import OVERALL


def per_customer(n: int, seed: int, treat_share: float = 0.5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    impressions = rng.poisson(5, n) + 1
    clicks = rng.binomial(impressions, 0.04)
    conversions = rng.binomial(clicks, 0.3)
    revenue = conversions * rng.pareto(2.5, n) * 50  # heavy tail
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "arm": np.where(rng.random(n) < treat_share, "treatment", "control"),
            "segment": rng.choice(["x", "y"], n),
            "impressions": impressions,
            "clicks": clicks,
            "add_to_cart": rng.binomial(clicks, 0.5),
            "conversions": conversions,
            "revenue": revenue,
            "cost": impressions * 0.1 + clicks * 0.5,
            "pre_revenue": revenue * 0.5 + rng.gamma(1.0, 5.0, n),
        }
    )


def by_name(report, metric: str, segment: str = OVERALL):
    return next(c for c in report.comparisons if c.metric == metric and c.segment == segment)


def test_values_match_direct_computation() -> None:
    frame = per_customer(5000, 1).drop("pre_revenue")
    report = evaluate(frame, "control", by="segment", cap=None)
    t = frame.filter(pl.col("arm") == "treatment")
    c = frame.filter(pl.col("arm") == "control")
    conv = by_name(report, "conversion_rate")
    assert conv.result.arm_value == pytest.approx((t["conversions"] > 0).mean())
    assert conv.result.control_value == pytest.approx((c["conversions"] > 0).mean())
    ctr = by_name(report, "ctr", "x")
    tx = t.filter(pl.col("segment") == "x")
    assert ctr.result.arm_value == pytest.approx(tx["clicks"].sum() / tx["impressions"].sum())
    rpc = by_name(report, "revenue_per_customer")
    welch = stats.ttest_ind(t["revenue"].to_numpy(), c["revenue"].to_numpy(), equal_var=False)
    assert (rpc.result.statistic, rpc.result.df) == pytest.approx(
        (welch.statistic, welch.df), rel=1e-8
    )
    inc = next(i for i in report.incremental if i.segment == OVERALL)
    diff = t["revenue"].mean() - c["revenue"].mean()
    assert inc.incremental_revenue == pytest.approx(diff * t.height, rel=1e-9)
    assert inc.incremental_revenue_ci == pytest.approx(
        tuple(x * t.height for x in rpc.result.abs_ci), rel=1e-9
    )
    extra_cost = t["cost"].mean() - c["cost"].mean()  # the control's costs count too
    assert inc.incremental_cost == pytest.approx(extra_cost * t.height, rel=1e-9)
    assert inc.incremental_roi == pytest.approx(diff / extra_cost, rel=1e-9)
    assert inc.gross_roi == pytest.approx(t["revenue"].sum() / t["cost"].sum(), rel=1e-9)
    vpc = by_name(report, "value_per_converter")
    assert vpc.result.arm_value == pytest.approx(t["revenue"].sum() / (t["conversions"] > 0).sum())
    segments = {c.segment for c in report.comparisons}
    assert segments == {OVERALL, "x", "y"}
    assert all(
        c.p_adjusted is not None and c.p_adjusted >= c.result.p_value
        for c in report.comparisons
        if c.result.p_value is not None
    )


def test_money_is_capped_at_the_pooled_quantile_with_the_uncapped_figures_beside() -> None:
    frame = per_customer(5000, 12).drop("pre_revenue")
    report = evaluate(frame, "control")
    cap = float(np.quantile(frame["revenue"].to_numpy(), 0.99))
    assert report.caps == {"revenue": pytest.approx(cap, rel=1e-9)}
    capped = frame.with_columns(pl.col("revenue").clip(upper_bound=cap))
    plain = evaluate(capped, "control", cap=None)
    raw = evaluate(frame, "control", cap=None)
    for metric in ("revenue_per_customer", "roi", "value_per_converter"):
        row = by_name(report, metric)
        assert row.result.p_value == pytest.approx(by_name(plain, metric).result.p_value)
        assert row.uncapped is not None
        assert row.uncapped.arm_value == pytest.approx(by_name(raw, metric).result.arm_value)
        assert row.uncapped.rel_lift == pytest.approx(by_name(raw, metric).result.rel_lift)
    assert by_name(report, "ctr").uncapped is None
    assert any("capped" in note for note in report.notes)
    inc, on_capped, on_raw = (next(iter(r.incremental)) for r in (report, plain, raw))
    assert inc.incremental_revenue == pytest.approx(on_capped.incremental_revenue, rel=1e-9)
    assert inc.incremental_revenue_ci == pytest.approx(on_capped.incremental_revenue_ci)
    assert inc.incremental_roi_ci == pytest.approx(on_capped.incremental_roi_ci)
    assert inc.uncapped_revenue == pytest.approx(on_raw.incremental_revenue, rel=1e-9)
    assert inc.uncapped_roi == pytest.approx(on_raw.incremental_roi, rel=1e-9)


def test_few_buyers_cap_among_the_buyers() -> None:
    """Where more than 99% spend nothing the 99th percentile is 0: the cap is then the 99th
    percentile of those who spent."""
    frame = per_customer(3000, 13).with_columns(
        pl.when(pl.int_range(pl.len()) % 200 == 0).then(pl.col("revenue") + 10).otherwise(0.0)
    )
    report = evaluate(frame, "control")
    spent = frame.filter(pl.col("revenue") > 0)["revenue"].to_numpy()
    assert report.caps["revenue"] == pytest.approx(float(np.quantile(spent, 0.99)), rel=1e-9)
    assert by_name(report, "revenue_per_customer").few_events  # 15 buyers in all
    assert any(n.startswith("revenue_per_customer / treatment: only") for n in report.notes)


def test_cuped_replaces_the_raw_revenue_test_and_narrows_its_interval() -> None:
    frame = per_customer(6000, 2)
    report = evaluate(frame, "control", cap=None)
    y = frame["revenue"].to_numpy()
    x = frame["pre_revenue"].to_numpy()
    theta = np.cov(y, x, ddof=1)[0, 1] / x.var(ddof=1)
    adjusted = y - theta * (x - x.mean())
    arm = frame["arm"].to_numpy()
    expected = stats.ttest_ind(
        adjusted[arm == "treatment"], adjusted[arm == "control"], equal_var=False
    )
    rows = [c for c in report.comparisons if c.metric.startswith("revenue_per_customer")]
    assert len(rows) == 1 and "CUPED" in rows[0].result.test  # one row, not two
    assert rows[0].result.statistic == pytest.approx(expected.statistic, rel=1e-8)
    plain = by_name(
        evaluate(frame.drop("pre_revenue"), "control", cap=None), "revenue_per_customer"
    )
    width = rows[0].result.abs_ci[1] - rows[0].result.abs_ci[0]
    assert width < plain.result.abs_ci[1] - plain.result.abs_ci[0]


def test_intent_to_treat_counts_missing_as_zero() -> None:
    assignment = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "arm": ["control", "treatment", "treatment", None, "control"],
        }
    )
    outcomes = pl.DataFrame(
        {
            "customer_id": ["b", "z", "b"],
            "clicks": [1, 4, 2],
            "conversions": [1, 0, 0],
            "revenue": [10.0, 3.0, 5.0],
        }
    )
    frame, coverage = intent_to_treat(assignment, outcomes)
    assert coverage == {
        "assigned": 4,
        "assigned_without_outcome": 3,
        "outcomes_not_assigned": 1,
        "not_in_an_arm": 1,
    }
    got = dict(frame.select("customer_id", "revenue").iter_rows())
    assert got == {"a": 0.0, "b": 15.0, "c": 0.0, "e": 0.0}


def test_planted_effects_are_recovered() -> None:
    n = 60000
    rng = np.random.default_rng(3)
    assignment = pl.DataFrame(
        {"customer_id": [f"v{i}" for i in range(n)], "arm": rng.choice(["control", "treatment"], n)}
    )
    outcomes = campaign_results(assignment, seed=3)
    frame, _ = intent_to_treat(assignment, outcomes)
    report = evaluate(frame, "control", cap=None)  # the planted lifts are of uncapped money
    expected = {"ctr": 0.65, "roi": 1.33, "cost_per_conversion": -0.51, "value_per_converter": 1.34}
    for metric, lift in expected.items():
        c = by_name(report, metric)
        assert c.result.rel_ci[0] < lift < c.result.rel_ci[1], (
            metric,
            c.result.rel_lift,
            c.result.rel_ci,
        )
    assert abs(by_name(report, "cost_per_click").result.rel_lift) < 0.01
    # the point estimate is the ratio of sums in each arm, computed here directly
    sums = frame.group_by("arm").agg(pl.col("clicks").sum(), pl.col("impressions").sum())
    ctr = {arm: clicks / shown for arm, clicks, shown in sums.iter_rows()}
    ctr_row = by_name(report, "ctr")
    assert ctr_row.result.rel_lift == pytest.approx(
        ctr["treatment"] / ctr["control"] - 1, rel=1e-12
    )


def test_srm_is_flagged() -> None:
    frame = per_customer(10000, 4, treat_share=0.56)
    report = evaluate(frame, "control", shares={"control": 0.5, "treatment": 0.5})
    assert not report.srm.ok and report.srm.p_value < 0.001


def test_aggregated_results_test_what_the_counts_allow() -> None:
    frame = pl.DataFrame(
        {
            "arm": ["control", "treatment"],
            "customers": [2000, 8000],
            "impressions": [16000, 64000],
            "clicks": [320, 2100],
            "conversions": [48, 260],
            "revenue": [2900.0, 40000.0],
            "cost": [256.0, 1680.0],
        }
    )
    report = evaluate_aggregated(frame, "control")
    conv = by_name(report, "conversion_rate")
    ones = [np.r_[np.ones(k), np.zeros(n - k)] for k, n in ((260, 8000), (48, 2000))]
    welch = stats.ttest_ind(*ones, equal_var=False)  # the same test as per customer
    assert conv.result.statistic == pytest.approx(welch.statistic, rel=1e-9)
    assert conv.result.abs_diff == pytest.approx(260 / 8000 - 48 / 2000)
    roi = by_name(report, "roi")
    assert roi.result.p_value is None and roi.result.abs_ci is None
    assert roi.result.arm_value == pytest.approx(40000 / 1680)
    assert any("point estimates only" in n for n in report.notes)


@pytest.mark.parametrize("aggregated", [False, True])
def test_a_segment_named_all_is_counted_once(aggregated: bool) -> None:
    """The overall row's key is one no segment can take: the truth is 1,994 / 2,006."""
    frame = per_customer(4000, 8).with_columns(
        pl.when(pl.col("segment") == "x").then(pl.lit("all")).otherwise("segment").alias("segment")
    )
    truth = dict(frame.group_by("arm").len().iter_rows())
    if aggregated:
        sums = [pl.len().alias("customers"), pl.col("conversions").sum()]
        frame = frame.group_by("arm", "segment").agg(sums)
        report = evaluate_aggregated(frame, "control", by="segment")
    else:
        report = evaluate(frame, "control", by="segment")
    assert report.customers == truth
    overall = by_name(report, "conversion_rate")
    assert overall.n_arm + overall.n_control == sum(truth.values())
    assert {c.segment for c in report.comparisons} == {OVERALL, "all", "y"}


def test_fieller_interval_inverts_its_test() -> None:
    """At Fieller's bounds the test of a - theta * b = 0 sits exactly at its critical value,
    inside the bounds it accepts, outside it rejects; an unsure denominator is unbounded."""
    from evaluation.stats import fieller, z_crit

    a, b, var_a, var_b, cov = 3.854, 0.0697, 0.18, 2.1e-4, 1.1e-3
    interval = fieller(a, b, var_a, var_b, cov, 0.05)
    assert interval is not None and interval.low < a / b < interval.high

    def z(theta: float) -> float:
        return abs(a - theta * b) / math.sqrt(var_a - 2 * theta * cov + theta**2 * var_b)

    assert z(interval.low) == pytest.approx(z_crit(0.05), rel=1e-9)
    assert z(interval.high) == pytest.approx(z_crit(0.05), rel=1e-9)
    assert z(a / b) < z_crit(0.05) < z(interval.high * 1.01)
    assert fieller(a, 0.01, var_a, var_b, cov, 0.05) is None  # b within noise of zero


def test_incremental_roi_on_the_sample_counts_the_control_cost() -> None:
    """The sample's control arm has costs (the usual ads): the extra spend returns about 55."""
    from crm_tui.app.evaluating import EvaluationRequest, run_evaluation
    from crm_tui.app.sample import sample_paths

    paths = sample_paths()
    report = run_evaluation(EvaluationRequest(paths["results"], paths["assignment"], paths["plan"]))
    inc = next(i for i in report.incremental if i.segment == OVERALL)
    assert inc.uncapped_roi == pytest.approx(54.9, abs=0.1)
    assert inc.incremental_roi_ci is not None
    assert inc.incremental_roi_ci.low < inc.incremental_roi < inc.incremental_roi_ci.high
    assert inc.gross_roi == pytest.approx(27.6, abs=0.1)
    assert inc.incremental_revenue < inc.uncapped_revenue  # the interval's is capped revenue


def test_families_primary_secondary_and_breakdown() -> None:
    frame = per_customer(4000, 14).drop("pre_revenue")
    report = evaluate(frame, "control", by="segment", primary=["conversion_rate", "roi"])
    families = {(c.segment == OVERALL, c.metric): c.family for c in report.comparisons}
    assert families[(True, "conversion_rate")] == families[(True, "roi")] == "primary"
    assert families[(True, "ctr")] == "secondary"
    assert {f for (overall, _), f in families.items() if not overall} == {"breakdown"}
    for family in ("primary", "secondary", "breakdown"):
        rows = [c for c in report.comparisons if c.family == family and c.result.p_value]
        expected = stats_holm([c.result.p_value for c in rows])
        assert [c.p_adjusted for c in rows] == pytest.approx(expected)
    with pytest.raises(EvaluationError, match="primary metric 'profit'"):
        evaluate(frame, "control", primary=["profit"])


def stats_holm(p_values: list[float]) -> list[float]:
    from statsmodels.stats.multitest import multipletests

    return list(multipletests(p_values, method="holm")[1])
