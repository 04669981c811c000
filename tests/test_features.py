from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from order_tables import (
    START,
    Row,
    daily_by_hand,
    features_by_hand,
    order_frame,
    order_rows,
)

from crm_tui.engine import features
from crm_tui.engine.features import customer_features, purchases, purchases_before


def assert_matches_by_hand(rows: list[Row]) -> None:
    got = {r["customer_id"]: r for r in customer_features(order_frame(rows)).iter_rows(named=True)}
    expected = features_by_hand(rows)
    assert set(got) == set(expected)
    for cid, want in expected.items():
        for key, value in want.items():
            assert got[cid][key] == pytest.approx(value), (cid, key)


@settings(max_examples=60, deadline=None)
@given(order_rows)
def test_features_match_pure_python(rows: list[Row]) -> None:
    assert_matches_by_hand(rows)


@settings(max_examples=60, deadline=None)
@given(order_rows)
def test_daily_repeat_share_matches_pure_python(rows: list[Row]) -> None:
    daily = purchases(order_frame(rows)).daily
    got = {r["day"]: (r["buyers"], r["repeat"]) for r in daily.iter_rows(named=True)}
    assert daily["day"].is_sorted()
    assert got == pytest.approx(daily_by_hand(rows))


@settings(max_examples=60, deadline=None)
@given(order_rows)
def test_blocks_never_split_a_customer(rows: list[Row]) -> None:
    # blocks of three orders: nearly every customer's run meets a block boundary
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "BLOCK_ORDERS", 3)
        assert_matches_by_hand(rows)
        daily = purchases(order_frame(rows)).daily
        assert dict(zip(daily["day"], daily["buyers"], strict=True)) == {
            day: n for day, (n, _) in daily_by_hand(rows).items()
        }


@settings(max_examples=60, deadline=None)
@given(order_rows, st.integers(-5, 410), st.integers(-5, 410))
def test_purchases_before_each_date_match_pure_python(rows: list[Row], a: int, b: int) -> None:
    """Several dates from one sort: each the purchases of the orders before it, by hand; with
    blocks of three orders, so that the filtering meets block boundaries."""
    ends = [START.date() + dt.timedelta(days=d) for d in (a, b)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "BLOCK_ORDERS", 3)
        found = purchases_before(order_frame(rows), [*ends, None])
    for end, bought in zip([*ends, None], found, strict=True):
        kept = [r for r in rows if end is None or (START + dt.timedelta(days=r[1])).date() < end]
        expected = features_by_hand(kept)
        got = {r["customer_id"]: r for r in bought.customers.iter_rows(named=True)}
        assert set(got) == set(expected), end
        for cid, want in expected.items():
            for key, value in want.items():
                assert got[cid][key] == pytest.approx(value), (end, cid, key)
        daily = {r["day"]: (r["buyers"], r["repeat"]) for r in bought.daily.iter_rows(named=True)}
        assert daily == pytest.approx(daily_by_hand(kept)), end


def parts_of(orders: pl.DataFrame, parts: int) -> features.Parts:
    return tuple(orders.lazy().filter(features.part_number(parts) == k) for k in range(parts))


@settings(max_examples=60, deadline=None)
@given(order_rows, st.sampled_from([2, 4, 8]), st.integers(-5, 410))
def test_purchases_in_parts_are_those_of_the_whole(rows: list[Row], parts: int, end: int) -> None:
    """Customers split into parts by part_number: the same purchases, in the same order, as
    from all the orders at once; the same daily counts."""
    frame = order_frame(rows)
    ends = [START.date() + dt.timedelta(days=end), None]
    whole = purchases_before(frame, ends)
    parted = purchases_before(parts_of(frame, parts), ends)
    for one, split in zip(whole, parted, strict=True):
        assert split.customers.equals(one.customers)
        assert split.daily.equals(one.daily)
    split_ids = [set(p.collect()["customer_id"]) for p in parts_of(frame, parts)]
    assert sum(len(ids) for ids in split_ids) == len(set().union(*split_ids))


def test_parts_are_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="parts: expected a power of two, got 3"):
        features.part_number(3)


def colliding_on_first_seed(
    monkeypatch: pytest.MonkeyPatch, seeds: list[int], always: bool = False
) -> None:
    """Make every customer share one key under the first seed (or every seed)."""
    sort_by_key = features._sort_by_key

    def degenerate(frame, first_day, day_bits, seed):
        seeds.append(seed)
        keyed = sort_by_key(frame, first_day, day_bits, seed)
        if seed == 0 or always:
            keyed = keyed.with_columns(pl.col("key") & (2**day_bits - 1)).sort("key")
        return keyed

    monkeypatch.setattr(features, "_sort_by_key", degenerate)


ROWS: list[Row] = [
    ("a", 0, 10, 5.0),
    ("b", 0, 20, 7.0),
    ("a", 0, 30, 1.5),
    ("b", 3, 0, 2.0),
    ("c", 9, 0, 4.0),
    ("a", 12, 0, 3.0),
]


def test_colliding_hashes_are_detected_and_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds: list[int] = []
    colliding_on_first_seed(monkeypatch, seeds)
    assert_matches_by_hand(ROWS)
    assert seeds == [0, 2]


def test_collisions_under_every_seed_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds: list[int] = []
    colliding_on_first_seed(monkeypatch, seeds, always=True)
    with pytest.raises(RuntimeError, match="collided"):
        customer_features(order_frame(ROWS))
    assert len(seeds) == features.SEED_ATTEMPTS


def test_no_orders_give_empty_frames_with_their_schemas() -> None:
    empty, full = purchases(order_frame(ROWS).clear()), purchases(order_frame(ROWS))
    assert empty.customers.height == empty.daily.height == 0
    assert empty.customers.schema == full.customers.schema
    assert empty.daily.schema == full.daily.schema


def test_time_unit_and_zone_are_kept() -> None:
    orders = order_frame(ROWS).with_columns(
        pl.col("ordered_at").dt.cast_time_unit("ms").dt.replace_time_zone("Asia/Shanghai")
    )
    got = customer_features(orders).sort("customer_id")
    assert got.schema["first_order_at"] == pl.Datetime("ms", "Asia/Shanghai")
    first_a = dt.datetime(2024, 1, 1, 0, 0, 10, tzinfo=got["first_order_at"][0].tzinfo)
    assert got["first_order_at"][0] == first_a
    assert got["second_purchase_on"].to_list() == [dt.date(2024, 1, 13), dt.date(2024, 1, 4), None]


def test_orders_without_time_or_amount_are_left_out() -> None:
    orders = pl.concat(
        [
            order_frame(ROWS),
            pl.DataFrame(
                {
                    "customer_id": ["a", "d"],
                    "order_id": ["x", "y"],
                    "ordered_at": [None, dt.datetime(2024, 1, 2)],
                },
                schema_overrides={"ordered_at": pl.Datetime("us")},
            ).with_columns(amount=pl.Series([1.0, None])),
        ]
    )
    got = customer_features(orders).sort("customer_id")
    assert got["customer_id"].to_list() == ["a", "b", "c"]
    assert got["orders"].to_list() == [3, 2, 1]


def test_a_days_orders_are_summed_in_the_order_they_were_read() -> None:
    """Ties in the sort keep the file's order: a customer's revenue depends on its own orders
    in the order read, not on the other customers' rows between them or on how the sort was
    split among threads (or into parts), down to the last digit. (Polars sorts this many rows
    in parallel; an unstable sort failed here.)"""
    n = 2_000_000
    rng = np.random.default_rng(5)
    ids = pl.Series("id", rng.integers(0, n // 8, n))
    frame = pl.DataFrame(
        {
            "customer_id": pl.select(pl.format("c{}", ids)).to_series(),
            "ordered_at": [START] * n,
            "amount": rng.choice([0.1, 0.2, 0.3, 0.7, 1.1], n),
        }
    )
    regrouped = pl.concat([frame.filter(ids % 2 == 0), frame.filter(ids % 2 == 1)])
    revenue = [
        customer_features(f).select("customer_id", "revenue").sort("customer_id")
        for f in (frame, regrouped)
    ]
    assert revenue[0].equals(revenue[1])
