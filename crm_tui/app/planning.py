"""Plans on a shop: checked and assigned against the shop as the plan defines it.

The plan's own as_of and segmentation settings decide who is in which segment, so the same plan
gives the same audiences from the command line and the terminal app, whatever either of them
shows on screen.
"""

from __future__ import annotations

import datetime as dt
import secrets

import polars as pl

from campaigns import CampaignPlan
from campaigns.check import Baseline, PlanCheck, check_plan, historical_baseline
from campaigns.library import Starter, starter_plan
from campaigns.settings import SegmentationSettings
from crm_tui.app.shop import Shop
from crm_tui.engine import Segmentation
from crm_tui.errors import InputError


def plan_segmentation(plan: CampaignPlan, shop: Shop) -> Segmentation:
    return shop.segment(plan.segmentation, plan.as_of)


def history_baselines(
    plan: CampaignPlan, shop: Shop, seg: Segmentation
) -> dict[str, Baseline | None]:
    """Per target: how such customers bought in the last window as long as the campaign.

    The shop as it stood one campaign length before as-of picks each target's customers with
    its selector; their purchases in the window after it give the baseline conversion rate and
    revenue per customer.
    """
    start = seg.as_of - dt.timedelta(days=plan.duration_days)
    try:
        # The visitors file keeps no date per visit, so who had visited by then is unknown: the
        # past is the buyers only, and a selector on the visitor column gets no baseline.
        past = shop.segment(plan.segmentation, start, visitors=False).customers
    except InputError:
        return {}  # too few customers had bought by then
    day = pl.col("ordered_at").dt.date()
    window = shop.orders.filter((day >= start) & (day < seg.as_of))
    return {t.name: historical_baseline(t.selector, past, window) for t in plan.targets}


def check(plan: CampaignPlan, shop: Shop) -> tuple[PlanCheck, pl.DataFrame]:
    """The plan's audiences, suppression, power and budget, and the assignment behind them."""
    seg = plan_segmentation(plan, shop)
    baselines = history_baselines(plan, shop, seg)
    return check_plan(plan, seg.customers, shop.profiles, baselines)


def new_plan(
    objective: str,
    settings: SegmentationSettings,
    as_of: dt.date | None,
    salt: str | None = None,
) -> Starter:
    """The objective's starter plan, recording the settings and as_of it was built on.

    A new random salt is drawn unless one is given (and recorded in the plan); checking the plan
    later reproduces the audiences seen when it was made.
    """
    if salt is not None and not salt.strip():
        raise InputError("salt: expected a non-empty text", setting="salt")
    return starter_plan(objective, salt or secrets.token_hex(6), as_of, settings)
