from __future__ import annotations

import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evaluation.stats import benjamini_hochberg, holm, sample_ratio

TOL = 1e-8


def test_adjustments_against_statsmodels() -> None:
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.049]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]), rel=TOL)
    assert benjamini_hochberg(p) == pytest.approx(
        list(multipletests(p, method="fdr_bh")[1]), rel=TOL
    )


def test_sample_ratio_against_scipy() -> None:
    p, expected = sample_ratio(
        {"control": 1900, "treatment": 8100}, {"control": 0.2, "treatment": 0.8}
    )
    assert expected == {"control": 2000.0, "treatment": 8000.0}
    assert p == pytest.approx(stats.chisquare([1900, 8100], [2000, 8000]).pvalue, rel=TOL)
