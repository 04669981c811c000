"""Facts the workers report; the app records them in its state and shows them in the panes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from crm_tui.app.predicting import Prediction
from crm_tui.app.shop import Shop
from crm_tui.engine import Segmentation
from crm_tui.progress import Progress
from evaluation import Report

if TYPE_CHECKING:
    from campaigns import CampaignPlan
    from campaigns.check import PlanCheck


class LoadProgressed(Message):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


class ShopLoaded(Message):
    def __init__(self, shop: Shop, segmentation: Segmentation) -> None:
        super().__init__()
        self.shop = shop
        self.segmentation = segmentation


class SegmentsComputed(Message):
    def __init__(self, shop: Shop, segmentation: Segmentation) -> None:
        super().__init__()
        self.shop = shop
        self.segmentation = segmentation


class PlanChecked(Message):
    def __init__(self, plan: CampaignPlan, check: PlanCheck) -> None:
        super().__init__()
        self.plan = plan
        self.check = check


class PlanSaved(Message):
    """plan is what was written (with the data files it records); edited, what it came from."""

    def __init__(self, plan: CampaignPlan, path: Path, edited: CampaignPlan) -> None:
        super().__init__()
        self.plan = plan
        self.path = path
        self.edited = edited


class AssignmentExported(Message):
    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path = path
        self.rows = rows


class EvaluationFinished(Message):
    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report


class Predicted(Message):
    def __init__(self, prediction: Prediction) -> None:
        super().__init__()
        self.prediction = prediction


class ReportExported(Message):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
