"""The evaluation report as a readable table, as Markdown to share, and as JSON for scripts."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from evaluation.model import OVERALL, Comparison, Incremental, Report, segment_label

SRM_WARNING = (
    "SAMPLE RATIO MISMATCH: the arms' sizes do not match {basis} (p = {p:.2g}). "
    "The assignment or the data collection is broken; do not trust the lift figures below."
)


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


def _num(x: float | None, pct: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if pct:
        return signed_pct(x)
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def _ci(ci: tuple[float, float] | None, pct: bool = False) -> str:
    if ci is None:
        return ""
    return f"[{_num(ci[0], pct)}, {_num(ci[1], pct)}]"


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


def _rows(report: Report) -> list[list[str]]:
    rows = []
    for c in report.comparisons:
        rows.append(
            [
                segment_label(c.segment),
                c.metric,
                c.arm,
                _num(c.result.control_value),
                _num(c.result.arm_value),
                f"{_num(c.result.rel_lift, True)} {_ci(c.result.rel_ci, True)}".strip(),
                f"{_num(c.result.abs_diff)} {_ci(c.result.abs_ci)}".strip(),
                fmt_p(c.result.p_value),
                fmt_p(c.p_adjusted) + _mark(c, report.alpha),
                "-" if c.prob_beats_control is None else f"{c.prob_beats_control:.1%}",
                c.result.test,
            ]
        )
    return rows


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
    "test",
]


def incremental_line(inc: Incremental) -> str:
    """Extra revenue and cost over the control, their ratio, and gross ROI beside them."""
    roi = "-" if inc.incremental_roi is None else f"{inc.incremental_roi:.2f}"
    if inc.incremental_roi is not None:
        roi += f" {_ci(inc.incremental_roi_ci)}" if inc.incremental_roi_ci else " [unbounded]"
    gross = "-" if inc.gross_roi is None else f"{inc.gross_roi:.2f}"
    return (
        f"{segment_label(inc.segment)} / {inc.arm}: over {inc.treated:,} treated, incremental "
        f"revenue {_num(inc.incremental_revenue)} {_ci(inc.incremental_revenue_ci)}, "
        f"incremental cost {_num(inc.incremental_cost)} {_ci(inc.incremental_cost_ci)}; "
        f"incremental ROI {roi} (gross ROI {gross})"
    ).replace("  ", " ")


def _incremental_lines(report: Report) -> list[str]:
    return [incremental_line(inc) for inc in report.incremental]


def _header(report: Report) -> list[str]:
    family = "Holm" if report.adjustment == "holm" else "Benjamini-Hochberg"
    return [
        srm_line(report),
        f"Control {report.control!r}; arms {', '.join(report.arms)}; alpha {report.alpha}; "
        f"p adj: {family} over the {sum(c.result.p_value is not None for c in report.comparisons)} "
        f"tests in this report; * = significant after adjustment",
    ]


def to_text(report: Report) -> str:
    rows = _rows(report)
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)
    ]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [*_header(report), "", fmt.format(*HEADERS), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    if report.incremental:
        lines += ["", "Incremental (treatment minus control, per treated customer):"]
        lines += ["  " + line for line in _incremental_lines(report)]
    lines += [f"note: {n}" for n in report.notes]
    return printable("\n".join(lines))


def to_markdown(report: Report) -> str:
    lines = ["# Campaign evaluation", ""]
    srm = srm_line(report)
    lines += [f"> **{srm}**" if report.srm is not None and not report.srm.ok else srm, ""]
    lines += [_header(report)[1], ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "---|" * len(HEADERS))
    for c, row in zip(report.comparisons, _rows(report), strict=True):
        cells = [
            f"**{x}**"
            if c.significant(report.alpha) and i == 8
            else _markdown_name(x)
            if i in NAME_COLUMNS
            else x.replace("|", "/")
            for i, x in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if report.incremental:
        lines += ["", "## Incremental revenue and ROI", ""]
        lines += [f"- {line}" for line in _incremental_lines(report)]
    if report.notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in report.notes]]
    return printable("\n".join(lines) + "\n")


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
                "significant": c.significant(report.alpha),
                "prob_beats_control": c.prob_beats_control,
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
            }
            for i in report.incremental
        ],
        "notes": list(report.notes),
    }
