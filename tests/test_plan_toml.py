from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns import (
    Arm,
    CampaignPlan,
    Costs,
    Offer,
    Phase,
    PlanError,
    SegmentationSettings,
    Target,
)
from campaigns.library import starter_plan
from campaigns.model import CHANNELS, METRICS
from campaigns.toml_io import dumps, loads, plan_hash, save_plan
from evaluation.metrics import METRICS as EVALUATED

names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
).filter(str.strip)
money = st.floats(0.01, 1e5, allow_nan=False)
shares = st.integers(1, 9)


@st.composite
def arm_sets(draw) -> tuple[Arm, ...]:
    weights = draw(st.lists(shares, min_size=2, max_size=4))
    total = sum(weights)
    labels = draw(st.lists(names, min_size=len(weights), max_size=len(weights), unique=True))
    arms = [Arm(labels[i], w / total, control=i == 0) for i, w in enumerate(weights)]
    # make shares add up to exactly 1 in floating point
    arms[-1] = Arm(arms[-1].name, 1.0 - sum(a.share for a in arms[:-1]), arms[-1].control)
    return tuple(arms)


offers = st.one_of(
    st.builds(Offer, st.sampled_from(["coupon", "gift", "free_shipping"]), money, money),
    st.builds(Offer, st.just("percent"), st.floats(1, 100), money),
    st.builds(Offer, st.sampled_from(["preview", "none"]), st.just(0.0), st.just(0.0)),
)
targets = st.builds(
    Target,
    name=names,
    selector=st.sampled_from(["lifecycle = sleeping", 'tier = "VIP" and orders >= 2', "all"]),
    strategy=st.text(max_size=10),
    channel=st.sampled_from(CHANNELS),
    offer=offers,
    contact_cap=st.integers(0, 5),
    costs=st.builds(Costs, st.floats(0, 10), st.floats(0, 1)),
    arms=st.none() | arm_sets(),
    baseline=st.none() | st.floats(0.001, 0.9),
    phase=st.none(),
    suppress=st.booleans(),
).flatmap(
    lambda t: st.one_of(
        st.just(t),
        st.builds(
            lambda rank, top: replace(t, rank=rank, top=top),
            st.sampled_from(["clv", "churn_risk"]),
            st.floats(0.01, 1) | st.integers(2, 500).map(float),
        ),
    )
)


@settings(max_examples=60, deadline=None)
@given(
    name=names,
    salt=names,
    arms=arm_sets(),
    targets=st.lists(targets, min_size=1, max_size=4, unique_by=lambda t: t.name),
    as_of=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
    metric=st.sampled_from(METRICS),
    cap=st.none() | money,
    holdout=st.floats(0, 0.5),
    suppress=st.lists(st.sampled_from(["lifecycle = lost", "orders = 1"]), max_size=2),
    primary=st.lists(st.sampled_from(sorted(EVALUATED)), unique=True, max_size=3),
)
def test_save_then_load_gives_an_equal_plan(
    name, salt, arms, targets, as_of, metric, cap, holdout, suppress, primary
) -> None:
    plan = CampaignPlan(
        name=name,
        objective="custom",
        salt=salt,
        targets=tuple(targets),
        arms=arms,
        as_of=as_of,
        metric=metric,
        primary_metrics=tuple(primary),
        budget_cap=cap,
        holdout_share=holdout,
        suppress=tuple(suppress),
        segmentation=SegmentationSettings((0.25, 0.5, 0.75), (10.0, 20.0, 30.0), (100.0, 200.0)),
    )
    assert loads(dumps(plan, {"plan": "a comment", "targets[0]": "why"})) == plan


@pytest.mark.parametrize(
    "objective", ["visitor_conversion", "churn_recall", "event_retention", "custom"]
)
def test_starter_plans_round_trip_with_comments(objective: str, tmp_path: Path) -> None:
    starter = starter_plan(objective, "salt", dt.date(2025, 9, 1))
    path = tmp_path / "plan.toml"
    save_plan(starter.plan, path, comments=starter.comments)
    text = path.read_text()
    assert text.startswith("# crm-tui campaign plan")
    assert loads(text) == starter.plan
    assert plan_hash(loads(text)) == plan_hash(starter.plan)


def test_save_never_clobbers(tmp_path: Path) -> None:
    plan = starter_plan("custom", "s").plan
    path = tmp_path / "plan.toml"
    path.write_text("mine")
    with pytest.raises(PlanError, match="already exists"):
        save_plan(plan, path)
    assert path.read_text() == "mine"
    save_plan(plan, path, overwrite=True)
    assert loads(path.read_text()) == plan
    assert [p.name for p in tmp_path.iterdir()] == ["plan.toml"]


GOOD = """
schema_version = 1
name = "p"
objective = "churn_recall"
salt = "s"
[[targets]]
name = "t"
selector = "lifecycle = sleeping"
[targets.offer]
kind = "coupon"
value = 10
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("value = 10", "value = -5"),
            "targets[0].offer.value: expected a positive number, got -5",
        ),
        (('salt = "s"', 'salt = "s"\nalpah = 0.1'), "alpah: unknown key; did you mean 'alpha'?"),
        (('selector = "lifecycle = sleeping"', 'selectr = "x"'), "targets[0].selector: missing"),
        (('objective = "churn_recall"', 'objective = "churn"'), "objective: expected one of"),
        (("schema_version = 1", "schema_version = 9"), "schema_version: expected 1, got 9"),
        (('kind = "coupon"', 'kind = "coupon"\nvalu = 3'), "did you mean 'value'?"),
        (('salt = "s"', 'salt = "s"\nalpha = 1.5'), "alpha: expected a number between 0 and 1"),
        (
            (
                'salt = "s"',
                'salt = "s"\narms = [{name = "a", share = 0.5}, {name = "b", share = 0.5}]',
            ),
            "arms: expected exactly one arm with control = true",
        ),
        (
            (
                'salt = "s"',
                'salt = "s"\narms = [{name = "a", share = 0.5, control = true}, '
                '{name = "b", share = 0.6}]',
            ),
            "arms: shares must add up to 1, got 1.1",
        ),
        (('name = "t"', 'name = "t"\nphase = "main"'), "targets[0].phase: unknown phase 'main'"),
        (('salt = "s"', 'salt = "s"\nas_of = "yesterday"'), "as_of: expected a date"),
        (
            ("[targets.offer]", "contact_cap = -1\n[targets.offer]"),
            "targets[0].contact_cap: expected a whole number >= 0, got -1",
        ),
        (
            ("value = 10", "value = 10\n[segmentation]\nlifecycle_quantiles = [0.6, 0.3, 0.9]"),
            "segmentation.lifecycle_quantiles: expected three increasing numbers",
        ),
        (("value = 10", "value = 10\n[broken"), "not valid TOML"),
        (('name = "t"', 'name = "t"\nrank = "clv"'), "targets[0].top: rank and top go together"),
        (
            ('name = "t"', 'name = "t"\nrank = "clv"\ntop = 2.5'),
            "targets[0].top: expected a share from 0 to 1 or a whole number of customers, got 2.5",
        ),
        (
            ('salt = "s"', 'salt = "s"\nprimary_metrics = ["roi", "profit"]'),
            "primary_metrics: unknown metric 'profit'; expected some of conversion_rate",
        ),
    ],
)
def test_bad_plans_name_the_key(edit: tuple[str, str], message: str) -> None:
    assert loads(GOOD).targets[0].offer.value == 10
    with pytest.raises(PlanError) as err:
        loads(GOOD.replace(*edit, 1), source="plan.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("plan.toml: ")


def test_event_plan_needs_its_phases() -> None:
    text = GOOD.replace('objective = "churn_recall"', 'objective = "event_retention"')
    with pytest.raises(PlanError, match="needs phases warm-up, main, after"):
        loads(text)
    plan = loads(dumps(starter_plan("event_retention", "s").plan))
    assert [p.name for p in plan.phases] == ["warm-up", "main", "after"]
    assert isinstance(plan.phases[0], Phase)


def test_saved_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    import os

    path = tmp_path / "plan.toml"
    save_plan(starter_plan("custom", "s").plan, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_every_broken_rule_is_reported_at_once() -> None:
    text = GOOD.replace("value = 10", "value = 150\n[segmentation]\nlifecycle_days = [1, 2, 1e300]")
    text = text.replace('kind = "coupon"', 'kind = "percent"')
    with pytest.raises(PlanError) as err:
        loads(text, source="plan.toml")
    assert err.value.problems == [
        "plan.toml: targets[0].offer.value: expected a percent up to 100, got 150",
        "plan.toml: segmentation.lifecycle_days: expected three increasing numbers of days "
        "from 0 to 36,500, got 1, 2, 1e+300",
    ]


def test_recorded_data_round_trips_and_is_checked() -> None:
    from campaigns import DataFile, PlanData

    data = PlanData(orders=DataFile("orders.csv", "a" * 64), profiles=DataFile("/p.csv", "b" * 64))
    plan = replace(loads(GOOD), data=data)
    assert loads(dumps(plan)) == plan
    broken = dumps(plan).replace("b" * 64, "not-a-hash")
    with pytest.raises(PlanError, match=r"data\.profiles\.sha256: expected 64 hex digits"):
        loads(broken)


def test_naming_no_primary_metrics_keeps_the_plan_hash() -> None:
    """Plans saved before primary metrics existed keep the hash their assignments record."""
    plan = loads(GOOD)
    assert "primary_metrics" not in dumps(plan)
    assert plan.primaries() == (plan.metric,)
    named = replace(plan, primary_metrics=("conversion_rate", "roi"))
    assert plan_hash(named) != plan_hash(plan)
    assert loads(dumps(named)).primaries() == ("conversion_rate", "roi")
