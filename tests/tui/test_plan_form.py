"""Whatever the Plan form accepts is a plan the TOML reader reads back, equal to it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import Arm, Offer
from campaigns.library import STRATEGIES, starter_plan
from campaigns.model import CHANNELS, METRICS, OBJECTIVES, OFFER_KINDS, Phase
from campaigns.rules import plan_problems
from campaigns.toml_io import dumps, loads
from crm_tui.tui.panes.plan_form import PlanFields, TargetFields, edit_plan
from evaluation.metrics import METRICS as EVALUATED

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
    phase=st.sampled_from(["", "main", " warm-up ", "later", "主"]),
    suppress=st.booleans(),
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
    objective=st.sampled_from(OBJECTIVES),
    salt=st.one_of(names, st.just("salt")),
    holdout_salt=st.one_of(names, st.just("crm-tui-global-holdout")),
    primary=st.one_of(
        st.just(""),
        st.lists(st.sampled_from([*EVALUATED, "ctr2", ""]), max_size=3).map(", ".join),
        st.text(max_size=12),
    ),
    suppress=st.one_of(
        st.just(""),
        st.lists(st.sampled_from(["lifecycle = lost", 'tier = "V;IP"', "all", ""])).map("; ".join),
        st.text(max_size=20),
    ),
    phases=st.one_of(
        st.just(""),
        st.just(
            "warm-up=2025-11-01..2025-11-10, main=2025-11-11..2025-11-11, "
            "after=2025-11-12..2025-11-20"
        ),
        st.just("main=2025-11-11..2025-11-01"),
        st.text(max_size=20),
    ),
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
        assert edit.plan.objective == plan_settings.objective
        assert edit.plan.salt == plan_settings.salt.strip()
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
    suppress=st.lists(st.sampled_from(["lifecycle = lost", " all ", 'tier = "a;b"']), max_size=3),
    primary=st.lists(st.sampled_from(list(EVALUATED)), max_size=3, unique=True),
    phases=st.lists(
        st.tuples(
            st.sampled_from(["warm-up", "main", "主会场", "a b"]), st.dates(), st.integers(0, 30)
        ),
        max_size=3,
        unique_by=lambda p: p[0],
    ),
    salt=st.text(min_size=1).filter(str.strip),
)
def test_the_settings_shown_read_back_to_the_same_plan(
    lift: float,
    alpha: float,
    cap: float | None,
    holdout: float,
    suppress: list[str],
    primary: list[str],
    phases: list,
    salt: str,
) -> None:
    """Editing a target re-reads the settings: they must not move by a rounding."""
    from dataclasses import replace

    from crm_tui.tui.panes.plan_form import (
        parse_phases,
        plan_fields,
        plan_from_fields,
        split_selectors,
    )

    plan = replace(
        starter_plan("churn_recall", "salt").plan,
        wanted_lift=lift,
        alpha=alpha,
        budget_cap=cap,
        holdout_share=holdout,
        salt=salt,
        holdout_salt=salt,
        suppress=tuple(suppress),
        primary_metrics=tuple(primary),
        phases=tuple(Phase(n, d, d + dt.timedelta(days=k)) for n, d, k in phases),
    )
    assert plan_from_fields(plan_fields(plan), plan) == plan
    # typed afresh rather than left as shown, they read to the same values but for the spaces
    shown = plan_fields(plan)
    assert split_selectors(shown.suppress) == tuple(s.strip() for s in suppress)
    assert parse_phases(shown.phases) == plan.phases


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
