from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings

from crm_tui.app.sample import generate

# CI runs on a busy shared machine: no example may fail for being slow, and every run explores
# the same examples, so a failure is reproducible from the log alone.
settings.register_profile("crm-tui", deadline=None, derandomize=True)
settings.load_profile("crm-tui")

# whatever the machine's locale, the suite reads English unless a test asks for Chinese
os.environ["CRM_TUI_LANG"] = "en"


@pytest.fixture(scope="session")
def sample_shop():
    return generate(customers=3000, seed=11)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory, sample_shop) -> Path:
    from crm_tui.app.sample import write

    out = tmp_path_factory.mktemp("sample")
    write(sample_shop, out)
    return out


@pytest.fixture(scope="session")
def paid_orders(sample_shop) -> pl.DataFrame:
    return sample_shop.orders.filter(pl.col("status") == "paid").drop("status")
