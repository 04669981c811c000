"""The core's plan checks: the shop as the plan defines it, history baselines, the cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from campaigns.library import starter_plan
from campaigns.settings import SegmentationSettings
from crm_tui.app.planning import check
from crm_tui.app.shop import ShopFiles, load_shop
from crm_tui.errors import InputError


@pytest.fixture(scope="module")
def shop(sample_dir: Path):
    return load_shop(ShopFiles(sample_dir / "orders.csv", visitors=sample_dir / "visitors.csv"))


def test_a_plan_is_checked_as_it_segments(shop) -> None:
    plan = starter_plan("event_retention", "s", dt.date(2025, 6, 1)).plan
    plan = replace(plan, segmentation=SegmentationSettings(tier_thresholds=(100.0, 300.0)))
    report, assignment = check(plan, shop)
    customers = shop.segment(plan.segmentation, plan.as_of).customers
    # first match by hand: top VIP, then VIP, then the lifecycle targets
    tiers = customers["tier"].cast(str)
    assert report.targets[0].customers == int((tiers == "top VIP").sum())
    assert report.targets[1].customers == int((tiers == "VIP").sum())
    assert assignment.height == sum(t.customers for t in report.targets)
    assert shop.segment(plan.segmentation, plan.as_of) is shop.segment(
        plan.segmentation, plan.as_of
    )


def test_visitors_get_no_history_baseline(shop) -> None:
    """The visitors file has no visit dates, so history cannot say who had visited by then."""
    plan = starter_plan("visitor_conversion", "s").plan
    report, _ = check(plan, shop)
    power = report.targets[0].power
    assert power.baseline_source == "operator" and power.baseline == plan.targets[0].baseline


def test_too_early_an_as_of_names_the_setting(shop) -> None:
    with pytest.raises(InputError, match="no orders to segment before 2000-01-01") as err:
        shop.segment(None, dt.date(2000, 1, 1))
    assert err.value.setting == "as_of"


def test_the_assignment_carries_the_planned_split(shop) -> None:
    """Without the plan, evaluation expects the split the assignment records: the plan's."""
    from crm_tui.app.evaluating import assignment_shares, planned_shares

    plan = starter_plan("custom", "s").plan  # targets with different arms and shares
    _, assignment = check(plan, shop)
    from_plan = planned_shares(plan, assignment)
    from_file = assignment_shares(assignment)
    assert from_file is not None and from_file.keys() == from_plan.keys()
    for arm, share in from_plan.items():
        assert from_file[arm] == pytest.approx(share, rel=1e-12)


def test_each_breakdown_value_is_held_to_its_own_planned_split(shop, tmp_path: Path) -> None:
    """Targets with different arms raise no false alarm; a value whose split broke is named."""
    from crm_tui.app.evaluating import EvaluationRequest, run_evaluation
    from crm_tui.io.writers import write_table

    plan = starter_plan("custom", "s").plan  # 'active': 2 arms 20/80; 'silent': 3 arms 20/40/40
    _, assignment = check(plan, shop)
    assigned = assignment.filter(pl.col("arm").is_not_null())
    write_table(assigned, tmp_path / "assignment.csv")
    outcomes = assigned.select("customer_id", pl.lit(1).alias("conversions"))
    outcomes.write_csv(tmp_path / "outcomes.csv")
    request = EvaluationRequest(
        tmp_path / "outcomes.csv", assignment=tmp_path / "assignment.csv", by="target"
    )
    assert not [n for n in run_evaluation(request).notes if "MISMATCH" in n]

    # lose most of one target's control customers, as a broken data collection would
    lost = assigned.filter((pl.col("target") == "active") & (pl.col("arm") == "control"))
    broken = assigned.join(lost.head(int(lost.height * 0.8)), on="customer_id", how="anti")
    write_table(broken, tmp_path / "broken.csv")
    request = EvaluationRequest(
        tmp_path / "outcomes.csv", assignment=tmp_path / "broken.csv", by="target"
    )
    mismatches = [n for n in run_evaluation(request).notes if "MISMATCH" in n]
    assert len(mismatches) == 1 and "target = active" in mismatches[0]
