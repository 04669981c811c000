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
from crm_tui.progress import Progress
from crm_tui.reports.segment import OCCASION_NOTE, repeat_rate, repeat_share_line
from crm_tui.tui.widgets.forms import path_field, row, text_field
from crm_tui.tui.widgets.paths import parse_path


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
            yield row("Orders", path_field("orders-path", "orders: CSV, text log, Parquet, .xlsx"))
            yield row("Visitors", path_field("visitors-path", "optional visitors file"))
            yield row("Profiles", path_field("profiles-path", "optional profiles (opt-ins)"))
            yield row(
                "Mapping",
                text_field("overrides", "overrides, e.g. amount=Paid, customer_id=Buyer"),
                Button("Load", id="load", variant="primary", compact=True),
            )
            yield Static("", id="data-error", classes="error")
            with Horizontal(id="data-progress"):
                yield ProgressBar(id="load-bar", show_eta=False)
                yield Static("", id="load-phase")
        with Horizontal(id="data-body"):
            with Vertical(id="data-left"):
                yield Static("Columns", classes="section-title")
                yield DataTable(id="mapping", cursor_type="none", zebra_stripes=True)
                yield Static("Dropped rows", classes="section-title")
                yield Static("Open a file to see what was read.", id="findings")
            with Vertical(id="data-right"):
                yield Static("Summary", classes="section-title")
                yield Static("", id="summary")
                yield Static("Repurchase ladder", classes="section-title")
                yield DataTable(id="ladder", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#mapping", DataTable).add_columns("canonical", "source column")
        self.query_one("#ladder", DataTable).add_columns(
            "purchases", "customers", "bought again", "rate"
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
        rows = "" if progress.rows is None else f" {progress.rows:,}"
        rows += f" of {progress.total:,} rows" if progress.total else " rows" if rows else ""
        self.query_one("#load-phase", Static).update(f"{progress.phase}…{rows}")

    def show_failed(self, message: str, still_in_use: str | None) -> None:
        """A load that failed: its error, and nothing of the shop shown before, which would
        read as the new file's figures."""
        self.show_error(message)
        self.query_one("#mapping", DataTable).clear()
        self.query_one("#ladder", DataTable).clear()
        self.query_one("#findings", Static).update("")
        kept = f"The other tabs still show {still_in_use}." if still_in_use is not None else ""
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
        self.query_one("#summary", Static).update(
            f"Orders {seg.orders:,}\nCustomers {buyers.height:,}\n"
            f"From {seg.first_order_at:%Y-%m-%d} to {seg.last_order_at:%Y-%m-%d} "
            f"(as of {seg.as_of})\nRevenue {seg.revenue:,.2f}\n"
            f"Repeat rate {repeat_rate(seg.customers):.1%}\n"
            f"{repeat_share_line(seg)}\n\n{OCCASION_NOTE}"
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
    lines = [f"{f.source} — layout {f.preset}", f"rows read {f.rows_read:,}, kept {f.rows_kept:,}"]
    lines += [line.strip() for line in f.lines()] or ["no rows dropped"]
    lines += [f"note: {n}" for n in f.notes]
    return "\n".join(lines)
