"""Plans on real data: segment with the plan's settings, learn baselines from history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from campaigns import CampaignPlan, SegmentationSettings
from campaigns.check import Baseline, PlanCheck, check_plan, historical_baseline
from crm_tui.engine import SegmentSettings
from crm_tui.pipeline import ShopData, load_shop


def engine_settings(plan_settings: SegmentationSettings, as_of: dt.date | None) -> SegmentSettings:
    return SegmentSettings(
        as_of=as_of,
        lifecycle_quantiles=plan_settings.lifecycle_quantiles,
        lifecycle_days=plan_settings.lifecycle_days,
        tier_thresholds=plan_settings.tier_thresholds,
    )


def plan_settings(settings: SegmentSettings) -> SegmentationSettings:
    return SegmentationSettings(
        settings.lifecycle_quantiles, settings.lifecycle_days, settings.tier_thresholds
    )


def shop_for_plan(
    plan: CampaignPlan,
    orders: Path,
    overrides: Mapping[str, str] | None = None,
    visitors: Path | None = None,
) -> ShopData:
    return load_shop(orders, overrides, engine_settings(plan.segmentation, plan.as_of), visitors)


def history_baselines(plan: CampaignPlan, shop: ShopData) -> dict[str, Baseline | None]:
    """Per target: how such customers bought in the last window as long as the campaign.

    The shop is segmented again as of one campaign length before as-of, and each target's
    selector picks its customers from that past state; their purchases in the window after it
    give the baseline conversion rate and revenue per customer.
    """
    as_of = shop.segmentation.as_of
    start = as_of - dt.timedelta(days=plan.duration_days)
    day = pl.col("ordered_at").dt.date()
    window = shop.orders.filter((day >= start) & (day < as_of))
    past = shop.past_customers(engine_settings(plan.segmentation, start))
    if past is None:
        return {}
    return {t.name: historical_baseline(t.selector, past, window) for t in plan.targets}


def check(
    plan: CampaignPlan, shop: ShopData, profiles: pl.DataFrame | None = None
) -> tuple[PlanCheck, pl.DataFrame]:
    return check_plan(plan, shop.customers, profiles, history_baselines(plan, shop))
