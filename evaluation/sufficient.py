"""Per (segment, arm) sums, sums of squares and cross products: everything the tests need.

One Polars group-by over the per-customer rows; every statistic afterwards works on these few
numbers, so evaluating ten million customers costs about as much as summing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from evaluation.metrics import INDICATORS, Metric
from evaluation.model import NO_VALUE, OVERALL
from evaluation.stats import RatioMoments

ALL = OVERALL


@dataclass(frozen=True)
class Moments:
    n: int
    sums: dict[str, float]  # "x" -> sum x; "x*x" -> sum x^2; "x*y" -> sum xy

    def sum(self, col: str) -> float:
        return self.sums[col]

    def mean(self, col: str) -> float:
        return self.sums[col] / self.n

    def cov(self, x: str, y: str) -> float:
        key = f"{x}*{y}" if f"{x}*{y}" in self.sums else f"{y}*{x}"
        if self.n < 2:
            return 0.0
        return (self.sums[key] - self.sums[x] * self.sums[y] / self.n) / (self.n - 1)

    def var(self, col: str) -> float:
        return max(self.cov(col, col), 0.0)

    def ratio_moments(self, y: str, x: str) -> RatioMoments:
        return RatioMoments(
            self.n, self.mean(y), self.mean(x), self.var(y), self.var(x), self.cov(x, y)
        )

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, {k: v + other.sums[k] for k, v in self.sums.items()})


@dataclass(frozen=True)
class MomentTable:
    cells: dict[tuple[str, str], Moments]  # (segment, arm) -> moments; segment ALL = overall

    def arms(self) -> set[str]:
        return {arm for _, arm in self.cells}

    def segments(self) -> list[str]:
        others = sorted({s for s, _ in self.cells if s != ALL})
        return [ALL, *others]

    def get(self, segment: str, arm: str) -> Moments | None:
        return self.cells.get((segment, arm))

    def overall(self, arm: str) -> Moments:
        return self.cells[(ALL, arm)]


def _products(
    metrics: Iterable[Metric], present: set[str]
) -> tuple[set[str], set[tuple[str, str]]]:
    # Revenue and cost always: incremental revenue and ROI use them; pre_revenue for CUPED.
    columns = {"revenue", "cost", "pre_revenue"} & present
    pairs = {("revenue", "revenue"), ("pre_revenue", "pre_revenue"), ("revenue", "pre_revenue")}
    pairs |= {("cost", "cost"), ("revenue", "cost")}  # incremental cost and ROI
    for m in metrics:
        columns.add(m.numerator)
        pairs.add((m.numerator, m.numerator))
        if m.denominator:
            columns.add(m.denominator)
            pairs |= {(m.denominator, m.denominator), (m.denominator, m.numerator)}
    return columns, {p for p in pairs if p[0] in columns and p[1] in columns}


def sufficient_statistics(
    results: pl.DataFrame, by: str | None, metrics: Iterable[Metric]
) -> MomentTable:
    columns, pairs = _products(metrics, set(results.columns))
    base = results.lazy().with_columns(
        *[INDICATORS[c].cast(pl.Float64).alias(c) for c in columns if c in INDICATORS],
        *[pl.col(c).cast(pl.Float64) for c in columns if c not in INDICATORS],
    )
    aggs = [pl.len().alias("n"), *[pl.col(c).sum().alias(c) for c in sorted(columns)]]
    aggs += [(pl.col(x) * pl.col(y)).sum().alias(f"{x}*{y}") for x, y in sorted(pairs)]
    # group on the column as it is and name the segments afterwards: casting millions of
    # categorical or numeric keys to text first costs more than the whole aggregation
    keys = ["arm"] if by is None else [pl.col(by).alias("_segment"), "arm"]
    table = base.group_by(keys).agg(aggs).collect()
    if by is not None:
        table = table.with_columns(pl.col("_segment").cast(pl.String).fill_null(NO_VALUE))
    cells: dict[tuple[str, str], Moments] = {}
    for row in table.iter_rows(named=True):
        n = int(row.pop("n"))
        arm = str(row.pop("arm"))
        segment = str(row.pop("_segment")) if by is not None else ALL
        cells[(segment, arm)] = Moments(n, {k: float(v or 0.0) for k, v in row.items()})
    if by is not None:
        for (_, arm), moments in list(cells.items()):
            current = cells.get((ALL, arm))
            cells[(ALL, arm)] = moments if current is None else current + moments
    return MomentTable(cells)
