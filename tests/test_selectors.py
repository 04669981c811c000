from __future__ import annotations

import polars as pl
import pytest

from campaigns.selectors import SelectorError, columns_of, compile_selector, parse

CUSTOMERS = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e"],
        "lifecycle": ["active", "sleeping", "lost", "sleeping", None],
        "rfm": ["Champions", "At Risk", "Can't Lose Them", "Lost", "At Risk"],
        "orders": [5, 1, 3, 2, 1],
        "tier": ["VIP", "member", "VIP", "VIP", "member"],
        "first_order_value": ["high", "low", "mid-low", "high", "low"],
    }
)


def ids(selector: str) -> list[str]:
    return CUSTOMERS.filter(compile_selector(selector, CUSTOMERS))["customer_id"].to_list()


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("lifecycle = sleeping", ["b", "d"]),
        ('rfm in ["At Risk", "Can\'t Lose Them"]', ["b", "c", "e"]),
        ('orders >= 2 and tier = "VIP"', ["a", "c", "d"]),
        ("first_order_value = high", ["a", "d"]),
        ("first_order_value = mid-low", ["c"]),
        ("not lifecycle = sleeping", ["a", "c", "e"]),
        ("(lifecycle = lost or orders > 4) and tier == VIP", ["a", "c"]),
        ("lifecycle != sleeping", ["a", "c"]),  # null is not "not sleeping": unknown stays out
        ("all", ["a", "b", "c", "d", "e"]),
        ("LIFECYCLE = Sleeping".replace("LIFECYCLE", "lifecycle"), ["b", "d"]),
        ("orders < 2 or orders > 4", ["a", "b", "e"]),
    ],
)
def test_selectors_select(selector: str, expected: list[str]) -> None:
    assert ids(selector) == expected


def test_and_binds_tighter_than_or() -> None:
    assert ids("orders = 1 or orders = 3 and tier = member") == ["b", "e"]


def test_columns_of() -> None:
    assert columns_of(parse("tier = VIP and (orders > 1 or tier = member)")) == ["tier", "orders"]


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("lifecyle = lost", "no column 'lifecyle' (did you mean 'lifecycle'?)"),
        ("lifecycle = slepping", "no value 'slepping' (did you mean 'sleeping'?)"),
        ("tier = gold", "tier has no value 'gold'; it has 'VIP', 'member'"),
        ("orders = many", "orders is a number"),
        ("tier > VIP", "tier is text"),
        ("lifecycle =", "expected a value at the end"),
        ("lifecycle sleeping", "expected op at 'sleeping'"),
        ("(lifecycle = lost", "expected ) at the end"),
        ("lifecycle = lost extra", "expected and / or at 'extra'"),
        ("rfm in [At Risk]", "expected ] at 'Risk'"),
        ("", "selector is empty"),
        ("lifecycle = lost; drop", "unexpected ';"),
        ("__import__('os')", "expected op"),
    ],
)
def test_errors_name_what_is_wrong(selector: str, message: str) -> None:
    with pytest.raises(SelectorError) as err:
        compile_selector(selector, CUSTOMERS)
    assert message in str(err.value)
