"""Per (segment, arm) sums of columns and of their products up to the third order.

One Polars group-by over the per-customer rows; every statistic afterwards works on these few
numbers, so evaluating ten million customers costs about as much as summing them. Third-order
sums give each arm's skewness, which the tests correct for (see evaluation.pivot).
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from evaluation.model import NO_VALUE, OVERALL

ALL = OVERALL
ONE = "1"  # the constant column: a mean is a ratio over it
Linear = Mapping[str, float]  # a per-customer linear combination: column -> coefficient


def product_key(columns: Iterable[str]) -> str:
    return "*".join(sorted(columns))


def nonzero_key(column: str) -> str:
    return f"#{column}"


@dataclass(frozen=True)
class Moments:
    n: int
    sums: dict[str, float]  # "x" -> sum x; "x*y" -> sum xy; "x*y*z" -> sum xyz; "#x" -> x != 0

    def sum(self, col: str) -> float:
        return float(self.n) if col == ONE else self.sums[col]

    def mean(self, col: str) -> float:
        return self.sum(col) / self.n

    def nonzero(self, col: str) -> int:
        return self.n if col == ONE else int(self.sums[nonzero_key(col)])

    def _raw(self, *cols: str) -> float:
        """E[product of the columns] over this arm's customers."""
        named = [c for c in cols if c != ONE]
        return (self.sums[product_key(named)] if named else float(self.n)) / self.n

    def cov(self, x: str, y: str) -> float:
        if self.n < 2 or ONE in (x, y):
            return 0.0
        central = self._raw(x, y) - self.mean(x) * self.mean(y)
        return central * self.n / (self.n - 1)

    def var(self, col: str) -> float:
        return max(self.cov(col, col), 0.0)

    def _comoment3(self, x: str, y: str, z: str) -> float:
        if ONE in (x, y, z):
            return 0.0
        mx, my, mz = self.mean(x), self.mean(y), self.mean(z)
        return (
            self._raw(x, y, z)
            - mx * self._raw(y, z)
            - my * self._raw(x, z)
            - mz * self._raw(x, y)
            + 2 * mx * my * mz
        )

    def mean_of(self, combination: Linear) -> float:
        """The mean of sum(coefficient * column) over this arm's customers."""
        return sum(k * self.mean(c) for c, k in combination.items())

    def cov_of(self, p: Linear, q: Linear) -> float:
        """The covariance (ddof 1) of two linear combinations; var_of(p) is cov_of(p, p)."""
        return sum(
            kp * kq * self.cov(cp, cq)
            for (cp, kp), (cq, kq) in itertools.product(p.items(), q.items())
            if kp and kq
        )

    def var_of(self, combination: Linear) -> float:
        return max(self.cov_of(combination, combination), 0.0)

    def m3_of(self, combination: Linear) -> float:
        """The third central moment (ddof 0) of a linear combination."""
        items = [(c, k) for c, k in combination.items() if k != 0]
        return sum(
            ki * kj * kl * self._comoment3(ci, cj, cl)
            for (ci, ki), (cj, kj), (cl, kl) in itertools.product(items, items, items)
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


def products(groups: Iterable[Iterable[str]]) -> set[str]:
    """Every product up to the third order within each group of columns used together."""
    keys: set[str] = set()
    for group in groups:
        named = sorted(set(group) - {ONE})
        for order in (1, 2, 3):
            keys |= {product_key(p) for p in itertools.combinations_with_replacement(named, order)}
    return keys


def _simplest(key: str, indicators: Collection[str]) -> str:
    """The product with each 0/1 column's repeats left out: x * x is x where x is 0 or 1."""
    factors = key.split("*")
    kept = [f for i, f in enumerate(factors) if f not in indicators or f not in factors[:i]]
    return product_key(kept)


def sufficient_statistics(
    frame: pl.LazyFrame,
    by: str | None,
    groups: Iterable[Iterable[str]],
    sums: Iterable[str] = (),
    indicators: Collection[str] = (),
) -> MomentTable:
    """Sums of every product `products(groups)` names, of each column in `sums` alone (a mean
    is all that is read of it), and nonzero counts, per (segment, arm).

    `frame` holds the columns the groups and sums name, as numbers. `indicators` names its
    0/1 columns: a power of one is itself and its nonzero count its sum, so neither is summed
    again (the evaluation's group-by is most of its time).
    """
    keys = products(groups) | set(sums)
    computed = {key: _simplest(key, indicators) for key in keys}
    columns = sorted({k for k in keys if "*" not in k})
    counted = [c for c in columns if c not in indicators]
    aggs = [pl.len().alias("n")]
    aggs += [
        functools.reduce(operator.mul, [pl.col(c) for c in key.split("*")]).sum().alias(key)
        for key in sorted(set(computed.values()))
    ]
    aggs += [(pl.col(c) != 0).sum().alias(nonzero_key(c)) for c in counted]
    # group on the column as it is and name the segments afterwards: casting millions of
    # categorical or numeric keys to text first costs more than the whole aggregation
    group_keys = ["arm"] if by is None else [pl.col(by).alias("_segment"), "arm"]
    table = frame.group_by(group_keys).agg(aggs).collect()
    table = table.with_columns(
        *[pl.col(simplest).alias(key) for key, simplest in computed.items() if key != simplest],
        *[pl.col(c).alias(nonzero_key(c)) for c in columns if c in indicators],
    )
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
