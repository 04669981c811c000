"""The evaluation report as a readable table, as Markdown to share, and as JSON for scripts.

The table and the Markdown speak the chosen language; the JSON keeps the library's names.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from crm_tui.language import N_, _, ngettext, say
from crm_tui.reports.text import cells, pad
from evaluation.model import (
    FAMILIES,
    MIN_EVENTS,
    OVERALL,
    Comparison,
    Incremental,
    Report,
)

SRM_WARNING = N_(
    "SAMPLE RATIO MISMATCH: the arms' sizes do not match {basis} (p = {p:.2g}). "
    "The assignment or the data collection is broken; do not trust the lift figures below."
)
# the library's metric names, as people read them (scripts and --metrics keep the names)
METRIC_NAMES = {
    "conversion_rate": N_("conversion_rate"),
    "click_rate": N_("click_rate"),
    "add_to_cart_rate": N_("add_to_cart_rate"),
    "revenue_per_customer": N_("revenue_per_customer"),
    "ctr": N_("ctr"),
    "roi": N_("roi"),
    "cost_per_conversion": N_("cost_per_conversion"),
    "value_per_converter": N_("value_per_converter"),
    "cost_per_click": N_("cost_per_click"),
}


# the bases the library checks the sample ratio against, for the catalogue
SRM_BASES = (N_("the planned shares"), N_("equal shares (no plan given)"))


def metric_name(metric: str) -> str:
    return _(METRIC_NAMES[metric]) if metric in METRIC_NAMES else metric


def segment_label(segment: str) -> str:
    """A segment as people read it: the overall comparison as "(all)", canonical names
    translated (a target's own name is shown as it is)."""
    return _("(all)") if segment == OVERALL else _(segment)


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
        return _("Sample ratio: not checked")
    observed = ", ".join(
        _("{arm} {n:,} (expected {expected:,.0f})").format(
            arm=a, n=n, expected=srm.expected.get(a, 0)
        )
        for a, n in srm.observed.items()
    )
    basis = _(srm.basis)
    if not srm.ok:
        return _(SRM_WARNING).format(p=srm.p_value, basis=basis) + f"\n  {observed}"
    return _("Sample ratio OK against {basis} (chi-square p = {p:.3g}): {observed}").format(
        basis=basis, p=srm.p_value, observed=observed
    )


CAPPED_MARK = "†"  # beside a capped metric where "(capped)" does not fit


def metric_label(c: Comparison, compact: bool = False) -> str:
    name = metric_name(c.metric)
    if c.uncapped is None:
        return name
    return f"{name}{CAPPED_MARK}" if compact else _("{metric} (capped)").format(metric=name)


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
    N_("segment"),
    N_("metric"),
    N_("arm"),
    N_("control"),
    N_("arm value"),
    N_("lift [CI]"),
    N_("diff [CI]"),
    N_("p"),
    N_("p adj"),
    N_("P(beats)"),
    N_("risk"),
]
ADJUSTED_MARK = 8  # the column that carries the significance mark


def family_title(report: Report, family: str) -> str:
    adjustment = "Holm" if report.adjustment == "holm" else "Benjamini-Hochberg"
    count = sum(c.family == family and c.result.p_value is not None for c in report.comparisons)
    primary = ", ".join(metric_name(m) for m in report.primary)
    titles = {
        "primary": _("Primary metrics ({metrics})").format(metrics=primary),
        "secondary": _("Secondary metrics"),
        "overall": _("All metrics (no primary metric named)"),
        "breakdown": _("By {column} (exploratory)").format(column=report.by),
    }
    if count == 0:
        return _("{title}: no test possible").format(title=titles[family])
    line = ngettext(
        "{title}: p adj by {adjustment} within this test",
        "{title}: p adj by {adjustment} within these {count} tests",
        count,
    )
    return line.format(title=titles[family], adjustment=adjustment, count=count)


def families(report: Report) -> list[tuple[str, list[Comparison]]]:
    """The report's comparisons in their families, in the order they are read."""
    out = []
    for family in FAMILIES:
        rows = [c for c in report.comparisons if c.family == family]
        if rows:
            out.append((family, rows))
    return out


def legend(report: Report) -> str:
    tests = {say(c.result.test) for c in report.comparisons if c.result.p_value is not None}
    alpha = (
        _("alpha {alpha:.3g} at this look") if report.sequential else _("alpha {alpha:.3g}")
    ).format(alpha=report.alpha)
    text = _(
        "Control {control!r}; arms {arms}; {alpha}. Test: {tests}; each row's intervals, "
        "P(beats) and risk (the expected loss, as a share of the control's value, if the arm is "
        "chosen) come from its test. * = significant after adjustment; ! = under {events} "
        "customers with the outcome in an arm: no test can be trusted."
    ).format(
        control=report.control,
        arms=", ".join(report.arms),
        alpha=alpha,
        tests="; ".join(sorted(tests)) or _("none"),
        events=MIN_EVENTS,
    )
    return text + (_(UNBOUNDED) if _unbounded(report) else "")


UNBOUNDED = N_(
    " ∞ = the data cannot bound that end of the interval: the control's value (a ratio's "
    "denominator) is not surely above zero, so every larger lift is as consistent with them."
)


def _unbounded(report: Report) -> bool:
    intervals = [i for c in report.comparisons for i in (c.result.abs_ci, c.result.rel_ci) if i]
    return any(math.isinf(end) for i in intervals for end in i)


def uncapped_line(c: Comparison) -> str:
    assert c.uncapped is not None
    return _(
        "{segment} / {arm} / {metric}: uncapped control {control}, arm {value} ({lift})"
    ).format(
        segment=segment_label(c.segment),
        arm=c.arm,
        metric=metric_name(c.metric),
        control=number_text(c.uncapped.control_value),
        value=number_text(c.uncapped.arm_value),
        lift=number_text(c.uncapped.rel_lift, True),
    )


def _uncapped_lines(report: Report) -> list[str]:
    return [uncapped_line(c) for c in report.comparisons if c.uncapped is not None]


def incremental_line(inc: Incremental) -> str:
    """Extra revenue and cost over the control, their ratio, and gross ROI beside them."""
    roi = "-" if inc.incremental_roi is None else f"{inc.incremental_roi:.2f}"
    if inc.incremental_roi is not None:
        roi += f" {_ci(inc.incremental_roi_ci)}" if inc.incremental_roi_ci else _(" [unbounded]")
    gross = "-" if inc.gross_roi is None else f"{inc.gross_roi:.2f}"
    capped = _(" (capped)") if inc.uncapped_revenue is not None else ""
    beside = [_("gross ROI {roi}").format(roi=gross)]
    if inc.uncapped_revenue is not None:
        uncapped_roi = "-" if inc.uncapped_roi is None else f"{inc.uncapped_roi:.2f}"
        uncapped = _("uncapped: revenue {revenue}, ROI {roi}")
        beside.insert(
            0, uncapped.format(revenue=number_text(inc.uncapped_revenue), roi=uncapped_roi)
        )
    return (
        _(
            "{segment} / {arm}: over {treated:,} treated, incremental revenue{capped} {revenue} "
            "{revenue_ci}, incremental cost {cost} {cost_ci}; incremental ROI{capped} {roi} "
            "({beside})"
        )
        .format(
            segment=segment_label(inc.segment),
            arm=inc.arm,
            treated=inc.treated,
            capped=capped,
            revenue=number_text(inc.incremental_revenue),
            revenue_ci=_ci(inc.incremental_revenue_ci),
            cost=number_text(inc.incremental_cost),
            cost_ci=_ci(inc.incremental_cost_ci),
            roi=roi,
            beside="; ".join(beside),
        )
        .replace("  ", " ")
    )


def _incremental_lines(report: Report) -> list[str]:
    return [incremental_line(inc) for inc in report.incremental]


def headers() -> list[str]:
    return [_(h) for h in HEADERS]


def _table(rows: list[list[str]]) -> list[str]:
    heads = headers()
    widths = [max(cells(h), *(cells(r[i]) for r in rows)) for i, h in enumerate(heads)]

    def line(values: list[str]) -> str:
        return "  ".join(pad(v, w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(heads), line(["-" * w for w in widths]), *(line(r) for r in rows)]


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
            _("Incremental (treatment minus control per customer, times the treated customers):"),
        ]
        lines += ["  " + line for line in _incremental_lines(report)]
    if uncapped := _uncapped_lines(report):
        lines += ["", _("Before capping:"), *("  " + line for line in uncapped)]
    lines += [_("note: {note}").format(note=say(n)) for n in report.notes]
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
    lines = ["# " + _("Campaign evaluation"), ""]
    srm = srm_line(report)
    lines += [f"> **{srm}**" if report.srm is not None and not report.srm.ok else srm, ""]
    lines += [legend(report), ""]
    if report.sequential is not None:
        lines += [f"**{report.sequential.description}**", ""]
    for family, rows in families(report):
        lines += [f"## {family_title(report, family)}", ""]
        lines.append("| " + " | ".join(headers()) + " |")
        lines.append("|" + "---|" * len(HEADERS))
        lines += [_markdown_row(c, report.alpha) for c in rows]
        lines.append("")
    if report.incremental:
        lines += ["## " + _("Incremental revenue and ROI"), ""]
        lines += [f"- {line}" for line in _incremental_lines(report)]
        lines.append("")
    if uncapped := _uncapped_lines(report):
        lines += ["## " + _("Before capping"), "", *[f"- {line}" for line in uncapped], ""]
    if report.notes:
        lines += ["## " + _("Notes"), "", *[f"- {say(n)}" for n in report.notes]]
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
