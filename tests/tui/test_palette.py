"""Every action through the command palette, as an operator reaches it: ctrl+p, a few typed
letters, enter. The help screen lists the same commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Select, Tab

from crm_tui.language import current, use
from crm_tui.tui.app import CrmApp
from crm_tui.tui.screens import HelpScreen
from tests.tui.conftest import sample
from tests.tui.test_flows import fill, settle


async def run(app: CrmApp, pilot, title: str) -> None:
    """Open the palette, type the command's title, take the first hit."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*title)
    await settle(app, pilot)  # the palette searches in a worker
    await pilot.press("enter")
    await settle(app, pilot)


@pytest.mark.usefixtures("in_repo")
async def test_the_palette_reaches_every_action(tmp_path: Path) -> None:
    paths = sample()
    app = CrmApp(None, None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await fill(pilot, "#orders-path", paths["orders"])
        await run(app, pilot, "Open orders")
        assert app.state.segmentation is not None and app.state.segmentation.orders == 26290

        await fill(pilot, "#tiers", "100,300")
        await run(app, pilot, "Apply segmentation settings")
        assert app.state.segmentation.settings.tier_thresholds == (100, 300)

        await run(app, pilot, "Scheme: rfm")
        assert app.query_one("#scheme", Select).value == "rfm"
        assert app.query_one("#segment-table").has_focus

        await run(app, pilot, "Starter plan: churn_recall")
        assert app.state.plan is not None and app.state.plan.objective == "churn_recall"
        targets = len(app.state.plan.targets)
        await run(app, pilot, "Add target")
        assert len(app.state.plan.targets) == targets + 1
        await run(app, pilot, "Remove target")
        assert len(app.state.plan.targets) == targets

        await fill(pilot, "#plan-path", tmp_path / "plan.toml")
        await run(app, pilot, "Save plan")
        assert (tmp_path / "plan.toml").is_file() and not app.state.plan_dirty
        await fill(pilot, "#export-path", tmp_path / "assignment.csv")
        await run(app, pilot, "Export assignment")
        assert (tmp_path / "assignment.csv").is_file()

        await fill(pilot, "#plan-path", paths["plan"])
        await run(app, pilot, "Open plan")
        assert app.state.plan_path == paths["plan"]

        await run(app, pilot, "Evaluate sample results")
        assert app.state.report is not None
        app.state.report = None
        await fill(pilot, "#results-path", paths["results"])
        await run(app, pilot, "Evaluate results")
        assert app.state.report is not None
        await fill(pilot, "#report-path", tmp_path / "report.md")
        await run(app, pilot, "Export report as Markdown")
        assert (tmp_path / "report.md").read_text().startswith("# Campaign evaluation")

        await run(app, pilot, "Fit customer-base models")
        assert app.state.prediction is not None

        await run(app, pilot, "Show Data")
        assert app.query_one("TabbedContent").active == "tab-data"


@pytest.mark.usefixtures("in_repo")
async def test_language_from_the_palette_keeps_what_is_on_screen(tmp_path: Path) -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await run(app, pilot, "Starter plan: churn_recall")
            await fill(pilot, "#results-path", tmp_path / "typed.csv")
            app.query_one("#scheme", Select).value = "tier"
            plan, seg = app.state.plan, app.state.segmentation

            await run(app, pilot, "Language: 简体中文")
            assert current() == "zh"
            labels = [str(tab.label) for tab in app.query(Tab)]
            assert labels == ["1 数据", "2 分群", "3 计划", "4 评估", "5 预测"]
            assert app.state.plan is plan and app.state.segmentation is seg
            assert app.query_one("#results-path", Input).value == str(tmp_path / "typed.csv")
            assert app.query_one("#scheme", Select).value == "tier"
            assert app.query_one("#t-name", Input).value == plan.targets[0].name
            first = app.query_one("#segment-table").get_row_at(0)
            assert first[0] == "会员"  # the tier scheme's first segment, in Chinese
            assert quit_key(app) == "退出"

            await run(app, pilot, "语言：English")
            assert current() == "en"
            assert next(str(tab.label) for tab in app.query(Tab)) == "1 Data"
            assert app.query_one("#segment-table").get_row_at(0)[0] == "member"
            assert quit_key(app) == "Quit"
            use("zh")
            CrmApp()  # an app made in Chinese leaves the next one's keys in English
            use("en")
            assert quit_key(CrmApp()) == "Quit"
    finally:
        use("en")


def quit_key(app: CrmApp) -> str:
    """What the footer says q does."""
    return app._bindings.key_to_bindings["q"][0].description


@pytest.mark.usefixtures("in_repo")
async def test_help_lists_the_palette_and_fits_80x24() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        titles = [title for title, _ in app.screen.commands]
        for title in ("Open plan", "Apply segmentation settings", "Scheme: rfm", "Theme"):
            assert title in titles
        close = app.screen.query_one("#close")
        assert close.region.bottom <= 24 and close.region.height > 0
        await pilot.click("#close")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
