"""The evaluation report as a readable table, as Markdown to share, and as JSON for scripts."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from evaluation.model import (
    FAMILIES,
    MIN_EVENTS,
    OVERALL,
    Comparison,
    Incremental,
    Report,
)

SRM_WARNING = (
    "SAMPLE RATIO MISMATCH: the arms' sizes do not match {basis} (p = {p:.2g}). "
    "The assignment or the data collection is broken; do not trust the lift figures below."
)


def segment_label(segment: str) -> str:
    """How a segment is shown: the overall comparison as "(all)"."""
    return "(all)" if segment == OVERALL else segment


NAME_COLUMNS = (0, 2)  # segment and arm: names from the user's files and plan
_FORMULA_START = ("=", "+", "-", "@")


def printable(text: str) -> str:
    """Text with control characters (ESC, BEL, ...) shown as escapes instead of sent raw.

    Names come from the user's files; a terminal must never receive their control sequences.
    Line breaks and tabs are the report's own layout and stay.
    """
    return "".join(
        ch
        if ch in "\n\t" or unicodedata.category(ch) != "Cc"
        else ch.encode("unicode_escape").decode()
        for ch in text
    )


def _markdown_name(name: str) -> str:
    """A name as a Markdown cell: pipes escaped, a leading = + - @ shown as code, so that a
    table pasted into a spreadsheet runs no formula."""
    name = name.replace("|", "\\|")
    return f"`{name}`" if name.startswith(_FORMULA_START) else name


def signed_pct(x: float) -> str:
    """+12.3%; sums of many floats differ in the last bits between runs, so a lift of
    -1e-16 must not print as -0.0%."""
    return f"{round(x, 6) + 0.0:+.1%}"


def number_text(x: float | None, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"  # an interval the data cannot bound
    if pct:
        return signed_pct(x)
    if abs(x) < 1e-12:
        return "0"  # a difference of equal values, up to the order the sums were taken in
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def _ci(ci: tuple[float, float] | None, pct: bool = False) -> str:
    if ci is None:
        return ""
    return f"[{number_text(ci[0], pct)}, {number_text(ci[1], pct)}]"


def fmt_p(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def _mark(c: Comparison, alpha: float) -> str:
    return "*" if c.significant(alpha) else ""


def srm_line(report: Report) -> str:
    srm = report.srm
    if srm is None:
        return "Sample ratio: not checked"
    observed = ", ".join(
        f"{a} {n:,} (expected {srm.expected.get(a, 0):,.0f})" for a, n in srm.observed.items()
    )
    if not srm.ok:
        return SRM_WARNING.format(p=srm.p_value, basis=srm.basis) + f"\n  {observed}"
    return f"Sample ratio OK against {srm.basis} (chi-square p = {srm.p_value:.3g}): {observed}"


CAPPED_MARK = "†"  # beside a capped metric where "(capped)" does not fit


def metric_label(c: Comparison, compact: bool = False) -> str:
    if c.uncapped is None:
        return c.metric
    return f"{c.metric}{CAPPED_MARK}" if compact else f"{c.metric} (capped)"


def _row(c: Comparison, alpha: float) -> list[str]:
    return [
        segment_label(c.segment),
        metric_label(c) + ("!" if c.few_events else ""),
        c.arm,
        number_text(c.result.control_value),
        number_text(c.result.arm_value),
        f"{number_text(c.result.rel_lift, True)} {_ci(c.result.rel_ci, True)}".strip(),
        f"{number_text(c.result.abs_diff)} {_ci(c.result.abs_ci)}".strip(),
        fmt_p(c.result.p_value),
        fmt_p(c.p_adjusted) + _mark(c, alpha),
        "-" if c.prob_beats_control is None else f"{c.prob_beats_control:.1%}",
        risk_text(c),
    ]


def risk_text(c: Comparison) -> str:
    """The expected loss as a share of the control's value, as GrowthBook shows it."""
    control = c.result.control_value
    if c.risk is None:
        return "-"
    if control == 0 or math.isnan(control):
        return number_text(c.risk)
    return f"{c.risk / abs(control):.2%}"


HEADERS = [
    "segment",
    "metric",
    "arm",
    "control",
    "arm value",
    "lift [CI]",
    "diff [CI]",
    "p",
    "p adj",
    "P(beats)",
    "risk",
]
ADJUSTED_MARK = 8  # the column that carries the significance mark


def family_title(report: Report, family: str) -> str:
    adjustment = "Holm" if report.adjustment == "holm" else "Benjamini-Hochberg"
    count = sum(c.family == family and c.result.p_value is not None for c in report.comparisons)
    titles = {
        "primary": f"Primary metrics ({', '.join(report.primary)})",
        "secondary": "Secondary metrics",
        "overall": "All metrics (no primary metric named)",
        "breakdown": f"By {report.by} (exploratory)",
    }
    if count == 0:
        return f"{titles[family]}: no test possible"
    tests = "this test" if count == 1 else f"these {count} tests"
    return f"{titles[family]}: p adj by {adjustment} within {tests}"


def families(report: Report) -> list[tuple[str, list[Comparison]]]:
    """The report's comparisons in their families, in the order they are read."""
    out = []
    for family in FAMILIES:
        rows = [c for c in report.comparisons if c.family == family]
        if rows:
            out.append((family, rows))
    return out


def legend(report: Report) -> str:
    tests = {c.result.test for c in report.comparisons if c.result.p_value is not None}
    return (
        f"Control {report.control!r}; arms {', '.join(report.arms)}; alpha {report.alpha:.3g}"
        f"{' at this look' if report.sequential else ''}. "
        f"Test: {'; '.join(sorted(tests)) or 'none'}; each row's intervals, P(beats) and risk "
        "(the expected loss, as a share of the control's value, if the arm is chosen) come from "
        "its test. "
        f"* = significant after adjustment; ! = under {MIN_EVENTS} customers with the outcome "
        "in an arm: no test can be trusted." + (UNBOUNDED if _unbounded(report) else "")
    )


UNBOUNDED = (
    " ∞ = the data cannot bound that end of the interval: the control's value (a ratio's "
    "denominator) is not surely above zero, so every larger lift is as consistent with them."
)


def _unbounded(report: Report) -> bool:
    intervals = [i for c in report.comparisons for i in (c.result.abs_ci, c.result.rel_ci) if i]
    return any(math.isinf(end) for i in intervals for end in i)


def uncapped_line(c: Comparison) -> str:
    assert c.uncapped is not None
    return (
        f"{segment_label(c.segment)} / {c.arm} / {c.metric}: uncapped control "
        f"{number_text(c.uncapped.control_value)}, arm {number_text(c.uncapped.arm_value)} "
        f"({number_text(c.uncapped.rel_lift, True)})"
    )


def _uncapped_lines(report: Report) -> list[str]:
    return [uncapped_line(c) for c in report.comparisons if c.uncapped is not None]


def incremental_line(inc: Incremental) -> str:
    """Extra revenue and cost over the control, their ratio, and gross ROI beside them."""
    roi = "-" if inc.incremental_roi is None else f"{inc.incremental_roi:.2f}"
    if inc.incremental_roi is not None:
        roi += f" {_ci(inc.incremental_roi_ci)}" if inc.incremental_roi_ci else " [unbounded]"
    gross = "-" if inc.gross_roi is None else f"{inc.gross_roi:.2f}"
    capped = " (capped)" if inc.uncapped_revenue is not None else ""
    beside = [f"gross ROI {gross}"]
    if inc.uncapped_revenue is not None:
        uncapped_roi = "-" if inc.uncapped_roi is None else f"{inc.uncapped_roi:.2f}"
        beside.insert(
            0, f"uncapped: revenue {number_text(inc.uncapped_revenue)}, ROI {uncapped_roi}"
        )
    revenue = f"{number_text(inc.incremental_revenue)} {_ci(inc.incremental_revenue_ci)}"
    return (
        f"{segment_label(inc.segment)} / {inc.arm}: over {inc.treated:,} treated, incremental "
        f"revenue{capped} {revenue}, "
        f"incremental cost {number_text(inc.incremental_cost)} {_ci(inc.incremental_cost_ci)}; "
        f"incremental ROI{capped} {roi} ({'; '.join(beside)})"
    ).replace("  ", " ")


def _incremental_lines(report: Report) -> list[str]:
    return [incremental_line(inc) for inc in report.incremental]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*HEADERS), fmt.format(*("-" * w for w in widths))] + [
        fmt.format(*r) for r in rows
    ]


def to_text(report: Report) -> str:
    lines = [srm_line(report), legend(report)]
    if report.sequential is not None:
        lines.append(report.sequential.description)
    for family, rows in families(report):
        lines += ["", family_title(report, family)]
        lines += _table([_row(c, report.alpha) for c in rows])
    if report.incremental:
        lines += [
            "",
            "Incremental (treatment minus control per customer, times the treated customers):",
        ]
        lines += ["  " + line for line in _incremental_lines(report)]
    if uncapped := _uncapped_lines(report):
        lines += ["", "Before capping:", *("  " + line for line in uncapped)]
    lines += [f"note: {n}" for n in report.notes]
    return printable("\n".join(lines))


def _markdown_row(c: Comparison, alpha: float) -> str:
    cells = [
        f"**{x}**"
        if c.significant(alpha) and i == ADJUSTED_MARK
        else _markdown_name(x)
        if i in NAME_COLUMNS
        else x.replace("|", "/")
        for i, x in enumerate(_row(c, alpha))
    ]
    return "| " + " | ".join(cells) + " |"


def to_markdown(report: Report) -> str:
    lines = ["# Campaign evaluation", ""]
    srm = srm_line(report)
    lines += [f"> **{srm}**" if report.srm is not None and not report.srm.ok else srm, ""]
    lines += [legend(report), ""]
    if report.sequential is not None:
        lines += [f"**{report.sequential.description}**", ""]
    for family, rows in families(report):
        lines += [f"## {family_title(report, family)}", ""]
        lines.append("| " + " | ".join(HEADERS) + " |")
        lines.append("|" + "---|" * len(HEADERS))
        lines += [_markdown_row(c, report.alpha) for c in rows]
        lines.append("")
    if report.incremental:
        lines += ["## Incremental revenue and ROI", ""]
        lines += [f"- {line}" for line in _incremental_lines(report)]
        lines.append("")
    if uncapped := _uncapped_lines(report):
        lines += ["## Before capping", "", *[f"- {line}" for line in uncapped], ""]
    if report.notes:
        lines += ["## Notes", "", *[f"- {n}" for n in report.notes]]
    return printable("\n".join(lines).rstrip("\n") + "\n")


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, tuple):
        return [_clean(v) for v in x]
    return x


def to_json(report: Report) -> dict[str, Any]:
    srm = report.srm
    return {
        "control": report.control,
        "arms": list(report.arms),
        "alpha": report.alpha,
        "adjustment": report.adjustment,
        "unit": report.unit,
        "primary": list(report.primary),
        "by": report.by,
        "caps": report.caps,
        "cap_quantile": report.cap_quantile,
        "sequential": None
        if report.sequential is None
        else {
            "method": report.sequential.method,
            "look": report.sequential.look,
            "looks": report.sequential.looks,
            "alpha": report.sequential.alpha,
            "boundary_z": report.sequential.boundary,
            "look_alpha": report.sequential.look_alpha,
        },
        "customers": report.customers,
        "srm": None
        if srm is None
        else {
            "p_value": srm.p_value,
            "observed": srm.observed,
            "expected": srm.expected,
            "ok": srm.ok,
            "basis": srm.basis,
        },
        "comparisons": [
            {
                "metric": c.metric,
                "arm": c.arm,
                "control": c.control,
                "segment": None if c.segment == OVERALL else c.segment,
                "control_value": _clean(c.result.control_value),
                "arm_value": _clean(c.result.arm_value),
                "abs_diff": _clean(c.result.abs_diff),
                "abs_ci": _clean(c.result.abs_ci),
                "rel_lift": _clean(c.result.rel_lift),
                "rel_ci": _clean(c.result.rel_ci),
                "p_value": c.result.p_value,
                "p_adjusted": c.p_adjusted,
                "test": c.result.test,
                "statistic": _clean(c.result.statistic),
                "df": _clean(c.result.df),
                "skewness": _clean(c.result.skewness),
                "family": c.family,
                "significant": c.significant(report.alpha),
                "prob_beats_control": c.prob_beats_control,
                "risk": c.risk,
                "events": c.events,
                "few_events": c.few_events,
                "uncapped": None if c.uncapped is None else _clean(tuple(c.uncapped)),
                "n_arm": c.n_arm,
                "n_control": c.n_control,
            }
            for c in report.comparisons
        ],
        "incremental": [
            {
                "arm": i.arm,
                "control": i.control,
                "segment": None if i.segment == OVERALL else i.segment,
                "treated": i.treated,
                "incremental_revenue": _clean(i.incremental_revenue),
                "incremental_revenue_ci": _clean(i.incremental_revenue_ci),
                "incremental_cost": _clean(i.incremental_cost),
                "incremental_cost_ci": _clean(i.incremental_cost_ci),
                "treatment_cost": i.treatment_cost,
                "incremental_roi": _clean(i.incremental_roi),
                "incremental_roi_ci": _clean(i.incremental_roi_ci),
                "gross_roi": _clean(i.gross_roi),
                "uncapped_revenue": _clean(i.uncapped_revenue),
                "uncapped_roi": _clean(i.uncapped_roi),
            }
            for i in report.incremental
        ],
        "notes": list(report.notes),
    }
