"""The rules a plan obeys, checked on the dataclasses themselves.

The TOML reader and the terminal app's plan form both build a plan and then ask these functions
what is wrong with it, so a plan the form accepts is a plan the reader reads back. Each problem
is a (key path, message) pair; the key path is the plan's TOML path (`targets[0].offer.value`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from campaigns.errors import PlanError
from campaigns.model import EVENT_PHASES, Arm, CampaignPlan, Costs, Offer, Phase, Target
from evaluation.metrics import METRICS as EVALUATED
from evaluation.phrases import Phrase

Problems = list[tuple[str, Phrase]]

_SHA256 = re.compile(r"[0-9a-f]{64}")
VALUED_OFFERS = ("coupon", "percent", "gift", "free_shipping")
MAX_DURATION_DAYS = 3650  # ten years: a campaign longer than that is a typing slip


def _positive(value: float) -> Phrase:
    return Phrase("expected a positive number, got {value:g}", value=value)


def _not_negative(value: float) -> Phrase:
    return Phrase("expected a number >= 0, got {value:g}", value=value)


def _share(value: float) -> Phrase:
    return Phrase("expected a share between 0 and 1, got {value:g}", value=value)


def at(path: str, problem: str) -> Phrase:
    """A problem named by where it is: `targets[0].offer.value: expected ...`."""
    return Phrase("{path}: {problem}", path=path, problem=problem)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def offer_problems(offer: Offer, path: str = "") -> Problems:
    out: Problems = []
    if offer.kind in VALUED_OFFERS and not offer.value > 0:
        out.append((join(path, "value"), _positive(offer.value)))
    elif not offer.value >= 0:
        out.append((join(path, "value"), _not_negative(offer.value)))
    if offer.kind == "percent" and offer.value > 100:
        out.append(
            (
                join(path, "value"),
                Phrase("expected a percent up to 100, got {value:g}", value=offer.value),
            )
        )
    if not offer.min_spend >= 0:
        out.append((join(path, "min_spend"), _not_negative(offer.min_spend)))
    return out


def costs_problems(costs: Costs, path: str = "") -> Problems:
    out: Problems = []
    if not costs.per_contact >= 0:
        message = _not_negative(costs.per_contact)
        out.append((join(path, "per_contact"), message))
    if not 0 <= costs.redemption_rate <= 1:
        message = _share(costs.redemption_rate)
        out.append((join(path, "redemption_rate"), message))
    return out


def arms_problems(arms: Sequence[Arm], path: str = "arms") -> Problems:
    out: Problems = []
    for i, arm in enumerate(arms):
        at = f"{path}[{i}]"
        if not arm.name.strip():
            out.append((join(at, "name"), Phrase("expected a non-empty name")))
        if not 0 < arm.share < 1:
            out.append((join(at, "share"), _share(arm.share)))
        if arm.offer is not None:
            out += offer_problems(arm.offer, join(at, "offer"))
    controls = sum(a.control for a in arms)
    if controls != 1:
        out.append(
            (path, Phrase("expected exactly one arm with control = true, got {n}", n=controls))
        )
    if len(arms) < 2:
        out.append((path, Phrase("expected a control and at least one treatment arm")))
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        out.append((path, Phrase("arm names must differ, got {names}", names=names)))
    total = sum(a.share for a in arms)
    if abs(total - 1.0) > 1e-9:
        out.append((path, Phrase("shares must add up to 1, got {total:g}", total=total)))
    return out


def target_problems(target: Target, path: str = "") -> Problems:
    out: Problems = []
    if not target.name.strip():
        out.append((join(path, "name"), Phrase("expected a non-empty name")))
    if not target.selector.strip():
        out.append(
            (join(path, "selector"), Phrase("expected a selector such as lifecycle = sleeping"))
        )
    out += offer_problems(target.offer, join(path, "offer"))
    if target.contact_cap < 0:
        message = Phrase("expected a whole number >= 0, got {value}", value=target.contact_cap)
        out.append((join(path, "contact_cap"), message))
    out += costs_problems(target.costs, join(path, "costs"))
    if target.arms is not None:
        out += arms_problems(target.arms, join(path, "arms"))
    if target.baseline is not None and not target.baseline > 0:
        out.append((join(path, "baseline"), _positive(target.baseline)))
    return out + _top_problems(target, path)


def _top_problems(target: Target, path: str) -> Problems:
    if (target.rank is None) != (target.top is None):
        return [(join(path, "top"), Phrase("rank and top go together: the column, and how many"))]
    top = target.top
    if top is None:
        return []
    if not top > 0 or (top > 1 and top != int(top)):
        message = Phrase(
            "expected a share from 0 to 1 or a whole number of customers, got {value:g}", value=top
        )
        return [(join(path, "top"), message)]
    return []


def phase_problems(phase: Phase, path: str) -> Problems:
    if phase.end < phase.start:
        message = Phrase(
            "expected a date on or after start {start}, got {end}", start=phase.start, end=phase.end
        )
        return [(join(path, "end"), message)]
    return []


def _primary_problems(names: tuple[str, ...]) -> Problems:
    unknown = [n for n in names if n not in EVALUATED]
    if unknown:
        return [
            (
                "primary_metrics",
                Phrase(
                    "unknown metric {name!r}; expected some of {known}",
                    name=unknown[0],
                    known=", ".join(EVALUATED),
                ),
            )
        ]
    if len(set(names)) != len(names):
        return [("primary_metrics", Phrase("expected each metric once"))]
    return []


def plan_problems(plan: CampaignPlan) -> Problems:
    """Every rule the plan breaks; an empty list means the plan can be saved and read back."""
    out: Problems = []
    for key in ("name", "salt", "holdout_salt"):
        if not getattr(plan, key).strip():
            out.append((key, Phrase("expected a non-empty string")))
    for key in ("alpha", "power"):
        value = getattr(plan, key)
        if not 0 < value < 1:
            out.append(
                (key, Phrase("expected a number between 0 and 1, got {value:g}", value=value))
            )
    if not 0 < plan.duration_days <= MAX_DURATION_DAYS:
        message = Phrase(
            "expected a whole number of days from 1 to {most:,}, got {value}",
            most=MAX_DURATION_DAYS,
            value=plan.duration_days,
        )
        out.append(("duration_days", message))
    out += _primary_problems(plan.primary_metrics)
    if not plan.wanted_lift > 0:
        out.append(("wanted_lift", _positive(plan.wanted_lift)))
    if plan.budget_cap is not None and not plan.budget_cap > 0:
        out.append(("budget_cap", _positive(plan.budget_cap)))
    if not 0 <= plan.holdout_share < 1:
        out.append(
            (
                "holdout_share",
                Phrase("expected a share in [0, 1), got {value:g}", value=plan.holdout_share),
            )
        )
    if any(not s.strip() for s in plan.suppress):
        out.append(("suppress", Phrase("expected a list of selectors, got an empty one")))
    out += arms_problems(plan.arms)
    if not plan.targets:
        out.append(("targets", Phrase("missing; a plan needs at least one [[targets]]")))
    for i, target in enumerate(plan.targets):
        out += target_problems(target, f"targets[{i}]")
    for i, phase in enumerate(plan.phases):
        out += phase_problems(phase, f"phases[{i}]")
    for kind, file in plan.data.files().items():
        if not file.path.strip():
            out.append((f"data.{kind}.path", Phrase("expected a file path")))
        if not _SHA256.fullmatch(file.sha256):
            out.append(
                (
                    f"data.{kind}.sha256",
                    Phrase("expected 64 hex digits, got {value!r}", value=file.sha256),
                )
            )
    return out + _cross_problems(plan)


def _cross_problems(plan: CampaignPlan) -> Problems:
    out: Problems = []
    names = [t.name for t in plan.targets]
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.append(
            ("targets", Phrase("target names must differ; {name!r} appears twice", name=name))
        )
    phases = {p.name for p in plan.phases}
    for i, target in enumerate(plan.targets):
        if target.phase is not None and target.phase not in phases:
            known = ", ".join(sorted(phases)) or Phrase("none are defined")
            message = Phrase(
                "unknown phase {name!r}; phases: {known}", name=target.phase, known=known
            )
            out.append((f"targets[{i}].phase", message))
    if plan.objective == "event_retention":
        missing = [p for p in EVENT_PHASES if p not in phases]
        if missing:
            out.append(
                (
                    "phases",
                    Phrase(
                        "an event_retention plan needs phases {names}", names=", ".join(missing)
                    ),
                )
            )
    return out


def validate(plan: CampaignPlan, source: str = "plan") -> CampaignPlan:
    """The plan itself, or PlanError with one line per problem."""
    problems = plan_problems(plan)
    if problems:
        raise PlanError([at(f"{source}: {path}", message) for path, message in problems])
    return plan
