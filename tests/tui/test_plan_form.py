"""Whatever the Plan form accepts is a plan the TOML reader reads back, equal to it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import Arm, Offer
from campaigns.library import STRATEGIES, starter_plan
from campaigns.model import CHANNELS, METRICS, OBJECTIVES, OFFER_KINDS
from campaigns.rules import plan_problems
from campaigns.toml_io import dumps, loads
from crm_tui.tui.panes.plan_form import PlanFields, TargetFields, edit_plan

numbers = st.one_of(
    st.floats().map(repr),
    st.integers(-10, 10**7).map(str),
    st.sampled_from(["", " 5 ", "1e400", "-0", "150", "100", "0", "nan", "12,5"]),
    st.text(max_size=5),
)
names = st.text(max_size=12)
arm_lists = st.lists(
    st.tuples(names.filter(lambda s: "," not in s and "=" not in s), numbers), max_size=4
).map(lambda arms: ", ".join(f"{name}={share}" for name, share in arms))
fields = st.builds(
    TargetFields,
    name=names,
    selector=st.text(max_size=30),
    strategy=st.sampled_from(["", *STRATEGIES]),
    channel=st.sampled_from(CHANNELS),
    offer=st.sampled_from(OFFER_KINDS),
    value=numbers,
    min_spend=numbers,
    cap=numbers,
    per_contact=numbers,
    redemption=numbers,
    baseline=st.one_of(st.just(""), numbers),
    rank=st.sampled_from(["", "churn_risk", "revenue", " clv "]),
    top=st.one_of(st.just(""), numbers),
    arms=st.one_of(
        st.just(""),
        st.just("control=0.2, low=0.4 @coupon 5/99, high=0.4 @coupon 10/99"),
        arm_lists.map(lambda arms: arms.replace("=0", "=0 @percent 10", 1)),
        st.text(max_size=20),
    ),
)


plan_fields = st.builds(
    PlanFields,
    name=names,
    metric=st.sampled_from(METRICS),
    days=numbers,
    lift=numbers,
    alpha=st.one_of(numbers, st.just("0.05")),
    power=st.one_of(numbers, st.just("0.8")),
    budget_cap=st.one_of(st.just(""), numbers),
    holdout=numbers,
)


@settings(max_examples=300)
@given(
    objective=st.sampled_from(OBJECTIVES),
    arms=st.one_of(st.just("control=0.2, treatment=0.8"), arm_lists),
    target=fields,
    plan_settings=st.one_of(st.none(), plan_fields),
)
def test_what_the_form_accepts_reads_back(
    objective: str, arms: str, target: TargetFields, plan_settings: PlanFields | None
) -> None:
    plan = starter_plan(objective, "salt", dt.date(2025, 6, 1)).plan
    edit = edit_plan(plan, arms, target, 0, settings=plan_settings)
    assert plan_problems(edit.plan) == []
    assert loads(dumps(edit.plan)) == edit.plan
    if plan_settings is not None and not edit.settings_error:
        assert edit.plan.name == plan_settings.name.strip()
        assert edit.plan.metric == plan_settings.metric
    if not edit.target_error:
        assert edit.plan.targets[0].name == target.name.strip()
    else:
        assert edit.plan.targets[0] == plan.targets[0]


def test_a_percent_over_100_is_refused_where_it_was_typed() -> None:
    plan = starter_plan("churn_recall", "salt").plan
    typed = TargetFields("t", "lifecycle = silent", "", "sms", "percent", "150", "0", "1", "0", "5")
    edit = edit_plan(plan, "control=0.2, treatment=0.8", typed, 0)
    assert "offer.value: expected a percent up to 100, got 150" in edit.target_error
    assert edit.plan.targets[0] == plan.targets[0]


@given(
    lift=st.floats(0.001, 5),
    alpha=st.floats(0.001, 0.5),
    cap=st.one_of(st.none(), st.floats(0.01, 1e9)),
    holdout=st.floats(0, 0.99),
)
def test_the_settings_shown_read_back_to_the_same_plan(
    lift: float, alpha: float, cap: float | None, holdout: float
) -> None:
    """Editing a target re-reads the settings: they must not move by a rounding."""
    from dataclasses import replace

    from crm_tui.tui.panes.plan_form import plan_fields, plan_from_fields

    plan = replace(
        starter_plan("churn_recall", "salt").plan,
        wanted_lift=lift,
        alpha=alpha,
        budget_cap=cap,
        holdout_share=holdout,
    )
    assert plan_from_fields(plan_fields(plan), plan) == plan


arm_names = st.text(min_size=1, max_size=8).filter(
    lambda s: s.strip() == s and not set(s) & set(",=@")
)
offers = st.builds(
    Offer,
    st.sampled_from(OFFER_KINDS),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
)


@given(
    st.lists(
        st.tuples(arm_names, st.floats(0.001, 0.999), st.one_of(st.none(), offers)),
        min_size=2,
        max_size=4,
        unique_by=lambda arm: arm[0],
    )
)
def test_arms_as_shown_read_back_to_the_same_arms(drawn: list) -> None:
    from crm_tui.tui.panes.plan_form import arms_text, parse_arms

    arms = tuple(Arm(n, s, i == 0, o) for i, (n, s, o) in enumerate(drawn))
    assert parse_arms(arms_text(arms)) == arms
