"""Whatever the Plan form accepts is a plan the TOML reader reads back, equal to it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.library import STRATEGIES, starter_plan
from campaigns.model import CHANNELS, OBJECTIVES, OFFER_KINDS
from campaigns.rules import plan_problems
from campaigns.toml_io import dumps, loads
from crm_tui.tui.panes.plan_form import TargetFields, edit_plan

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
)


@settings(max_examples=300)
@given(
    objective=st.sampled_from(OBJECTIVES),
    arms=st.one_of(st.just("control=0.2, treatment=0.8"), arm_lists),
    target=fields,
)
def test_what_the_form_accepts_reads_back(objective: str, arms: str, target: TargetFields) -> None:
    plan = starter_plan(objective, "salt", dt.date(2025, 6, 1)).plan
    edit = edit_plan(plan, arms, target, 0)
    assert plan_problems(edit.plan) == []
    assert loads(dumps(edit.plan)) == edit.plan
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
