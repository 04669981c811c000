"""Evaluate: open a results file, the sample-ratio verdict first, the comparisons, a lift chart,
the per-segment breakdown, and a Markdown export."""

from __future__ import annotations

import math
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, Input, Select, Static

from crm_tui.app.evaluating import EvaluationRequest
from crm_tui.language import N_, _, say
from crm_tui.reports.evaluation import (
    CAPPED_MARK,
    families,
    family_title,
    fmt_p,
    incremental_line,
    metric_label,
    number_text,
    risk_text,
    segment_label,
    signed_pct,
    srm_line,
    uncapped_line,
)
from crm_tui.tui.widgets.charts import LiftChart
from crm_tui.tui.widgets.forms import path_field, row, text_field
from crm_tui.tui.widgets.paths import parse_path
from crm_tui.tui.widgets.tables import PaneTable
from evaluation import Report
from evaluation.model import OVERALL

COLUMNS = (
    N_("metric"),
    N_("arm"),
    N_("control"),
    N_("treatment"),
    N_("lift [CI]"),
    N_("p"),
    N_("p adj"),
    N_("P(beats)"),
    N_("risk"),
)
# what an operator decides on: whether it moved, how surely, and what choosing it may cost
COMPACT_COLUMNS = ("metric", "arm", "lift [CI]", "p adj", "P(beats)", "risk")
WIDE_ENOUGH = 116  # cells across the pane for every column of a typical report


class EvaluatePane(VerticalScroll):
    class EvaluateRequested(Message):
        def __init__(self, request: EvaluationRequest) -> None:
            super().__init__()
            self.request = request

    class SampleRequested(Message):
        """Fill the form with the bundled sample results and evaluate them."""

    class ExportRequested(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    report: var[Report | None] = var(None, always_update=True, init=False)
    """The evaluation the app's state holds; set by the app, shown here."""

    def compose(self) -> ComposeResult:
        yield row(
            _("Results"),
            path_field("results-path", _("results or outcomes file")),
            _("Assignment"),
            path_field("assignment-path", _("optional: from plan assign")),
        )
        yield row(
            _("Plan"),
            path_field("eval-plan-path", _("optional plan: control and planned split")),
        )
        yield row(
            _("Control"),
            text_field("control", _("from the plan"), short=True),
            _("By"),
            text_field("by", _("e.g. segment"), short=True),
            Button(_("Evaluate"), id="evaluate", variant="primary", compact=True),
            Button(_("Sample results"), id="sample", compact=True),
        )
        yield row(
            _("Looks"),
            Select(
                [(_(label), value) for label, value in LOOKS],
                value="once",
                allow_blank=False,
                id="looks",
                compact=True,
            ),
            _("Day"),
            text_field("day", _("e.g. 7"), short=True),
        )
        yield Static(_("Open a results file to see whether the campaign worked."), id="srm")
        yield row(
            _("Segment"),
            Select(
                [(segment_label(OVERALL), OVERALL)],
                value=OVERALL,
                allow_blank=False,
                id="segment",
                compact=True,
            ),
        )
        yield PaneTable(id="comparisons", cursor_type="row", zebra_stripes=True)
        yield Static("", id="incremental")
        yield LiftChart(id="lift-chart")
        yield row(
            None,
            path_field("report-path", "report.md", "report.md"),
            Button(_("Export Markdown"), id="export", compact=True),
        )

    def on_mount(self) -> None:
        self._set_columns()

    def on_resize(self) -> None:
        if self._labels() != self._table().headers:
            self._set_columns()
            if self.report is not None:
                self.show_segment(str(self.query_one("#segment", Select).value))

    def _columns(self) -> tuple[str, ...]:
        """Every column where the terminal is wide enough; else the figures decided on first,
        and the arm only where there is more than one to tell apart."""
        if not self.compact:
            return COLUMNS
        arms = {c.arm for c in self.report.comparisons} if self.report is not None else set()
        return tuple(c for c in COMPACT_COLUMNS if c != "arm" or len(arms) > 1)

    def _labels(self) -> tuple[str, ...]:
        return tuple(_(c) for c in self._columns())

    @property
    def compact(self) -> bool:
        return self.size.width < WIDE_ENOUGH

    def _set_columns(self) -> None:
        table = self._table()
        table.clear(columns=True)
        table.add_columns(*self._labels())

    def _table(self) -> PaneTable:
        return self.query_one("#comparisons", PaneTable)

    def form(self) -> EvaluationRequest | None:
        """What the command line's `evaluate` would be given for the same fields."""
        results = parse_path(self.query_one("#results-path", Input).value)
        if results is None:
            return None
        text = {i: self.query_one(f"#{i}", Input).value.strip() for i in ("control", "by", "day")}
        looks = str(self.query_one("#looks", Select).value)
        return EvaluationRequest(
            results,
            assignment=parse_path(self.query_one("#assignment-path", Input).value),
            plan=parse_path(self.query_one("#eval-plan-path", Input).value),
            control=text["control"] or None,
            by=text["by"] or None,
            sequential=None if looks == "once" else looks,
            day=int(text["day"]) if text["day"].isdigit() else None,
        )

    def paths(self) -> tuple[Path | None, Path | None, Path | None]:
        """The results, assignment and plan files named on the tab."""
        results, assignment, plan = (
            parse_path(self.query_one(f"#{key}", Input).value)
            for key in ("results-path", "assignment-path", "eval-plan-path")
        )
        return results, assignment, plan

    def set_paths(self, results: Path | None, assignment: Path | None, plan: Path | None) -> None:
        for key, value in (
            ("results-path", results),
            ("assignment-path", assignment),
            ("eval-plan-path", plan),
        ):
            self.query_one(f"#{key}", Input).value = "" if value is None else str(value)

    def suggest(self, assignment: Path | None = None, plan: Path | None = None) -> None:
        """Fill the assignment and plan fields left empty."""
        for key, value in (("assignment-path", assignment), ("eval-plan-path", plan)):
            field = self.query_one(f"#{key}", Input)
            if value is not None and not field.value.strip():
                field.value = str(value)

    @on(Button.Pressed, "#evaluate")
    def request_evaluation(self) -> None:
        request = self.form()
        if request is None:
            self.app.notify(_("Type the results file first"), severity="warning")
        else:
            self.post_message(self.EvaluateRequested(request))

    @on(Button.Pressed, "#sample")
    def _sample(self) -> None:
        self.post_message(self.SampleRequested())

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        self.request_export()

    def request_export(self) -> None:
        path = parse_path(self.query_one("#report-path", Input).value)
        if path is None:
            self.app.notify(_("Type the report's file name first"), severity="warning")
        else:
            self.post_message(self.ExportRequested(path))

    @on(Input.Submitted, "#report-path")
    def _report_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request_export()

    @on(Input.Submitted, "#results-path, #assignment-path, #eval-plan-path, #control, #by, #day")
    def _form_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request_evaluation()

    def watch_report(self, report: Report | None) -> None:
        if report is None:
            return
        self._set_columns()  # a report with one treatment arm needs no arm column when narrow
        srm = self.query_one("#srm", Static)
        lines = [srm_line(report)]
        if report.sequential is not None:
            lines.append(report.sequential.description)
        srm.update("\n".join(lines))
        srm.set_class(report.srm is not None and not report.srm.ok, "alarm")
        segments = sorted({c.segment for c in report.comparisons} - {OVERALL})
        select = self.query_one("#segment", Select)
        select.set_options([(segment_label(s), s) for s in (OVERALL, *segments)])
        select.value = OVERALL
        self.show_segment(OVERALL)

    @on(Select.Changed, "#segment")
    def _segment_chosen(self, event: Select.Changed) -> None:
        if self.report is not None:
            self.show_segment(str(event.value))

    def show_segment(self, segment: str) -> None:
        assert self.report is not None
        rows = [c for c in self.report.comparisons if c.segment == segment]
        table = self._table()
        table.clear()
        shown = self._columns()
        for c in rows:
            ci = (
                ""
                if c.result.rel_ci is None
                else f" [{_pct(c.result.rel_ci[0])}, {_pct(c.result.rel_ci[1])}]"
            )
            mark = "*" if c.significant(self.report.alpha) else ""
            beats = "-" if c.prob_beats_control is None else f"{c.prob_beats_control:.0%}"
            cells = dict(
                zip(
                    COLUMNS,
                    (
                        metric_label(c, compact=True) + ("!" if c.few_events else ""),
                        c.arm,
                        number_text(c.result.control_value),
                        number_text(c.result.arm_value),
                        f"{signed_pct(c.result.rel_lift)}{ci}",
                        fmt_p(c.result.p_value),
                        fmt_p(c.p_adjusted) + mark,
                        beats,
                        risk_text(c),
                    ),
                    strict=True,
                )
            )
            table.add_row(*(cells[name] for name in shown))
        titles = [family_title(self.report, family) for family, _rows in families(self.report)]
        uncapped = [uncapped_line(c) for c in rows if c.uncapped is not None]
        if uncapped and self.report.cap_quantile is not None:
            q = self.report.cap_quantile
            capped = _("{mark} capped at the {q:.0%} quantile; uncapped:")
            uncapped.insert(0, capped.format(mark=CAPPED_MARK, q=q))
        lines = [incremental_line(i) for i in self.report.incremental if i.segment == segment]
        notes = [say(note) for note in self.report.notes]
        legend = [*titles, *uncapped, *lines, *notes]
        self.query_one("#incremental", Static).update("\n".join(legend))
        self.query_one(LiftChart).draw(rows)


LOOKS = [
    (N_("once, at the end"), "once"),
    (N_("daily, alpha spending"), "spending"),
    (N_("daily, always valid"), "always-valid"),
]


def _pct(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:+.0%}"
