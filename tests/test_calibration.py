"""A/A calibration under the designs shops run: small holdouts and heavy-tailed revenue.

With no true effect, every test must reject about alpha of the time, and not favour either side.
Each design is 1,000 replicates of 4,000 customers with 5% buyers and lognormal order values with
sigma 2; at 90/10 the control holds about 20 buyers.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from evaluation.evaluate import evaluate

REPLICATES = 1000
CUSTOMERS = 4000
ALPHA = 0.05


def aa_replicate(rng: np.random.Generator, control_share: float, covariate: bool) -> pl.DataFrame:
    """One campaign with no effect: the arms differ by chance alone."""
    n_control = round(CUSTOMERS * control_share)
    arm = ["treatment"] * (CUSTOMERS - n_control) + ["control"] * n_control
    loyal = rng.random(CUSTOMERS) < 0.1  # a tenth of customers buy far more often
    buyer = rng.random(CUSTOMERS) < np.where(loyal, 0.25, 0.025 / 0.9)  # 5% in all
    impressions = rng.poisson(3, CUSTOMERS) + 1
    clicks = rng.binomial(impressions, 0.1)
    frame = pl.DataFrame(
        {
            "arm": arm,
            "impressions": impressions,
            "clicks": clicks,
            "conversions": buyer.astype(int),
            "revenue": np.where(buyer, rng.lognormal(3, 2.0, CUSTOMERS), 0.0),
            "cost": 0.05 * impressions + 0.5 * clicks,
        }
    )
    if not covariate:
        return frame
    bought_before = rng.random(CUSTOMERS) < np.where(loyal, 0.4, 0.03)
    pre = np.where(bought_before, rng.lognormal(3, 2.0, CUSTOMERS), 0.0)
    return frame.with_columns(pl.Series("pre_revenue", pre))


def rejections(control_share: float, covariate: bool, seed: int) -> dict[str, list[int]]:
    """Per metric: replicates rejected with the arm above the control, and below it."""
    rng = np.random.default_rng(seed)
    counts: dict[str, list[int]] = {}
    for _ in range(REPLICATES):
        report = evaluate(aa_replicate(rng, control_share, covariate), "control", alpha=ALPHA)
        for c in report.comparisons:
            sides = counts.setdefault(c.metric, [0, 0])
            if c.result.p_value is not None and c.result.p_value < ALPHA:
                sides[0 if c.result.abs_diff > 0 else 1] += 1
    return counts


@pytest.mark.parametrize(
    ("control_share", "covariate", "seed"),
    [(0.5, False, 1), (0.25, False, 2), (0.1, False, 3), (0.1, True, 4)],
    ids=["50/50", "75/25", "90/10", "90/10 CUPED"],
)
def test_aa_rejects_at_alpha_on_both_sides(
    control_share: float, covariate: bool, seed: int
) -> None:
    counts = rejections(control_share, covariate, seed)
    low, high = stats.binom.ppf([0.0005, 0.9995], REPLICATES, ALPHA)
    assert len(counts) == 8  # every metric the results allow
    for metric, (up, down) in counts.items():
        assert low <= up + down <= high, (metric, up, down)
        side_low, side_high = stats.binom.ppf([0.0005, 0.9995], up + down, 0.5)
        assert side_low <= up <= side_high, (metric, up, down)
