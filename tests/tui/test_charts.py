"""The charts' axes: what they mark must make sense for what they count."""

from __future__ import annotations

import pytest

from crm_tui.tui.widgets.charts import count_ticks


@pytest.mark.parametrize("top", [0, 1, 2, 3, 4, 5, 7, 10, 99, 1000, 12345])
def test_histogram_counts_are_ticked_in_whole_customers(top: int) -> None:
    ticks = count_ticks(top)
    assert all(isinstance(t, int) for t in ticks) and ticks[0] == 0
    assert ticks[-1] >= top and len(ticks) <= 5
    assert ticks == sorted(set(ticks))
