"""Predict: who will come back and what each customer is worth, checked on held-back days."""

from __future__ import annotations

import datetime as dt

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, DataTable, Input, Static

from crm_tui.app.predicting import HORIZON_DAYS, Prediction, PredictRequest
from crm_tui.language import _
from crm_tui.reports.predict import fit_lines
from crm_tui.tui.widgets.charts import RocChart
from crm_tui.tui.widgets.forms import row, text_field
from crm_tui.tui.widgets.tables import PaneTable

AT_RISK = 15  # the most valuable customers shown among those less likely alive than not


class PredictPane(VerticalScroll):
    class PredictRequested(Message):
        def __init__(self, request: PredictRequest) -> None:
            super().__init__()
            self.request = request

    prediction: var[Prediction | None] = var(None, always_update=True, init=False)
    """The app state's prediction; set by the app, shown here."""

    def compose(self) -> ComposeResult:
        yield row(
            _("Check to"),
            text_field("calibration-end", "YYYY-MM-DD", short=True),
            _("Horizon"),
            text_field("horizon", _("days"), str(HORIZON_DAYS), short=True),
            Button(_("Fit"), id="fit", variant="primary", compact=True),
        )
        yield Static(
            _(
                "Fit the customer-base models on the loaded orders: who is still a customer, "
                "how often they will buy, what they are worth. Check to: also fit on the orders "
                "up to that day and see how well it ranked who bought after."
            ),
            id="fit-summary",
        )
        yield PaneTable(id="deciles", cursor_type="row", zebra_stripes=True)
        yield Static("", id="calibration-title")
        yield PaneTable(id="calibration", cursor_type="row", zebra_stripes=True)
        yield RocChart(id="roc")
        yield Static("", id="at-risk-title")
        yield PaneTable(id="at-risk", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#deciles", DataTable).add_columns(
            _("risk decile"), _("customers"), "churn_risk", "p_alive", _("revenue"), _("CLV total")
        )
        self.query_one("#at-risk", DataTable).add_columns(
            _("customer"), "p_alive", _("purchases"), _("value"), "CLV", "churn_risk"
        )
        self.query_one("#calibration", DataTable).add_columns(
            _("decile"), _("customers"), _("predicted return"), _("observed return")
        )

    def form(self) -> PredictRequest | None:
        """What `crm-tui predict` would be given for the same fields; the app adds its As of."""
        end_text = self.query_one("#calibration-end", Input).value.strip()
        horizon_text = self.query_one("#horizon", Input).value.strip() or str(HORIZON_DAYS)
        try:
            end = dt.date.fromisoformat(end_text) if end_text else None
        except ValueError:
            message = _("Check to {value!r}: expected a date like 2025-06-30")
            self.app.notify(message.format(value=end_text))
            return None
        if not horizon_text.isdigit():
            self.app.notify(_("Horizon {value!r}: expected whole days").format(value=horizon_text))
            return None
        return PredictRequest(None, end, int(horizon_text))

    @on(Button.Pressed, "#fit")
    @on(Input.Submitted, "#calibration-end, #horizon")
    def request_fit(self, event: Message | None = None) -> None:
        if event is not None:
            event.stop()
        request = self.form()
        if request is not None:
            self.post_message(self.PredictRequested(request))

    def watch_prediction(self, prediction: Prediction | None) -> None:
        if prediction is None:
            return
        self.query_one("#fit-summary", Static).update("\n".join(fit_lines(prediction)))
        deciles = self.query_one("#deciles", DataTable)
        deciles.clear()
        for d in prediction.deciles.iter_rows(named=True):
            deciles.add_row(
                str(d["decile"]),
                f"{d['customers']:,}",
                f"{d['churn_risk']:.2f}",
                f"{d['p_alive']:.2f}",
                f"{d['revenue']:,.0f}",
                f"{d['clv_total']:,.0f}",
            )
        self._show_churn(prediction)
        self._show_at_risk(prediction.scores)

    def _show_churn(self, prediction: Prediction) -> None:
        check = prediction.churn_check
        table = self.query_one("#calibration", DataTable)
        table.clear()
        self.query_one("#calibration-title", Static).update(
            _("churn_risk's calibration on its check, by decile of predicted return")
            if check is not None
            else ""
        )
        self.query_one(RocChart).display = check is not None
        if check is None:
            return
        for group in check.calibration.iter_rows(named=True):
            table.add_row(
                str(group["decile"]),
                f"{group['customers']:,}",
                f"{group['predicted']:.3f}",
                f"{group['observed']:.3f}",
            )
        self.query_one(RocChart).draw(check.roc, check.auc)

    def _show_at_risk(self, scores: pl.DataFrame) -> None:
        risky = scores.filter(pl.col("p_alive") < 0.5).sort("clv", descending=True).head(AT_RISK)
        self.query_one("#at-risk-title", Static).update(
            _("Most valuable customers less likely alive than not ({n} shown)").format(
                n=risky.height
            )
        )
        table = self.query_one("#at-risk", DataTable)
        table.clear()
        for c in risky.iter_rows(named=True):
            table.add_row(
                c["customer_id"],
                f"{c['p_alive']:.2f}",
                f"{c['expected_purchases']:.2f}",
                f"{c['expected_value']:,.2f}",
                f"{c['clv']:,.2f}",
                f"{c['churn_risk']:.2f}",
            )
