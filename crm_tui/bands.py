"""First-order-value bands: a small decision tree on one value against a yes/no outcome.

Best-first binary splits on Gini impurity, as a classification tree with a leaf limit would grow
them, but written directly on sorted cumulative counts: one sort, then every candidate cut of a
node is scored at once with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats


@dataclass(frozen=True)
class Band:
    name: str
    low: float  # inclusive
    high: float  # exclusive; inf for the top band
    customers: int
    repurchased: int
    priority: str

    @property
    def rate(self) -> float:
        return self.repurchased / self.customers if self.customers else float("nan")


@dataclass(frozen=True)
class BandModel:
    cuts: tuple[float, ...]
    bands: tuple[Band, ...]
    overall_rate: float
    chi2: float
    p_value: float
    trained_on: int
    min_band: int


BAND_NAMES = {
    1: ("all",),
    2: ("low", "high"),
    3: ("low", "mid", "high"),
    4: ("low", "mid-low", "mid-high", "high"),
}
RETAIN_FIRST, SECOND_PRIORITY, BACKUP = "retain first", "second priority", "backup pool"


def learn_bands(
    values: np.ndarray, outcome: np.ndarray, max_cuts: int = 3, min_band: int = 50
) -> BandModel:
    """Up to max_cuts cut points on values that best separate outcome, each band >= min_band."""
    x = np.asarray(values, dtype=float)
    order = pl.Series(x).arg_sort().to_numpy()  # multi-threaded, unlike NumPy's sort
    x, y = x[order], np.asarray(outcome, dtype=bool)[order]
    # best split of each current leaf, computed once per leaf
    leaves = {(0, len(x)): _best_split(x, y, 0, len(x), min_band)}
    cuts: list[float] = []
    while len(cuts) < max_cuts and leaves:
        (lo, hi), (gain, at) = max(leaves.items(), key=lambda item: item[1][0])
        if gain <= 0:
            break
        del leaves[(lo, hi)]
        for leaf in ((lo, at), (at, hi)):
            leaves[leaf] = _best_split(x, y, *leaf, min_band)
        cuts.append(float((x[at - 1] + x[at]) / 2))
    return _model(x, y, tuple(sorted(cuts)), min_band)


def _best_split(x: np.ndarray, y: np.ndarray, lo: int, hi: int, min_band: int) -> tuple[float, int]:
    n = hi - lo
    if n < 2 * min_band:
        return (0.0, -1)
    positives = np.cumsum(y[lo:hi])
    left_n = np.arange(1, n + 1)
    # a cut may only fall between two different values, leaving min_band on each side
    valid = np.zeros(n, dtype=bool)
    valid[min_band - 1 : n - min_band] = True
    valid[:-1] &= x[lo + 1 : hi] > x[lo : hi - 1]
    valid[-1] = False
    if not valid.any():
        return (0.0, -1)
    total_pos = positives[-1]
    left_gini = _gini(positives, left_n)
    right_n = n - left_n
    right_gini = _gini(total_pos - positives, np.maximum(right_n, 1))
    parent = _gini(np.array([total_pos]), np.array([n]))[0]
    gain = parent - (left_n * left_gini + right_n * right_gini) / n
    gain[~valid] = -np.inf
    i = int(np.argmax(gain))
    return (float(gain[i]) * n, lo + i + 1)


def _gini(pos: np.ndarray, n: np.ndarray) -> np.ndarray:
    p = pos / n
    return 2 * p * (1 - p)


def _model(x: np.ndarray, y: np.ndarray, cuts: tuple[float, ...], min_band: int) -> BandModel:
    edges = (-np.inf, *cuts, np.inf)
    index = np.searchsorted(np.array(cuts), x, side="right")
    sizes = np.bincount(index, minlength=len(edges) - 1)
    repurchased = np.bincount(index, weights=y, minlength=len(edges) - 1).astype(int)
    overall = float(y.mean()) if len(y) else float("nan")
    rates = repurchased / np.maximum(sizes, 1)
    names = BAND_NAMES[len(cuts) + 1]
    top = int(np.argmax(rates))
    bands = tuple(
        Band(
            name=names[i],
            low=float(max(edges[i], 0.0)),
            high=float(edges[i + 1]),
            customers=int(sizes[i]),
            repurchased=int(repurchased[i]),
            priority=_priority(i, top, rates[i], overall, len(cuts)),
        )
        for i in range(len(names))
    )
    chi2, p_value = _chi_square(sizes, repurchased)
    return BandModel(cuts, bands, overall, chi2, p_value, len(x), min_band)


def _priority(i: int, top: int, rate: float, overall: float, n_cuts: int) -> str:
    if n_cuts == 0:
        return SECOND_PRIORITY
    if i == top:
        return RETAIN_FIRST
    return SECOND_PRIORITY if rate >= overall else BACKUP


def _chi_square(sizes: np.ndarray, repurchased: np.ndarray) -> tuple[float, float]:
    table = np.vstack([repurchased, sizes - repurchased])
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return (float("nan"), float("nan"))
    result = stats.chi2_contingency(table, correction=False)
    return (float(result.statistic), float(result.pvalue))
