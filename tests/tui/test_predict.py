"""The Predict tab shows what `crm-tui predict` prints, for the same orders and fields."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Input, Static

from crm_tui.cli.main import main
from crm_tui.tui.app import CrmApp
from tests.tui.conftest import sample


@pytest.mark.usefixtures("in_repo")
async def test_the_predict_tab_fits_what_the_command_line_fits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = sample()
    capsys.readouterr()
    args = ["predict", str(paths["orders"]), "--calibration-end", "2025-09-30", "--json"]
    assert main(args) == 0
    cli = json.loads(capsys.readouterr().out)
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("5")
        app.query_one("#calibration-end", Input).value = "2025-09-30"
        assert await pilot.click("#fit")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        prediction = app.state.prediction
        assert prediction is not None and prediction.validation is not None
        assert prediction.base.bgnbd.r == pytest.approx(cli["bgnbd"]["r"], rel=1e-9)
        assert prediction.validation.auc == pytest.approx(cli["validation"]["auc"], rel=1e-9)
        summary = str(app.query_one("#fit-summary", Static).render())
        assert f"AUC {cli['validation']['auc']:.3f}" in summary
        deciles = app.query_one("#deciles", DataTable)
        assert deciles.row_count == len(cli["deciles"]) == 10
        assert deciles.get_row_at(0)[1] == f"{cli['deciles'][0]['customers']:,}"
        calibration = app.query_one("#calibration", DataTable)
        first = cli["churn"]["calibration"][0]
        assert calibration.row_count == 10
        assert calibration.get_row_at(0)[2:] == [
            f"{first['predicted']:.3f}",
            f"{first['observed']:.3f}",
        ]
