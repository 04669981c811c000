"""Campaign plans: strategies per segment, treatment/control arms, assignment, power and budget.

A library without UI and without file-format guessing: Polars frames and dataclasses in and out.
"""

from campaigns.errors import PlanError
from campaigns.model import (
    Arm,
    CampaignPlan,
    Costs,
    DataFile,
    Offer,
    Phase,
    PlanData,
    Target,
)
from campaigns.settings import SegmentationSettings

__all__ = [
    "Arm",
    "CampaignPlan",
    "Costs",
    "DataFile",
    "Offer",
    "Phase",
    "PlanData",
    "PlanError",
    "SegmentationSettings",
    "Target",
]
