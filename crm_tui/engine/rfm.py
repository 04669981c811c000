"""RFM scores 1-5 and a segment map that is a true partition of the recency x FM score grid.

The widely copied 11-segment table gives overlapping score ranges, so under first-match some of
its names can never be assigned. Here each named segment owns explicit cells of the 5 x 5 grid of
recency score (R) against the rounded-up mean of frequency and monetary scores (FM); the tests
check that every cell belongs to exactly one segment and every name owns at least one cell.

So that a name never contradicts the customer's lifecycle stage, recency is scored by the shop's
own lifecycle thresholds rather than by quintiles: R 5 and 4 are active (5 within half the active
window), 3 silent, 2 sleeping, 1 lost. Quintiles put "About To Sleep" on customers the lifecycle
calls lost, and on CDNOW a third of all customers in "Champions" while 68% were lost. A
customer who bought once scores FM 1 whatever they spent: names such as Loyal and Champions
speak of buying again.
"""

from __future__ import annotations

import polars as pl

from crm_tui.language import N_

# segment -> list of (R range, FM range), inclusive
RFM_SEGMENTS: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {
    N_("Champions"): [((4, 5), (4, 5))],
    N_("Loyal"): [((3, 3), (4, 5)), ((4, 5), (3, 3))],
    N_("Potential Loyalists"): [((4, 5), (2, 2))],
    N_("New Customers"): [((5, 5), (1, 1))],
    N_("Promising"): [((4, 4), (1, 1))],
    N_("Need Attention"): [((3, 3), (2, 3))],
    N_("About To Sleep"): [((3, 3), (1, 1))],
    N_("At Risk"): [((2, 2), (3, 5))],
    N_("Can't Lose Them"): [((1, 1), (4, 5))],
    N_("Hibernating"): [((2, 2), (1, 2))],
    N_("Lost"): [((1, 1), (1, 3))],
}
# how each name is defined, for the screens that list them
RFM_DEFINITIONS = {
    N_("Champions"): N_("active, high frequency and spend"),
    N_("Loyal"): N_("silent with high frequency and spend, or active with middling"),
    N_("Potential Loyalists"): N_("active repeat buyers, low frequency and spend"),
    N_("New Customers"): N_(
        "one purchase, or the lowest frequency and spend; bought very recently"
    ),
    N_("Promising"): N_("one purchase, or the lowest frequency and spend; active"),
    N_("Need Attention"): N_("silent, middling frequency and spend"),
    N_("About To Sleep"): N_("silent, one purchase or the lowest frequency and spend"),
    N_("At Risk"): N_("sleeping, middling to high frequency and spend"),
    N_("Can't Lose Them"): N_("lost, high frequency and spend"),
    N_("Hibernating"): N_("sleeping, low frequency and spend"),
    N_("Lost"): N_("lost, low to middling frequency and spend"),
}


def score_cells() -> dict[tuple[int, int], list[str]]:
    """Every (R, FM) cell with the segments that claim it; a partition has exactly one each."""
    cells: dict[tuple[int, int], list[str]] = {
        (r, fm): [] for r in range(1, 6) for fm in range(1, 6)
    }
    for name, boxes in RFM_SEGMENTS.items():
        for (r_lo, r_hi), (fm_lo, fm_hi) in boxes:
            for r in range(r_lo, r_hi + 1):
                for fm in range(fm_lo, fm_hi + 1):
                    cells[(r, fm)].append(name)
    return cells


def quintile_cuts(values: pl.Series) -> list[object]:
    """The four order statistics that split values into quintile scores.

    A value's score is 1 + floor(5 * (number of values below it) / n), so tied values (most
    customers have one purchase) share the lowest score of the tie, whatever the row order.
    At least ceil(k * n / 5) values lie below v exactly when v exceeds the ceil(k * n / 5)-th
    smallest value: one sort gives all four cuts, far cheaper than ranking every row.
    """
    ordered = values.sort()
    n = len(ordered)
    return [ordered[(k * n + 4) // 5 - 1] for k in range(1, 5)]


def quintile_score(value: pl.Expr, cuts: list[object]) -> pl.Expr:
    """1-5: one more for each cut the value exceeds."""
    above = [(value > pl.lit(cut)).cast(pl.Int8) for cut in cuts]
    return (1 + pl.sum_horizontal(above)).cast(pl.Int8)


def segment_expr(r: pl.Expr, fm: pl.Expr) -> pl.Expr:
    """The named segment of each (R, FM) pair, looked up by cell."""
    lookup = {(r_ - 1) * 5 + (fm_ - 1): names[0] for (r_, fm_), names in score_cells().items()}
    cell = (r.cast(pl.Int16) - 1) * 5 + (fm.cast(pl.Int16) - 1)
    return cell.replace_strict(lookup, return_dtype=pl.Enum(list(RFM_SEGMENTS)))


def rfm_columns(
    customers: pl.DataFrame, lifecycle_days: tuple[float, float, float]
) -> list[pl.Expr]:
    """Recency (by the lifecycle's thresholds on days since the last purchase), frequency
    (purchases) and monetary (revenue) scores."""
    sources = {"f_score": pl.col("purchases"), "m_score": pl.col("revenue")}
    # sorted here, side by side: quintile_cuts then finds each column already in order
    ordered = customers.select(expr.sort().alias(name) for name, expr in sources.items())
    return [
        recency_score(lifecycle_days).alias("r_score"),
        *(
            quintile_score(expr, quintile_cuts(ordered[name])).alias(name)
            for name, expr in sources.items()
        ),
    ]


def recency_score(lifecycle_days: tuple[float, float, float]) -> pl.Expr:
    """5 within half the active window, 4 active, 3 silent, 2 sleeping, 1 lost."""
    active, silent, sleeping = lifecycle_days
    days = pl.col("days_since_last")
    cuts = [active / 2, active, silent, sleeping]  # days beyond each cut lose a point
    return (5 - pl.sum_horizontal((days > cut).cast(pl.Int8) for cut in cuts)).cast(pl.Int8)


def rfm_segment() -> pl.Expr:
    fm = (pl.col("f_score").cast(pl.Int16) + pl.col("m_score") + 1) // 2
    once = pl.col("purchases") < 2
    return segment_expr(pl.col("r_score"), pl.when(once).then(1).otherwise(fm)).alias("rfm")
