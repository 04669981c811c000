"""Readable text and JSON for `crm-tui predict`."""

from __future__ import annotations

from typing import Any

from crm_tui.app.predicting import Prediction
from crm_tui.language import _


def fit_lines(p: Prediction) -> list[str]:
    """The fitted parameters and the check, in words."""
    m, g = p.base.bgnbd, p.base.gamma_gamma
    lines = [
        _(
            "Customer-base model as of {as_of}: {n:,} customers, {repeat:,} of whom bought again"
        ).format(as_of=p.as_of, n=m.customers, repeat=m.repeat_customers),
        "  "
        + _(
            "BG/NBD: r {r:.3g}, alpha {alpha:.4g} weeks ({days:.3g} days), a {a:.3g}, b {b:.4g}"
        ).format(r=m.r, alpha=m.alpha, days=m.alpha * 7, a=m.a, b=m.b),
        "  "
        + _(
            "Gamma-Gamma: p {p:.3g}, q {q:.3g}, v {v:.4g}; a purchase is worth {worth:,.2f} on "
            "average"
        ).format(p=g.p, q=g.q, v=g.v, worth=g.p * g.v / (g.q - 1)),
    ]
    if (v := p.validation) is not None:
        lines.append(
            _(
                "Check: fitted up to {day}, expected purchases ranked the {returned:,} of {n:,} "
                "customers who bought in the next {days} days with AUC {auc:.3f} "
                "[{low:.3f}, {high:.3f}] (0.5 is chance, 1 a perfect ranking)"
            ).format(
                day=v.fitted_to,
                returned=v.returned,
                n=v.customers,
                days=v.holdout_days,
                auc=v.auc,
                low=v.auc_ci[0],
                high=v.auc_ci[1],
            )
        )
    return lines + churn_lines(p)


def churn_lines(p: Prediction) -> list[str]:
    """Which model gives churn_risk, and how the classifier did against the baselines."""
    c = p.churn_check
    if p.churn_model == "BG/NBD":
        return [
            _(
                "churn_risk: BG/NBD's chance of no purchase within {days} days (the orders do "
                "not span two such windows with enough customers to train a classifier)"
            ).format(days=p.churn_days)
        ]
    if c is None:
        return [_("churn_risk: {model}, not checked").format(model=p.churn_model)]
    lines = [
        _(
            "churn_risk: a logistic regression on purchase features, trained on features as of "
            "{trained} and checked on {checked}: of {n:,} customers, {returned:,} bought within "
            "{days} days; AUC {auc:.3f} [{low:.3f}, {high:.3f}]"
        ).format(
            trained=c.trained_on,
            checked=c.checked_on,
            n=c.customers,
            returned=c.returned,
            days=c.horizon_days,
            auc=c.auc,
            low=c.auc_ci[0],
            high=c.auc_ci[1],
        )
    ]
    against = _("  against {name}: AUC {auc:.3f} [{low:.3f}, {high:.3f}]")
    for name, (auc, ci) in c.baselines.items():
        lines.append(against.format(name=name, auc=auc, low=ci[0], high=ci[1]))
    return lines


def to_text(p: Prediction) -> str:
    lines = [
        *fit_lines(p),
        "",
        f"Deciles by churn_risk (no purchase within {p.churn_days} days; 1 is the riskiest); "
        f"CLV over the next {p.horizon_days} days, discounted {p.annual_discount:.0%} a year:",
        f"  {'decile':>6}{'customers':>11}{'churn_risk':>12}{'p_alive':>9}{'revenue':>13}"
        f"{'CLV total':>13}",
    ]
    for row in p.deciles.iter_rows(named=True):
        lines.append(
            f"  {row['decile']:>6}{row['customers']:>11,}{row['churn_risk']:>12.2f}"
            f"{row['p_alive']:>9.2f}{row['revenue']:>13,.0f}{row['clv_total']:>13,.0f}"
        )
    if p.churn_check is not None:
        lines += ["", "Calibration of the classifier on the check (by decile of predicted return):"]
        lines.append(f"  {'decile':>6}{'customers':>11}{'predicted':>11}{'observed':>10}")
        for row in p.churn_check.calibration.iter_rows(named=True):
            lines.append(
                f"  {row['decile']:>6}{row['customers']:>11,}{row['predicted']:>11.3f}"
                f"{row['observed']:>10.3f}"
            )
    return "\n".join(lines)


def to_json(p: Prediction) -> dict[str, Any]:
    m, g, v = p.base.bgnbd, p.base.gamma_gamma, p.validation
    return {
        "as_of": p.as_of.isoformat(),
        "horizon_days": p.horizon_days,
        "annual_discount": p.annual_discount,
        "churn_days": p.churn_days,
        "customers": m.customers,
        "repeat_customers": m.repeat_customers,
        "bgnbd": {"r": m.r, "alpha": m.alpha, "a": m.a, "b": m.b, "time_unit": m.time_unit},
        "gamma_gamma": {"p": g.p, "q": g.q, "v": g.v},
        "validation": None
        if v is None
        else {
            "fitted_to": v.fitted_to.isoformat(),
            "holdout_days": v.holdout_days,
            "customers": v.customers,
            "returned": v.returned,
            "auc": v.auc,
            "auc_ci": list(v.auc_ci),
        },
        "deciles": p.deciles.to_dicts(),
        "churn": _churn_json(p),
    }


def _churn_json(p: Prediction) -> dict[str, Any]:
    c = p.churn_check
    if c is None:
        return {"model": p.churn_model, "horizon_days": p.churn_days}
    return {
        "model": p.churn_model,
        "horizon_days": c.horizon_days,
        "trained_on": c.trained_on.isoformat(),
        "checked_on": c.checked_on.isoformat(),
        "customers": c.customers,
        "returned": c.returned,
        "auc": c.auc,
        "auc_ci": list(c.auc_ci),
        "baseline_auc": {name: auc for name, (auc, _) in c.baselines.items()},
        "calibration": c.calibration.to_dicts(),
        "roc": [list(point) for point in c.roc],
    }
