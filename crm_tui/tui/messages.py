"""Facts the workers report; widgets update themselves from the app state when they arrive."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from crm_tui.pipeline import ShopData
from evaluation import Report

if TYPE_CHECKING:
    from campaigns.check import PlanCheck


class OrdersLoaded(Message):
    def __init__(self, shop: ShopData) -> None:
        super().__init__()
        self.shop = shop


class SegmentsComputed(Message):
    def __init__(self, shop: ShopData) -> None:
        super().__init__()
        self.shop = shop


class PlanChecked(Message):
    def __init__(self, check: PlanCheck) -> None:
        super().__init__()
        self.check = check


class PlanSaved(Message):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class AssignmentExported(Message):
    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path = path
        self.rows = rows


class EvaluationFinished(Message):
    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report


class ReportExported(Message):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
