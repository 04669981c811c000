"""The charts' axes: what they mark must make sense for what they count."""

from __future__ import annotations

import itertools

import pytest

from crm_tui.tui.widgets.charts import count_ticks, percent_ticks


@pytest.mark.parametrize("top", [0, 1, 2, 3, 4, 5, 7, 10, 99, 1000, 12345])
def test_histogram_counts_are_ticked_in_whole_customers(top: int) -> None:
    ticks = count_ticks(top)
    assert all(isinstance(t, int) for t in ticks) and ticks[0] == 0
    assert ticks[-1] >= top and len(ticks) <= 5
    assert ticks == sorted(set(ticks))


@pytest.mark.parametrize(
    ("low", "high"),
    [(14.0, 104.0), (-70.0, -32.0), (-5.0, 5.0), (0.0, 0.0), (-0.3, 1200.0), (3.0, 3.1)],
)
def test_lift_ticks_are_round_and_label_zero(low: float, high: float) -> None:
    ticks = percent_ticks(low, high)
    assert 0.0 in ticks  # the zero line gets its own label, not some 21.7
    assert ticks[0] <= min(low, 0.0) and ticks[-1] >= max(high, 0.0)
    assert len(ticks) <= 7
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) <= 1  # evenly spaced


def test_every_metric_has_a_short_name_for_the_chart_axis() -> None:
    from evaluation.metrics import METRICS

    shorts = [m.short for m in METRICS.values()]
    assert all(0 < len(s) <= 8 for s in shorts) and len(set(shorts)) == len(shorts)
