"""The app: four tabs over one state object; long work in thread workers that report facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from campaigns import CampaignPlan, PlanError
from crm_tui.errors import InputError
from crm_tui.tui.data_pane import DataPane
from crm_tui.tui.evaluate_pane import EvaluatePane, EvaluationForm
from crm_tui.tui.messages import (
    AssignmentExported,
    EvaluationFinished,
    OrdersLoaded,
    PlanChecked,
    PlanSaved,
    ReportExported,
    SegmentsComputed,
)
from crm_tui.tui.plan_pane import PlanPane
from crm_tui.tui.screens import ConfirmQuit, HelpScreen
from crm_tui.tui.segments_pane import SegmentsPane
from crm_tui.tui.state import AppState

HERE = Path(__file__).parent
TABS = ("data", "segments", "plan", "evaluate")


class CrmApp(App[None]):
    TITLE = "crm-tui"
    SUB_TITLE = "repeat-customer marketing"
    CSS_PATH = [
        HERE / f"{name}.tcss"
        for name in ("app", "data_pane", "segments_pane", "plan_pane", "evaluate_pane")
    ]
    BINDINGS = [
        Binding("1", "show_tab('data')", "Data"),
        Binding("2", "show_tab('segments')", "Segments"),
        Binding("3", "show_tab('plan')", "Plan"),
        Binding("4", "show_tab('evaluate')", "Evaluate"),
        Binding("ctrl+s", "save_plan", "Save plan"),
        Binding("question_mark", "help", "Help"),
        Binding("escape", "cancel", "Leave field / cancel work", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        orders: Path | None = None,
        visitors: Path | None = None,
        profiles: Path | None = None,
        sample: dict[str, Path] | None = None,
    ) -> None:
        super().__init__()
        self.state = AppState(orders, visitors, profiles)
        self.sample = sample or {}

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="tab-data"):
            with TabPane("1 Data", id="tab-data"):
                yield DataPane()
            with TabPane("2 Segments", id="tab-segments"):
                yield SegmentsPane()
            with TabPane("3 Plan", id="tab-plan"):
                yield PlanPane()
            with TabPane("4 Evaluate", id="tab-evaluate"):
                yield EvaluatePane()
        yield Footer()

    def on_mount(self) -> None:
        s = self.state
        self.query_one(DataPane).set_paths(s.orders_path, s.visitors_path, s.profiles_path)
        if "results" in self.sample:
            self.query_one(EvaluatePane).set_paths(
                self.sample["results"], self.sample.get("assignment"), self.sample.get("plan")
            )
        if s.orders_path is not None:
            self.load_data()

    # -- actions --------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # a table, not an input, takes the focus, so 1-4 keep switching tabs
        table = {
            "tab-data": "#ladder",
            "tab-segments": "#segment-table",
            "tab-plan": "#targets",
            "tab-evaluate": "#comparisons",
        }.get(event.pane.id or "")
        if table:
            self.query_one(table).focus(scroll_visible=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            # leave the field, so that 1-4 and q reach the app again
            self.screen.set_focus(None)
            return
        for worker in self.workers:
            if worker.is_running:
                worker.cancel()
                self.notify(f"Cancelled {worker.description or worker.name}")
        self._set_busy(False)

    async def action_quit(self) -> None:
        if not self.state.plan_dirty:
            self.exit()
            return

        def answer(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmQuit(), answer)

    def action_save_plan(self) -> None:
        self.query_one(PlanPane).request_save()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for i, tab in enumerate(TABS, 1):
            yield SystemCommand(
                f"Show {tab}",
                f"Switch to the {tab} tab ({i})",
                lambda tab=tab: self.action_show_tab(tab),
            )
        yield SystemCommand(
            "Load data", "Read the orders file named on the Data tab", self.load_data
        )
        for objective in ("churn_recall", "visitor_conversion", "event_retention", "custom"):
            yield SystemCommand(
                f"Starter plan: {objective}",
                "Build the starter plan",
                lambda o=objective: self.make_starter(o),
            )
        yield SystemCommand("Save plan", "Write the plan as TOML (ctrl+s)", self.action_save_plan)
        yield SystemCommand(
            "Export assignment",
            "Write who is in which arm to the file named on the Plan tab",
            self.query_one(PlanPane).request_export,
        )
        yield SystemCommand(
            "Evaluate sample results", "Open the bundled campaign results", self.evaluate_sample
        )
        yield SystemCommand(
            "Export report as Markdown",
            "Write the evaluation to the file named on the Evaluate tab",
            self.query_one(EvaluatePane).request_export,
        )
        yield SystemCommand("Cancel work", "Stop what is running (escape)", self.action_cancel)
        yield SystemCommand("Help", "Show how to use crm-tui (?)", self.action_help)

    # -- workers ----------------------------------------------------------------------------

    def _set_busy(self, busy: bool, pane: type | None = None) -> None:
        for widget in (DataPane, SegmentsPane, PlanPane, EvaluatePane):
            self.query_one(widget).loading = busy and widget is pane

    def load_data(self) -> None:
        from crm_tui.columns import parse_overrides

        pane = self.query_one(DataPane)
        form = pane.form()
        if form.orders is None:
            pane.show_error("Type the orders file's path first")
            return
        try:
            overrides = parse_overrides(form.overrides)
        except InputError as exc:
            pane.show_error(str(exc))
            return
        s = self.state
        s.orders_path, s.visitors_path, s.profiles_path = form.orders, form.visitors, form.profiles
        self._set_busy(True, DataPane)
        self._load(form.orders, form.visitors, form.profiles, overrides)

    @work(thread=True, exclusive=True, group="data", exit_on_error=False, description="loading")
    def _load(
        self, orders: Path, visitors: Path | None, profiles: Path | None, overrides: dict[str, str]
    ) -> None:
        from crm_tui.pipeline import load_shop
        from crm_tui.side_tables import load_profiles

        shop = load_shop(orders, overrides, self.state.settings, visitors)
        self.state.profiles = None
        if profiles:
            loaded = load_profiles(profiles)
            self.state.profiles = loaded.frame
            shop = replace(shop, side_findings=(*shop.side_findings, loaded.findings))
        if not get_current_worker().is_cancelled:
            self.post_message(OrdersLoaded(shop))

    @work(thread=True, exclusive=True, group="data", exit_on_error=False, description="segmenting")
    def _resegment(self, settings: object) -> None:
        from crm_tui.pipeline import resegment

        assert self.state.shop is not None
        shop = resegment(self.state.shop, settings)  # type: ignore[arg-type]
        if not get_current_worker().is_cancelled:
            self.post_message(SegmentsComputed(shop))

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False, description="checking")
    def _check(self, plan: CampaignPlan) -> None:
        from crm_tui.planning import check

        assert self.state.shop is not None
        report, _ = check(plan, self.state.shop, self.state.profiles)
        if not get_current_worker().is_cancelled:
            self.post_message(PlanChecked(report))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="saving")
    def _save(self, plan: CampaignPlan, path: Path, overwrite: bool) -> None:
        from campaigns.toml_io import save_plan

        save_plan(plan, path, overwrite)
        self.post_message(PlanSaved(path))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="exporting")
    def _export(self, plan: CampaignPlan, path: Path) -> None:
        from crm_tui.cli import write_table
        from crm_tui.planning import check

        assert self.state.shop is not None
        _, assignment = check(plan, self.state.shop, self.state.profiles)
        write_table(assignment, path, force=False)
        self.post_message(AssignmentExported(path, assignment.height))

    @work(
        thread=True, exclusive=True, group="evaluate", exit_on_error=False, description="evaluating"
    )
    def _evaluate(self, form: EvaluationForm) -> None:
        from campaigns.toml_io import load_plan
        from crm_tui.evaluating import run_evaluation

        plan = load_plan(form.plan) if form.plan is not None else None
        report = run_evaluation(
            form.results,
            assignment_path=form.assignment,
            plan=plan,
            control=form.control,
            by=form.by,
        )
        if not get_current_worker().is_cancelled:
            self.post_message(EvaluationFinished(report))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="exporting")
    def _export_report(self, path: Path) -> None:
        from crm_tui.atomic import write_text_atomic
        from evaluation.render import to_markdown

        assert self.state.report is not None
        write_text_atomic(path, to_markdown(self.state.report))
        self.post_message(ReportExported(path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._set_busy(False)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            known = isinstance(error, (InputError, PlanError, OSError, ValueError))
            message = str(error) if known else f"{type(error).__name__}: {error}"
            self.notify(
                message, title=f"{event.worker.description} failed", severity="error", timeout=10
            )
            if event.worker.group == "data":
                self.query_one(DataPane).show_error(message)

    # -- facts from the workers -----------------------------------------------------------------

    def on_orders_loaded(self, message: OrdersLoaded) -> None:
        self.state.shop = message.shop
        self.query_one(DataPane).show(message.shop)
        self.query_one(SegmentsPane).show(message.shop)
        self.notify(f"Loaded {message.shop.segmentation.orders:,} orders")
        if self.state.plan is not None:
            self._plan_changed(self.state.plan, dirty=self.state.plan_dirty)

    def on_segments_computed(self, message: SegmentsComputed) -> None:
        self.state.shop = message.shop
        self.state.settings = message.shop.segmentation.settings
        self.query_one(DataPane).show(message.shop)
        self.query_one(SegmentsPane).show(message.shop)
        if self.state.plan is not None:
            self._plan_changed(self.state.plan, dirty=self.state.plan_dirty)

    def on_plan_checked(self, message: PlanChecked) -> None:
        self.query_one(PlanPane).show_check(message.check)

    def on_plan_saved(self, message: PlanSaved) -> None:
        self.state.plan_path, self.state.plan_dirty = message.path, False
        self.notify(f"Saved {message.path}")

    def on_assignment_exported(self, message: AssignmentExported) -> None:
        self.notify(f"Wrote {message.rows:,} customers to {message.path}")

    def on_evaluation_finished(self, message: EvaluationFinished) -> None:
        self.state.report = message.report
        self.query_one(EvaluatePane).show(message.report)

    def on_report_exported(self, message: ReportExported) -> None:
        self.notify(f"Wrote {message.path}")

    # -- requests from the panes -------------------------------------------------------------

    @on(DataPane.LoadRequested)
    def _on_load_requested(self) -> None:
        self.load_data()

    @on(SegmentsPane.SettingsChanged)
    def _on_settings(self, message: SegmentsPane.SettingsChanged) -> None:
        if self.state.shop is None:
            self.notify("Load data first", severity="warning")
            return
        self._set_busy(True, SegmentsPane)
        self._resegment(message.settings)

    @on(PlanPane.StarterRequested)
    def _on_starter(self, message: PlanPane.StarterRequested) -> None:
        self.make_starter(message.objective)

    def make_starter(self, objective: str) -> None:
        import secrets

        from campaigns.library import starter_plan
        from crm_tui.planning import plan_settings

        shop = self.state.shop
        as_of = shop.segmentation.as_of if shop else None
        starter = starter_plan(
            objective, secrets.token_hex(6), as_of, plan_settings(self.state.settings)
        )
        self.action_show_tab("plan")
        self._plan_changed(starter.plan, dirty=True)

    @on(PlanPane.OpenRequested)
    def _on_open(self, message: PlanPane.OpenRequested) -> None:
        from campaigns.toml_io import load_plan

        try:
            plan = load_plan(message.path)
        except PlanError as exc:
            self.notify(str(exc), title="Cannot open the plan", severity="error", timeout=10)
            return
        self.state.plan_path = message.path
        self._plan_changed(plan, dirty=False)

    @on(PlanPane.PlanEdited)
    def _on_plan_edited(self, message: PlanPane.PlanEdited) -> None:
        self.state.plan, self.state.plan_dirty = message.plan, True
        self._start_check(message.plan)

    def _plan_changed(self, plan: CampaignPlan, dirty: bool) -> None:
        self.state.plan, self.state.plan_dirty = plan, dirty
        shop = self.state.shop
        self.query_one(PlanPane).show_plan(
            plan, shop.customers if shop else None, self.state.plan_path
        )
        self._start_check(plan)

    def _start_check(self, plan: CampaignPlan) -> None:
        if self.state.shop is None:
            self.notify("Load data to see audiences, MDE and budget", severity="warning")
            return
        self._check(plan)

    @on(PlanPane.SaveRequested)
    def _on_save(self, message: PlanPane.SaveRequested) -> None:
        if self.state.plan is None:
            self.notify("There is no plan to save yet", severity="warning")
            return
        overwrite = message.path == self.state.plan_path
        if message.path.exists() and not overwrite:
            self.notify(
                f"{message.path} exists; choose another name (nothing was overwritten)",
                severity="warning",
            )
            return
        self._save(self.state.plan, message.path, overwrite)

    @on(PlanPane.ExportRequested)
    def _on_export(self, message: PlanPane.ExportRequested) -> None:
        if self.state.plan is None or self.state.shop is None:
            self.notify("Build a plan on loaded data first", severity="warning")
            return
        if message.path.suffix.lower() not in (".csv", ".parquet"):
            self.notify("The assignment file must end in .csv or .parquet", severity="warning")
            return
        if message.path.exists():
            self.notify(f"{message.path} exists; choose another name", severity="warning")
            return
        self._export(self.state.plan, message.path)

    @on(EvaluatePane.EvaluateRequested)
    def _on_evaluate(self, message: EvaluatePane.EvaluateRequested) -> None:
        self._set_busy(True, EvaluatePane)
        self._evaluate(message.form)

    @on(EvaluatePane.SampleRequested)
    def evaluate_sample(self) -> None:
        from crm_tui.pipeline import sample_paths

        paths = self.sample or sample_paths()
        form = EvaluationForm(paths["results"], paths["assignment"], paths["plan"], None, None)
        self.query_one(EvaluatePane).set_paths(form.results, form.assignment, form.plan)
        self.action_show_tab("evaluate")
        self._set_busy(True, EvaluatePane)
        self._evaluate(form)

    @on(EvaluatePane.ExportRequested)
    def _on_export_report(self, message: EvaluatePane.ExportRequested) -> None:
        if self.state.report is None:
            self.notify("Evaluate results first", severity="warning")
            return
        if message.path.exists():
            self.notify(f"{message.path} exists; choose another name", severity="warning")
            return
        self._export_report(message.path)


def run(orders: Path | None, visitors: Path | None, profiles: Path | None) -> int:
    from crm_tui.pipeline import sample_paths

    for given in (orders, visitors, profiles):
        if given is not None and not given.is_file():
            raise InputError(f"{given}: no such file")
    sample = sample_paths()
    if orders is None:
        orders, visitors, profiles = sample["orders"], sample["visitors"], sample["profiles"]
    CrmApp(orders, visitors, profiles, sample).run()
    return 0
