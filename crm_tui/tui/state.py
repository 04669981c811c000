"""Everything the app knows, in one place: frames and results live here, never in widgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from campaigns import CampaignPlan
from crm_tui.engine import SegmentSettings
from crm_tui.pipeline import ShopData
from evaluation import Report


@dataclass
class AppState:
    orders_path: Path | None = None
    visitors_path: Path | None = None
    profiles_path: Path | None = None
    settings: SegmentSettings = field(default_factory=SegmentSettings)
    shop: ShopData | None = None
    profiles: pl.DataFrame | None = None
    plan: CampaignPlan | None = None
    plan_path: Path | None = None
    plan_dirty: bool = False
    report: Report | None = None
