"""The Plan form's text fields read into a plan: parsing here, the rules in campaigns.rules.

Kept apart from the widgets so that tests can check, over arbitrary input, that whatever the
form accepts is a plan the TOML reader reads back.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar, cast

import polars as pl

from campaigns import Arm, CampaignPlan, Costs, Offer, PlanError, Target
from campaigns.library import STRATEGIES
from campaigns.model import OFFER_KINDS, Channel, Metric, Objective, OfferKind, Phase
from campaigns.rules import arms_problems, at, plan_problems, target_problems
from campaigns.selectors import compile_selector
from crm_tui.engine.models.scores import SCORES
from crm_tui.language import N_, say
from evaluation.phrases import Phrase

T = TypeVar("T")


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
    phase: str = ""  # blank: the whole campaign
    suppress: bool = False


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
    objective: str
    salt: str
    holdout_salt: str
    primary: str  # metric names, commas between; blank: the metric alone
    suppress: str  # selectors, semicolons between
    phases: str  # name=start..end, commas between


# the plan's keys these fields set: a rule broken there is shown beside them
PLAN_KEYS = (
    "name",
    "objective",
    "salt",
    "metric",
    "primary_metrics",
    "duration_days",
    "wanted_lift",
    "alpha",
    "power",
    "budget_cap",
    "holdout_share",
    "holdout_salt",
    "suppress",
    "phases",
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
            for selector in plan.suppress:
                check_selector(selector, customers, "suppress")
        except PlanError as exc:
            settings_error = problems_text(exc)
    try:
        arms = parse_arms(arms_text)
        raise_problems(arms_problems(arms))
        plan = replace(plan, arms=arms)
    except PlanError as exc:
        arms_error = problems_text(exc)
    if fields is not None and plan.targets:
        try:
            plan = replace(plan, targets=_with_target(plan, fields, selected, customers))
        except PlanError as exc:
            target_error = problems_text(exc)
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
        objective=plan.objective,
        salt=plan.salt,
        holdout_salt=plan.holdout_salt,
        primary=", ".join(plan.primary_metrics),
        suppress="; ".join(plan.suppress),
        phases=phases_text(plan.phases),
    )


def plan_from_fields(fields: PlanFields, current: CampaignPlan) -> CampaignPlan:
    """The plan with the settings the fields describe; the rules its keys break are raised.

    A field left as it was shown keeps the plan's value: a percent shown and read back would
    otherwise move in its last bits, and a salt lose its spaces (and change the split), each
    time another field is edited.
    """
    shown = plan_fields(current)

    def kept(key: str, read: Callable[[str], T], now: T) -> T:
        typed = getattr(fields, key)
        return now if typed == getattr(shown, key) else read(typed)

    def percent(what: str) -> Callable[[str], float]:
        return lambda typed: number(typed, what) / 100

    days = kept("days", lambda typed: number(typed, N_("Days")), float(current.duration_days))
    if days != int(days):
        raise PlanError(whole_number(N_("Days"), fields.days))
    edited = replace(
        current,
        name=kept("name", str.strip, current.name),
        objective=cast(Objective, fields.objective),
        salt=kept("salt", str.strip, current.salt),
        holdout_salt=kept("holdout_salt", str.strip, current.holdout_salt),
        primary_metrics=kept("primary", _names, current.primary_metrics),
        suppress=kept("suppress", split_selectors, current.suppress),
        phases=kept("phases", parse_phases, current.phases),
        metric=cast(Metric, fields.metric),
        duration_days=int(days),
        wanted_lift=kept("lift", percent(N_("Lift %")), current.wanted_lift),
        alpha=kept("alpha", lambda typed: number(typed, N_("Alpha")), current.alpha),
        power=kept("power", lambda typed: number(typed, N_("Power")), current.power),
        budget_cap=kept("budget_cap", _cap, current.budget_cap),
        holdout_share=kept("holdout", percent(N_("Holdout %")), current.holdout_share),
    )
    raise_problems([(path, m) for path, m in plan_problems(edited) if _settings_key(path)])
    return edited


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _cap(text: str) -> float | None:
    return number(text, N_("Budget cap")) if text.strip() else None


def _settings_key(path: str) -> bool:
    """A key the settings set, or a target's phase that the phases no longer hold."""
    return path.partition("[")[0] in PLAN_KEYS or path.endswith("].phase")


def _with_target(
    plan: CampaignPlan, fields: TargetFields, selected: int, customers: pl.DataFrame | None
) -> tuple[Target, ...]:
    target = target_from_fields(fields, plan.targets[selected])
    if target.selector.strip():
        check_selector(target.selector, customers)
    edited = list(plan.targets)
    edited[selected] = target
    if sum(t.name == target.name for t in edited) > 1:
        raise PlanError(
            Phrase(
                "{field}: {name!r} is already another target's name",
                field=Phrase(N_("Name")),
                name=target.name,
            )
        )
    raise_problems(target_problems(target))
    prefix = f"targets[{selected}]."
    whole = plan_problems(replace(plan, targets=tuple(edited)))
    raise_problems([(p.removeprefix(prefix), m) for p, m in whole if p == f"{prefix}phase"])
    return tuple(edited)


def check_selector(selector: str, customers: pl.DataFrame | None, key: str = "") -> None:
    """Raise what is wrong with the selector on this shop's customers, if they are loaded."""
    if customers is None:
        return
    # the models' scores join the frame when a plan is checked: a selector may name them
    missing = [c for c in SCORES if c not in customers.columns]
    scored = customers.with_columns(pl.lit(None, pl.Float64).alias(c) for c in missing)
    try:
        compile_selector(selector, scored)
    except PlanError as exc:
        raise PlanError(
            [
                Phrase("{field}: {problem}", field=Phrase(key), problem=p) if key else p
                for p in exc.problems
            ]
        ) from None


def target_from_fields(fields: TargetFields, current: Target) -> Target:
    """The target the fields describe; what the form does not show is kept from current."""
    cap = number(fields.cap, N_("Contacts"))
    redemption = number(fields.redemption, N_("Redeem %")) / 100
    if cap != int(cap):
        raise PlanError(whole_number(N_("Contacts"), fields.cap))
    offer = Offer(
        cast(OfferKind, fields.offer),
        number(fields.value, N_("Value")),
        number(fields.min_spend, N_("Min spend")),
    )
    rank, top = fields.rank.strip(), fields.top.strip()
    return replace(
        current,
        baseline=number(fields.baseline, N_("Baseline")) if fields.baseline.strip() else None,
        rank=rank or None,
        top=number(top, N_("Keep top")) if top else None,
        arms=parse_arms(fields.arms) if fields.arms.strip() else None,
        phase=fields.phase.strip() or None,
        suppress=fields.suppress,
        name=fields.name.strip(),
        selector=fields.selector.strip(),
        strategy=fields.strategy if fields.strategy in STRATEGIES else current.strategy,
        channel=cast(Channel, fields.channel),
        offer=offer,
        contact_cap=int(cap),
        costs=Costs(number(fields.per_contact, N_("Per contact")), redemption),
    )


def parse_arms(text: str) -> tuple[Arm, ...]:
    """'control=0.2, treatment=0.8': the first arm is the control; campaigns.rules checks them.

    An arm may carry its own offer, to test two: 'low=0.4 @coupon 5/99' (kind, value, and the
    minimum spend after a slash)."""
    arms = []
    for i, part in enumerate(p.strip() for p in text.split(",") if p.strip()):
        name, sep, rest = part.partition("=")
        if not sep or not name.strip():
            raise PlanError(
                Phrase(
                    "{field}: expected name=share, got {part!r}",
                    field=Phrase(N_("Arms")),
                    part=part,
                )
            )
        share, at, offer = rest.partition("@")
        name = name.strip()
        arm = Arm(name, number(share, Phrase("share of {arm}", arm=name)), i == 0)
        arms.append(replace(arm, offer=parse_offer(offer, name)) if at else arm)
    return tuple(arms)


def parse_offer(text: str, arm: str) -> Offer:
    """'coupon 5/99' -> a coupon of 5 over a spend of 99; 'free_shipping 8'; 'none'."""
    kind, _, amounts = text.strip().partition(" ")
    if kind not in OFFER_KINDS:
        raise PlanError(
            Phrase(
                "offer of {arm}: expected one of {kinds}, got {found!r}",
                arm=arm,
                kinds=", ".join(OFFER_KINDS),
                found=kind or text,
            )
        )
    value, _, floor = amounts.partition("/")
    return Offer(
        cast(OfferKind, kind),
        number(value, Phrase("offer value of {arm}", arm=arm)) if value.strip() else 0.0,
        number(floor, Phrase("minimum spend of {arm}", arm=arm)) if floor.strip() else 0.0,
    )


def arms_text(arms: tuple[Arm, ...]) -> str:
    """The arms as the form shows them; parse_arms reads them back to the same arms."""

    def offer(o: Offer) -> str:
        floor = f"/{exact(o.min_spend)}" if o.min_spend else ""
        return f" @{o.kind} {exact(o.value)}{floor}"

    return ", ".join(f"{a.name}={exact(a.share)}{offer(a.offer) if a.offer else ''}" for a in arms)


def parse_phases(text: str) -> tuple[Phase, ...]:
    """'warm-up=2026-11-01..2026-11-10, main=2026-11-11..2026-11-11'; the rules check the order."""
    phases = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, span = part.partition("=")
        start, dots, end = span.partition("..")
        try:
            if not name.strip() or not dots:
                raise ValueError
            phases.append(Phase(name.strip(), _date(start), _date(end)))
        except ValueError:
            raise PlanError(
                Phrase(
                    "{field}: expected name=start..end with dates like 2026-11-01, got {part!r}",
                    field=Phrase(N_("Phases")),
                    part=part,
                )
            ) from None
    return tuple(phases)


def _date(text: str) -> dt.date:
    # fromisoformat takes "20261101" too; the form asks for the one spelling TOML writes
    if len(text.strip()) != len("2026-11-01"):
        raise ValueError(text)
    return dt.date.fromisoformat(text.strip())


def phases_text(phases: tuple[Phase, ...]) -> str:
    return ", ".join(f"{p.name}={p.start}..{p.end}" for p in phases)


def split_selectors(text: str) -> tuple[str, ...]:
    """Selectors written one after another, a semicolon between; one inside quotes stays."""
    parts: list[str] = []
    current: list[str] = []
    quote, escaped = "", False
    for char in text:
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ";":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return tuple(p.strip() for p in parts if p.strip())


def exact(x: float) -> str:
    """5 rather than 5.0, 0.2 rather than 0.20000000000000001; always read back to x."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def problems_text(exc: PlanError) -> str:
    """The problems in the language in use, one a line."""
    return "\n".join(say(p) for p in exc.problems)


def whole_number(field: str, text: str) -> Phrase:
    return Phrase(
        "{field}: expected a whole number, got {text}", field=Phrase(field), text=text.strip()
    )


def _field(what: str) -> Phrase:
    return what if isinstance(what, Phrase) else Phrase(what)


def raise_problems(problems: Sequence[tuple[str, str]]) -> None:
    if problems:
        raise PlanError([at(path, message) for path, message in problems])


def number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PlanError(
            Phrase(
                "{field}: expected a number, got {text!r}", field=_field(what), text=text.strip()
            )
        ) from None
    if not math.isfinite(value):
        raise PlanError(
            Phrase(
                "{field}: expected a finite number, got {text!r}",
                field=_field(what),
                text=text.strip(),
            )
        )
    return value
