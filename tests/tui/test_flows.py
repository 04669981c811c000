"""The operator's whole loop, driven through Pilot, with the domain messages captured."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from campaigns import Arm
from campaigns.toml_io import load_plan
from crm_tui.app.planning import fingerprint
from crm_tui.reports.evaluation import CAPPED_MARK
from crm_tui.tui.app import CrmApp
from crm_tui.tui.panes.evaluate import EvaluatePane
from crm_tui.tui.panes.plan import PlanPane
from tests.tui.conftest import sample

FACTS = {
    "ShopLoaded",
    "SegmentsComputed",
    "PlanChecked",
    "PlanSaved",
    "AssignmentExported",
    "EvaluationFinished",
    "ReportExported",
}


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Message] = []

    def __call__(self, message: Message) -> None:
        if type(message).__name__ in FACTS:
            self.seen.append(message)

    def names(self) -> list[str]:
        return [type(m).__name__ for m in self.seen]


async def settle(app: CrmApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def flushed(app: CrmApp, pilot) -> None:
    """The Plan form's pending edit applied now, not after the pause in typing it waits for."""
    await pilot.pause()
    app.query_one(PlanPane).flush_edit()
    await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    """Key by key, as a user types: each key is an edit the app reacts to."""
    widget = pilot.app.query_one(selector, Input)
    widget.value = ""
    widget.focus()
    await pilot.press(*text)


async def fill(pilot, selector: str, path: object) -> None:
    """A file name, set at once: typing a long temporary path key by key tests nothing more."""
    widget = pilot.app.query_one(selector, Input)
    widget.value = str(path)
    widget.focus()
    await pilot.pause()


@pytest.mark.usefixtures("in_repo")
async def test_whole_loop(tmp_path: Path) -> None:
    paths = sample()
    recorder = Recorder()
    app = CrmApp(None, None, None, paths)
    async with app.run_test(size=(120, 40), message_hook=recorder) as pilot:
        # Data: type the orders and visitors files and load them
        await fill(pilot, "#orders-path", paths["orders"])
        await fill(pilot, "#visitors-path", paths["visitors"])
        await pilot.click("#load")
        await settle(app, pilot)
        assert recorder.names() == ["ShopLoaded"]
        seg = app.state.segmentation
        assert seg is not None and seg.orders == 26290
        assert app.query_one("#mapping", DataTable).row_count == 8

        # Segments: switch scheme, drill into a segment, recompute with other tiers
        await pilot.press("escape", "2")
        app.query_one("#scheme", Select).value = "tier"
        await pilot.pause()
        table = app.query_one("#segment-table", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [
            "member",
            "VIP",
            "top VIP",
        ]
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#drill", DataTable).row_count == 20
        await type_into(pilot, "#tiers", "100,300")
        await pilot.click("#apply")
        await settle(app, pilot)
        assert "SegmentsComputed" in recorder.names()
        assert app.state.segmentation.settings.tier_thresholds == (100.0, 300.0)

        # Plan: starter plan, edit a target's selector and arms, watch the check update
        await pilot.press("escape", "3")  # escape leaves the input, so 3 switches tabs
        await pilot.pause()
        assert await pilot.click("#starter")
        await settle(app, pilot)
        assert recorder.names().count("PlanChecked") >= 1
        plan = app.state.plan
        assert plan is not None and plan.objective == "churn_recall"
        before = len(recorder.seen)
        await type_into(pilot, "#t-selector", "lifecycle = sleeping and tier = VIP")
        await flushed(app, pilot)
        await settle(app, pilot)
        assert app.state.plan.targets[0].selector == "lifecycle = sleeping and tier = VIP"
        assert "PlanChecked" in [type(m).__name__ for m in recorder.seen[before:]]
        assert app.state.plan_dirty

        # an invalid selector is shown where it was typed and changes nothing
        await type_into(pilot, "#t-selector", "lifecycle = slepping")
        await flushed(app, pilot)
        assert "did you mean 'sleeping'" in str(app.query_one("#target-error", Static).render())
        assert app.state.plan.targets[0].selector == "lifecycle = sleeping and tier = VIP"

        await type_into(pilot, "#arms", "control=0.5, treatment=0.5")
        await flushed(app, pilot)
        await settle(app, pilot)
        assert app.state.plan.arms == (Arm("control", 0.5, True), Arm("treatment", 0.5))

        # save with ctrl+s, then export the assignment
        plan_file = tmp_path / "plan.toml"
        await fill(pilot, "#plan-path", plan_file)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "PlanSaved" in recorder.names() and not app.state.plan_dirty
        assert load_plan(plan_file) == app.state.plan
        recorded = load_plan(plan_file).data  # the files the app checked the plan against
        assert recorded.orders is not None and recorded.visitors is not None
        assert recorded.orders.sha256 == fingerprint(paths["orders"])
        assignment_file = tmp_path / "assignment.csv"
        await fill(pilot, "#export-path", assignment_file)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "AssignmentExported" in recorder.names()
        exported = pl.read_csv(assignment_file)
        assert exported["plan_hash"].n_unique() == 1
        # the campaign's results will be judged against these two: the Evaluate tab offers them
        assert app.query_one(EvaluatePane).paths()[1:] == (assignment_file, plan_file)

        # Evaluate: the sample results, SRM first, then the comparisons and a Markdown export
        await pilot.press("escape", "4")
        await pilot.pause()
        assert await pilot.click("#sample")
        await settle(app, pilot)
        assert "EvaluationFinished" in recorder.names()
        assert str(app.query_one("#srm", Static).render()).startswith("Sample ratio OK")
        comparisons = app.query_one("#comparisons", DataTable)
        metrics = [
            str(comparisons.get_row_at(i)[0]).removesuffix(CAPPED_MARK)
            for i in range(comparisons.row_count)
        ]
        assert {"ctr", "roi", "cost_per_conversion", "value_per_converter"} <= set(metrics)
        report_file = tmp_path / "report.md"
        await fill(pilot, "#report-path", report_file)
        await pilot.press("enter")
        await settle(app, pilot)
        assert report_file.read_text().startswith("# Campaign evaluation")


@pytest.mark.usefixtures("in_repo")
async def test_bad_file_is_a_message_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "orders.csv"
    bad.write_text("who,when\nx,y\n")
    app = CrmApp(bad, None, None, sample())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        error = str(app.query_one("#data-error", Static).render())
        assert "missing required column" in error
        assert app.state.shop is None
        assert app.is_running


@pytest.mark.usefixtures("in_repo")
async def test_quit_asks_when_the_plan_is_unsaved() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.make_starter("custom")
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.click("#no")
        await pilot.pause()
        assert app.is_running
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


@pytest.mark.usefixtures("in_repo")
async def test_moving_between_targets_changes_no_target() -> None:
    paths = sample()
    recorder = Recorder()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(100, 30), message_hook=recorder) as pilot:
        await settle(app, pilot)
        app.make_starter("churn_recall")
        await settle(app, pilot)
        before = app.state.plan
        app.query_one("#targets", DataTable).focus()
        await pilot.press("down", "down", "down", "up", "down")
        await flushed(app, pilot)
        await settle(app, pilot)
        assert app.state.plan == before
        assert app.query_one("#t-name", Input).value == before.targets[3].name


@pytest.mark.usefixtures("in_repo")
async def test_loading_shows_rows_read_then_the_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_tui.io import readers
    from crm_tui.io.orders import load_orders
    from crm_tui.progress import Progress
    from crm_tui.tui.messages import LoadProgressed

    monkeypatch.setattr(readers, "BATCH_ROWS", 5000)
    orders = tmp_path / "orders.parquet"
    load_orders(sample()["orders"]).orders.write_parquet(orders)
    heard: list[Progress] = []

    def hook(message: Message) -> None:
        if isinstance(message, LoadProgressed):
            heard.append(message.progress)

    app = CrmApp(orders, None, None, sample())
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(app, pilot)
        assert not app.query_one("#data-progress").display  # gone once loaded
    total = pl.read_parquet(orders).height
    rows = [p.rows for p in heard if p.rows is not None]
    assert len(rows) > 2 and rows == sorted(rows) and rows[-1] == total
    assert {p.total for p in heard if p.rows is not None} == {total}
    phases = list(dict.fromkeys(p.phase for p in heard))
    assert phases[0] == "reading orders" and phases[-1].startswith("segmenting as of")


@pytest.mark.usefixtures("in_repo")
async def test_focus_goes_to_the_table_that_changed() -> None:
    """After Apply, an evaluation or a load, the next key must not land in a text field: a
    tab's number would be typed into it (and q, in a path, would have quit)."""
    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await type_into(pilot, "#days", "30,60,120")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.focused is app.query_one("#segment-table")
        assert app.state.segmentation is not None
        assert app.state.segmentation.lifecycle.thresholds_days == (30, 60, 120)
        await pilot.press("4")
        await pilot.click("#sample")
        await settle(app, pilot)
        assert app.state.report is not None
        assert app.focused is app.query_one("#comparisons")
        await pilot.press("1")
        app.query_one("#orders-path", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.focused is app.query_one("#ladder")
        await pilot.press("3")  # reaches the app: the Plan tab opens
        assert app.query_one("TabbedContent").active == "tab-plan"


@pytest.mark.usefixtures("in_repo")
async def test_a_failed_load_shows_nothing_of_the_shop_before(tmp_path: Path) -> None:
    bad = tmp_path / "orders.csv"
    bad.write_text("who,when\nx,y\n")
    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await fill(pilot, "#orders-path", bad)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "missing required column" in str(app.query_one("#data-error", Static).render())
        assert app.query_one("#mapping", DataTable).row_count == 0
        assert app.query_one("#ladder", DataTable).row_count == 0
        summary = str(app.query_one("#summary", Static).render())
        assert summary == "The other tabs still show sample_data/orders.csv."


@pytest.mark.usefixtures("in_repo")
async def test_switching_scheme_starts_the_tables_afresh() -> None:
    from crm_tui.engine.schemes import LIFECYCLE_STAGES
    from crm_tui.tui.panes.segments import DRILL_HINT

    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        app.query_one("#scheme", Select).value = "rfm"
        await pilot.pause()
        table = app.query_one("#segment-table", DataTable)
        table.focus()
        await pilot.press("enter")  # the first segment's customers
        await pilot.pause()
        assert "rfm" in str(app.query_one("#drill-title", Static).render())
        app.query_one("#scheme", Select).value = "lifecycle"
        await pilot.pause()
        assert str(app.query_one("#drill-title", Static).render()) == DRILL_HINT
        assert app.query_one("#drill", DataTable).row_count == 0
        first = next(iter(table.columns.values()))
        # as wide as this scheme's names, not the last scheme's ("Potential Loyalists")
        assert first.content_width == max(len("segment"), *map(len, LIFECYCLE_STAGES))


@pytest.mark.usefixtures("in_repo")
async def test_the_evaluation_table_fits_a_narrow_terminal() -> None:
    """At 80x24 the figures decided on first (lift, adjusted p, chance to beat, risk) are all
    on screen; wide, every column is; resizing switches between the two."""
    from evaluation.model import OVERALL

    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await pilot.click("#sample")
        await settle(app, pilot)
        table = app.query_one("#comparisons", DataTable)

        def shown() -> list[str]:
            return [c.label.plain for c in table.columns.values()]

        assert shown()[2:4] == ["control", "treatment"] and "p" in shown()
        assert table.virtual_size.width <= table.size.width
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert shown() == ["metric", "lift [CI]", "p adj", "P(beats)", "risk"]
        assert table.virtual_size.width <= table.size.width
        assert app.state.report is not None
        overall = [c for c in app.state.report.comparisons if c.segment == OVERALL]
        assert table.row_count == len(overall) > 0  # redrawn, not emptied


@pytest.mark.usefixtures("in_repo")
async def test_your_own_orders_leave_the_sample_behind(tmp_path: Path) -> None:
    """The sample's results, assignment and plan leave the Evaluate tab; a visitors file lying
    beside your orders is picked up; a profiles file named in the form is kept."""
    import shutil

    shop = tmp_path / "shop"
    shop.mkdir()
    shutil.copy(sample()["orders"], shop / "orders.csv")
    shutil.copy(sample()["visitors"], shop / "visitors.csv")
    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.query_one("#results-path", Input).value == str(sample()["results"])
        await fill(pilot, "#profiles-path", sample()["profiles"])
        await fill(pilot, "#orders-path", shop / "orders.csv")
        await pilot.press("enter")
        await settle(app, pilot)
        for field in ("#results-path", "#assignment-path", "#eval-plan-path"):
            assert app.query_one(field, Input).value == ""
        assert app.query_one("#visitors-path", Input).value == str(shop / "visitors.csv")
        assert app.query_one("#profiles-path", Input).value == str(sample()["profiles"])
        assert app.state.shop is not None and app.state.shop.visitors is not None
        assert app.state.shop.files.orders == shop / "orders.csv"
