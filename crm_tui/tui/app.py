"""The app: one tab per pane over one state object; long work in thread workers.

Workers take their inputs as arguments, call the same core functions as the command line
(crm_tui.app) and report facts by message; only the handlers of those messages change the state.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from campaigns import CampaignPlan, PlanError
from campaigns.model import OBJECTIVES
from campaigns.settings import SegmentationSettings
from crm_tui.app.evaluating import EvaluationRequest
from crm_tui.app.predicting import PredictRequest
from crm_tui.app.shop import Shop, ShopFiles, files_beside
from crm_tui.engine import Segmentation
from crm_tui.errors import InputError
from crm_tui.progress import Progress, listening
from crm_tui.tui.messages import (
    AssignmentExported,
    EvaluationFinished,
    LoadProgressed,
    PlanChecked,
    PlanSaved,
    Predicted,
    ReportExported,
    SegmentsComputed,
    ShopLoaded,
)
from crm_tui.tui.panes.data import DataPane
from crm_tui.tui.panes.evaluate import EvaluatePane
from crm_tui.tui.panes.plan import PlanPane
from crm_tui.tui.panes.predict import PredictPane
from crm_tui.tui.panes.segments import SegmentsPane
from crm_tui.tui.screens import Confirm, HelpScreen
from crm_tui.tui.state import AppState
from crm_tui.tui.wording import error_line
from evaluation import Report


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    pane: type[Widget]
    focus: str  # the table that takes the focus, so that the number keys keep switching tabs


TABS = (
    Tab("data", "Data", DataPane, "#ladder"),
    Tab("segments", "Segments", SegmentsPane, "#segment-table"),
    Tab("plan", "Plan", PlanPane, "#targets"),
    Tab("evaluate", "Evaluate", EvaluatePane, "#comparisons"),
    Tab("predict", "Predict", PredictPane, "#deciles"),
)


def _stylesheet(pane: type[Widget]) -> Path:
    """Each pane's TCSS sits beside its module."""
    return Path(inspect.getfile(pane)).with_suffix(".tcss")


class CrmApp(App[None]):
    TITLE = "crm-tui"
    SUB_TITLE = "repeat-customer marketing"
    CSS_PATH = [Path(__file__).with_name("app.tcss"), *[_stylesheet(t.pane) for t in TABS]]
    BINDINGS = [
        *[Binding(str(i), f"show_tab('{t.key}')", t.title) for i, t in enumerate(TABS, 1)],
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
        self.state = AppState()
        self.initial = (orders, visitors, profiles)
        self.sample = sample or {}

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=f"tab-{TABS[0].key}"):
            for i, tab in enumerate(TABS, 1):
                with TabPane(f"{i} {tab.title}", id=f"tab-{tab.key}"):
                    yield tab.pane()
        yield Footer()

    def on_mount(self) -> None:
        orders, visitors, profiles = self.initial
        self.query_one(DataPane).set_paths(orders, visitors, profiles)
        if "results" in self.sample and (orders is None or self._is_sample(orders)):
            self.query_one(EvaluatePane).set_paths(*self._sample_evaluation())
        if orders is not None:
            self.load_data()

    # -- actions --------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        focus = {f"tab-{t.key}": t.focus for t in TABS}.get(event.pane.id or "")
        if focus:
            self.query_one(focus).focus(scroll_visible=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            # leave the field, so that the number keys and q reach the app again
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
        self._ask("The plan has unsaved changes. Quit anyway?", "Quit", self.exit, no="Stay")

    def action_save_plan(self) -> None:
        self.query_one(PlanPane).request_save()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for i, tab in enumerate(TABS, 1):
            yield SystemCommand(
                f"Show {tab.key}",
                f"Switch to the {tab.title} tab ({i})",
                lambda key=tab.key: self.action_show_tab(key),
            )
        yield from self._commands()

    def _commands(self) -> Iterable[SystemCommand]:
        segments, plan = self.query_one(SegmentsPane), self.query_one(PlanPane)
        evaluate = self.query_one(EvaluatePane)
        yield SystemCommand("Load data", "Read the files named on the Data tab", self.load_data)
        yield SystemCommand(
            "Apply segmentation settings",
            "Segment again with the As of, Tiers, Quantiles and Days on the Segments tab",
            segments.apply,
        )
        for objective in OBJECTIVES:
            yield SystemCommand(
                f"Starter plan: {objective}",
                "Build the objective's starter plan",
                lambda o=objective: self.make_starter(o),
            )
        yield SystemCommand(
            "Open plan", "Read the plan file named on the Plan tab", plan.request_open
        )
        yield SystemCommand("Save plan", "Write the plan as TOML (ctrl+s)", self.action_save_plan)
        yield SystemCommand("Add target", "Add a target to the plan", plan.add_target)
        yield SystemCommand("Remove target", "Remove the selected target", plan.remove_target)
        yield SystemCommand(
            "Export assignment",
            "Write who is in which arm to the file named on the Plan tab",
            plan.request_export,
        )
        yield SystemCommand(
            "Evaluate results",
            "Evaluate the results named on the Evaluate tab",
            evaluate.request_evaluation,
        )
        yield SystemCommand(
            "Evaluate sample results", "Open the bundled campaign results", self.evaluate_sample
        )
        yield SystemCommand(
            "Export report as Markdown",
            "Write the evaluation to the file named on the Evaluate tab",
            evaluate.request_export,
        )
        yield SystemCommand(
            "Fit customer-base models",
            "Who will come back and what they are worth (the Predict tab)",
            self.query_one(PredictPane).request_fit,
        )
        yield SystemCommand("Cancel work", "Stop what is running (escape)", self.action_cancel)
        yield SystemCommand("Help", "Show how to use crm-tui (?)", self.action_help)

    def _ask(self, question: str, yes: str, then: Callable[[], object], no: str = "Cancel") -> None:
        def answer(confirmed: bool | None) -> None:
            if confirmed:
                then()

        self.push_screen(Confirm(question, yes, no), answer)

    # -- workers ----------------------------------------------------------------------------

    def _set_busy(self, busy: bool, pane: type | None = None) -> None:
        for tab in TABS:
            self.query_one(tab.pane).loading = busy and tab.pane is pane

    def load_data(self) -> None:
        from crm_tui.io.columns import parse_overrides

        pane = self.query_one(DataPane)
        form = pane.form()
        if form.orders is None:
            pane.show_error("Type the orders file's path first")
            return
        try:
            overrides = tuple(parse_overrides(form.overrides).items())
        except InputError as exc:
            pane.show_error(error_line(exc))
            return
        visitors, profiles = form.visitors, form.profiles
        if not self._is_sample(form.orders):
            visitors, profiles = self._leave_the_sample(form.orders, visitors, profiles)
        files = ShopFiles(form.orders, visitors, profiles, overrides)
        self.state.files = files
        pane.show_progress(Progress("opening the orders file"))  # the pane stays in view
        self._load(files, self.state.settings, self.state.as_of)

    def _is_sample(self, orders: Path) -> bool:
        sample = self.sample.get("orders")
        return sample is not None and orders.resolve() == sample.resolve()

    def _sample_evaluation(self) -> tuple[Path | None, Path | None, Path | None]:
        return self.sample.get("results"), self.sample.get("assignment"), self.sample.get("plan")

    def _leave_the_sample(
        self, orders: Path, visitors: Path | None, profiles: Path | None
    ) -> tuple[Path | None, Path | None]:
        """Your own orders: the sample's campaign files leave the Evaluate tab, and visitors and
        profiles files lying beside the orders fill the fields left empty."""
        evaluate = self.query_one(EvaluatePane)
        if evaluate.paths() == self._sample_evaluation():
            evaluate.set_paths(None, None, None)
        beside = files_beside(orders)
        visitors = visitors or beside.get("visitors")
        profiles = profiles or beside.get("profiles")
        self.query_one(DataPane).set_paths(orders, visitors, profiles)
        return visitors, profiles

    @work(thread=True, exclusive=True, group="data", exit_on_error=False, description="loading")
    def _load(
        self, files: ShopFiles, settings: SegmentationSettings, as_of: dt.date | None
    ) -> None:
        from crm_tui.app.shop import load_shop

        with listening(lambda progress: self.post_message(LoadProgressed(progress))):
            shop = load_shop(files)
            seg = shop.segment(settings, as_of)
        if not get_current_worker().is_cancelled:
            self.post_message(ShopLoaded(shop, seg))

    @work(thread=True, exclusive=True, group="data", exit_on_error=False, description="segmenting")
    def _segment(self, shop: Shop, settings: SegmentationSettings, as_of: dt.date | None) -> None:
        seg = shop.segment(settings, as_of)
        if not get_current_worker().is_cancelled:
            self.post_message(SegmentsComputed(shop, seg))

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False, description="checking")
    def _check(self, plan: CampaignPlan, shop: Shop) -> None:
        from crm_tui.app.planning import check

        report, _ = check(plan, shop)
        if not get_current_worker().is_cancelled:
            self.post_message(PlanChecked(plan, report))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="saving")
    def _save(
        self, plan: CampaignPlan, files: ShopFiles | None, path: Path, overwrite: bool
    ) -> None:
        from campaigns.toml_io import save_plan
        from crm_tui.app.planning import recorded

        # the plan records the files it was checked against here, as `plan check --record` does
        saved = recorded(plan, files, path) if files is not None else plan
        save_plan(saved, path, overwrite)
        self.post_message(PlanSaved(saved, path, edited=plan))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="exporting")
    def _export(self, plan: CampaignPlan, shop: Shop, path: Path) -> None:
        from crm_tui.app.planning import check
        from crm_tui.io.writers import write_table

        _, assignment = check(plan, shop)
        write_table(assignment, path)
        self.post_message(AssignmentExported(path, assignment.height))

    @work(
        thread=True, exclusive=True, group="evaluate", exit_on_error=False, description="evaluating"
    )
    def _evaluate(self, request: EvaluationRequest) -> None:
        from crm_tui.app.evaluating import run_evaluation

        report = run_evaluation(request)
        if not get_current_worker().is_cancelled:
            self.post_message(EvaluationFinished(report))

    @work(thread=True, exclusive=True, group="predict", exit_on_error=False, description="fitting")
    def _predict(self, shop: Shop, request: PredictRequest) -> None:
        from crm_tui.app.predicting import predict

        prediction = predict(shop, request)
        if not get_current_worker().is_cancelled:
            self.post_message(Predicted(prediction))

    @on(PredictPane.PredictRequested)
    def _on_predict(self, message: PredictPane.PredictRequested) -> None:
        if self.state.shop is None:
            self.notify("Load data first", severity="warning")
            return
        self._set_busy(True, PredictPane)
        # the shop as the Segments tab dates it: the same As of scores the same customers
        self._predict(self.state.shop, replace(message.request, as_of=self.state.as_of))

    @work(thread=True, exclusive=True, group="io", exit_on_error=False, description="exporting")
    def _export_report(self, report: Report, path: Path) -> None:
        from crm_tui.io.writers import write_text_atomic
        from crm_tui.reports.evaluation import to_markdown

        write_text_atomic(path, to_markdown(report))
        self.post_message(ReportExported(path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self._set_busy(False)
            if event.worker.group == "data":
                self.query_one(DataPane).show_progress(None)
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            known = isinstance(error, (InputError, PlanError, OSError, ValueError))
            message = error_line(error) if known else f"{type(error).__name__}: {error}"
            self.notify(
                message, title=f"{event.worker.description} failed", severity="error", timeout=10
            )
            if event.worker.description == "loading":
                shown = str(self.state.shop.files.orders) if self.state.shop else None
                self.query_one(DataPane).show_failed(message, shown)
            elif event.worker.group == "data":
                self.query_one(DataPane).show_error(message)

    # -- facts from the workers -----------------------------------------------------------------

    def on_load_progressed(self, message: LoadProgressed) -> None:
        pane = self.query_one(DataPane)
        if pane.loading_shown:  # a report that arrives after the load ended is not shown
            pane.show_progress(message.progress)

    def on_shop_loaded(self, message: ShopLoaded) -> None:
        self.state.shop = message.shop
        self._show_segmentation(message.shop, message.segmentation)
        self.clear_notifications()  # a failed load's toast would contradict this one
        self.notify(f"Loaded {message.segmentation.orders:,} orders")
        self._focus_result(DataPane)
        if self.state.plan is not None:
            self._start_check(self.state.plan)

    def on_segments_computed(self, message: SegmentsComputed) -> None:
        if message.shop is self.state.shop:
            self._show_segmentation(message.shop, message.segmentation)
            self._focus_result(SegmentsPane)

    def _focus_result(self, pane: type[Widget]) -> None:
        """Focus the table that work the user asked for has just filled, when its tab is on
        screen: left in a field, the next key (a tab's number) would be typed into it."""
        tab = next(t for t in TABS if t.pane is pane)
        if self.query_one(TabbedContent).active == f"tab-{tab.key}":
            self.query_one(tab.focus).focus(scroll_visible=False)

    def _show_segmentation(self, shop: Shop, seg: Segmentation) -> None:
        self.state.segmentation = seg
        self.query_one(DataPane).show(shop, seg)
        self.query_one(SegmentsPane).segmentation = seg

    def on_plan_checked(self, message: PlanChecked) -> None:
        if message.plan == self.state.plan:  # a check of an older edit is not shown
            self.query_one(PlanPane).show_check(message.check)

    def on_plan_saved(self, message: PlanSaved) -> None:
        s = self.state
        s.plan_path = message.path
        if message.edited == s.plan:  # no edit since: the saved plan, with its data, is current
            s.plan, s.plan_dirty = message.plan, False
            self.query_one(PlanPane).plan_edited(message.plan, message.path)
        if s.plan is not None:
            self.query_one(PlanPane).show_status(s.plan, message.path, s.plan_dirty)
        self.notify(f"Saved {message.path}")

    def on_assignment_exported(self, message: AssignmentExported) -> None:
        self.notify(f"Wrote {message.rows:,} customers to {message.path}")

    def on_evaluation_finished(self, message: EvaluationFinished) -> None:
        self.state.report = message.report
        self.query_one(EvaluatePane).report = message.report
        self._focus_result(EvaluatePane)

    def on_predicted(self, message: Predicted) -> None:
        self.state.prediction = message.prediction
        self.query_one(PredictPane).prediction = message.prediction

    def on_report_exported(self, message: ReportExported) -> None:
        self.notify(f"Wrote {message.path}")

    # -- requests from the panes -------------------------------------------------------------

    @on(DataPane.LoadRequested)
    def _on_load_requested(self) -> None:
        self.load_data()

    @on(SegmentsPane.SettingsChanged)
    def _on_settings(self, message: SegmentsPane.SettingsChanged) -> None:
        s = self.state
        if s.shop is None:
            self.notify("Load data first", severity="warning")
            return
        s.settings, s.as_of = message.settings, message.as_of
        self._set_busy(True, SegmentsPane)
        self._segment(s.shop, s.settings, s.as_of)
        plan = s.plan
        if plan is not None and (plan.segmentation, plan.as_of) != (s.settings, s.as_of):
            # the plan records how it segments: what the operator sees is what it will target
            self._plan_changed(replace(plan, segmentation=s.settings, as_of=s.as_of), dirty=True)
            self.notify("The plan now uses these segmentation settings (not saved yet)")

    @on(PlanPane.StarterRequested)
    def _on_starter(self, message: PlanPane.StarterRequested) -> None:
        self.make_starter(message.objective)

    def make_starter(self, objective: str) -> None:
        self._unless_unsaved(lambda: self._start_plan(objective), "Replace it")

    def _start_plan(self, objective: str) -> None:
        from crm_tui.app.planning import new_plan

        s = self.state
        as_of = s.segmentation.as_of if s.segmentation is not None else s.as_of
        starter = new_plan(objective, s.settings, as_of)
        s.plan_path = None  # a new plan, with a new salt: it belongs to no file yet
        self.action_show_tab("plan")
        self._plan_changed(starter.plan, dirty=True)

    def _unless_unsaved(self, then: Callable[[], None], yes: str) -> None:
        if not self.state.plan_dirty:
            then()
            return
        self._ask("The plan has unsaved changes that would be lost.", yes, then)

    @on(PlanPane.OpenRequested)
    def _on_open(self, message: PlanPane.OpenRequested) -> None:
        self._unless_unsaved(lambda: self._open_plan(message.path), "Open anyway")

    def _open_plan(self, path: Path) -> None:
        from campaigns.toml_io import load_plan

        try:
            plan = load_plan(path)
        except PlanError as exc:
            self.notify(error_line(exc), title="Cannot open the plan", severity="error", timeout=10)
            return
        s = self.state
        s.plan_path = path
        self._plan_changed(plan, dirty=False)
        if (plan.segmentation, plan.as_of) != (s.settings, s.as_of):
            # the tabs show the shop as the plan segments it
            s.settings, s.as_of = plan.segmentation, plan.as_of
            if s.shop is not None:
                self._segment(s.shop, s.settings, s.as_of)

    @on(PlanPane.PlanEdited)
    def _on_plan_edited(self, message: PlanPane.PlanEdited) -> None:
        self.state.plan, self.state.plan_dirty = message.plan, True
        self.query_one(PlanPane).plan_edited(message.plan, self.state.plan_path)
        self._start_check(message.plan)

    def _plan_changed(self, plan: CampaignPlan, dirty: bool) -> None:
        s = self.state
        s.plan, s.plan_dirty = plan, dirty
        customers = s.segmentation.customers if s.segmentation is not None else None
        self.query_one(PlanPane).show_plan(plan, customers, s.plan_path, dirty)
        self._start_check(plan)

    def _start_check(self, plan: CampaignPlan) -> None:
        if self.state.shop is None:
            self.notify("Load data to see audiences, MDE and budget", severity="warning")
            return
        self._check(plan, self.state.shop)

    @on(PlanPane.SaveRequested)
    def _on_save(self, message: PlanPane.SaveRequested) -> None:
        plan = self.state.plan
        if plan is None:
            self.notify("There is no plan to save yet", severity="warning")
            return
        path, files = message.path, self.state.shop.files if self.state.shop else None
        if not path.exists():
            self._save(plan, files, path, False)
            return
        question = _replace_question(plan, path, own=path == self.state.plan_path)
        if question is None:
            self._save(plan, files, path, True)
        else:
            self._ask(question, "Replace", lambda: self._save(plan, files, path, True))

    @on(PlanPane.ExportRequested)
    def _on_export(self, message: PlanPane.ExportRequested) -> None:
        s = self.state
        if s.plan is None or s.shop is None:
            self.notify("Build a plan on loaded data first", severity="warning")
            return
        if message.path.suffix.lower() not in (".csv", ".parquet"):
            self.notify("The assignment file must end in .csv or .parquet", severity="warning")
            return
        if message.path.exists():
            self.notify(f"{message.path} exists; choose another name", severity="warning")
            return
        self._export(s.plan, s.shop, message.path)

    @on(EvaluatePane.EvaluateRequested)
    def _on_evaluate(self, message: EvaluatePane.EvaluateRequested) -> None:
        self._set_busy(True, EvaluatePane)
        self._evaluate(message.request)

    @on(EvaluatePane.SampleRequested)
    def evaluate_sample(self) -> None:
        from crm_tui.app.sample import sample_paths

        paths = self.sample or sample_paths()
        request = EvaluationRequest(paths["results"], paths["assignment"], paths["plan"])
        self.query_one(EvaluatePane).set_paths(request.results, request.assignment, request.plan)
        self.action_show_tab("evaluate")
        self._set_busy(True, EvaluatePane)
        self._evaluate(request)

    @on(EvaluatePane.ExportRequested)
    def _on_export_report(self, message: EvaluatePane.ExportRequested) -> None:
        if self.state.report is None:
            self.notify("Evaluate results first", severity="warning")
            return
        if message.path.exists():
            self.notify(f"{message.path} exists; choose another name", severity="warning")
            return
        self._export_report(self.state.report, message.path)


def _replace_question(plan: CampaignPlan, path: Path, own: bool) -> str | None:
    """What to ask before the plan replaces an existing file, or None when nothing is at stake.

    The plan's own file is replaced freely while the salt in it is the plan's; a different salt
    would move customers between arms under assignments already exported from that file.
    """
    from campaigns.toml_io import load_plan

    try:
        salt: str | None = load_plan(path).salt
    except PlanError:
        salt = None
    if own and salt == plan.salt:
        return None
    if salt is None:
        return f"{path} exists and is not a plan crm-tui can read. Replace it?"
    if salt != plan.salt:
        return (
            f"{path} holds a plan with salt {salt}; this plan's salt is {plan.salt}. Replacing "
            "it changes which arm every customer is in, and assignments exported from that "
            "file will no longer match it. Replace it?"
        )
    return f"{path} holds another plan with the same salt. Replace it?"


def run_app(orders: Path | None, visitors: Path | None, profiles: Path | None) -> None:
    from crm_tui.app.sample import sample_paths

    sample = sample_paths()
    if orders is None:
        orders, visitors, profiles = sample["orders"], sample["visitors"], sample["profiles"]
    CrmApp(orders, visitors, profiles, sample).run()
