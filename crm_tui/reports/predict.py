"""Readable text and JSON for `crm-tui predict`."""

from __future__ import annotations

from typing import Any

from crm_tui.app.predicting import Prediction


def fit_lines(p: Prediction) -> list[str]:
    """The fitted parameters and the check, in words."""
    m, g = p.base.bgnbd, p.base.gamma_gamma
    lines = [
        f"Customer-base model as of {p.as_of}: {m.customers:,} customers, "
        f"{m.repeat_customers:,} of whom bought again",
        f"  BG/NBD: r {m.r:.3g}, alpha {m.alpha:.4g} weeks ({m.alpha * 7:.3g} days), "
        f"a {m.a:.3g}, b {m.b:.4g}",
        f"  Gamma-Gamma: p {g.p:.3g}, q {g.q:.3g}, v {g.v:.4g}; "
        f"a purchase is worth {g.p * g.v / (g.q - 1):,.2f} on average",
    ]
    if (v := p.validation) is not None:
        lines.append(
            f"Check: fitted up to {v.fitted_to}, expected purchases ranked the {v.returned:,} "
            f"of {v.customers:,} customers who bought in the next {v.holdout_days} days with "
            f"AUC {v.auc:.3f} [{v.auc_ci[0]:.3f}, {v.auc_ci[1]:.3f}] (0.5 is chance, 1 a "
            "perfect ranking)"
        )
    return lines + churn_lines(p)


def churn_lines(p: Prediction) -> list[str]:
    """Which model gives churn_risk, and how the classifier did against the baselines."""
    c = p.churn_check
    if p.churn_model == "BG/NBD":
        return [
            f"churn_risk: BG/NBD's chance of no purchase within {p.churn_days} days (the orders "
            "do not span two such windows with enough customers to train a classifier)"
        ]
    if c is None:
        return [f"churn_risk: {p.churn_model}, not checked"]
    lines = [
        f"churn_risk: a logistic regression on purchase features, trained on features as of "
        f"{c.trained_on} and checked on {c.checked_on}: of {c.customers:,} customers, "
        f"{c.returned:,} bought within {c.horizon_days} days; AUC {c.auc:.3f} "
        f"[{c.auc_ci[0]:.3f}, {c.auc_ci[1]:.3f}]"
    ]
    for name, (auc, ci) in c.baselines.items():
        lines.append(f"  against {name}: AUC {auc:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]")
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
