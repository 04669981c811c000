"""The Plan form's text fields read into a plan: parsing here, the rules in campaigns.rules.

Kept apart from the widgets so that tests can check, over arbitrary input, that whatever the
form accepts is a plan the TOML reader reads back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import cast

import polars as pl

from campaigns import Arm, CampaignPlan, Costs, Offer, PlanError, Target
from campaigns.library import STRATEGIES
from campaigns.model import OFFER_KINDS, Channel, Metric, OfferKind
from campaigns.rules import arms_problems, plan_problems, target_problems
from campaigns.selectors import compile_selector
from crm_tui.engine.models.scores import SCORES


@dataclass(frozen=True)
class TargetFields:
    """The target form as typed: every field is text, as the widgets hold it."""

    name: str
    selector: str
    strategy: str
    channel: str
    offer: str
    value: str
    min_spend: str
    cap: str
    per_contact: str
    redemption: str  # percent
    baseline: str = ""  # blank: the history's
    rank: str = ""  # blank with top: every customer the selector matches
    top: str = ""
    arms: str = ""  # blank: the plan's arms


@dataclass(frozen=True)
class PlanFields:
    """The plan's own settings as typed (percentages as the form shows them)."""

    name: str
    metric: str
    days: str
    lift: str  # percent
    alpha: str
    power: str
    budget_cap: str  # blank: no cap
    holdout: str  # percent


# the plan's keys these fields set: a rule broken there is shown beside them
PLAN_KEYS = (
    "name",
    "metric",
    "duration_days",
    "wanted_lift",
    "alpha",
    "power",
    "budget_cap",
    "holdout_share",
)


@dataclass(frozen=True)
class Edit:
    """The plan with every part that read cleanly, and a message for each part that did not."""

    plan: CampaignPlan
    arms_error: str = ""
    target_error: str = ""
    settings_error: str = ""


def edit_plan(
    plan: CampaignPlan,
    arms_text: str,
    fields: TargetFields | None,
    selected: int,
    customers: pl.DataFrame | None = None,
    settings: PlanFields | None = None,
) -> Edit:
    """Apply the plan's settings, the arms and the selected target's fields; a part with
    problems is left as it was."""
    arms_error = target_error = settings_error = ""
    if settings is not None:
        try:
            plan = plan_from_fields(settings, plan)
        except PlanError as exc:
            settings_error = str(exc)
    try:
        arms = parse_arms(arms_text)
        raise_problems(arms_problems(arms))
        plan = replace(plan, arms=arms)
    except PlanError as exc:
        arms_error = str(exc)
    if fields is not None and plan.targets:
        try:
            plan = replace(plan, targets=_with_target(plan, fields, selected, customers))
        except PlanError as exc:
            target_error = str(exc)
    return Edit(plan, arms_error, target_error, settings_error)


def plan_fields(plan: CampaignPlan) -> PlanFields:
    """The settings as the form shows them; read back unchanged, they give the same plan."""

    def text(x: float) -> str:
        return f"{x:.15g}"

    return PlanFields(
        name=plan.name,
        metric=plan.metric,
        days=str(plan.duration_days),
        lift=text(100 * plan.wanted_lift),
        alpha=text(plan.alpha),
        power=text(plan.power),
        budget_cap="" if plan.budget_cap is None else text(plan.budget_cap),
        holdout=text(100 * plan.holdout_share),
    )


def plan_from_fields(fields: PlanFields, current: CampaignPlan) -> CampaignPlan:
    """The plan with the settings the fields describe; the rules its keys break are raised.

    A field left as it was shown keeps the plan's value: a percent shown and read back would
    otherwise move it in its last bits each time another field is edited.
    """
    shown = plan_fields(current)

    def value(typed: str, was: str, current_value: float, what: str, scale: float = 1) -> float:
        if typed.strip() == was:
            return current_value
        return number(typed, what) / scale

    days = value(fields.days, shown.days, current.duration_days, "days")
    if days != int(days):
        raise PlanError(f"days: expected a whole number, got {fields.days.strip()}")
    cap = fields.budget_cap.strip()
    edited = replace(
        current,
        name=fields.name.strip(),
        metric=cast(Metric, fields.metric),
        duration_days=int(days),
        wanted_lift=value(fields.lift, shown.lift, current.wanted_lift, "lift %", 100),
        alpha=value(fields.alpha, shown.alpha, current.alpha, "alpha"),
        power=value(fields.power, shown.power, current.power, "power"),
        budget_cap=value(cap, shown.budget_cap, current.budget_cap or 0.0, "budget cap")
        if cap
        else None,
        holdout_share=value(fields.holdout, shown.holdout, current.holdout_share, "holdout %", 100),
    )
    raise_problems([(path, m) for path, m in plan_problems(edited) if path in PLAN_KEYS])
    return edited


def _with_target(
    plan: CampaignPlan, fields: TargetFields, selected: int, customers: pl.DataFrame | None
) -> tuple[Target, ...]:
    target = target_from_fields(fields, plan.targets[selected])
    if customers is not None and target.selector.strip():
        # the models' scores join the frame when a plan is checked: a selector may name them
        missing = [c for c in SCORES if c not in customers.columns]
        scored = customers.with_columns(pl.lit(None, pl.Float64).alias(c) for c in missing)
        compile_selector(target.selector, scored)
    edited = list(plan.targets)
    edited[selected] = target
    if sum(t.name == target.name for t in edited) > 1:
        raise PlanError(f"name: {target.name!r} is already another target's name")
    raise_problems(target_problems(target))
    return tuple(edited)


def target_from_fields(fields: TargetFields, current: Target) -> Target:
    """The target the fields describe; what the form does not show is kept from current."""
    cap = number(fields.cap, "contacts")
    redemption = number(fields.redemption, "redeem %") / 100
    if cap != int(cap):
        raise PlanError(f"contacts: expected a whole number, got {fields.cap.strip()}")
    offer = Offer(
        cast(OfferKind, fields.offer),
        number(fields.value, "value"),
        number(fields.min_spend, "min spend"),
    )
    rank, top = fields.rank.strip(), fields.top.strip()
    return replace(
        current,
        baseline=number(fields.baseline, "baseline") if fields.baseline.strip() else None,
        rank=rank or None,
        top=number(top, "top") if top else None,
        arms=parse_arms(fields.arms) if fields.arms.strip() else None,
        name=fields.name.strip(),
        selector=fields.selector.strip(),
        strategy=fields.strategy if fields.strategy in STRATEGIES else current.strategy,
        channel=cast(Channel, fields.channel),
        offer=offer,
        contact_cap=int(cap),
        costs=Costs(number(fields.per_contact, "per contact"), redemption),
    )


def parse_arms(text: str) -> tuple[Arm, ...]:
    """'control=0.2, treatment=0.8': the first arm is the control; campaigns.rules checks them.

    An arm may carry its own offer, to test two: 'low=0.4 @coupon 5/99' (kind, value, and the
    minimum spend after a slash)."""
    arms = []
    for i, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        name, sep, rest = part.partition("=")
        if not sep or not name.strip():
            raise PlanError(f"arms: expected name=share, got {part!r}")
        share, at, offer = rest.partition("@")
        name = name.strip()
        arm = Arm(name, number(share, f"share of {name}"), i == 0)
        arms.append(replace(arm, offer=parse_offer(offer, name)) if at else arm)
    return tuple(arms)


def parse_offer(text: str, arm: str) -> Offer:
    """'coupon 5/99' -> a coupon of 5 over a spend of 99; 'free_shipping 8'; 'none'."""
    kind, _, amounts = text.strip().partition(" ")
    if kind not in OFFER_KINDS:
        raise PlanError(
            f"offer of {arm}: expected one of {', '.join(OFFER_KINDS)}, got {kind or text!r}"
        )
    value, _, floor = amounts.partition("/")
    return Offer(
        cast(OfferKind, kind),
        number(value, f"offer value of {arm}") if value.strip() else 0.0,
        number(floor, f"minimum spend of {arm}") if floor.strip() else 0.0,
    )


def arms_text(arms: tuple[Arm, ...]) -> str:
    """The arms as the form shows them; parse_arms reads them back to the same arms."""

    def offer(o: Offer) -> str:
        floor = f"/{exact(o.min_spend)}" if o.min_spend else ""
        return f" @{o.kind} {exact(o.value)}{floor}"

    return ", ".join(f"{a.name}={exact(a.share)}{offer(a.offer) if a.offer else ''}" for a in arms)


def exact(x: float) -> str:
    """5 rather than 5.0, 0.2 rather than 0.20000000000000001; always read back to x."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def raise_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise PlanError([f"{path}: {message}" for path, message in problems])


def number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PlanError(f"{what}: expected a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise PlanError(f"{what}: expected a finite number, got {text.strip()!r}")
    return value
