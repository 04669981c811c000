"""Segments: a table per scheme, the interval histogram, the first-order bands, drill-down."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, DataTable, Input, Select, Static

from campaigns import PlanError
from campaigns.settings import SegmentationSettings
from crm_tui.engine import Segmentation
from crm_tui.engine.schemes import SCHEMES, scheme_summary
from crm_tui.errors import InputError
from crm_tui.language import N_, _
from crm_tui.reports.segment import definitions, scheme_title, stage_line
from crm_tui.tui.widgets.charts import IntervalHistogram
from crm_tui.tui.widgets.forms import row, text_field
from crm_tui.tui.widgets.tables import PaneTable
from crm_tui.tui.wording import error_line

DRILL_COLUMNS = (
    N_("customer_id"),
    N_("orders"),
    N_("purchases"),
    N_("revenue"),
    N_("days_since_last"),
    *SCHEMES,
)
DRILL_HINT = N_("Select a segment (enter) to see sample customers.")
SEGMENT_COLUMNS = (
    N_("segment"),
    N_("customers"),
    N_("share"),
    N_("revenue"),
    N_("rev share"),
    N_("spend/cust"),
    N_("repeat"),
    N_("strategy"),
)
# what an operator reads first where the terminal is narrow: how many, how much, what to do
COMPACT_COLUMNS = ("segment", "customers", "share", "revenue", "repeat", "strategy")
WIDE_ENOUGH = 100  # cells across the pane for every column beside the strategy's first words
BAND_COLUMNS = (N_("band"), N_("first order"), N_("customers"), N_("repurchase"), N_("priority"))


class SegmentsPane(VerticalScroll):
    class SettingsChanged(Message):
        def __init__(self, settings: SegmentationSettings, as_of: dt.date | None) -> None:
            super().__init__()
            self.settings = settings
            self.as_of = as_of

    segmentation: var[Segmentation | None] = var(None, always_update=True, init=False)
    """The shop as the app's state segments it; set by the app, shown here."""

    def compose(self) -> ComposeResult:
        schemes = [(scheme_title(s), s) for s in SCHEMES]
        yield row(
            _("Scheme"),
            Select(schemes, value="lifecycle", allow_blank=False, id="scheme", compact=True),
        )
        yield row(
            _("As of"),
            text_field("as-of", "YYYY-MM-DD", short=True),
            _("Tiers"),
            text_field("tiers", short=True),
            id="segment-controls",
        )
        yield row(
            _("Quantiles"),
            text_field("quantiles", short=True),
            _("Days"),
            text_field("days", _("learned"), short=True),
            Button(_("Apply"), id="apply", compact=True),
        )
        yield Static("", id="settings-error", classes="error")
        yield PaneTable(id="segment-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="definitions")
        yield Static(_(DRILL_HINT), id="drill-title", classes="section-title")
        yield PaneTable(id="drill", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="segment-charts"):
            with Vertical(id="hist-box"):
                yield Static("", id="thresholds")
                yield IntervalHistogram(id="histogram")
            with Vertical(id="bands-box"):
                yield Static(_("First-order-value bands"), classes="section-title")
                yield PaneTable(id="bands", cursor_type="none", zebra_stripes=True)
                yield Static("", id="bands-test")

    def on_mount(self) -> None:
        self.query_one("#segment-table", DataTable).add_columns(*map(_, self._columns()))
        self.query_one("#bands", DataTable).add_columns(*map(_, BAND_COLUMNS))
        self.query_one("#drill", DataTable).add_columns(*map(_, DRILL_COLUMNS))

    def schemes(self) -> list[str]:
        """The schemes the shop on screen has (all of them before one is loaded)."""
        seg = self.segmentation
        return [s for s in SCHEMES if seg is None or s in seg.customers.columns]

    def show_scheme(self, scheme: str) -> None:
        self.query_one("#scheme", Select).value = scheme
        self.query_one("#segment-table").focus(scroll_visible=False)

    def watch_segmentation(self, seg: Segmentation | None) -> None:
        if seg is None:
            return
        scheme = self.query_one("#scheme", Select)
        present = self.schemes()
        with self.prevent(Select.Changed):
            current = scheme.value
            scheme.set_options([(scheme_title(s), s) for s in present])
            scheme.value = current if current in present else "lifecycle"
        self._fill_settings(seg)
        self.query_one("#settings-error", Static).update("")
        self.refresh_table()
        q = seg.lifecycle.thresholds_days
        thresholds = (
            _("Lifecycle thresholds (learned): {stages}   ({n:,} repeat customers)")
            if seg.lifecycle.learned
            else _("Lifecycle thresholds (given): {stages}   ({n:,} repeat customers)")
        )
        self.query_one("#thresholds", Static).update(
            thresholds.format(stages=stage_line(q), n=len(seg.lifecycle.intervals))
        )
        self.query_one(IntervalHistogram).draw(seg.lifecycle.intervals, q)
        bands = self.query_one("#bands", DataTable)
        bands.clear()
        for b in seg.bands.bands:
            span = f"≥ {b.low:,.0f}" if np.isinf(b.high) else f"{b.low:,.0f}–{b.high:,.0f}"
            bands.add_row(_(b.name), span, f"{b.customers:,}", f"{b.rate:.1%}", _(b.priority))
        test = seg.bands.p_value
        learned = _("learned on {n:,} customers first buying by {day}").format(
            n=seg.bands.trained_on, day=seg.band_cutoff
        )
        found = (
            _("no split found") if np.isnan(test) else _("chi-square p = {p:.2g}").format(p=test)
        )
        self.query_one("#bands-test", Static).update(f"{learned}; {found}")

    def _fill_settings(self, seg: Segmentation) -> None:
        s = seg.settings
        days = s.lifecycle_days
        values = {
            "as-of": seg.as_of.isoformat(),
            "tiers": _joined(s.tier_thresholds),
            "quantiles": _joined(s.lifecycle_quantiles),
            "days": "" if days is None else _joined(days),
        }
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = value

    @on(Select.Changed, "#scheme")
    def refresh_table(self) -> None:
        """Show the scheme chosen: its segments, how each is defined, no drill-down yet."""
        if self.segmentation is None:
            return
        scheme = str(self.query_one("#scheme", Select).value)
        self._clear_drill()
        how = definitions(self.segmentation, scheme)
        self.query_one("#definitions", Static).update("\n".join(how))
        self.query_one("#definitions").display = bool(how)
        self._fill_segments(scheme)

    def _fill_segments(self, scheme: str) -> None:
        table = self.query_one("#segment-table", DataTable)
        # the columns too: kept, they keep the widths of the last scheme's names
        table.clear(columns=True)
        shown = self._columns()
        table.add_columns(*map(_, shown))
        customers = self.segmentation.customers if self.segmentation is not None else None
        if customers is None or scheme not in customers.columns:
            return
        for r in scheme_summary(customers, scheme).iter_rows(named=True):
            cells = dict(
                zip(
                    SEGMENT_COLUMNS,
                    (
                        _(r["segment"]),
                        f"{r['customers']:,}",
                        f"{r['share']:.1%}",
                        f"{r['revenue']:,.0f}",
                        f"{r['revenue_share']:.1%}",
                        f"{r['spend_per_customer']:,.2f}",
                        f"{r['repeat_rate']:.1%}",
                        _(r["strategy"]),
                    ),
                    strict=True,
                )
            )
            table.add_row(*(cells[c] for c in shown), key=r["segment"])

    def _columns(self) -> tuple[str, ...]:
        return SEGMENT_COLUMNS if self.size.width >= WIDE_ENOUGH else COMPACT_COLUMNS

    def on_resize(self) -> None:
        """Narrow or wide columns for the new width; the row chosen and its drill-down stay."""
        table = self.query_one("#segment-table", PaneTable)
        if self.segmentation is None or table.headers == tuple(map(_, self._columns())):
            return
        row = table.cursor_row
        self._fill_segments(str(self.query_one("#scheme", Select).value))
        table.move_cursor(row=row)

    def _clear_drill(self) -> None:
        self.query_one("#drill-title", Static).update(_(DRILL_HINT))
        self.query_one("#drill", DataTable).clear()

    @on(DataTable.RowSelected, "#segment-table")
    def _drill(self, event: DataTable.RowSelected) -> None:
        if self.segmentation is None or event.row_key.value is None:
            return
        scheme = str(self.query_one("#scheme", Select).value)
        segment = event.row_key.value
        rows = (
            self.segmentation.customers.filter(pl.col(scheme) == segment)
            .sort(["revenue", "customer_id"], descending=[True, False])
            .head(20)
        )
        title = _("Top customers by revenue in {scheme} = {segment}")
        self.query_one("#drill-title", Static).update(
            title.format(scheme=scheme_title(scheme), segment=_(segment))
        )
        drill = self.query_one("#drill", DataTable)
        drill.clear()
        cols = [c for c in DRILL_COLUMNS if c in rows.columns]
        for r in rows.select(cols).iter_rows():
            drill.add_row(*[_cell(c, v) for c, v in zip(cols, r, strict=True)])

    @on(Input.Submitted, "#as-of, #tiers, #quantiles, #days")
    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        """Ask for the shop segmented with the settings on screen."""
        if self.segmentation is None:
            self.app.notify(_("Load data first"), severity="warning")
            return
        try:
            settings, as_of = self.settings_from_form(self.segmentation.settings)
        except (InputError, PlanError) as exc:
            self.query_one("#settings-error", Static).update(error_line(exc))
            return
        self.query_one("#settings-error", Static).update("")
        self.post_message(self.SettingsChanged(settings, as_of))

    def settings_from_form(
        self, current: SegmentationSettings
    ) -> tuple[SegmentationSettings, dt.date | None]:
        """The settings on screen; those the form does not show keep their current values."""
        text = {
            i: self.query_one(f"#{i}", Input).value.strip()
            for i in ("as-of", "quantiles", "tiers", "days")
        }
        try:
            as_of = dt.date.fromisoformat(text["as-of"]) if text["as-of"] else None
        except ValueError:
            raise InputError(
                _("as of {value!r}: expected a date like 2025-06-30").format(value=text["as-of"])
            ) from None
        q = _numbers(text["quantiles"], 3, N_("Quantiles"))
        vip, top = _numbers(text["tiers"], 2, N_("Tiers"))
        days = _numbers(text["days"], 3, N_("Days")) if text["days"] else None
        settings = replace(
            current,
            lifecycle_quantiles=(q[0], q[1], q[2]),
            lifecycle_days=None if days is None else (days[0], days[1], days[2]),
            tier_thresholds=(vip, top),
        )
        return settings, as_of


def _cell(column: str, value: object) -> str:
    """A drill-down cell: money with cents, a segment by its name in the language in use."""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return _(str(value)) if column in SCHEMES and value is not None else str(value)


def _joined(values: tuple[float, ...]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _numbers(text: str, n: int, what: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != n:
        raise InputError(
            _("{field} {value!r}: expected {n} comma-separated numbers").format(
                field=_(what), value=text, n=n
            )
        )
    return values
