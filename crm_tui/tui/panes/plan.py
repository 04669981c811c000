"""Plan: start from an objective or open a TOML plan, edit targets and arms, watch audiences,
MDE and budget update, save the plan and export the assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    Collapsible,
    DataTable,
    Input,
    Select,
    Static,
)

from campaigns import CampaignPlan, Target
from campaigns.library import CONTACT_COSTS, STRATEGIES
from campaigns.model import CHANNELS, METRICS, OBJECTIVES, OFFER_KINDS
from crm_tui.language import N_, _, say
from crm_tui.reports.evaluation import metric_name
from crm_tui.reports.names import offer_text, word
from crm_tui.reports.plan import baseline_text, need_text, total_line
from crm_tui.tui.panes.plan_form import (
    PlanFields,
    TargetFields,
    arms_text,
    edit_plan,
    exact,
    plan_fields,
)
from crm_tui.tui.widgets.forms import path_field, row, text_field
from crm_tui.tui.widgets.tables import PaneTable

if TYPE_CHECKING:
    from campaigns.check import PlanCheck

EDIT_DELAY = 0.3  # seconds of quiet typing before the plan is checked again
TARGET_COLUMNS = (
    N_("#"),
    N_("target"),
    N_("in plan"),
    N_("supp."),
    N_("MDE"),
    N_("cost"),
    N_("channel"),
    N_("offer"),
    N_("selector"),
)


class PlanPane(VerticalScroll):
    class StarterRequested(Message):
        def __init__(self, objective: str) -> None:
            super().__init__()
            self.objective = objective

    class OpenRequested(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class PlanEdited(Message):
        def __init__(self, plan: CampaignPlan) -> None:
            super().__init__()
            self.plan = plan

    class SaveRequested(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class ExportRequested(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self) -> None:
        super().__init__()
        self.plan: CampaignPlan | None = None
        self.customers: pl.DataFrame | None = None
        self.selected = 0
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        objectives = [(word(o), o) for o in OBJECTIVES]
        yield row(
            _("Objective"),
            Select(
                objectives, value="churn_recall", allow_blank=False, id="objective", compact=True
            ),
            Button(_("Starter plan"), id="starter", compact=True),
        )
        yield row(
            _("Plan file"),
            path_field("plan-path", "plan.toml"),
            Button(_("Open"), id="open", compact=True),
            Button(_("Save"), id="save", variant="primary", compact=True),
        )
        yield row(
            _("Arms"),
            text_field("arms", _("control=0.2, treatment=0.8 (the first is the control)")),
            Static("", id="arms-error", classes="error inline"),
        )
        with Collapsible(title=_("Plan settings"), id="plan-settings"):
            yield from self._settings_form()
        # outside the section: a broken setting is seen while the section is closed
        yield Static("", id="plan-settings-error", classes="error")
        yield Static(
            _("Choose an objective and press Starter plan, or open a plan file."), id="plan-hint"
        )
        yield PaneTable(id="targets", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="plan-body"):
            with Vertical(id="target-form", classes="form"):
                yield from self._target_form()
            with Vertical(id="plan-side"):
                yield Static(_("Budget and power"), classes="section-title")
                yield Static(_("Start from an objective or open a plan."), id="totals")
                yield path_field("export-path", _("assignment.csv or .parquet"), "assignment.csv")
                yield Button(_("Export assignment"), id="export", compact=True)

    def _settings_form(self) -> ComposeResult:
        def short(id: str, placeholder: str = "") -> Input:
            return text_field(id, placeholder, short=True)

        metrics = [(metric_name(m), m) for m in METRICS]
        yield row(
            _("Name"),
            text_field("p-name"),
            _("Metric"),
            Select(metrics, allow_blank=False, id="p-metric", compact=True),
        )
        yield row(_("Days"), short("p-days"), _("Lift %"), short("p-lift"))
        yield row(_("Alpha"), short("p-alpha"), _("Power"), short("p-power"))
        yield row(
            _("Budget cap"),
            short("p-budget-cap", _("none")),
            _("Holdout %"),
            short("p-holdout"),
        )
        yield row(
            _("Salt"),
            short("p-salt"),
            _("Holdout salt"),
            text_field("p-holdout-salt"),  # its default is 22 characters
        )
        yield row(
            _("Judged by"),
            text_field("p-primary", _("the metric; or e.g. conversion_rate, roi")),
        )
        yield row(
            _("Suppress"),
            text_field("p-suppress", _("selectors nobody is contacted in, ; between")),
        )
        yield row(
            _("Phases"),
            text_field("p-phases", _("e.g. warm-up=2026-11-01..2026-11-10, main=…")),
        )

    def _target_form(self) -> ComposeResult:
        def choice(id: str, options: Sequence[str], blank: bool = False) -> Select[str]:
            return Select(
                [(word(o), o) for o in options],
                allow_blank=blank,
                prompt=_("(none)"),
                id=id,
                compact=True,
            )

        def short(id: str) -> Input:
            return text_field(id, short=True)

        yield Static(_("Target"), classes="section-title", id="target-title")
        yield row(_("Name"), text_field("t-name"))
        yield row(
            _("Selector"),
            text_field("t-selector", _("e.g. lifecycle = sleeping and orders >= 2")),
        )
        yield row(_("Strategy"), choice("t-strategy", list(STRATEGIES), blank=True))
        yield row(
            _("Channel"),
            choice("t-channel", CHANNELS),
            _("Offer"),
            choice("t-offer", OFFER_KINDS),
        )
        # two fields a row: at 80 columns the form is half the screen
        yield row(
            _("Value"),
            short("t-value"),
            _("Min spend"),
            short("t-min-spend"),
        )
        yield row(
            _("Contacts"),
            short("t-cap"),
            _("Per contact"),
            short("t-per-contact"),
        )
        yield row(
            _("Redeem %"),
            short("t-redemption"),
            _("Baseline"),
            text_field("t-baseline", _("history"), short=True),
        )
        yield row(
            _("Arms"),
            text_field("t-arms", _("the plan's; to test two offers: c=0.2, a=0.4 @coupon 5/99, …")),
        )
        yield row(
            _("Rank by"),
            text_field("t-rank", _("e.g. churn_risk"), short=True),
            _("Keep top"),
            text_field("t-top", _("0.2 or 500"), short=True),
        )
        yield row(
            _("Phase"),
            text_field("t-phase", _("all"), short=True),
            Checkbox(_("Suppress: never contact"), id="t-suppress", compact=True),
        )
        yield Static("", id="target-error", classes="error")
        yield row(
            None,
            Button(_("Add target"), id="add", compact=True),
            Button(_("Remove target"), id="remove", variant="error", compact=True),
        )

    def on_mount(self) -> None:
        self.query_one("#targets", DataTable).add_columns(*map(_, TARGET_COLUMNS))

    # -- showing -------------------------------------------------------------------------

    def show_plan(
        self,
        plan: CampaignPlan,
        customers: pl.DataFrame | None,
        path: Path | None,
        dirty: bool,
    ) -> None:
        """Show a plan the app now holds, filling the form from it."""
        self.plan, self.customers = plan, customers
        self.show_status(plan, path, dirty)
        path_input = self.query_one("#plan-path", Input)
        if path is not None:
            path_input.value = str(path)
        elif not path_input.value:
            path_input.value = "plan.toml"  # saving never replaces an existing file unasked
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#arms", Input).value = arms_text(plan.arms)
            self.query_one("#objective", Select).value = plan.objective
            self._fill_settings(plan)
        self.selected = min(self.selected, len(plan.targets) - 1) if plan.targets else 0
        self._fill_table(None)
        self._fill_form()

    def _fill_settings(self, plan: CampaignPlan) -> None:
        shown = plan_fields(plan)
        values = {
            "name": shown.name,
            "days": shown.days,
            "lift": shown.lift,
            "alpha": shown.alpha,
            "power": shown.power,
            "budget-cap": shown.budget_cap,
            "holdout": shown.holdout,
            "salt": shown.salt,
            "holdout-salt": shown.holdout_salt,
            "primary": shown.primary,
            "suppress": shown.suppress,
            "phases": shown.phases,
        }
        for key, value in values.items():
            self.query_one(f"#p-{key}", Input).value = value
        self.query_one("#p-metric", Select).value = shown.metric
        self.query_one("#plan-settings-error", Static).update("")

    def plan_edited(self, plan: CampaignPlan, path: Path | None) -> None:
        """The app took an edit made here: the form already shows it."""
        self.plan = plan
        self.show_status(plan, path, dirty=True)

    def show_status(self, plan: CampaignPlan, path: Path | None, dirty: bool) -> None:
        saved = _("unsaved changes") if dirty else _("saved")
        where = f"{path}, {saved}" if path is not None else _("not saved yet")
        as_of = plan.as_of.isoformat() if plan.as_of else _("latest")
        status = _(
            "{name} ({objective}), salt {salt}, as of {as_of}, {days} days, metric {metric}; "
            "{where}"
        )
        self.query_one("#plan-hint", Static).update(
            status.format(
                name=plan.name,
                objective=word(plan.objective),
                salt=plan.salt,
                as_of=as_of,
                days=plan.duration_days,
                metric=metric_name(plan.metric),
                where=where,
            )
        )

    def show_check(self, check: PlanCheck) -> None:
        self._fill_table(check)
        lines = [total_line(check)]
        lines += [
            _("suppressed: {reason}: {n:,}").format(reason=say(r), n=n)
            for r, n in check.suppressed.items()
        ]
        for t in check.targets:
            need = f", {needed}" if (needed := need_text(t)) else ""
            arms = ", ".join(f"{a} {n:,}" for a, n in t.arms.items())
            lines.append(f"{t.name}: {arms}; {baseline_text(t)}{need}")
        lines += [f"⚠ {say(w)}" for w in check.warnings]
        self.query_one("#totals", Static).update("\n".join(lines))

    def show_check_failed(self, message: str) -> None:
        """The plan could not be checked on this shop: why, and no figures that would wait."""
        self._fill_table(None, failed=True)
        self.query_one("#totals", Static).update(
            _("Cannot check the plan on this shop: {reason}").format(reason=message)
        )

    def _fill_table(
        self, check: PlanCheck | None, plan: CampaignPlan | None = None, failed: bool = False
    ) -> None:
        plan = plan or self.plan
        if plan is None:
            return
        table = self.query_one("#targets", DataTable)
        table.clear()
        checks = {t.name: t for t in check.targets} if check else {}
        waiting = "-" if failed else "…"  # "…": a check is on its way
        for i, target in enumerate(plan.targets):
            c = checks.get(target.name)
            mde = "-" if c is None or c.power.mde_rel is None else f"{c.power.mde_rel:+.0%}"
            table.add_row(
                str(i + 1),
                target.name,
                waiting if c is None else f"{c.customers:,}",
                waiting if c is None else f"{sum(c.suppressed.values()):,}",
                mde,
                waiting if c is None else f"{c.cost:,.0f}",
                word(target.channel),
                offer_text(target.offer),
                target.selector,
                key=str(i),
            )
        if plan.targets:
            table.move_cursor(row=self.selected)

    def _fill_form(self) -> None:
        """Show the selected target; setting the fields must not read as the user editing."""
        if self.plan is None or not self.plan.targets:
            return
        if self._pending is not None:
            self._pending.stop()  # an edit typed into the previous target is dropped, not moved
            self._pending = None
        t = self.plan.targets[self.selected]
        self._show_title(t)
        values = {
            "name": t.name,
            "selector": t.selector,
            "value": exact(t.offer.value),
            "min-spend": exact(t.offer.min_spend),
            "cap": str(t.contact_cap),
            "per-contact": exact(t.costs.per_contact),
            "redemption": f"{100 * t.costs.redemption_rate:g}",
            "baseline": "" if t.baseline is None else exact(t.baseline),
            "rank": t.rank or "",
            "top": "" if t.top is None else exact(t.top),
            "arms": "" if t.arms is None else arms_text(t.arms),
            "phase": t.phase or "",
        }
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self.query_one("#t-suppress", Checkbox).value = t.suppress
            for key, value in values.items():
                self.query_one(f"#t-{key}", Input).value = value
            strategy = self.query_one("#t-strategy", Select)
            strategy.value = t.strategy if t.strategy in STRATEGIES else Select.BLANK
            self.query_one("#t-channel", Select).value = t.channel
            self.query_one("#t-offer", Select).value = t.offer.kind
        self.query_one("#target-error", Static).update("")

    # -- editing ---------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#targets")
    def _target_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            index = int(event.row_key.value)
            if index != self.selected:
                self.selected = index
                self._fill_form()

    @on(DataTable.RowSelected, "#targets")
    def _target_selected(self) -> None:
        self.query_one("#t-selector", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.plan is None:
            return
        if event.input.id == "arms" or (event.input.id or "").startswith(("t-", "p-")):
            self._schedule_edit()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.plan is None:
            return
        current = self.plan.targets[self.selected] if self.plan.targets else None
        if event.select.id == "t-strategy" and event.value in STRATEGIES:
            # choosing the target's own strategy again changes nothing
            if current is None or current.strategy != event.value:
                self._apply_strategy(str(event.value))
            return
        if event.select.id == "t-channel" and event.value in CONTACT_COSTS:
            # the old channel's price per contact would cost the new one wrongly
            with self.prevent(Input.Changed):
                cost = CONTACT_COSTS[str(event.value)]
                self.query_one("#t-per-contact", Input).value = f"{cost:g}"
        if event.select.id == "objective" or (event.select.id or "").startswith(("t-", "p-")):
            self._schedule_edit()

    @on(Checkbox.Changed, "#t-suppress")
    def _suppress_changed(self) -> None:
        if self.plan is not None:
            self._schedule_edit()

    def flush_edit(self) -> None:
        """Apply an edit still waiting for the typing to pause: saving or exporting right
        after a keystroke must take what is on screen."""
        if self._pending is not None:
            self._pending.stop()
            self._edit()

    def _schedule_edit(self) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(EDIT_DELAY, self._edit)

    def _apply_strategy(self, key: str) -> None:
        s = STRATEGIES[key]
        fields = {
            "value": s.offer.value,
            "min-spend": s.offer.min_spend,
            "cap": s.contact_cap,
            "per-contact": s.costs.per_contact,
            "redemption": 100 * s.costs.redemption_rate,
        }
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#t-channel", Select).value = s.channel
            self.query_one("#t-offer", Select).value = s.offer.kind
            for field_id, value in fields.items():
                self.query_one(f"#t-{field_id}", Input).value = f"{value:g}"
        self._schedule_edit()

    def _edit(self) -> None:
        """Apply what parses; show each problem beside the part it came from."""
        self._pending = None
        if self.plan is None:
            return
        edit = edit_plan(
            self.plan,
            self.query_one("#arms", Input).value,
            self._target_fields() if self.plan.targets else None,
            self.selected,
            self.customers,
            self._plan_fields(),
        )
        self.query_one("#plan-settings-error", Static).update(edit.settings_error)
        if edit.settings_error:
            self.query_one("#plan-settings", Collapsible).collapsed = False
        self.query_one("#arms-error", Static).update(edit.arms_error)
        self.query_one("#target-error", Static).update(edit.target_error)
        if edit.plan.targets:
            self._show_title(edit.plan.targets[self.selected])
        if edit.plan != self.plan:
            self._fill_table(None, edit.plan)
            self.post_message(self.PlanEdited(edit.plan))

    def _target_fields(self) -> TargetFields:
        def text(key: str) -> str:
            return self.query_one(f"#t-{key}", Input).value

        def choice(key: str) -> str:
            value = self.query_one(f"#t-{key}", Select).value
            return "" if value is Select.BLANK else str(value)

        return TargetFields(
            name=text("name"),
            selector=text("selector"),
            strategy=choice("strategy"),
            channel=choice("channel"),
            offer=choice("offer"),
            value=text("value"),
            min_spend=text("min-spend"),
            cap=text("cap"),
            per_contact=text("per-contact"),
            redemption=text("redemption"),
            baseline=text("baseline"),
            rank=text("rank"),
            top=text("top"),
            arms=text("arms"),
            phase=text("phase"),
            suppress=self.query_one("#t-suppress", Checkbox).value,
        )

    def _plan_fields(self) -> PlanFields:
        def text(key: str) -> str:
            return self.query_one(f"#p-{key}", Input).value

        return PlanFields(
            name=text("name"),
            metric=str(self.query_one("#p-metric", Select).value),
            days=text("days"),
            lift=text("lift"),
            alpha=text("alpha"),
            power=text("power"),
            budget_cap=text("budget-cap"),
            holdout=text("holdout"),
            objective=str(self.query_one("#objective", Select).value),
            salt=text("salt"),
            holdout_salt=text("holdout-salt"),
            primary=text("primary"),
            suppress=text("suppress"),
            phases=text("phases"),
        )

    def _show_title(self, target: Target) -> None:
        title = _("Target {n}: {name}").format(n=self.selected + 1, name=target.name)
        self.query_one("#target-title", Static).update(title)

    @on(Input.Submitted, "#export-path")
    def _export_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request_export()

    def request_export(self) -> None:
        self.flush_edit()
        export = self.query_one("#export-path", Input).value.strip()
        if export:
            self.post_message(self.ExportRequested(Path(export).expanduser()))
        else:
            self.app.notify(_("Type the assignment file name first"), severity="warning")

    @on(Button.Pressed, "#starter")
    def _starter(self) -> None:
        self.post_message(self.StarterRequested(str(self.query_one("#objective", Select).value)))

    @on(Button.Pressed, "#open")
    def request_open(self) -> None:
        path_text = self.query_one("#plan-path", Input).value.strip()
        if path_text:
            self.post_message(self.OpenRequested(Path(path_text).expanduser()))
        else:
            self.app.notify(_("Type the plan's file name first"), severity="warning")

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.request_save()

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        self.request_export()

    @on(Button.Pressed, "#add")
    def add_target(self) -> None:
        if self.plan is not None:
            self._add_target()

    @on(Button.Pressed, "#remove")
    def remove_target(self) -> None:
        if self.plan is None or len(self.plan.targets) < 2:
            self.app.notify(_("A plan keeps at least one target"), severity="warning")
            return
        targets = list(self.plan.targets)
        del targets[self.selected]
        self.selected = max(0, self.selected - 1)
        self._replace_targets(targets)

    def request_save(self) -> None:
        self.flush_edit()
        path_text = self.query_one("#plan-path", Input).value.strip()
        if not path_text:
            self.app.notify(
                _("Type the plan's file name (e.g. plan.toml) first"), severity="warning"
            )
            return
        self.post_message(self.SaveRequested(Path(path_text).expanduser()))

    def _add_target(self) -> None:
        assert self.plan is not None
        taken = {t.name for t in self.plan.targets}
        name = next(f"target {i}" for i in range(1, 1000) if f"target {i}" not in taken)
        s = STRATEGIES["keep_warm"]
        new = Target(name, "lifecycle = active", s.key, s.channel, s.offer, s.contact_cap, s.costs)
        self.selected = len(self.plan.targets)
        self._replace_targets([*self.plan.targets, new])

    def _replace_targets(self, targets: list[Target]) -> None:
        assert self.plan is not None
        plan = replace(self.plan, targets=tuple(targets))
        self.plan = plan  # the form shows a target of this plan before the app takes it
        self._fill_table(None)
        self._fill_form()
        self.post_message(self.PlanEdited(plan))
