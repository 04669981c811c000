"""Each shell words a library error for its own user, from the setting the error names."""

from __future__ import annotations

import polars as pl
import pytest

from campaigns.selectors import compile_selector
from crm_tui.cli.wording import error_line as cli_line
from crm_tui.errors import InputError
from crm_tui.tui.wording import error_line as tui_line


def test_a_setting_is_worded_per_shell() -> None:
    exc = InputError("only 3 of the customers bought twice", setting="lifecycle_days")
    assert cli_line(exc) == f"{exc}; give fixed thresholds with --lifecycle-days A,B,C"
    assert tui_line(exc) == f"{exc}; type fixed thresholds in Days on the Segments tab"


def test_an_error_without_a_setting_is_left_as_it_is() -> None:
    exc = InputError("orders.csv: the file is empty")
    assert cli_line(exc) == tui_line(exc) == "orders.csv: the file is empty"


def test_a_selector_on_visitors_points_at_the_visitors_file() -> None:
    with pytest.raises(ValueError) as err:
        compile_selector('visitor = "never bought"', pl.DataFrame({"customer_id": ["a"]}))
    assert cli_line(err.value).endswith("add --visitors FILE")
    assert tui_line(err.value).endswith("name one on the Data tab")
