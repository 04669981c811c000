from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from campaigns import Arm, CampaignPlan, PlanError, Target
from campaigns.assign import assign, pick_arms, target_customers, unit_hash


def customers(n: int, offset: int = 0) -> pl.DataFrame:
    stages = ["active", "silent", "sleeping", "lost"]
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(offset, offset + n)],
            "lifecycle": [stages[i % 4] for i in range(offset, offset + n)],
            "orders": [1 + i % 3 for i in range(offset, offset + n)],
        }
    )


def plan(**changes) -> CampaignPlan:
    base = CampaignPlan(
        name="t",
        objective="custom",
        salt="salt-1",
        targets=(
            Target("sleeping", "lifecycle = sleeping"),
            Target("repeat", "orders >= 2"),
            Target("rest", "all"),
        ),
    )
    return CampaignPlan(**{**base.__dict__, **changes})


def test_unit_hash_is_documented_sha256() -> None:
    digest = hashlib.sha256(b"salt-1:c42").digest()
    assert unit_hash("salt-1", ["c42"])[0] == int.from_bytes(digest[:8], "big") / 2**64


@settings(max_examples=60, deadline=None)
@given(salt=st.text(max_size=12), ids=st.lists(st.text(max_size=20), max_size=30))
def test_unit_hash_over_a_column_is_hashlib_one_id_at_a_time(salt: str, ids: list[str]) -> None:
    """The vectorised hash keeps every saved plan's split: the same number for any id."""
    expected = [
        int.from_bytes(hashlib.sha256(f"{salt}:{cid}".encode()).digest()[:8], "big") / 2**64
        for cid in ids
    ]
    assert unit_hash(salt, ids).tolist() == expected


def test_first_match_and_overlaps() -> None:
    frame = customers(12)
    targeting = target_customers(plan(), frame)
    got = dict(targeting.frame.select("customer_id", "target").iter_rows())
    for row in frame.iter_rows(named=True):
        if row["lifecycle"] == "sleeping":
            expected = "sleeping"
        elif row["orders"] >= 2:
            expected = "repeat"
        else:
            expected = "rest"
        assert got[row["customer_id"]] == expected
    sleeping_repeat = frame.filter((pl.col("lifecycle") == "sleeping") & (pl.col("orders") >= 2))
    assert targeting.overlaps["repeat"] == {"sleeping": sleeping_repeat.height}
    assert targeting.selected["rest"] == 12
    assert (
        sum(targeting.overlaps["rest"].values())
        == 12 - targeting.frame.filter(pl.col("target") == "rest").height
    )
    assert targeting.frame["customer_id"].is_unique().all()


def test_assignment_rows_come_by_target_name_then_id_and_read_as_text() -> None:
    """The labels are Categorical to save memory; the rows still come in the order of their
    text (not of the plan, nor of the categories' first use), as the files always had them."""
    assignment, _ = assign(plan(), customers(40))
    rows = assignment.select(pl.col("target", "customer_id").cast(pl.String)).rows()
    assert rows == sorted(rows)
    assert [t for t, _ in rows[:1]] == ["repeat"]  # the plan lists it second
    assert assignment.schema["segment"] == pl.Categorical


def test_same_salt_same_arms_and_stable_when_customers_are_added() -> None:
    a, _ = assign(plan(), customers(2000))
    b, _ = assign(plan(), customers(2000))
    assert a.equals(b)
    grown, _ = assign(plan(), pl.concat([customers(500, offset=5000), customers(2000)]))
    arms_before = dict(a.select("customer_id", "arm").iter_rows())
    arms_after = dict(grown.select("customer_id", "arm").iter_rows())
    assert all(arms_after[c] == arm for c, arm in arms_before.items())


def test_different_salt_is_independent() -> None:
    a, _ = assign(plan(salt="one"), customers(4000))
    b, _ = assign(plan(salt="two"), customers(4000))
    table = (
        a.select("customer_id", pl.col("arm").alias("a"))
        .join(b.select("customer_id", pl.col("arm").alias("b")), on="customer_id")
        .group_by("a", "b")
        .len()
        .pivot(on="b", index="a", values="len")
        .sort("a")
    )
    counts = table.drop("a").to_numpy()
    assert stats.chi2_contingency(counts).pvalue > 0.001


@settings(max_examples=30, deadline=None)
@given(
    shares=st.lists(st.integers(1, 9), min_size=2, max_size=4),
    salt=st.text(min_size=1, max_size=10),
)
def test_split_proportions_within_binomial_bounds(shares, salt) -> None:
    n = 3000
    total = sum(shares)
    arms = [Arm(f"arm{i}", s / total, control=i == 0) for i, s in enumerate(shares)]
    ids = [f"id-{i}" for i in range(n)]
    picked = pick_arms(unit_hash(salt, ids), arms)
    for arm in arms:
        k = int((picked == arm.name).sum())
        lo, hi = stats.binom.ppf([0.00005, 0.99995], n, arm.share)
        assert lo <= k <= hi, (arm, k)


def test_suppression_is_listed_with_reason() -> None:
    frame = customers(400)
    profiles = pl.DataFrame(
        {"customer_id": frame["customer_id"], "sms_opt_in": [i % 5 != 0 for i in range(400)]}
    )
    p = plan(
        suppress=("lifecycle = lost",),
        holdout_share=0.1,
        targets=(Target("sleeping", "lifecycle = sleeping"), Target("rest", "all")),
    )
    out, _ = assign(p, frame, profiles)
    assert out.height == 400
    reasons = out.group_by("suppressed_reason").len()
    reasons = dict(reasons.iter_rows())
    holdout = unit_hash(p.holdout_salt, frame["customer_id"].to_list()) < 0.1
    assert reasons["global holdout"] == int(holdout.sum())
    lost = frame.with_columns(pl.Series("h", holdout)).filter(
        (pl.col("lifecycle") == "lost") & ~pl.col("h")
    )
    assert reasons["suppressed segment (lifecycle = lost)"] == lost.height
    suppressed = out.filter(pl.col("suppressed_reason").is_not_null())
    assert suppressed["arm"].null_count() == suppressed.height
    assert not suppressed["contact"].any()
    opted_out = out.filter(pl.col("suppressed_reason") == "opted out of sms")
    assert opted_out.height > 0


def test_target_arms_override_and_control_not_contacted() -> None:
    arms = (Arm("control", 0.2, control=True), Arm("a", 0.4), Arm("b", 0.4))
    p = plan(targets=(Target("all", "all", arms=arms),))
    out, _ = assign(p, customers(1000))
    assert set(out["arm"]) == {"control", "a", "b"}
    control = out.filter(pl.col("arm") == "control")
    assert (control["channel"] == "none").all() and not control["contact"].any()


def test_unknown_selector_value_fails_clearly() -> None:
    from campaigns import PlanError

    with pytest.raises(PlanError, match="did you mean 'sleeping'"):
        assign(plan(targets=(Target("x", "lifecycle = sleepin"),)), customers(10))


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.one_of(st.none(), st.integers(0, 5).map(float)), min_size=2, max_size=40),
    top=st.one_of(st.floats(0.05, 1.0), st.integers(1, 50).map(float)),
)
def test_top_takes_the_highest_ranked_of_the_selected(scores: list, top: float) -> None:
    """Against a direct sort: highest score first, ties by id, unscored never, then the share
    (rounded) or the number asked for; customers the selector leaves out are never ranked."""
    n = len(scores)
    customers = pl.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(n)],
            "lifecycle": ["sleeping" if i % 3 else "active" for i in range(n)],
            "clv": scores,
        }
    )
    target = Target("t", "lifecycle = sleeping", rank="clv", top=top)
    got = set(target_customers(plan_of(target), customers).frame["customer_id"])
    ranked = sorted(
        (-s, cid) for cid, life, s in customers.iter_rows() if life == "sleeping" and s is not None
    )
    limit = round(len(ranked) * top) if top <= 1 else int(top)
    assert got == {cid for _, cid in ranked[:limit]}


def plan_of(*targets: Target) -> CampaignPlan:
    return CampaignPlan(name="p", objective="custom", salt="s", targets=targets)


def test_rank_names_a_column_the_customers_have() -> None:
    customers = pl.DataFrame({"customer_id": ["a"], "lifecycle": ["sleeping"]})
    target = Target("t", "lifecycle = sleeping", rank="clv", top=0.5)
    with pytest.raises(PlanError, match="rank 'clv': no such column"):
        target_customers(plan_of(target), customers)
