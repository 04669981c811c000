"""First-order-value bands: a small decision tree on one value against a yes/no outcome.

Best-first binary splits on Gini impurity, as a classification tree with a leaf limit would grow
them, but written directly on sorted cumulative counts: one sort, then every candidate cut of a
node is scored at once with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_tui.language import N_


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
    1: (N_("all"),),
    2: (N_("low"), N_("high")),
    3: (N_("low"), N_("mid"), N_("high")),
    4: (N_("low"), N_("mid-low"), N_("mid-high"), N_("high")),
}
RETAIN_FIRST, SECOND_PRIORITY, BACKUP = N_("retain first"), N_("second priority"), N_("backup pool")


def learn_bands(
    values: np.ndarray, outcome: np.ndarray, max_cuts: int = 3, min_band: int = 50
) -> BandModel:
    """Up to max_cuts cut points on values that best separate outcome, each band >= min_band."""
    x = np.asarray(values, dtype=float)
    y = np.asarray(outcome, dtype=bool)
    # Cuts fall only between distinct values, so the tree is grown on the distinct values with
    # their counts: exactly the same splits, on far fewer points.
    table = (
        pl.DataFrame({"x": x, "y": y})
        .group_by("x")
        .agg(pl.len().alias("n"), pl.col("y").sum().alias("pos"))
        .sort("x")
    )
    ux = table["x"].to_numpy()
    count = np.cumsum(table["n"].to_numpy())
    positive = np.cumsum(table["pos"].to_numpy())
    leaves = {(0, len(ux)): _best_split(count, positive, 0, len(ux), min_band)}
    cuts: list[float] = []
    while len(cuts) < max_cuts and leaves:
        (lo, hi), (gain, at) = max(leaves.items(), key=lambda item: item[1][0])
        if gain <= 0:
            break
        del leaves[(lo, hi)]
        for leaf in ((lo, at), (at, hi)):
            leaves[leaf] = _best_split(count, positive, *leaf, min_band)
        cuts.append(float((ux[at - 1] + ux[at]) / 2))
    return _model(ux, count, positive, tuple(sorted(cuts)), min_band)


def _best_split(
    count: np.ndarray, positive: np.ndarray, lo: int, hi: int, min_band: int
) -> tuple[float, int]:
    """Best cut of distinct values lo..hi-1 (cumulative counts given) by weighted Gini gain."""
    if hi - lo < 2:
        return (0.0, -1)
    base_n = count[lo - 1] if lo else 0
    base_pos = positive[lo - 1] if lo else 0
    left_n = count[lo : hi - 1] - base_n  # left = distinct values lo..i
    left_pos = positive[lo : hi - 1] - base_pos
    n, pos = count[hi - 1] - base_n, positive[hi - 1] - base_pos
    right_n, right_pos = n - left_n, pos - left_pos
    valid = (left_n >= min_band) & (right_n >= min_band)
    if not valid.any():
        return (0.0, -1)
    impurity = left_n * _gini(left_pos, left_n) + right_n * _gini(right_pos, right_n)
    gain = n * _gini(np.array([pos]), np.array([n]))[0] - impurity
    gain[~valid] = -np.inf
    i = int(np.argmax(gain))
    return (float(gain[i]), lo + i + 1)


def _gini(pos: np.ndarray, n: np.ndarray) -> np.ndarray:
    p = pos / np.maximum(n, 1)
    return 2 * p * (1 - p)


def _model(
    ux: np.ndarray,
    count: np.ndarray,
    positive: np.ndarray,
    cuts: tuple[float, ...],
    min_band: int,
) -> BandModel:
    """Bands' sizes and rates from the cumulative counts over the distinct values."""
    edges = (-np.inf, *cuts, np.inf)
    # cumulative counts with a leading zero, read where each band's distinct values end
    ends = [0, *np.searchsorted(ux, cuts), len(ux)]
    sizes = np.diff(np.concatenate(([0], count))[ends]).astype(int)
    repurchased = np.diff(np.concatenate(([0], positive))[ends]).astype(int)
    trained_on = int(sizes.sum())
    overall = float(repurchased.sum() / trained_on) if trained_on else float("nan")
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
    return BandModel(cuts, bands, overall, chi2, p_value, trained_on, min_band)


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
    # Pearson's statistic by hand and the chi-square tail from scipy.special: importing
    # scipy.stats for chi2_contingency alone added 0.4 s to every segmentation's start-up
    from scipy.special import chdtrc

    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    return (statistic, float(chdtrc(table.shape[1] - 1, statistic)))
