from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from order_tables import order_frame

from campaigns.settings import SegmentationSettings
from crm_tui.engine.bands import learn_bands
from crm_tui.engine.features import customer_features
from crm_tui.engine.rfm import RFM_SEGMENTS, score_cells
from crm_tui.engine.schemes import LIFECYCLE_STAGES, TIERS, repurchase_ladder, scheme_summary
from crm_tui.engine.segmentation import BAND_COLUMNS, segment, segment_each
from crm_tui.engine.visitors import with_visitors
from crm_tui.errors import InputError


def test_lifecycle_thresholds_and_stages(paid_orders: pl.DataFrame) -> None:
    seg = segment(paid_orders)
    features = customer_features(paid_orders)
    intervals = [
        (r["second_purchase_on"] - r["first_order_at"].date()).days
        for r in features.iter_rows(named=True)
        if r["second_purchase_on"] is not None
    ]
    intervals.sort()
    # inverted-CDF quantile: the smallest interval with at least q of them at or below it
    expected = [intervals[math.ceil(q * len(intervals)) - 1] for q in (0.3, 0.6, 0.9)]
    assert list(seg.lifecycle.thresholds_days) == expected
    assert seg.as_of == paid_orders["ordered_at"].max().date() + dt.timedelta(days=1)
    q30, q60, q90 = expected
    for r in seg.customers.sample(200, seed=1).iter_rows(named=True):
        d = r["days_since_last"]
        stage = (
            "active" if d <= q30 else "silent" if d <= q60 else "sleeping" if d <= q90 else "lost"
        )
        assert r["lifecycle"] == stage


def test_rfm_map_is_a_partition() -> None:
    cells = score_cells()
    assert len(cells) == 25
    assert all(len(names) == 1 for names in cells.values()), cells
    owners = {names[0] for names in cells.values()}
    assert owners == set(RFM_SEGMENTS)


# the lifecycle stages each RFM name may hold: the two schemes never contradict each other
RFM_STAGES = {
    "Champions": {"active"},
    "Loyal": {"active", "silent"},
    "Potential Loyalists": {"active"},
    "New Customers": {"active"},
    "Promising": {"active"},
    "Need Attention": {"silent"},
    "About To Sleep": {"silent"},
    "At Risk": {"sleeping"},
    "Can't Lose Them": {"lost"},
    "Hibernating": {"sleeping"},
    "Lost": {"lost"},
}
REPEAT_NAMES = {"Champions", "Loyal", "Potential Loyalists", "At Risk", "Can't Lose Them"}


def test_rfm_names_agree_with_the_lifecycle(paid_orders: pl.DataFrame) -> None:
    seg = segment(paid_orders)
    active, silent, sleeping = seg.lifecycle.thresholds_days
    rows = seg.customers.select("days_since_last", "purchases", "lifecycle", "r_score", "rfm")
    for days, purchases, stage, r, name in rows.iter_rows():
        # recency by the lifecycle's own thresholds, computed here by hand
        expected_r = (
            (5 if days <= active / 2 else 4 if days <= active else 3 if days <= silent else 2)
            if days <= sleeping
            else 1
        )
        assert r == expected_r
        assert stage in RFM_STAGES[name], (name, stage, days)
        assert purchases >= 2 or name not in REPEAT_NAMES, (name, purchases)
    assert rows["rfm"].n_unique() >= 8  # the check above met most names, not one or two


def test_rfm_scores_do_not_depend_on_row_order(paid_orders: pl.DataFrame) -> None:
    a = segment(paid_orders).customers.select("customer_id", "r_score", "f_score", "m_score", "rfm")
    shuffled = paid_orders.sample(fraction=1.0, shuffle=True, seed=3)
    b = segment(shuffled).customers.select("customer_id", "r_score", "f_score", "m_score", "rfm")
    assert a.sort("customer_id").equals(b.sort("customer_id"))
    one_timers = segment(paid_orders).customers.filter(pl.col("purchases") == 1)
    assert one_timers["f_score"].n_unique() == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 6) | st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_quintile_scores_by_hand(values) -> None:
    from crm_tui.engine.rfm import quintile_cuts, quintile_score

    series = pl.Series("v", [float(v) for v in values])
    scores = series.to_frame().select(quintile_score(pl.col("v"), quintile_cuts(series)))
    n = len(values)
    # 1 + floor(5 * (number of values strictly below) / n): ties share the tie's lowest score
    expected = [1 + (sum(w < v for w in series) * 5) // n for v in series]
    assert scores.to_series().to_list() == expected


def test_tier_thresholds() -> None:
    rows = [("a", 0, 0, 100.0), ("a", 3, 0, 200.0), ("b", 0, 0, 388.0), ("c", 1, 0, 187.99)]
    rows += [(f"r{i}", 0, 0, 10.0) for i in range(10)] + [(f"r{i}", 5, 0, 10.0) for i in range(10)]
    seg = segment(order_frame(rows))
    tiers = dict(seg.customers.select("customer_id", "tier").iter_rows())
    assert (tiers["a"], tiers["b"], tiers["c"]) == ("VIP", "top VIP", "member")
    seg = segment(order_frame(rows), SegmentationSettings(tier_thresholds=(50, 150)))
    assert dict(seg.customers.select("customer_id", "tier").iter_rows())["a"] == "top VIP"


def test_scheme_columns_sort_in_their_own_order(paid_orders: pl.DataFrame) -> None:
    customers = segment(paid_orders).customers
    assert customers["lifecycle"].dtype == pl.Enum(LIFECYCLE_STAGES)
    assert customers["tier"].dtype == pl.Enum(TIERS)
    assert customers["rfm"].dtype == pl.Enum(list(RFM_SEGMENTS))
    stages = customers.sort("lifecycle")["lifecycle"].unique(maintain_order=True).to_list()
    assert stages == list(LIFECYCLE_STAGES)


@pytest.mark.parametrize(
    "columns",
    [
        {"lifecycle"},
        {"rfm"},
        {"r_score", "tier"},
        {"first_order_value"},
        {"tier", "first_order_priority"},
    ],
)
def test_a_segmentation_of_some_columns_agrees_with_the_whole(
    paid_orders: pl.DataFrame, columns: set[str]
) -> None:
    as_of = dt.date(2025, 9, 1)
    whole = segment(paid_orders, as_of=as_of)
    found = segment_each(paid_orders, None, [as_of], [frozenset(columns)])[0]
    assert not isinstance(found, InputError)
    kept = ["customer_id", *sorted(columns)]
    assert found.customers.select(kept).equals(whole.customers.select(kept))
    assert found.lifecycle.thresholds_days == whole.lifecycle.thresholds_days
    if columns & BAND_COLUMNS:
        assert found.bands == whole.bands
    else:
        assert found.learned_bands is None
        assert "first_order_value" not in found.customers.columns
        with pytest.raises(ValueError, match="first-order-value"):
            _ = found.bands


def brute_force_best_cut(x: np.ndarray, y: np.ndarray, min_band: int) -> float:
    best, best_cut = -1.0, math.nan
    values = np.unique(x)
    for lo, hi in itertools.pairwise(values):
        cut = (lo + hi) / 2
        left, right = y[x < cut], y[x >= cut]
        if len(left) < min_band or len(right) < min_band:
            continue
        gini = lambda s: 2 * s.mean() * (1 - s.mean())  # noqa: E731
        score = -(len(left) * gini(left) + len(right) * gini(right))
        if score > best or best_cut is math.nan:
            best, best_cut = score, cut
    return best_cut


def weighted_gini(*parts: np.ndarray) -> float:
    return float(sum(len(p) * 2 * p.mean() * (1 - p.mean()) for p in parts))


def split_score(x: np.ndarray, y: np.ndarray, cut: float) -> float:
    return -weighted_gini(y[x < cut], y[x >= cut])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=10, max_size=80))
def test_first_split_matches_brute_force(pairs) -> None:
    x = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs])
    model = learn_bands(x, y, max_cuts=1, min_band=3)
    expected = brute_force_best_cut(x, y, 3)
    parent = -weighted_gini(y, y)
    if math.isnan(expected):
        assert model.cuts == ()  # no cut leaves both bands big enough
    elif model.cuts:
        assert split_score(x, y, model.cuts[0]) == pytest.approx(split_score(x, y, expected))
    else:  # a cut exists, but the best one separates nothing
        assert split_score(x, y, expected) == pytest.approx(parent)
    for band in model.bands:
        assert band.customers >= 3


def test_bands_on_sample_rank_and_test(paid_orders: pl.DataFrame) -> None:
    seg = segment(paid_orders)
    bands = seg.bands
    assert 1 <= len(bands.cuts) <= 3
    assert bands.p_value < 0.001
    rates = [b.rate for b in bands.bands]
    assert bands.bands[int(np.argmax(rates))].priority == "retain first"
    assert all(b.customers >= bands.min_band for b in bands.bands)
    trained = seg.customers.filter(pl.col("first_order_at").dt.date() <= seg.band_cutoff)
    assert bands.trained_on == trained.height
    from scipy.stats import chi2_contingency

    table = [
        [b.repurchased for b in bands.bands],
        [b.customers - b.repurchased for b in bands.bands],
    ]
    reference = chi2_contingency(table, correction=False)
    assert bands.chi2 == pytest.approx(reference.statistic)
    assert bands.p_value == pytest.approx(reference.pvalue)


@given(
    st.lists(st.tuples(st.integers(1, 400), st.integers(0, 400)), min_size=2, max_size=4).filter(
        lambda bands: sum(r for r, _ in bands) > 0 and sum(n for _, n in bands) > 0
    )
)
def test_band_chi_square_matches_scipy(bands: list[tuple[int, int]]) -> None:
    from scipy.stats import chi2_contingency

    from crm_tui.engine.bands import _chi_square

    repurchased = np.array([r for r, _ in bands])
    sizes = repurchased + np.array([n for _, n in bands])
    statistic, p_value = _chi_square(sizes, repurchased)
    reference = chi2_contingency([repurchased, sizes - repurchased], correction=False)
    assert statistic == pytest.approx(reference.statistic)
    assert p_value == pytest.approx(reference.pvalue)


def test_summary_and_ladder_by_hand(paid_orders: pl.DataFrame) -> None:
    customers = segment(paid_orders).customers
    table = scheme_summary(customers, "lifecycle")
    assert table["customers"].sum() == customers.height
    assert table["share"].sum() == pytest.approx(1.0)
    active = customers.filter(pl.col("lifecycle") == "active")
    row = table.filter(pl.col("segment") == "active").row(0, named=True)
    assert row["revenue"] == pytest.approx(active["revenue"].sum())
    assert row["repeat_rate"] == pytest.approx((active["purchases"] >= 2).mean())
    ladder = repurchase_ladder(customers)
    p = customers["purchases"].to_list()
    assert ladder.row(1, named=True)["rate"] == pytest.approx(
        sum(v >= 3 for v in p) / sum(v >= 2 for v in p)
    )


def test_visitors_who_never_bought() -> None:
    rows = [(f"r{i}", 0, 0, 10.0) for i in range(12)] + [(f"r{i}", 9, 0, 10.0) for i in range(12)]
    customers = segment(order_frame(rows)).customers
    visitors = pl.DataFrame({"customer_id": ["r1", "v1", "v2"], "visits": [1, 2, 1]})
    combined = with_visitors(customers, visitors)
    assert combined.height == 14
    never = combined.filter(pl.col("visitor") == "never bought")
    assert sorted(never["customer_id"]) == ["v1", "v2"]
    assert never["lifecycle"].null_count() == 2


def test_too_few_repeat_buyers_is_explained() -> None:
    with pytest.raises(InputError, match="at least 10 are needed") as err:
        segment(order_frame([("a", 0, 0, 5.0), ("a", 3, 0, 5.0)]))
    assert err.value.setting == "lifecycle_days"
    seg = segment(
        order_frame([("a", 0, 0, 5.0), ("a", 3, 0, 5.0)]),
        SegmentationSettings(lifecycle_days=(10, 20, 30)),
    )
    assert seg.customers["lifecycle"].to_list() == ["active"]


def test_as_of_sees_only_earlier_orders(paid_orders: pl.DataFrame) -> None:
    as_of = dt.date(2025, 6, 1)
    seg = segment(paid_orders, as_of=as_of)
    earlier = paid_orders.filter(pl.col("ordered_at").dt.date() < as_of)
    assert seg.orders == earlier.height
    assert seg.customers.height == earlier["customer_id"].n_unique()
    assert seg.customers["days_since_last"].min() >= 1
    assert seg.daily["day"].max() < as_of
    assert (
        seg.daily["buyers"].sum()
        == earlier.select("customer_id", pl.col("ordered_at").dt.date()).n_unique()
    )
    with pytest.raises(InputError, match="before 2000-01-01"):
        segment(paid_orders, as_of=dt.date(2000, 1, 1))


def test_scheme_revenue_is_the_same_sum_every_time() -> None:
    """Each segment's revenue is NumPy's sum of its customers' revenue in row order, on every
    call: Polars' parallel group-by gave a different last digit from run to run."""
    rng = np.random.default_rng(4)
    n = 400_000
    customers = pl.DataFrame(
        {
            "lifecycle": pl.Series(rng.choice(LIFECYCLE_STAGES, n)).cast(pl.Enum(LIFECYCLE_STAGES)),
            "revenue": rng.lognormal(4, 1.5, n),
            "orders": rng.integers(1, 5, n),
            "purchases": rng.integers(1, 4, n),
        }
    )
    stages = customers["lifecycle"].cast(pl.String).to_numpy()
    amounts = customers["revenue"].to_numpy()
    expected = {stage: amounts[stages == stage].sum() for stage in LIFECYCLE_STAGES}
    for _ in range(10):
        table = scheme_summary(customers, "lifecycle")
        assert dict(table.select("segment", "revenue").iter_rows()) == expected
