"""What a plan will do on a customers frame: audiences, suppression, power and budget."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from campaigns.assign import Targeting, assign, reasons
from campaigns.errors import PlanError
from campaigns.model import CampaignPlan, Target
from campaigns.power import PowerResult, plan_power
from campaigns.selectors import compile_selector
from campaigns.toml_io import plan_hash
from evaluation.phrases import Phrase

MIN_HISTORY = 30


@dataclass(frozen=True)
class Baseline:
    rate: float  # share who bought in the window
    mean: float  # revenue per customer in the window
    sd: float
    customers: int


@dataclass(frozen=True)
class TargetCheck:
    name: str
    selector: str
    strategy: str
    channel: str
    selected: int  # customers the selector matches
    customers: int  # of those, not taken by an earlier target
    taken_by_earlier: dict[str, int]
    suppressed: dict[str, int]
    arms: dict[str, int]
    power: PowerResult
    contacts: int
    expected_redemptions: float
    cost: float


@dataclass(frozen=True)
class PlanCheck:
    name: str
    plan_hash: str
    targets: tuple[TargetCheck, ...]
    suppressed: dict[str, int]
    total_cost: float
    budget_cap: float | None
    trim: tuple[str, ...]
    warnings: tuple[Phrase, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "plan_hash": self.plan_hash,
            "targets": [
                {
                    "name": t.name,
                    "selector": t.selector,
                    "strategy": t.strategy,
                    "channel": t.channel,
                    "selected": t.selected,
                    "customers": t.customers,
                    "taken_by_earlier": t.taken_by_earlier,
                    "suppressed": t.suppressed,
                    "arms": t.arms,
                    "mde": t.power.mde_abs,
                    "mde_relative": t.power.mde_rel,
                    "power": asdict(t.power),
                    "contacts": t.contacts,
                    "expected_redemptions": t.expected_redemptions,
                    "cost": t.cost,
                }
                for t in self.targets
            ],
            "suppressed": self.suppressed,
            "total_cost": self.total_cost,
            "budget_cap": self.budget_cap,
            "trim": list(self.trim),
            "warnings": list(self.warnings),
        }


def historical_baseline(
    selector: str, past_customers: pl.DataFrame, spend: pl.DataFrame
) -> Baseline | None:
    """How customers the selector picked at the window's start bought during the window.

    spend: customer_id and spend, each buyer's total in the window.
    """
    try:
        chosen = past_customers.filter(compile_selector(selector, past_customers))
    except PlanError:
        return None  # the selector needs data history has not got (e.g. visitors)
    if chosen.height < MIN_HISTORY:
        return None
    revenue = (
        chosen.select("customer_id")
        .join(spend, on="customer_id", how="left")
        .select(pl.col("spend").fill_null(0.0))
        .to_series()
        .to_numpy()
    )
    return Baseline(
        rate=float((revenue > 0).mean()),
        mean=float(revenue.mean()),
        sd=float(revenue.std(ddof=1)),
        customers=chosen.height,
    )


def check_plan(
    plan: CampaignPlan,
    customers: pl.DataFrame,
    profiles: pl.DataFrame | None = None,
    baselines: dict[str, Baseline | None] | None = None,
) -> tuple[PlanCheck, pl.DataFrame]:
    """The check report and the assignment it was computed from."""
    baselines = baselines or {}
    content_hash = plan_hash(plan)
    assignment, targeting = assign(plan, customers, profiles, content_hash)
    aov = _order_values(targeting.frame)
    # every count the report shows, from one group-by of the (possibly millions of) rows;
    # streamed, as holding them for an in-memory group-by took 1.4 GB more on 16M rows
    tally = (
        assignment.lazy()
        .group_by("target", "arm", "suppressed_reason")
        .len()
        .collect(engine="streaming")
    )
    checks = tuple(
        _target_check(plan, t, tally, targeting, baselines.get(t.name), aov.get(t.name, 0.0))
        for t in plan.targets
    )
    suppressed = _reasons(tally, plan)
    total = sum(t.cost for t in checks)
    trim = _trim(checks, plan.budget_cap)
    warnings = _warnings(plan, checks, total, trim)
    report = PlanCheck(
        plan.name, content_hash, checks, suppressed, total, plan.budget_cap, trim, warnings
    )
    return report, assignment


def _order_values(targeted: pl.DataFrame) -> dict[str, float]:
    if "average_order_value" not in targeted.columns:
        return {}
    # one target's rows at a time: a group-by's float mean changed in its last digits from run
    # to run, and so did the budget
    values = targeted.select("target", "average_order_value")
    means = {}
    for target in values["target"].unique().sort():
        mean = values.filter(pl.col("target") == target)["average_order_value"].mean()
        means[target] = float(mean) if isinstance(mean, (int, float)) else 0.0
    return means


def _reasons(tally: pl.DataFrame, plan: CampaignPlan) -> dict[str, int]:
    """Customers per suppression reason, most first; each reason a Phrase the shells word."""
    reason = pl.col("suppressed_reason")
    counts = tally.filter(reason.is_not_null()).group_by(reason).agg(pl.col("len").sum())
    known = reasons(plan)
    rows = counts.sort(["len", reason], descending=[True, False]).iter_rows()
    return {known.get(r, r): n for r, n in rows}


def _target_check(
    plan: CampaignPlan,
    target: Target,
    tally: pl.DataFrame,
    targeting: Targeting,
    baseline: Baseline | None,
    order_value: float,
) -> TargetCheck:
    rows = tally.filter(pl.col("target") == target.name)
    arms_plan = plan.arms_for(target)
    assigned = dict(rows.group_by("arm").agg(pl.col("len").sum()).iter_rows())
    arm_counts = {a.name: int(assigned.get(a.name, 0)) for a in arms_plan}
    control = plan.control_arm(target).name
    treated = {a: n for a, n in arm_counts.items() if a != control}
    n_treated = sum(treated.values())
    power = _power(plan, target, baseline, min(treated.values(), default=0), arm_counts[control])
    contacts = 0 if target.channel == "none" else n_treated * target.contact_cap
    redemptions, offer_cost = 0.0, 0.0
    for arm in arms_plan:
        if arm.control or target.channel == "none":
            continue
        expected = treated[arm.name] * target.costs.redemption_rate
        redemptions += expected
        offer_cost += expected * (arm.offer or target.offer).cost_per_redemption(order_value)
    return TargetCheck(
        name=target.name,
        selector=target.selector,
        strategy=target.strategy,
        channel=target.channel,
        selected=targeting.selected[target.name],
        customers=int(rows["len"].sum()),
        taken_by_earlier=targeting.overlaps.get(target.name, {}),
        suppressed=_reasons(rows, plan),
        arms=arm_counts,
        power=power,
        contacts=contacts,
        expected_redemptions=redemptions,
        cost=contacts * target.costs.per_contact + offer_cost,
    )


def _power(
    plan: CampaignPlan, target: Target, baseline: Baseline | None, n_treatment: int, n_control: int
) -> PowerResult:
    # MDE per treatment arm against the control: the smallest treatment arm decides.
    value: float | None = target.baseline
    sd: float | None = None
    source = "operator"
    if baseline is not None:
        source = "history"
        value = baseline.rate if plan.metric == "conversion_rate" else baseline.mean
        sd = None if plan.metric == "conversion_rate" else baseline.sd
    arms = plan.arms_for(target)
    control = plan.control_arm(target).share
    smallest = min((a.share for a in arms if not a.control), default=0.0)
    return plan_power(
        plan.metric,
        value,
        sd,
        source,
        n_treatment,
        n_control,
        plan.tested_alpha(target),
        plan.power,
        plan.wanted_lift,
        planned_ratio=control / smallest if smallest else None,
    )


def _trim(checks: tuple[TargetCheck, ...], cap: float | None) -> tuple[str, ...]:
    """Lowest-priority targets (last in the plan) to drop until the cost fits the cap."""
    if cap is None:
        return ()
    total, trim = sum(t.cost for t in checks), []
    for check in reversed(checks):
        if total <= cap:
            break
        if check.cost > 0:
            trim.append(check.name)
            total -= check.cost
    return tuple(trim)


def _needs(plan: CampaignPlan, t: TargetCheck) -> Phrase:
    p = t.power
    if p.needed_treatment is None or p.needed_control is None:
        return Phrase(
            "a {lift:.0%} lift is out of reach from a baseline of {baseline:.3g}",
            lift=plan.wanted_lift,
            baseline=p.baseline,
        )
    return Phrase(
        "{lift:.0%} needs {treated:,} treated and {control:,} control customers",
        lift=plan.wanted_lift,
        treated=p.needed_treatment,
        control=p.needed_control,
    )


def _warnings(
    plan: CampaignPlan, checks: tuple[TargetCheck, ...], total: float, trim: tuple[str, ...]
) -> tuple[Phrase, ...]:
    out = []
    for t in checks:
        empty = [arm for arm, n in t.arms.items() if n == 0]
        if t.customers == 0:
            out.append(
                Phrase(
                    "{target}: selects no customers ({selector})",
                    target=t.name,
                    selector=t.selector,
                )
            )
        elif empty:
            counts = ", ".join(f"{arm} {n:,}" for arm, n in t.arms.items())
            out.append(
                Phrase(
                    "{target}: no customers in {arms} ({counts}); no comparison",
                    target=t.name,
                    arms=", ".join(empty),
                    counts=counts,
                )
            )
        elif t.power.mde_rel is not None and t.power.mde_rel > plan.wanted_lift:
            out.append(
                Phrase(
                    "{target}: can only detect a lift of {mde:.0%} or more; {needs}",
                    target=t.name,
                    mde=t.power.mde_rel,
                    needs=_needs(plan, t),
                )
            )
        elif t.power.baseline is None and t.channel != "none":
            out.append(
                Phrase(
                    "{target}: no baseline from history; set baseline = ... for its MDE",
                    target=t.name,
                )
            )
        elif t.power.baseline == 0 and t.channel != "none":
            # a rate of zero has no relative lift: the MDE is shown as "-" and needs a reason
            out.append(
                Phrase(
                    "{target}: none of these customers converted in the same days before "
                    "(baseline 0), so no lift can be sized; set baseline = ... for its MDE",
                    target=t.name,
                )
            )
    if plan.budget_cap is not None and total > plan.budget_cap:
        out.append(
            Phrase(
                "budget {total:,.2f} is over the cap {cap:,.2f}; trim {targets}",
                total=total,
                cap=plan.budget_cap,
                targets=", ".join(trim),
            )
        )
    return tuple(out)
