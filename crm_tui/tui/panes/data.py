"""Data: open the orders (and optional visitors and profiles), see the mapping, drops, summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, ProgressBar, Static

from crm_tui.app.shop import Shop
from crm_tui.engine import Segmentation
from crm_tui.engine.schemes import repurchase_ladder
from crm_tui.io.findings import Findings
from crm_tui.language import _, say
from crm_tui.progress import Progress
from crm_tui.reports.segment import OCCASION_NOTE, repeat_rate, repeat_share_line
from crm_tui.tui.widgets.forms import path_field, row, text_field
from crm_tui.tui.widgets.paths import parse_path
from crm_tui.tui.widgets.tables import PaneTable


@dataclass(frozen=True)
class DataForm:
    orders: Path | None
    visitors: Path | None
    profiles: Path | None
    overrides: list[str]  # canonical=source pairs


class DataPane(VerticalScroll):
    class LoadRequested(Message):
        """The user asked to (re)load the files named in the form."""

    def compose(self) -> ComposeResult:
        with Vertical(id="data-form", classes="form"):
            yield row(
                _("Orders"),
                path_field("orders-path", _("orders: CSV, text log, Parquet, .xlsx")),
            )
            yield row(_("Visitors"), path_field("visitors-path", _("optional visitors file")))
            yield row(_("Profiles"), path_field("profiles-path", _("optional profiles (opt-ins)")))
            yield row(
                _("Mapping"),
                text_field("overrides", _("overrides, e.g. amount=Paid, customer_id=Buyer")),
                Button(_("Load"), id="load", variant="primary", compact=True),
            )
            yield Static("", id="data-error", classes="error")
            with Horizontal(id="data-progress"):
                yield ProgressBar(id="load-bar", show_eta=False)
                yield Static("", id="load-phase")
        with Horizontal(id="data-body"):
            with Vertical(id="data-left"):
                yield Static(_("Columns"), classes="section-title")
                yield PaneTable(id="mapping", cursor_type="none", zebra_stripes=True)
                yield Static(_("Dropped rows"), classes="section-title")
                yield Static(_("Open a file to see what was read."), id="findings")
            with Vertical(id="data-right"):
                yield Static(_("Summary"), classes="section-title")
                yield Static("", id="summary")
                yield Static(_("Repurchase ladder"), classes="section-title")
                yield PaneTable(id="ladder", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#mapping", DataTable).add_columns(_("canonical"), _("source column"))
        self.query_one("#ladder", DataTable).add_columns(
            _("purchases"), _("customers"), _("bought again"), _("rate")
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#load")
    def _load(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.post_message(self.LoadRequested())

    def form(self) -> DataForm:
        def value(id: str) -> str:
            return self.query_one(f"#{id}", Input).value

        return DataForm(
            orders=parse_path(value("orders-path")),
            visitors=parse_path(value("visitors-path")),
            profiles=parse_path(value("profiles-path")),
            overrides=[p.strip() for p in value("overrides").split(",") if p.strip()],
        )

    def set_paths(self, orders: Path | None, visitors: Path | None, profiles: Path | None) -> None:
        for key, value in (
            ("orders-path", orders),
            ("visitors-path", visitors),
            ("profiles-path", profiles),
        ):
            self.query_one(f"#{key}", Input).value = "" if value is None else str(value)

    def show_error(self, message: str) -> None:
        self.query_one("#data-error", Static).update(message)

    @property
    def loading_shown(self) -> bool:
        return bool(self.query_one("#data-progress").display)

    def show_progress(self, progress: Progress | None) -> None:
        """How far loading has got (rows read, the phase under way); None: not loading."""
        self.query_one("#data-progress").display = progress is not None
        if progress is None:
            return
        bar = self.query_one("#load-bar", ProgressBar)
        if progress.rows is not None and progress.total:
            bar.update(total=progress.total, progress=progress.rows)
        else:
            bar.update(total=None)  # no count to go by: the bar pulses
        if progress.rows is None:
            rows = ""
        elif progress.total:
            rows = _(" {rows:,} of {total:,} rows").format(rows=progress.rows, total=progress.total)
        else:
            rows = _(" {rows:,} rows").format(rows=progress.rows)
        phase = f"{_(progress.phase)} {progress.detail}".rstrip()
        self.query_one("#load-phase", Static).update(f"{phase}…{rows}")

    def show_failed(self, message: str, still_in_use: str | None) -> None:
        """A load that failed: its error, and nothing of the shop shown before, which would
        read as the new file's figures."""
        self.show_error(message)
        self.query_one("#mapping", DataTable).clear()
        self.query_one("#ladder", DataTable).clear()
        self.query_one("#findings", Static).update("")
        kept = (
            _("The other tabs still show {shop}.").format(shop=still_in_use)
            if still_in_use is not None
            else ""
        )
        self.query_one("#summary", Static).update(kept)

    def show(self, shop: Shop, seg: Segmentation) -> None:
        self.show_error("")
        f = shop.findings
        mapping = self.query_one("#mapping", DataTable)
        mapping.clear()
        for canonical, source in f.mapping.items():
            mapping.add_row(canonical, source)
        files = [_findings_text(found) for found in (f, *shop.side_findings)]
        self.query_one("#findings", Static).update("\n\n".join(files))
        buyers = seg.customers.filter(seg.customers["orders"] > 0)
        summary = _(
            "Orders {orders:,}\nCustomers {customers:,}\nFrom {first:%Y-%m-%d} to {last:%Y-%m-%d} "
            "(as of {as_of})\nRevenue {revenue:,.2f}\nRepeat rate {repeat:.1%}"
        ).format(
            orders=seg.orders,
            customers=buyers.height,
            first=seg.first_order_at,
            last=seg.last_order_at,
            as_of=seg.as_of,
            revenue=seg.revenue,
            repeat=repeat_rate(seg.customers),
        )
        self.query_one("#summary", Static).update(
            f"{summary}\n{repeat_share_line(seg)}\n\n{_(OCCASION_NOTE)}"
        )
        ladder = self.query_one("#ladder", DataTable)
        ladder.clear()
        for step in repurchase_ladder(buyers).iter_rows(named=True):
            rate = "-" if step["rate"] is None else f"{step['rate']:.1%}"
            ladder.add_row(
                f"{step['purchases']} → {step['purchases'] + 1}",
                f"{step['customers']:,}",
                f"{step['bought_again']:,}",
                rate,
            )


def _findings_text(f: Findings) -> str:
    lines = [
        _("{file} — layout {layout}").format(file=f.source, layout=f.preset),
        _("rows read {read:,}, kept {kept:,}").format(read=f.rows_read, kept=f.rows_kept),
    ]
    lines += [line.strip() for line in f.lines()] or [_("no rows dropped")]
    lines += [_("note: {note}").format(note=say(n)) for n in f.notes]
    return "\n".join(lines)
