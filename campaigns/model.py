"""The plan and its parts: typed, immutable dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, get_args

from campaigns.settings import SegmentationSettings

Objective = Literal["visitor_conversion", "churn_recall", "event_retention", "custom"]
Channel = Literal["sms", "push", "email", "phone", "ads", "none"]
OfferKind = Literal["coupon", "percent", "gift", "free_shipping", "preview", "none"]
Metric = Literal["conversion_rate", "revenue_per_customer"]

# the Literal types are the one list of each; the tuples are their values for menus and messages
OBJECTIVES: tuple[str, ...] = get_args(Objective)
CHANNELS: tuple[str, ...] = get_args(Channel)
OFFER_KINDS: tuple[str, ...] = get_args(OfferKind)
METRICS: tuple[str, ...] = get_args(Metric)
EVENT_PHASES: tuple[str, ...] = ("warm-up", "main", "after")


@dataclass(frozen=True)
class Offer:
    """What the customer is offered. value: coupon or gift value, or percent off (0-100)."""

    kind: OfferKind = "none"
    value: float = 0.0
    min_spend: float = 0.0

    def cost_per_redemption(self, order_value: float) -> float:
        """What one redemption costs the shop, given the order value it is redeemed on."""
        if self.kind == "percent":
            return self.value / 100 * max(order_value, self.min_spend)
        if self.kind in ("coupon", "gift", "free_shipping"):
            return self.value
        return 0.0

    def describe(self) -> str:
        if self.kind == "coupon":
            floor = f" over {self.min_spend:g}" if self.min_spend else ""
            return f"coupon {self.value:g}{floor}"
        if self.kind == "percent":
            return f"{self.value:g}% off"
        if self.kind in ("gift", "free_shipping"):
            return f"{self.kind.replace('_', ' ')} ({self.value:g})"
        return self.kind.replace("_", " ")


@dataclass(frozen=True)
class Costs:
    per_contact: float = 0.0
    redemption_rate: float = 0.0  # expected share of treated customers who redeem the offer


@dataclass(frozen=True)
class Arm:
    name: str
    share: float
    control: bool = False
    offer: Offer | None = None  # replaces the target's offer in this arm


@dataclass(frozen=True)
class Target:
    name: str
    selector: str
    strategy: str = ""
    channel: Channel = "sms"
    offer: Offer = field(default_factory=Offer)
    contact_cap: int = 1
    costs: Costs = field(default_factory=Costs)
    arms: tuple[Arm, ...] | None = None  # replaces the plan's arms for this target
    baseline: float | None = None  # the operator's baseline when history cannot give one
    phase: str | None = None
    suppress: bool = False  # listed with reason "suppressed segment", never contacted
    # of the customers the selector matches, only the top ones by this column (highest first):
    # a share when top <= 1, else a number of customers
    rank: str | None = None
    top: float | None = None


@dataclass(frozen=True)
class Phase:
    name: str
    start: dt.date
    end: dt.date


DEFAULT_ARMS = (Arm("control", 0.2, control=True), Arm("treatment", 0.8))


@dataclass(frozen=True)
class DataFile:
    """A file a plan was checked against: where it was, and the SHA-256 of its bytes."""

    path: str  # relative to the plan file's folder when it lies below it
    sha256: str


DATA_KINDS = ("orders", "visitors", "profiles")


@dataclass(frozen=True)
class PlanData:
    """The shop's files the plan was last checked against; assignment uses the same ones."""

    orders: DataFile | None = None
    visitors: DataFile | None = None
    profiles: DataFile | None = None

    def files(self) -> dict[str, DataFile]:
        found = {kind: getattr(self, kind) for kind in DATA_KINDS}
        return {kind: f for kind, f in found.items() if f is not None}


@dataclass(frozen=True)
class CampaignPlan:
    name: str
    objective: Objective
    salt: str
    targets: tuple[Target, ...]
    arms: tuple[Arm, ...] = DEFAULT_ARMS
    as_of: dt.date | None = None
    segmentation: SegmentationSettings = field(default_factory=SegmentationSettings)
    metric: Metric = "conversion_rate"
    # the metrics the campaign is judged by: the evaluation's confirmatory family; empty means
    # the plan's `metric` alone
    primary_metrics: tuple[str, ...] = ()
    alpha: float = 0.05
    power: float = 0.8
    duration_days: int = 14
    wanted_lift: float = 0.2  # relative lift the operator hopes to detect
    budget_cap: float | None = None
    holdout_share: float = 0.0  # global holdout, never contacted by any campaign
    holdout_salt: str = "crm-tui-global-holdout"
    suppress: tuple[str, ...] = ()  # selectors of customers nobody in this plan contacts
    phases: tuple[Phase, ...] = ()
    data: PlanData = field(default_factory=PlanData)

    def primaries(self) -> tuple[str, ...]:
        return self.primary_metrics or (self.metric,)

    def tested_alpha(self, target: Target) -> float:
        """The alpha each of this target's primary comparisons must pass: the evaluation adjusts
        within the primary metrics times the treatment arms (Holm), whose strictest step is
        alpha over that number; power planned at it holds whatever the other p-values are."""
        treatments = sum(not a.control for a in self.arms_for(target))
        return self.alpha / (len(self.primaries()) * max(treatments, 1))

    def arms_for(self, target: Target) -> tuple[Arm, ...]:
        return target.arms if target.arms is not None else self.arms

    def control_arm(self, target: Target) -> Arm:
        return next(a for a in self.arms_for(target) if a.control)
