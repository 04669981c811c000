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
from textual.widgets import Footer, Header, Input, Select, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from campaigns import CampaignPlan, PlanError
from campaigns.model import OBJECTIVES
from campaigns.settings import SegmentationSettings
from crm_tui.app.evaluating import EvaluationRequest
from crm_tui.app.predicting import PredictRequest
from crm_tui.app.shop import Shop, ShopFiles, files_beside
from crm_tui.engine import Segmentation
from crm_tui.errors import InputError
from crm_tui.language import LANGUAGES, N_, _, current, use
from crm_tui.progress import Progress, listening
from crm_tui.reports.segment import scheme_title
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
    Tab("data", N_("Data"), DataPane, "#ladder"),
    Tab("segments", N_("Segments"), SegmentsPane, "#segment-table"),
    Tab("plan", N_("Plan"), PlanPane, "#targets"),
    Tab("evaluate", N_("Evaluate"), EvaluatePane, "#comparisons"),
    Tab("predict", N_("Predict"), PredictPane, "#deciles"),
)
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}  # each in its own language
# for the catalogue: the workers' descriptions and Textual's own palette commands, which
# reach the screen through _() where they are shown
WORK = (
    N_("loading"),
    N_("segmenting"),
    N_("checking"),
    N_("saving"),
    N_("exporting"),
    N_("evaluating"),
    N_("fitting"),
)
TEXTUAL_COMMANDS = (
    N_("palette"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)


def _stylesheet(pane: type[Widget]) -> Path:
    """Each pane's TCSS sits beside its module."""
    return Path(inspect.getfile(pane)).with_suffix(".tcss")


class CrmApp(App[None]):
    TITLE = "crm-tui"
    # below 100 cells, side-by-side boxes stack (the stylesheets' .-narrow rules)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    SUB_TITLE = N_("repeat-customer marketing")
    CSS_PATH = [Path(__file__).with_name("app.tcss"), *[_stylesheet(t.pane) for t in TABS]]
    BINDINGS = [
        # the tab bar shows each tab's number: the footer keeps room for the other keys
        *[
            Binding(str(i), f"show_tab('{t.key}')", t.title, show=False)
            for i, t in enumerate(TABS, 1)
        ],
        Binding("ctrl+s", "save_plan", N_("Save plan")),
        Binding("question_mark", "help", N_("Help")),
        Binding("escape", "cancel", N_("Leave field / cancel work"), show=False),
        Binding("q", "quit", N_("Quit")),
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
        self._descriptions = {
            (key, b.action): b.description
            for key, bindings in self._bindings.key_to_bindings.items()
            for b in bindings
        }
        self._speak()

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=f"tab-{TABS[0].key}"):
            for i, tab in enumerate(TABS, 1):
                with TabPane(f"{i} {_(tab.title)}", id=f"tab-{tab.key}"):
                    yield tab.pane()
        yield Footer()

    def _speak(self) -> None:
        """The subtitle and the footer's key descriptions in the language in use."""
        self.sub_title = _(self.SUB_TITLE)
        keys = self._bindings.key_to_bindings
        for key, bindings in list(keys.items()):
            # new lists: the copies Textual makes share theirs with the class
            keys[key] = [
                replace(b, description=_(self._descriptions.get((key, b.action), b.description)))
                for b in bindings
            ]

    async def switch_language(self, language: str) -> None:
        """Redraw every tab in `language`, showing the same state and the same typed fields."""
        if language == current():
            return
        typed = {w.id: w.value for w in self.query(Input) if w.id and not _plan_field(w.id)}
        chosen = {w.id: w.value for w in self.query(Select) if w.id and not _plan_field(w.id)}
        tab = self.query_one(TabbedContent).active
        use(language)
        self._speak()
        await self.recompose()
        self.query_one(TabbedContent).active = tab
        self._show_state()
        with self.prevent(Input.Changed, Select.Changed):
            for field in self.query(Input):
                if field.id in typed:
                    field.value = typed[field.id]
            for select in self.query(Select):
                if select.id in chosen:
                    select.value = chosen[select.id]
        # the tables that follow a choice are redrawn now, not on a message still to come
        self.query_one(SegmentsPane).refresh_table()
        evaluate = self.query_one(EvaluatePane)
        if evaluate.report is not None:
            evaluate.show_segment(str(self.query_one("#segment", Select).value))
        self.refresh_bindings()
        self.notify(_("Language: {language}").format(language=LANGUAGE_NAMES[language]))

    def _show_state(self) -> None:
        """Fill freshly composed tabs from the app's state (the plan form from the plan)."""
        s = self.state
        if s.shop is not None and s.segmentation is not None:
            self._show_segmentation(s.shop, s.segmentation)
        if s.plan is not None:
            self._plan_changed(s.plan, dirty=s.plan_dirty)
        if s.report is not None:
            self.query_one(EvaluatePane).report = s.report
        if s.prediction is not None:
            self.query_one(PredictPane).prediction = s.prediction

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
        # none while the language switch recomposes the tabs: the new ones are not mounted yet
        tables = self.query(focus) if focus else None
        if tables:
            tables.first().focus(scroll_visible=False)

    def action_help(self) -> None:
        commands = [(c.title, c.help) for c in self.get_system_commands(self.screen)]
        self.push_screen(HelpScreen(commands))

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            # leave the field, so that the number keys and q reach the app again
            self.screen.set_focus(None)
            return
        for worker in self.workers:
            if worker.is_running:
                worker.cancel()
                what = _(worker.description) if worker.description else worker.name
                self.notify(_("Cancelled {work}").format(work=what))
        self._set_busy(False)

    async def action_quit(self) -> None:
        if not self.state.plan_dirty:
            self.exit()
            return
        self._ask(_("The plan has unsaved changes. Quit anyway?"), _("Quit"), self.exit, _("Stay"))

    def action_save_plan(self) -> None:
        self.query_one(PlanPane).request_save()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            # Textual's own commands (theme, keys, screenshot, quit), in the language in use
            yield SystemCommand(_(command.title), _(command.help), command.callback)
        for i, tab in enumerate(TABS, 1):
            yield SystemCommand(
                _("Show {tab}").format(tab=_(tab.title)),
                _("Switch to the {tab} tab ({key})").format(tab=_(tab.title), key=i),
                lambda key=tab.key: self.action_show_tab(key),
            )
        yield from self._commands()

    def _commands(self) -> Iterable[SystemCommand]:
        segments, plan = self.query_one(SegmentsPane), self.query_one(PlanPane)
        evaluate = self.query_one(EvaluatePane)
        yield SystemCommand(
            _("Open orders (load data)"), _("Read the files named on the Data tab"), self.load_data
        )
        yield SystemCommand(
            _("Apply segmentation settings"),
            _("Segment again with the As of, Tiers, Quantiles and Days on the Segments tab"),
            segments.apply,
        )
        for scheme in segments.schemes():
            yield SystemCommand(
                _("Scheme: {scheme}").format(scheme=scheme_title(scheme)),
                _("Show the {scheme} segments on the Segments tab").format(
                    scheme=scheme_title(scheme)
                ),
                lambda s=scheme: self.show_scheme(s),
            )
        for objective in OBJECTIVES:
            yield SystemCommand(
                _("Starter plan: {objective}").format(objective=_(objective)),
                _("Build the objective's starter plan"),
                lambda o=objective: self.make_starter(o),
            )
        yield SystemCommand(
            _("Open plan"), _("Read the plan file named on the Plan tab"), plan.request_open
        )
        yield SystemCommand(
            _("Save plan"), _("Write the plan as TOML (ctrl+s)"), self.action_save_plan
        )
        yield SystemCommand(_("Add target"), _("Add a target to the plan"), plan.add_target)
        yield SystemCommand(_("Remove target"), _("Remove the selected target"), plan.remove_target)
        yield SystemCommand(
            _("Export assignment"),
            _("Write who is in which arm to the file named on the Plan tab"),
            plan.request_export,
        )
        yield SystemCommand(
            _("Evaluate results (open your results file)"),
            _("Evaluate the results named on the Evaluate tab"),
            evaluate.request_evaluation,
        )
        yield SystemCommand(
            _("Evaluate sample results"),
            _("Open the bundled campaign results"),
            self.evaluate_sample,
        )
        yield SystemCommand(
            _("Export report as Markdown"),
            _("Write the evaluation to the file named on the Evaluate tab"),
            evaluate.request_export,
        )
        yield SystemCommand(
            _("Fit customer-base models"),
            _("Who will come back and what they are worth (the Predict tab)"),
            self.query_one(PredictPane).request_fit,
        )
        for language in LANGUAGES:
            yield SystemCommand(
                _("Language: {language}").format(language=LANGUAGE_NAMES[language]),
                _("Speak this language in every tab"),
                lambda lang=language: self.run_worker(self.switch_language(lang)),
            )
        yield SystemCommand(
            _("Cancel work"), _("Stop what is running (escape)"), self.action_cancel
        )
        yield SystemCommand(_("Help"), _("Show how to use crm-tui (?)"), self.action_help)

    def show_scheme(self, scheme: str) -> None:
        self.action_show_tab("segments")
        self.query_one(SegmentsPane).show_scheme(scheme)

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
            pane.show_error(_("Type the orders file's path first"))
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
        pane.show_progress(Progress(N_("opening the orders file")))  # the pane stays in view
        self._load(files, self.state.settings, self.state.as_of)

    def _is_sample(self, orders: Path) -> bool:
        sample = self.sample.get("orders")
        return sample is not None and orders.resolve() == sample.resolve()

    def _sample_evaluation(self) -> tuple[Path | None, Path | None, Path | None]:
        return self.sample.get("results"), self.sample.get("assignment"), self.sample.get("plan")

    def _offer_to_evaluate(self, assignment: Path | None = None, plan: Path | None = None) -> None:
        """A plan or assignment just written is what the campaign's results will be judged
        against: the Evaluate tab takes it where the operator has named no file (the sample's
        campaign files there were put by the app)."""
        evaluate = self.query_one(EvaluatePane)
        if evaluate.paths() == self._sample_evaluation():
            evaluate.set_paths(None, None, None)
        evaluate.suggest(assignment, plan)

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
            self.notify(_("Load data first"), severity="warning")
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
            if event.worker.description == "checking":
                # in full beside the plan, where the operator fixes it; a toast would cut it
                self.query_one(PlanPane).show_check_failed(message)
                return
            title = _("{work} failed").format(work=_(event.worker.description))
            self.notify(message, title=title, severity="error", timeout=10)
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
        self.notify(_("Loaded {n:,} orders").format(n=message.segmentation.orders))
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
        self._offer_to_evaluate(plan=message.path)
        self.notify(_("Saved {path}").format(path=message.path))

    def on_assignment_exported(self, message: AssignmentExported) -> None:
        self._offer_to_evaluate(assignment=message.path)
        self.notify(_("Wrote {n:,} customers to {path}").format(n=message.rows, path=message.path))

    def on_evaluation_finished(self, message: EvaluationFinished) -> None:
        self.state.report = message.report
        self.query_one(EvaluatePane).report = message.report
        self._focus_result(EvaluatePane)

    def on_predicted(self, message: Predicted) -> None:
        self.state.prediction = message.prediction
        self.query_one(PredictPane).prediction = message.prediction

    def on_report_exported(self, message: ReportExported) -> None:
        self.notify(_("Wrote {path}").format(path=message.path))

    # -- requests from the panes -------------------------------------------------------------

    @on(DataPane.LoadRequested)
    def _on_load_requested(self) -> None:
        self.load_data()

    @on(SegmentsPane.SettingsChanged)
    def _on_settings(self, message: SegmentsPane.SettingsChanged) -> None:
        s = self.state
        if s.shop is None:
            self.notify(_("Load data first"), severity="warning")
            return
        s.settings, s.as_of = message.settings, message.as_of
        self._set_busy(True, SegmentsPane)
        self._segment(s.shop, s.settings, s.as_of)
        plan = s.plan
        if plan is not None and (plan.segmentation, plan.as_of) != (s.settings, s.as_of):
            # the plan records how it segments: what the operator sees is what it will target
            self._plan_changed(replace(plan, segmentation=s.settings, as_of=s.as_of), dirty=True)
            self.notify(_("The plan now uses these segmentation settings (not saved yet)"))

    @on(PlanPane.StarterRequested)
    def _on_starter(self, message: PlanPane.StarterRequested) -> None:
        self.make_starter(message.objective)

    def make_starter(self, objective: str) -> None:
        self._unless_unsaved(lambda: self._start_plan(objective), _("Replace it"))

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
        self._ask(_("The plan has unsaved changes that would be lost."), yes, then)

    @on(PlanPane.OpenRequested)
    def _on_open(self, message: PlanPane.OpenRequested) -> None:
        self._unless_unsaved(lambda: self._open_plan(message.path), _("Open anyway"))

    def _open_plan(self, path: Path) -> None:
        from campaigns.toml_io import load_plan

        try:
            plan = load_plan(path)
        except PlanError as exc:
            title = _("Cannot open the plan")
            self.notify(error_line(exc), title=title, severity="error", timeout=10)
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
            self.notify(_("Load data to see audiences, MDE and budget"), severity="warning")
            return
        self._check(plan, self.state.shop)

    @on(PlanPane.SaveRequested)
    def _on_save(self, message: PlanPane.SaveRequested) -> None:
        plan = self.state.plan
        if plan is None:
            self.notify(_("There is no plan to save yet"), severity="warning")
            return
        path, files = message.path, self.state.shop.files if self.state.shop else None
        if not path.exists():
            self._save(plan, files, path, False)
            return
        question = _replace_question(plan, path, own=path == self.state.plan_path)
        if question is None:
            self._save(plan, files, path, True)
        else:
            self._ask(question, _("Replace"), lambda: self._save(plan, files, path, True))

    @on(PlanPane.ExportRequested)
    def _on_export(self, message: PlanPane.ExportRequested) -> None:
        s = self.state
        if s.plan is None or s.shop is None:
            self.notify(_("Build a plan on loaded data first"), severity="warning")
            return
        if message.path.suffix.lower() not in (".csv", ".parquet"):
            self.notify(_("The assignment file must end in .csv or .parquet"), severity="warning")
            return
        if message.path.exists():
            self._exists(message.path)
            return
        self._export(s.plan, s.shop, message.path)

    def _exists(self, path: Path) -> None:
        self.notify(_("{path} exists; choose another name").format(path=path), severity="warning")

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
            self.notify(_("Evaluate results first"), severity="warning")
            return
        if message.path.exists():
            self._exists(message.path)
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
        return _("{path} exists and is not a plan crm-tui can read. Replace it?").format(path=path)
    if salt != plan.salt:
        return _(
            "{path} holds a plan with salt {salt}; this plan's salt is {own}. Replacing it "
            "changes which arm every customer is in, and assignments exported from that file "
            "will no longer match it. Replace it?"
        ).format(path=path, salt=salt, own=plan.salt)
    return _("{path} holds another plan with the same salt. Replace it?").format(path=path)


def _plan_field(id: str) -> bool:
    """The Plan form's fields (arms, the plan's settings, the target's) show the plan the state
    holds."""
    return id == "arms" or id.startswith(("t-", "p-"))


def run_app(orders: Path | None, visitors: Path | None, profiles: Path | None) -> None:
    from crm_tui.app.sample import sample_paths

    sample = sample_paths()
    if orders is None:
        orders, visitors, profiles = sample["orders"], sample["visitors"], sample["profiles"]
    CrmApp(orders, visitors, profiles, sample).run()
