"""The Plan form does what its messages ask: a baseline field, ranks, channel costs, a header that
follows the name, and a check that cannot run says why beside the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from campaigns.library import CONTACT_COSTS
from crm_tui.tui.app import CrmApp
from crm_tui.tui.panes.plan import PlanPane
from tests.tui.conftest import sample
from tests.tui.test_flows import settle, type_into


async def started(pilot, app: CrmApp, objective: str = "churn_recall") -> None:
    await settle(app, pilot)
    app.make_starter(objective)
    await settle(app, pilot)


async def open_settings(pilot, app: CrmApp) -> None:
    """The Plan settings section, opened as a click on its title would."""
    app.query_one("#plan-settings").collapsed = False
    await pilot.pause()


async def edited(app: CrmApp, pilot) -> None:
    """What was typed, applied now rather than after the pause in typing the form waits for."""
    await pilot.pause()
    app.query_one(PlanPane).flush_edit()
    await settle(app, pilot)


@pytest.mark.usefixtures("in_repo")
async def test_baseline_rank_and_top_reach_the_plan() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await type_into(pilot, "#t-baseline", "0.03")
        await type_into(pilot, "#t-rank", "revenue")
        await type_into(pilot, "#t-top", "0.5")
        await edited(app, pilot)
        target = app.state.plan.targets[0]
        assert (target.baseline, target.rank, target.top) == (0.03, "revenue", 0.5)
        await type_into(pilot, "#t-baseline", "")
        await edited(app, pilot)
        assert app.state.plan.targets[0].baseline is None


@pytest.mark.usefixtures("in_repo")
async def test_a_new_channel_brings_its_own_contact_cost_and_the_title_follows_the_name() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        channel = "phone" if app.state.plan.targets[0].channel != "phone" else "sms"
        app.query_one("#t-channel", Select).value = channel
        await edited(app, pilot)
        target = app.state.plan.targets[0]
        assert target.channel == channel
        assert target.costs.per_contact == CONTACT_COSTS[channel]
        assert app.query_one("#t-per-contact", Input).value == f"{CONTACT_COSTS[channel]:g}"
        await type_into(pilot, "#t-name", "renamed")
        await edited(app, pilot)
        assert str(app.query_one("#target-title", Static).render()) == "Target 1: renamed"


@pytest.mark.usefixtures("in_repo")
async def test_a_plan_that_cannot_be_checked_says_why_beside_it(tmp_path: Path) -> None:
    paths = sample()
    alone = tmp_path / "orders.csv"  # no visitors file beside it
    shutil.copy(paths["orders"], alone)
    app = CrmApp(alone, None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app, "visitor_conversion")
        totals = str(app.query_one("#totals", Static).render())
        assert totals.startswith("Cannot check the plan on this shop:")
        assert "visitors file" in totals
        row = app.query_one("#targets", DataTable).get_row_at(0)
        assert "…" not in row


@pytest.mark.usefixtures("in_repo")
async def test_saving_right_after_a_keystroke_saves_what_was_typed(tmp_path: Path) -> None:
    from campaigns.toml_io import load_plan
    from tests.tui.test_flows import fill

    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await fill(pilot, "#plan-path", tmp_path / "plan.toml")
        await type_into(pilot, "#t-name", "typed just now")
        await pilot.press("ctrl+s")  # before the form's pause in typing has passed
        await settle(app, pilot)
        assert load_plan(tmp_path / "plan.toml").targets[0].name == "typed just now"


@pytest.mark.usefixtures("in_repo")
async def test_the_plan_settings_are_edited_in_the_form() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await open_settings(pilot, app)
        await type_into(pilot, "#p-days", "21")
        await type_into(pilot, "#p-budget-cap", "5000")
        await type_into(pilot, "#p-lift", "10")
        await edited(app, pilot)
        plan = app.state.plan
        assert (plan.duration_days, plan.budget_cap, plan.wanted_lift) == (21, 5000.0, 0.1)
        await type_into(pilot, "#p-alpha", "2")
        await edited(app, pilot)
        error = str(app.query_one("#plan-settings-error", Static).render())
        assert "alpha: expected a number between 0 and 1, got 2" in error
        assert app.state.plan.alpha == plan.alpha


@pytest.mark.usefixtures("in_repo")
async def test_a_target_tests_two_offers_in_its_own_arms() -> None:
    from campaigns import Arm, Offer

    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        typed = "control=0.2, low=0.4 @coupon 5/99, high=0.4 @coupon 10/99"
        await type_into(pilot, "#t-arms", typed)
        await edited(app, pilot)
        assert app.state.plan.targets[0].arms == (
            Arm("control", 0.2, True),
            Arm("low", 0.4, False, Offer("coupon", 5.0, 99.0)),
            Arm("high", 0.4, False, Offer("coupon", 10.0, 99.0)),
        )
        assert app.query_one("#t-arms", Input).value == typed
        # the check counts customers in each of the target's own arms
        check = app.query_one("#totals", Static).render()
        assert "low" in str(check) and "high" in str(check)
        await type_into(pilot, "#t-arms", "control=0.2, low=0.8 @voucher 5")
        await edited(app, pilot)
        assert "offer of low: expected one of coupon" in str(
            app.query_one("#target-error", Static).render()
        )


@pytest.mark.usefixtures("in_repo")
async def test_every_plan_setting_reaches_the_saved_file(tmp_path: Path) -> None:
    """Salts, the metrics judged by, suppression, phases and a target's phase and suppress flag:
    typed in the form, saved, and read back from the TOML."""
    import datetime as dt

    from textual.widgets import Checkbox

    from campaigns.model import Phase
    from campaigns.toml_io import load_plan
    from tests.tui.test_flows import fill

    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await open_settings(pilot, app)
        await type_into(pilot, "#p-salt", "spring")
        await type_into(pilot, "#p-holdout-salt", "shop-wide")
        await type_into(pilot, "#p-primary", "conversion_rate, roi")
        await type_into(pilot, "#p-suppress", 'lifecycle = lost; tier = "VIP"')
        await type_into(
            pilot, "#p-phases", "warm-up=2026-11-01..2026-11-10, main=2026-11-11..2026-11-11"
        )
        await type_into(pilot, "#t-phase", "main")
        app.query_one("#t-suppress", Checkbox).value = True
        await edited(app, pilot)
        assert str(app.query_one("#target-error", Static).render()) == ""
        await fill(pilot, "#plan-path", tmp_path / "plan.toml")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    saved = load_plan(tmp_path / "plan.toml")
    assert (saved.salt, saved.holdout_salt) == ("spring", "shop-wide")
    assert saved.primary_metrics == ("conversion_rate", "roi")
    assert saved.suppress == ("lifecycle = lost", 'tier = "VIP"')
    assert saved.phases == (
        Phase("warm-up", dt.date(2026, 11, 1), dt.date(2026, 11, 10)),
        Phase("main", dt.date(2026, 11, 11), dt.date(2026, 11, 11)),
    )
    assert (saved.targets[0].phase, saved.targets[0].suppress) == ("main", True)


@pytest.mark.usefixtures("in_repo")
async def test_a_setting_the_plan_refuses_is_shown_with_the_section_closed() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await type_into(pilot, "#t-phase", "main")
        await edited(app, pilot)
        error = str(app.query_one("#target-error", Static).render())
        assert "phase: unknown phase 'main'; phases: none are defined" in error
        assert app.state.plan.targets[0].phase is None
        app.query_one("#objective", Select).value = "event_retention"
        await edited(app, pilot)
        assert not app.query_one("#plan-settings").collapsed
        error = str(app.query_one("#plan-settings-error", Static).render())
        assert "phases: an event_retention plan needs phases warm-up, main, after" in error
        assert app.state.plan.objective == "churn_recall"
        app.query_one("#objective", Select).value = "churn_recall"
        await type_into(pilot, "#p-suppress", "lifecycle = lots")
        await edited(app, pilot)
        assert "suppress: " in str(app.query_one("#plan-settings-error", Static).render())
