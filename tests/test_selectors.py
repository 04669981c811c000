from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


LABELS = ["lifecycle", "rfm", "tier", "first_order_value"]
# the same customers with their labels as the engine holds them (Enums) and as a file's
# dictionary-encoded columns read (Categorical): selectors compare those without casting
ENCODED = {
    "enum": CUSTOMERS.with_columns(
        pl.col(c).cast(pl.Enum(sorted(CUSTOMERS[c].drop_nulls().unique()))) for c in LABELS
    ),
    "categorical": CUSTOMERS.with_columns(pl.col(c).cast(pl.Categorical) for c in LABELS),
}


def ids(selector: str, frame: pl.DataFrame = CUSTOMERS) -> list[str]:
    return frame.filter(compile_selector(selector, frame))["customer_id"].to_list()


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


# Property: any selector built from the grammar selects exactly the rows a plain-Python reading
# of the same selector selects.

TEXT_VALUES = {
    c: sorted({v for v in CUSTOMERS[c].to_list() if v is not None})
    for c in ("lifecycle", "rfm", "tier", "first_order_value")
}


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def comparisons(draw):
    if draw(st.booleans()):
        column = draw(st.sampled_from(sorted(TEXT_VALUES)))
        values = draw(st.lists(st.sampled_from(TEXT_VALUES[column]), min_size=1, max_size=3))
        if len(values) > 1:
            text = f"{column} in [{', '.join(quoted(v) for v in values)}]"
            return text, lambda r, c=column, vs=values: r[c] is not None and r[c] in vs
        op = draw(st.sampled_from(["=", "!="]))
        v = values[0]
        if op == "=":
            return f"{column} = {quoted(v)}", lambda r, c=column, v=v: r[c] == v
        return f"{column} != {quoted(v)}", lambda r, c=column, v=v: r[c] is not None and r[c] != v
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "=", "!="]))
    n = draw(st.integers(0, 6))
    check = {
        "<": lambda a: a < n,
        "<=": lambda a: a <= n,
        ">": lambda a: a > n,
        ">=": lambda a: a >= n,
        "=": lambda a: a == n,
        "!=": lambda a: a != n,
    }[op]
    return f"orders {op} {n}", lambda r, f=check: f(r["orders"])


selectors = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, inner, st.sampled_from(["and", "or"])).map(
            lambda t: (
                f"({t[0][0]}) {t[2]} ({t[1][0]})",
                (lambda r, a=t[0][1], b=t[1][1]: a(r) and b(r))
                if t[2] == "and"
                else (lambda r, a=t[0][1], b=t[1][1]: a(r) or b(r)),
            )
        ),
        inner.map(lambda t: (f"not ({t[0]})", lambda r, f=t[1]: not f(r))),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(selectors)
def test_selectors_agree_with_plain_python(case) -> None:
    text, predicate = case
    expected = [r["customer_id"] for r in CUSTOMERS.iter_rows(named=True) if predicate(r)]
    assert ids(text) == expected, text
    for encoding, frame in ENCODED.items():
        assert ids(text, frame) == expected, (text, encoding)


def test_monster_selectors_are_refused_by_name() -> None:
    frame = pl.DataFrame({"customer_id": ["a", "b"], "orders": [1, 2]})
    cases = {
        " or ".join(["orders = 1"] * 1001): "more than 1,000 comparisons",
        "(" * 2000 + "orders = 1" + ")" * 2000: "nested more than 100 levels deep",
        "not " * 3000 + "orders = 1": "nested more than 100 levels deep",
        "orders = 1 " + " " * 20_000: "at most 20,000",
    }
    for text, message in cases.items():
        with pytest.raises(SelectorError, match=message):
            compile_selector(text, frame)


def test_a_thousand_clauses_select_what_they_say() -> None:
    frame = pl.DataFrame({"customer_id": [f"c{i}" for i in range(3000)], "orders": range(3000)})
    wanted = set(range(0, 3000, 3)[:1000])
    text = " or ".join(f"orders = {n}" for n in sorted(wanted))
    chosen = frame.filter(compile_selector(text, frame))["orders"].to_list()
    assert set(chosen) == wanted
    nested = "(" * 100 + "orders < 5" + ")" * 100
    assert frame.filter(compile_selector(nested, frame)).height == 5


def test_an_empty_segment_today_is_still_a_valid_selector() -> None:
    """Values come from the scheme, not from the data: nobody may be silent right now."""
    stages = pl.Enum(["active", "silent", "sleeping", "lost"])
    frame = pl.DataFrame({"customer_id": ["a"], "lifecycle": pl.Series(["lost"], dtype=stages)})
    assert frame.filter(compile_selector("lifecycle = silent", frame)).height == 0
    with pytest.raises(SelectorError, match="did you mean 'silent'"):
        compile_selector("lifecycle = silnet", frame)
