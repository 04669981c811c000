"""Readable text for `plan check` and `plan assign`, in the language in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from crm_tui.language import N_, _, say
from crm_tui.reports.names import word
from crm_tui.reports.text import pad

if TYPE_CHECKING:  # the app shows checks without importing the power calculation's SciPy
    from campaigns.check import PlanCheck, TargetCheck

# where a target's baseline came from, as campaigns.power names it
BASELINE_SOURCES = {"history": N_("history"), "operator": N_("operator"), "none": N_("none")}


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{x:6.1%}"


def check_text(report: PlanCheck) -> str:
    lines = [_("Plan {name!r}  (hash {hash})").format(name=report.name, hash=report.plan_hash), ""]
    heads = [pad(_("target"), 28), pad(_("selected"), 9, ">"), pad(_("in plan"), 9, ">")]
    lines.append("  " + "".join([*heads, pad(_("supp."), 7, ">")]) + "  " + _("arms"))
    for t in report.targets:
        lines += _target_lines(t)
    lines += ["", total_line(report)]
    if report.suppressed:
        lines.append(_("Suppressed: {reasons}").format(reasons=reasons_text(report)))
    lines += [_("warning: {warning}").format(warning=say(w)) for w in report.warnings]
    return "\n".join(lines)


def reasons_text(report: PlanCheck) -> str:
    return ", ".join(f"{say(r)} {n:,}" for r, n in report.suppressed.items())


def total_line(report: PlanCheck) -> str:
    if report.budget_cap is None:
        return _("Total cost {cost:,.2f}").format(cost=report.total_cost)
    return _("Total cost {cost:,.2f} (cap {cap:,.2f})").format(
        cost=report.total_cost, cap=report.budget_cap
    )


def baseline_text(t: TargetCheck) -> str:
    p = t.power
    if p.baseline is None:
        return _("baseline unknown")
    source = _(BASELINE_SOURCES.get(p.baseline_source, p.baseline_source))
    return _("baseline {value:.4g} ({source})").format(value=p.baseline, source=source)


def need_text(t: TargetCheck) -> str:
    """The customers the wanted lift needs at the planned split ("" where none can be said)."""
    p = t.power
    if p.needed_treatment is None:
        return ""
    return _("+{lift:.0%} needs {treatment:,}/{control:,}").format(
        lift=p.wanted_lift, treatment=p.needed_treatment, control=p.needed_control
    )


def _target_lines(t: TargetCheck) -> list[str]:
    suppressed = sum(t.suppressed.values())
    arms = "  ".join(f"{a} {n:,}" for a, n in t.arms.items())
    counts = f"{t.selected:>9,}{t.customers:>9,}{suppressed:>7,}"
    p = t.power
    mde = (
        _("MDE {abs:.4g} abs, {rel} rel at alpha {alpha:.3g}").format(
            abs=p.mde_abs, rel=_pct(p.mde_rel).strip(), alpha=p.alpha
        )
        if p.mde_abs is not None
        else "MDE -"
    )
    need = f"; {needed}" if (needed := need_text(t)) else ""
    costs = _("{contacts:,} contacts, {redemptions:,.0f} expected redemptions, cost {cost:,.2f}")
    lines = [
        f"  {pad(t.name, 28)}{counts}  {arms}",
        f"      {word(t.channel)}, {word(t.strategy)}; {baseline_text(t)}; {mde}{need}",
        "      "
        + costs.format(contacts=t.contacts, redemptions=t.expected_redemptions, cost=t.cost),
    ]
    earlier = _("{n:,} also selected here went to earlier target {target!r}")
    lines += ["      " + earlier.format(n=n, target=e) for e, n in t.taken_by_earlier.items()]
    lines += [
        "      " + _("suppressed: {reason}: {n:,}").format(reason=say(r), n=n)
        for r, n in t.suppressed.items()
    ]
    return lines


def shares_text(shares: pl.DataFrame, report: PlanCheck) -> str:
    lines = [_("Achieved split per target:")]
    for target, arm, n, share in shares.iter_rows():
        lines.append(f"  {pad(target, 28)}{pad(arm, 14)}{n:>9,}  {share:6.1%}")
    if report.suppressed:
        reasons = reasons_text(report)
        lines.append(
            _("Listed with their reason, not contacted: {reasons}").format(reasons=reasons)
        )
    return "\n".join(lines)
