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
from campaigns.model import Channel, OfferKind
from campaigns.rules import arms_problems, target_problems
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


@dataclass(frozen=True)
class Edit:
    """The plan with every part that read cleanly, and a message for each part that did not."""

    plan: CampaignPlan
    arms_error: str = ""
    target_error: str = ""


def edit_plan(
    plan: CampaignPlan,
    arms_text: str,
    fields: TargetFields | None,
    selected: int,
    customers: pl.DataFrame | None = None,
) -> Edit:
    """Apply the arms and the selected target's fields; a part with problems is left as it was."""
    arms_error = target_error = ""
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
    return Edit(plan, arms_error, target_error)


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
        name=fields.name.strip(),
        selector=fields.selector.strip(),
        strategy=fields.strategy if fields.strategy in STRATEGIES else current.strategy,
        channel=cast(Channel, fields.channel),
        offer=offer,
        contact_cap=int(cap),
        costs=Costs(number(fields.per_contact, "per contact"), redemption),
    )


def parse_arms(text: str) -> tuple[Arm, ...]:
    """'control=0.2, treatment=0.8': the first arm is the control; campaigns.rules checks them."""
    arms = []
    for i, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        name, sep, share = part.partition("=")
        if not sep or not name.strip():
            raise PlanError(f"arms: expected name=share, got {part!r}")
        arms.append(Arm(name.strip(), number(share, f"share of {name.strip()}"), i == 0))
    return tuple(arms)


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
