"""Everything the app knows, in one place: frames and results live here, never in widgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from campaigns import CampaignPlan
from campaigns.settings import SegmentationSettings
from crm_tui.app.predicting import Prediction
from crm_tui.app.shop import Shop, ShopFiles
from crm_tui.engine import Segmentation
from evaluation import Report


@dataclass
class AppState:
    files: ShopFiles | None = None
    settings: SegmentationSettings = field(default_factory=SegmentationSettings)
    as_of: dt.date | None = None  # None: the day after the last order
    shop: Shop | None = None
    segmentation: Segmentation | None = None  # the shop as the Data and Segments tabs show it
    plan: CampaignPlan | None = None
    plan_path: Path | None = None  # the file the plan was opened from or last saved to
    plan_dirty: bool = False
    report: Report | None = None
    prediction: Prediction | None = None
