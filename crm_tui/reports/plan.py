"""Readable text for `plan check` and `plan assign`."""

from __future__ import annotations

import polars as pl

from campaigns.check import PlanCheck


def _pct(x: float | None) -> str:
    return "    -" if x is None else f"{x:6.1%}"


def check_text(report: PlanCheck) -> str:
    lines = [f"Plan {report.name!r}  (hash {report.plan_hash})", ""]
    head = f"  {'target':<28}{'selected':>9}{'in plan':>9}{'supp.':>7}  arms"
    lines.append(head)
    for t in report.targets:
        suppressed = sum(t.suppressed.values())
        arms = "  ".join(f"{a} {n:,}" for a, n in t.arms.items())
        lines.append(f"  {t.name:<28}{t.selected:>9,}{t.customers:>9,}{suppressed:>7,}  {arms}")
        p = t.power
        base = (
            f"baseline {p.baseline:.4g} ({p.baseline_source})"
            if p.baseline is not None
            else "baseline unknown"
        )
        mde = (
            f"MDE {p.mde_abs:.4g} abs, {_pct(p.mde_rel).strip()} rel at alpha {p.alpha:.3g}"
            if p.mde_abs is not None
            else "MDE -"
        )
        need = (
            f"; +{p.wanted_lift:.0%} needs {p.needed_treatment:,}/{p.needed_control:,}"
            if p.needed_treatment is not None
            else ""
        )
        lines.append(f"      {t.channel}, {t.strategy}; {base}; {mde}{need}")
        lines.append(
            f"      {t.contacts:,} contacts, {t.expected_redemptions:,.0f} expected "
            f"redemptions, cost {t.cost:,.2f}"
        )
        for earlier, n in t.taken_by_earlier.items():
            lines.append(f"      {n:,} also selected here went to earlier target {earlier!r}")
        for reason, n in t.suppressed.items():
            lines.append(f"      suppressed: {reason}: {n:,}")
    lines += [
        "",
        f"Total cost {report.total_cost:,.2f}"
        + (f" (cap {report.budget_cap:,.2f})" if report.budget_cap is not None else ""),
    ]
    if report.suppressed:
        lines.append("Suppressed: " + ", ".join(f"{r} {n:,}" for r, n in report.suppressed.items()))
    lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines)


def shares_text(shares: pl.DataFrame, report: PlanCheck) -> str:
    lines = ["Achieved split per target:"]
    for target, arm, n, share in shares.iter_rows():
        lines.append(f"  {target:<28}{arm:<14}{n:>9,}  {share:6.1%}")
    if report.suppressed:
        lines.append(
            "Listed with their reason, not contacted: "
            + ", ".join(f"{r} {n:,}" for r, n in report.suppressed.items())
        )
    return "\n".join(lines)
