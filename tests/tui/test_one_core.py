"""The command line and the app are two shells over one core: same plan, same numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import Input, Static

from campaigns.check import PlanCheck
from crm_tui.cli.main import main
from crm_tui.tui.app import CrmApp
from crm_tui.tui.panes.plan import PlanPane
from tests.tui.conftest import sample


class Checks:
    def __init__(self) -> None:
        self.seen: list[PlanCheck] = []

    def __call__(self, message: Message) -> None:
        if type(message).__name__ == "PlanChecked":
            self.seen.append(message.check)  # type: ignore[attr-defined]


async def settle(app: CrmApp, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def cli_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict]:
    """The issue's plan: event retention as of 2025-06-01 with tiers 100/300, checked by the CLI."""
    orders = str(sample()["orders"])
    plan_file = tmp_path / "plan.toml"
    init = ["plan", "init", "--objective", "event_retention", "--orders", orders]
    init += ["--as-of", "2025-06-01", "--tiers", "100,300", "--salt", "s1", "--out", str(plan_file)]
    assert main(init) == 0
    capsys.readouterr()
    assert main(["plan", "check", str(plan_file), "--orders", orders, "--json"]) == 0
    return plan_file, json.loads(capsys.readouterr().out)


async def open_plan(app: CrmApp, pilot, path: Path) -> None:
    app.query_one("#plan-path", Input).value = str(path)
    app.query_one(PlanPane).request_open()
    await settle(app, pilot)


@pytest.mark.usefixtures("in_repo")
async def test_the_same_plan_gives_the_same_audiences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file, cli = cli_plan(tmp_path, capsys)
    checks = Checks()
    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40), message_hook=checks) as pilot:
        await settle(app, pilot)  # loaded with the default settings, as of the latest day
        await open_plan(app, pilot, plan_file)
        tui = checks.seen[-1]
        assert {t.name: (t.customers, t.arms) for t in tui.targets} == {
            t["name"]: (t["customers"], t["arms"]) for t in cli["targets"]
        }
        assert tui.plan_hash == cli["plan_hash"]
        # every tab shows the shop as the plan segments it
        seg = app.state.segmentation
        assert seg is not None and seg.as_of == dt.date(2025, 6, 1)
        assert seg.settings.tier_thresholds == (100.0, 300.0)

        # settings applied on the Segments tab become the plan's, marked unsaved
        app.action_show_tab("segments")
        await pilot.pause()
        app.query_one("#tiers", Input).value = "188,388"
        assert await pilot.click("#apply")
        await settle(app, pilot)
        assert app.state.plan is not None and app.state.plan_dirty
        assert app.state.plan.segmentation.tier_thresholds == (188.0, 388.0)
        assert app.state.segmentation.settings.tier_thresholds == (188.0, 388.0)


@pytest.mark.usefixtures("in_repo")
async def test_a_new_salt_never_replaces_a_saved_plan_unasked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file, _ = cli_plan(tmp_path, capsys)
    saved = plan_file.read_text()
    app = CrmApp(sample()["orders"], None, None, sample())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await open_plan(app, pilot, plan_file)
        assert "unsaved" not in str(app.query_one("#plan-hint", Static).render())

        app.make_starter("churn_recall")  # nothing unsaved: no question
        await settle(app, pilot)
        assert app.state.plan is not None and app.state.plan.salt != "s1"
        assert app.state.plan_path is None
        assert "not saved yet" in str(app.query_one("#plan-hint", Static).render())

        app.make_starter("custom")  # unsaved edits: asked first, and kept when cancelled
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.click("#no")
        await pilot.pause()
        assert app.state.plan.objective == "churn_recall"

        await pilot.press("ctrl+s")  # the path field still names plan.toml
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        question = str(app.screen.query_one(Static).render())
        assert "salt s1" in question and "arm" in question
        await pilot.click("#no")
        await settle(app, pilot)
        assert plan_file.read_text() == saved
        assert app.state.plan_dirty


@pytest.mark.usefixtures("in_repo")
async def test_a_sequential_look_reads_the_same_in_both_shells(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from textual.widgets import Select

    from crm_tui.reports.evaluation import to_json
    from crm_tui.tui.panes.evaluate import EvaluatePane

    paths = sample()
    files = [str(paths["results"]), "--assignment", str(paths["assignment"])]
    look = ["--plan", str(paths["plan"]), "--sequential", "spending", "--day", "3"]
    capsys.readouterr()
    assert main(["evaluate", *files, *look, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        pane = app.query_one(EvaluatePane)
        pane.set_paths(paths["results"], paths["assignment"], paths["plan"])
        app.query_one("#looks", Select).value = "spending"
        app.query_one("#day", Input).value = "3"
        await pilot.pause()
        assert await pilot.click("#evaluate")
        await settle(app, pilot)
        assert app.state.report is not None
        # the same to the last digits shown: Polars' threads may sum in another order
        assert same_numbers(to_json(app.state.report), cli)
        assert "look 3 of 30" in str(app.query_one("#srm", Static).render())


def same_numbers(a: object, b: object) -> bool:
    """Equal, floats to within 1e-9 of each other (relative, or absolute near zero)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_numbers(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_numbers(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return a == b


@pytest.mark.usefixtures("in_repo")
async def test_dictionary_encoded_results_read_the_same_in_both_shells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parquet results whose arms and segments are dictionaries stay Categorical once read:
    the app's breakdown by segment gives the command line's numbers."""
    import polars as pl

    from crm_tui.reports.evaluation import to_json
    from crm_tui.tui.panes.evaluate import EvaluatePane

    paths = sample()
    ids = {"customer_id": pl.String}
    outcomes = pl.read_csv(paths["results"], schema_overrides=ids)
    arms = pl.read_csv(paths["assignment"], schema_overrides=ids).filter(
        pl.col("arm").is_not_null()
    )
    path = tmp_path / "results.parquet"
    arms.select("customer_id", "arm", "segment").join(outcomes, on="customer_id").with_columns(
        pl.col("arm", "segment").cast(pl.Categorical)
    ).write_parquet(path)
    capsys.readouterr()
    assert main(["evaluate", str(path), "--by", "segment", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        app.query_one(EvaluatePane).set_paths(path, None, None)
        app.query_one("#by", Input).value = "segment"
        await pilot.pause()
        assert await pilot.click("#evaluate")
        await settle(app, pilot)
        assert app.state.report is not None and app.state.report.by == "segment"
        assert same_numbers(to_json(app.state.report), cli)
