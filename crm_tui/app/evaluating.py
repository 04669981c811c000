"""Evaluation on real files: results or assignment + outcomes, with the plan's arms."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from campaigns import CampaignPlan
from campaigns.toml_io import load_plan
from crm_tui.app.timings import phase
from crm_tui.errors import InputError, problems
from crm_tui.io.findings import why
from crm_tui.io.results import LoadedResults, load_assignment, load_results
from crm_tui.language import N_
from evaluation import EvaluationError, Report
from evaluation.metrics import available
from evaluation.model import ADJUSTMENTS, ALPHA, CAP_QUANTILE, NO_VALUE, SRM_THRESHOLD
from evaluation.phrases import Phrase

if TYPE_CHECKING:
    from evaluation.sequential import Look

# The statistics (SciPy) are imported when an evaluation runs: the terminal app builds its
# requests from here, and its first screen should not wait a fifth of a second for them.


def planned_shares(plan: CampaignPlan, assignment: pl.DataFrame | None) -> dict[str, float]:
    """Each arm's expected share: the targets' own shares weighted by their sizes."""
    if assignment is None or "target" not in assignment.columns:
        return {a.name: a.share for a in plan.arms}
    sizes = assignment.filter(pl.col("arm").is_not_null()).group_by("target").len()
    total = sizes["len"].sum()
    shares: dict[str, float] = {}
    by_name = {t.name: t for t in plan.targets}
    for target, n in sizes.iter_rows():
        if target not in by_name:
            raise InputError(
                Phrase(
                    "assignment target {target!r} is not in the plan {name!r}",
                    target=target,
                    name=plan.name,
                )
            )
        for arm in plan.arms_for(by_name[target]):
            shares[arm.name] = shares.get(arm.name, 0.0) + n / total * arm.share
    return shares


def assignment_shares(assignment: pl.DataFrame | None) -> dict[str, float] | None:
    """Each arm's expected share from the planned shares the assignment file carries."""
    if assignment is None or "planned_share" not in assignment.columns:
        return None
    assigned = assignment.filter(pl.col("arm").is_not_null())
    if "target" not in assigned.columns:
        assigned = assigned.with_columns(pl.lit("").alias("target"))
    weights = assigned.group_by("target").len().with_columns(pl.col("len") / assigned.height)
    arms = assigned.group_by("target", "arm").agg(pl.col("planned_share").first())
    # a few rows, added in a fixed order: a group-by's float sum and its rows' order changed
    # from run to run, and so did the report's JSON
    joined = arms.join(weights, on="target").sort("arm", "target")
    shares: dict[str, float] = {}
    for arm, share, weight in joined.select("arm", "planned_share", "len").iter_rows():
        shares[arm] = shares.get(arm, 0.0) + share * weight
    return shares


def _intent_to_treat(
    assignment: pl.DataFrame, results: pl.DataFrame, notes: list[str]
) -> pl.DataFrame:
    """Everyone assigned counts, with zeros where no outcome row came back; notes say how many."""
    from evaluation.evaluate import intent_to_treat

    outcomes = results.drop([c for c in ("arm", "segment") if c in results.columns])
    frame, coverage = intent_to_treat(assignment, outcomes)
    notes.append(
        Phrase(
            "Intent-to-treat over {assigned:,} assigned customers; {missing:,} had no outcome "
            "row and count as zeros",
            assigned=coverage["assigned"],
            missing=coverage["assigned_without_outcome"],
        )
    )
    if coverage["outcomes_not_assigned"]:
        notes.append(
            Phrase(
                "{n:,} outcome rows are for customers not in the assignment: counted, not analysed",
                n=coverage["outcomes_not_assigned"],
            )
        )
    if coverage["not_in_an_arm"]:
        notes.append(
            Phrase(
                "{n:,} suppressed customers in the assignment were in no arm and are left out",
                n=coverage["not_in_an_arm"],
            )
        )
    return frame


MAX_BREAKDOWN = 12  # values of a breakdown shown one by one; the rest together as "other"


def _largest_values(frame: pl.DataFrame, by: str, notes: list[str]) -> pl.DataFrame:
    """A breakdown with many values keeps its largest, the rest as 'other' (with a note).

    Labels stay as they are (a dictionary's stay Categorical: casting ten million of them to
    text cost a quarter of a second); missing values are named."""
    if not isinstance(frame.schema[by], (pl.String, pl.Categorical)):
        frame = frame.with_columns(pl.col(by).cast(pl.String))
    if frame[by].has_nulls():
        frame = frame.with_columns(pl.col(by).fill_null(NO_VALUE))
    weight = pl.col("customers").sum() if "customers" in frame.columns else pl.len()
    sizes = frame.group_by(by).agg(weight.alias("n")).with_columns(pl.col(by).cast(pl.String))
    if sizes.height <= MAX_BREAKDOWN:
        return frame
    keep = sizes.sort(["n", by], descending=[True, False]).head(MAX_BREAKDOWN - 1)
    notes.append(
        Phrase(
            "{by}: {n:,} values; the {shown} largest are shown one by one, the rest together "
            "as 'other'",
            by=by,
            n=sizes.height,
            shown=MAX_BREAKDOWN - 1,
        )
    )
    other = pl.lit("other", dtype=frame.schema[by])
    kept = pl.col(by).is_in(keep[by].to_list())
    return frame.with_columns(pl.when(kept).then(pl.col(by)).otherwise(other).alias(by))


def _split_by_value(frame: pl.DataFrame, by: str) -> list[str]:
    """A sample-ratio check within each breakdown value, where the assignment says the split.

    Each customer's expected arm shares are its target's planned shares, so a value whose
    customers come from targets with different arms is held to its own mix.
    """
    if not {"planned_share", "target"} <= set(frame.columns):
        return []
    shares = frame.group_by("target", "arm").agg(pl.col("planned_share").first())
    per_target = frame.group_by(list(dict.fromkeys([by, "target"]))).len("customers")
    expected = (
        per_target.join(shares, on="target")
        .group_by(by, "arm")
        .agg((pl.col("customers") * pl.col("planned_share")).sum().alias("expected"))
    )
    from evaluation.stats import sample_ratio

    observed = frame.group_by(by, "arm").len("observed")
    notes = []
    for (value,), rows in expected.join(observed, on=[by, "arm"], how="left").group_by(by):
        counts = {arm: int(n or 0) for arm, n in rows.select("arm", "observed").iter_rows()}
        planned = dict(rows.select("arm", "expected").iter_rows())
        p_value, _ = sample_ratio(counts, planned)
        if p_value < SRM_THRESHOLD:
            notes.append(
                Phrase(
                    "SAMPLE RATIO MISMATCH within {by} = {value} (p = {p:.2g}): its arms do "
                    "not have their planned sizes; do not trust its comparisons",
                    by=by,
                    value=value,
                    p=p_value,
                )
            )
    return sorted(notes)


def choose_control(arms: Sequence[str], given: str | None, plan: CampaignPlan | None) -> str:
    if given is not None:
        name = given
    elif plan is not None:
        name = next(a.name for a in plan.arms if a.control)
    elif "control" in arms:
        name = "control"
    else:
        raise InputError(
            Phrase(
                "which arm is the control? The arms are {value}",
                value=", ".join(arms),
            ),
            setting="control",
        )
    if name not in arms:
        raise InputError(
            Phrase(
                "control arm {name!r} is not in the results; arms are {value}",
                name=name,
                value=", ".join(arms),
            ),
            setting="control",
        )
    return name


@dataclass(frozen=True)
class EvaluationRequest:
    """What to evaluate and how: the same object from the command line and the terminal app."""

    results: Path
    assignment: Path | None = None
    plan: Path | None = None
    control: str | None = None
    by: str | None = None
    alpha: float | None = None  # None: the plan's alpha, else ALPHA
    metrics: tuple[str, ...] | None = None
    adjustment: str = ADJUSTMENTS[0]
    overrides: tuple[tuple[str, str], ...] = ()
    cap: float | None = CAP_QUANTILE
    sequential: str | None = None  # "spending" or "always-valid": a look at a running campaign
    day: int | None = None  # the day of that look
    days: int | None = None  # the campaign's planned length; None: the plan's duration_days


def run_evaluation(request: EvaluationRequest) -> Report:
    """Load the results (and the assignment and plan, if named) and compare the arms."""
    plan = load_plan(request.plan) if request.plan is not None else None
    return _evaluate(request, plan)


def _evaluate(request: EvaluationRequest, plan: CampaignPlan | None) -> Report:
    from evaluation.aggregated import evaluate_aggregated
    from evaluation.evaluate import evaluate

    by = request.by
    notes: list[str] = []
    with phase(N_("reading results")):
        loaded, frame, assignment = _load(request, notes)
    arms = _arms(frame, loaded, request.results)
    control = choose_control(arms, request.control, plan)
    shares = _shares(plan, assignment, arms, request.assignment, notes)
    if by is not None and by not in frame.columns:
        raise InputError(
            Phrase(
                "by {by!r}: no such column; columns are {value}",
                by=by,
                value=", ".join(frame.columns),
            ),
            setting="by",
        )
    if by is not None:
        frame = _largest_values(frame, by, notes)
        notes += _split_by_value(frame, by)
    alpha = request.alpha if request.alpha is not None else plan.alpha if plan else ALPHA
    primary = _primary(plan, frame, request.metrics)
    this_look = _look(request, plan, alpha)
    # aggregated counts carry no per-customer money to cap
    run = (
        functools.partial(evaluate, cap=request.cap) if loaded.per_customer else evaluate_aggregated
    )
    try:
        with phase(N_("statistics")):
            return run(
                frame,
                control,
                shares=shares,
                by=by,
                alpha=alpha,
                metrics=request.metrics,
                adjustment=request.adjustment,
                primary=primary,
                sequential=this_look,
                notes=notes,
            )
    except EvaluationError as exc:
        raise InputError(
            Phrase("{results}: {problem}", results=request.results, problem=problems(exc)[0])
        ) from None


def _look(request: EvaluationRequest, plan: CampaignPlan | None, alpha: float) -> Look | None:
    """The look at a running campaign the request describes, if it is one."""
    if request.sequential is None:
        return None
    days = request.days if request.days is not None else plan.duration_days if plan else None
    if days is None:
        raise InputError(
            Phrase(
                "a sequential look needs the campaign's planned length in days",
            ),
            setting="days",
        )
    if request.day is None:
        raise InputError(
            Phrase(
                "a sequential look needs the day it is taken on",
            ),
            setting="day",
        )
    from evaluation.sequential import SequentialError, look

    try:
        return look(request.sequential, request.day, days, alpha)
    except SequentialError as exc:
        raise InputError(problems(exc)[0], setting="sequential") from None


def _primary(
    plan: CampaignPlan | None, frame: pl.DataFrame, metrics: Sequence[str] | None
) -> tuple[str, ...]:
    """The plan's primary metrics that these results can measure."""
    if plan is None:
        return ()
    measurable = set(available(set(frame.columns)))
    return tuple(
        m for m in plan.primaries() if m in measurable and (metrics is None or m in metrics)
    )


def _load(
    request: EvaluationRequest, notes: list[str]
) -> tuple[LoadedResults, pl.DataFrame, pl.DataFrame | None]:
    """The results, joined to the assignment for intent to treat when one is named."""
    results_path, assignment_path, by = request.results, request.assignment, request.by
    extra = (by,) if by is not None else ()
    loaded = load_results(results_path, dict(request.overrides), assignment_path is None, extra)
    notes += [
        Phrase("{path}: {finding}", path=str(results_path), finding=p)
        for p in loaded.findings.phrases()
    ]
    if assignment_path is None:
        return loaded, loaded.frame, None
    if not loaded.per_customer:
        raise InputError(
            Phrase(
                "{results_path}: an outcomes file joined to an assignment needs a"
                " customer_id column",
                results_path=results_path,
            )
        )
    assignment, duplicates = load_assignment(assignment_path, extra)
    if duplicates:
        notes.append(
            Phrase(
                "{path}: {n:,} repeated rows of a customer in the same arm were counted once",
                path=str(assignment_path),
                n=duplicates,
            )
        )
    frame = _intent_to_treat(assignment, loaded.frame, notes)
    if by is not None and by in loaded.frame.columns and by not in frame.columns:
        # a breakdown only the outcomes file has: each customer's value, none if no row
        values = loaded.frame.group_by("customer_id").agg(pl.col(by).drop_nulls().first())
        frame = frame.join(values, on="customer_id", how="left")
    return loaded, frame, assignment


def _arms(frame: pl.DataFrame, loaded: LoadedResults, path: Path) -> list[str]:
    arms = sorted(frame["arm"].unique().drop_nulls().to_list())
    if len(arms) < 2:
        dropped = loaded.findings.dropped
        found = ", ".join(arms) or Phrase("none")
        if dropped:
            raise InputError(
                Phrase(
                    "{path}: a comparison needs a control and another arm; the results have "
                    "only {found} once rows were dropped ({why})",
                    path=path,
                    found=found,
                    why=why(dropped),
                )
            )
        raise InputError(
            Phrase(
                "{path}: a comparison needs a control and another arm; the results have only "
                "{found}",
                path=path,
                found=found,
            )
        )
    return arms


def _shares(
    plan: CampaignPlan | None,
    assignment: pl.DataFrame | None,
    arms: list[str],
    assignment_path: Path | None,
    notes: list[str],
) -> dict[str, float] | None:
    """The planned split: the plan's, else the one the assignment records, else none."""
    shares = planned_shares(plan, assignment) if plan is not None else None
    if shares is None and (shares := assignment_shares(assignment)) is not None:
        notes.append(
            Phrase(
                "{path}: the planned split is the one the assignment records",
                path=str(assignment_path),
            )
        )
    if shares is not None and set(shares) != set(arms):
        notes.append(
            Phrase(
                "the plan's arms ({planned}) differ from the results' ({found}); the "
                "sample-ratio check uses equal shares",
                planned=", ".join(sorted(shares)),
                found=", ".join(arms),
            )
        )
        return None
    return shares
