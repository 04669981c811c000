"""The core's plan checks: the shop as the plan defines it, history baselines, the cache."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

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
