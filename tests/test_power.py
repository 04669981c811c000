from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from campaigns import Arm, CampaignPlan, Costs, Offer, Target
from campaigns.check import check_plan
from campaigns.power import (
    cohens_h,
    effect_for_power,
    plan_power,
    power_at,
    proportion_mde,
    size_for_effect,
)

SM = NormalIndPower()


@pytest.mark.parametrize(("n1", "n2"), [(100, 100), (800, 200), (5000, 1250), (37, 512)])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_power_matches_statsmodels(n1: int, n2: int, alpha: float) -> None:
    for effect in (0.01, 0.1, 0.3):
        assert power_at(effect, n1, n2, alpha) == pytest.approx(
            SM.power(effect, n1, alpha, ratio=n2 / n1), abs=1e-12
        )
    solved = SM.solve_power(effect_size=None, nobs1=n1, alpha=alpha, power=0.8, ratio=n2 / n1)
    # statsmodels solves only to about 1e-5; the exact check is the power at our root, below
    assert effect_for_power(n1, n2, alpha, 0.8) == pytest.approx(solved, rel=1e-4)
    assert power_at(effect_for_power(n1, n2, alpha, 0.8), n1, n2, alpha) == pytest.approx(0.8)


def test_proportion_mde_and_size_against_statsmodels() -> None:
    p0, n1, n2 = 0.05, 4000, 1000
    mde = proportion_mde(p0, n1, n2, 0.05, 0.8)
    h = proportion_effectsize(p0 + mde, p0)
    assert h == pytest.approx(cohens_h(p0 + mde, p0))
    assert SM.power(h, n1, 0.05, ratio=n2 / n1) == pytest.approx(0.8, abs=1e-9)
    need = size_for_effect(proportion_effectsize(0.06, 0.05), 0.25, 0.05, 0.8)
    expected = SM.solve_power(proportion_effectsize(0.06, 0.05), None, 0.05, 0.8, ratio=0.25)
    assert need == pytest.approx(expected, rel=1e-6)


def test_revenue_mde_is_effect_times_sd() -> None:
    result = plan_power("revenue_per_customer", 20.0, 80.0, "history", 3000, 1000, 0.05, 0.8, 0.2)
    assert result.mde_abs == pytest.approx(effect_for_power(3000, 1000, 0.05, 0.8) * 80.0)
    expected = SM.solve_power(20.0 * 0.2 / 80.0, None, 0.05, 0.8, ratio=1000 / 3000)
    assert result.needed_treatment == math.ceil(expected)


def test_budget_arithmetic_and_trim() -> None:
    import polars as pl

    n = 1000
    frame = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "lifecycle": ["sleeping" if i % 2 else "silent" for i in range(n)],
            "average_order_value": [150.0] * n,
        }
    )
    plan = CampaignPlan(
        name="b",
        objective="custom",
        salt="x",
        budget_cap=100.0,
        targets=(
            Target(
                "sleeping",
                "lifecycle = sleeping",
                channel="sms",
                contact_cap=2,
                offer=Offer("coupon", 20.0, 99.0),
                costs=Costs(0.05, 0.1),
            ),
            Target(
                "silent",
                "lifecycle = silent",
                channel="sms",
                contact_cap=1,
                offer=Offer("percent", 10.0),
                costs=Costs(0.1, 0.2),
                arms=(Arm("control", 0.5, control=True), Arm("t", 0.5)),
            ),
        ),
    )
    report, assignment = check_plan(plan, frame)
    sleeping, silent = report.targets
    treated = int((assignment.filter(pl.col("target") == "sleeping")["arm"] == "treatment").sum())
    assert sleeping.contacts == treated * 2
    assert sleeping.cost == pytest.approx(treated * 2 * 0.05 + treated * 0.1 * 20.0)
    t = silent.arms["t"]
    assert silent.cost == pytest.approx(t * 0.1 + t * 0.2 * (0.10 * 150.0))
    assert report.total_cost == pytest.approx(sleeping.cost + silent.cost)
    assert report.trim[0] == "silent"
    assert any("over the cap" in w for w in report.warnings)
    json = report.to_json()
    assert {"targets", "suppressed", "total_cost"} <= set(json)
    assert {"name", "customers", "arms", "mde", "cost"} <= set(json["targets"][0])


def test_a_rate_already_at_100_percent_needs_no_impossible_sample() -> None:
    """Everyone bought in the window: a +20% lift cannot exist, and sizing says so."""
    from campaigns.power import plan_power

    result = plan_power("conversion_rate", 1.0, None, "history", 100, 100, 0.05, 0.8, 0.2)
    assert result.needed_treatment is None and result.needed_control is None


def test_targets_are_powered_at_the_alpha_the_evaluation_demands() -> None:
    """Holm over 2 primary metrics x 2 treatment arms: the strictest step is alpha / 4."""
    import polars as pl

    n = 4000
    frame = pl.DataFrame(
        {"customer_id": [f"c{i}" for i in range(n)], "lifecycle": ["sleeping"] * n}
    )
    arms = (Arm("control", 0.2, control=True), Arm("a", 0.4), Arm("b", 0.4))
    target = Target("sleeping", "lifecycle = sleeping", baseline=0.05, arms=arms)
    plan = CampaignPlan(
        name="p",
        objective="custom",
        salt="x",
        targets=(target,),
        primary_metrics=("conversion_rate", "roi"),
    )
    assert plan.tested_alpha(target) == pytest.approx(0.05 / 4)
    report, _ = check_plan(plan, frame)
    power = report.targets[0].power
    assert power.alpha == pytest.approx(0.0125)
    expected = proportion_mde(0.05, power.n_treatment, power.n_control, 0.0125, 0.8)
    assert power.mde_abs == pytest.approx(expected)


def _small_plan(customers: int) -> tuple[CampaignPlan, object]:
    import polars as pl

    frame = pl.DataFrame(
        {"customer_id": [f"c{i}" for i in range(customers)], "lifecycle": ["lost"] * customers}
    )
    plan = CampaignPlan(
        name="small",
        objective="custom",
        salt="s",
        targets=(Target("all", "lifecycle = lost", baseline=0.05),),
    )
    return plan, frame


def test_sample_size_is_for_the_planned_split_not_the_one_a_small_audience_gave() -> None:
    """20/80 planned: +20% needs control = 0.25 x treatment, whatever split 37 customers got."""
    plan, frame = _small_plan(37)
    report, _ = check_plan(plan, frame)
    (target,) = report.targets
    n_control, n_treatment = target.arms["control"], target.arms["treatment"]
    assert n_control / n_treatment != pytest.approx(0.25)  # the achieved split is not the plan's
    effect = proportion_effectsize(0.05 * 1.2, 0.05)
    expected = SM.solve_power(effect, None, 0.05, 0.8, ratio=0.25)
    assert target.power.needed_treatment == math.ceil(expected)
    assert target.power.needed_control == math.ceil(expected * 0.25)


def test_an_arm_left_empty_is_warned_of() -> None:
    plan, frame = _small_plan(2)
    report, _ = check_plan(plan, frame)
    (target,) = report.targets
    empty = [arm for arm, n in target.arms.items() if n == 0]
    assert empty, target.arms  # two customers at 20/80 leave one arm empty with this salt
    assert any(f"no customers in {empty[0]}" in w for w in report.warnings)


def test_a_history_where_nobody_converted_says_why_there_is_no_mde() -> None:
    from dataclasses import replace

    from campaigns.check import Baseline

    plan, frame = _small_plan(400)
    plan = replace(plan, targets=(replace(plan.targets[0], baseline=None),))
    report, _ = check_plan(plan, frame, baselines={"all": Baseline(0.0, 0.0, 0.0, 400)})
    (target,) = report.targets
    assert target.power.baseline == 0 and target.power.mde_rel is None
    assert report.warnings == (
        "all: none of these customers converted in the same days before (baseline 0), so no "
        "lift can be sized; set baseline = ... for its MDE",
    )
