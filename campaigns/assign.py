"""First-match targeting, explicit suppression and deterministic arm assignment.

The arm of a customer depends only on (salt, customer_id):

    u = int.from_bytes(sha256(f"{salt}:{customer_id}".encode("utf-8")).digest()[:8], "big") / 2**64

and the customer goes to the first arm (in the plan's order) whose cumulative share exceeds u.
SHA-256 is fixed by its standard, so the split is the same on any machine and any library
version, and a customer keeps its arm when other customers are added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from campaigns.errors import PlanError
from campaigns.model import Arm, CampaignPlan, Target
from campaigns.selectors import columns_of, compile_selector, parse, selector_columns
from evaluation.phrases import Phrase

# the reasons a targeted customer is listed but not contacted, as the assignment writes them
HOLDOUT = Phrase("global holdout")
SUPPRESSED = Phrase("suppressed segment")
ASSIGNMENT_COLUMNS = (
    "customer_id",
    "target",
    "segment",
    "arm",
    "planned_share",  # the arm's share of its target in the plan: evaluation's expected split
    "strategy",
    "channel",
    "offer",
    "contact",
    "suppressed_reason",
    "plan_hash",
)
# The assignment's text columns other than the id hold a few values each: they are Categorical
# (4 bytes a row, not 16 or more), which on the largest shops saved a gigabyte per 5M customers.
LABEL = pl.Categorical()


def unit_hash(salt: str, customer_ids: pl.Series | Sequence[str]) -> np.ndarray:
    """A number in [0, 1) per customer: the first 8 bytes of SHA-256 of 'salt:customer_id'
    (UTF-8), big-endian, over 2**64. polars-hash computes SHA-256 in Rust over the whole column,
    the same digest hashlib gives one id at a time, so every plan keeps its split."""
    import polars_hash as plh  # only assignment needs it

    ids = pl.Series(customer_ids).cast(pl.String)
    keys = pl.select((pl.lit(f"{salt}:") + ids).alias("k"))
    first8 = plh.col("k").chash.sha2_256().str.slice(0, 16).str.to_integer(base=16, dtype=pl.UInt64)
    # the streaming engine hashes the column's morsels on every core
    units = keys.lazy().select(first8.cast(pl.Float64) / 2.0**64).collect(engine="streaming")
    return units.to_series().to_numpy()


def pick_arms(units: np.ndarray, arms: Sequence[Arm]) -> np.ndarray:
    """Arm name per unit by cumulative shares (shares are normalised to sum to one)."""
    return np.array([a.name for a in arms], dtype=object)[arm_index(units, arms)]


def arm_index(units: np.ndarray, arms: Sequence[Arm]) -> np.ndarray:
    """Position in `arms` per unit: the first arm whose cumulative share exceeds the unit."""
    shares = np.array([a.share for a in arms], dtype=float)
    edges = np.cumsum(shares / shares.sum())
    return np.minimum(np.searchsorted(edges, units, side="right"), len(arms) - 1)


@dataclass(frozen=True)
class Targeting:
    """Which target each customer belongs to, and who else wanted them."""

    # customer_id, target (first match), segment, then every column of the customer's row
    frame: pl.DataFrame
    selected: dict[str, int]  # target -> customers its selector matches, before first-match
    overlaps: dict[str, dict[str, int]]  # target -> earlier target -> customers taken by it


def target_customers(plan: CampaignPlan, customers: pl.DataFrame) -> Targeting:
    masks = [
        _top(t, compile_selector(t.selector, customers), customers).alias(f"_t{i}")
        for i, t in enumerate(plan.targets)
    ]
    flags = customers.select("customer_id", *masks)  # the id gives literal masks a length
    first = pl.lit(None, dtype=pl.Int32)
    for i in reversed(range(len(plan.targets))):
        first = pl.when(pl.col(f"_t{i}")).then(pl.lit(i, dtype=pl.Int32)).otherwise(first)
    flags = flags.with_columns(first.alias("_i"))
    selected = {t.name: int(flags[f"_t{i}"].sum()) for i, t in enumerate(plan.targets)}
    overlaps = _overlaps(plan.targets, flags)
    # the chosen rows are filtered out of the customers frame itself: joining them back by
    # their text ids cost a third of a plan check on millions of customers
    names = {i: t.name for i, t in enumerate(plan.targets)}
    frame = (
        customers.select(_targeting_columns(plan, customers))
        .with_columns(flags["_i"])
        .filter(pl.col("_i").is_not_null())
        .with_columns(pl.col("_i").replace_strict(names, return_dtype=LABEL).alias("target"))
        .pipe(_segment_labels, plan)
    )
    ahead = ["customer_id", "target", "segment"]
    return Targeting(frame.select(*ahead, pl.exclude(*ahead, "_i")), selected, overlaps)


def _targeting_columns(plan: CampaignPlan, customers: pl.DataFrame) -> list[str]:
    """The columns the targeted rows need: their id, what their targets' selectors and the
    suppression selectors look at, the order value the budget reads. Copying every column of
    millions of targeted customers cost gigabytes on the largest shops."""
    named = selector_columns([t.selector for t in plan.targets] + list(plan.suppress))
    if named is None:
        return customers.columns  # the suppression's check names the broken selector
    needed = {"customer_id", "average_order_value", *named}
    return [c for c in customers.columns if c in needed]


def _top(target: Target, selected: pl.Expr, customers: pl.DataFrame) -> pl.Expr:
    """Of the customers the selector matches, the top ones by the target's rank column (ties
    by customer id, so the same data always gives the same audience); unranked ones never."""
    if target.rank is None or target.top is None:
        return selected
    if target.rank not in customers.columns:
        raise PlanError(
            f"target {target.name!r}: rank {target.rank!r}: no such column; columns are "
            + ", ".join(customers.columns)
        )
    rankable = selected & pl.col(target.rank).is_not_null()
    order = pl.struct(-pl.col(target.rank).cast(pl.Float64), "customer_id")
    position = pl.when(rankable).then(order).rank("ordinal")
    limit = (rankable.sum() * target.top).round() if target.top <= 1 else pl.lit(int(target.top))
    return rankable & (position <= limit)


def _overlaps(targets: Sequence[Target], flags: pl.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for j, target in enumerate(targets):
        taken = flags.filter(pl.col(f"_t{j}") & (pl.col("_i") < j))
        counts = taken.group_by("_i").len().sort("_i")
        if counts.height:
            out[target.name] = {targets[i].name: n for i, n in counts.iter_rows()}
    return out


def _segment_labels(frame: pl.DataFrame, plan: CampaignPlan) -> pl.DataFrame:
    # A customer's segment is what its target's selector looked at: the values of those columns.
    label = pl.lit(None, dtype=pl.String)
    for i, target in reversed(list(enumerate(plan.targets))):
        cols = columns_of(parse(target.selector)) or ["customer_id"]
        text = pl.concat_str([pl.col(c).cast(pl.String) for c in cols], separator=" / ")
        value = pl.lit("all") if cols == ["customer_id"] else text
        label = pl.when(pl.col("_i") == i).then(value).otherwise(label)
    return frame.with_columns(label.cast(LABEL).alias("segment"))


def assign(
    plan: CampaignPlan,
    customers: pl.DataFrame,
    profiles: pl.DataFrame | None = None,
    plan_hash: str = "",
) -> tuple[pl.DataFrame, Targeting]:
    """One row per targeted customer: arm, or the reason it is not contacted."""
    targeting = target_customers(plan, customers)
    frame = targeting.frame
    if profiles is not None:
        frame = frame.join(profiles, on="customer_id", how="left")
    reason = _suppression(plan, frame, customers).cast(LABEL)
    frame = frame.with_columns(reason.alias("suppressed_reason"))
    arm = pl.when(pl.col("suppressed_reason").is_null()).then(_arm_codes(plan, frame))
    return _describe(plan, frame.with_columns(arm.alias("_arm")), plan_hash), targeting


def _arm_codes(plan: CampaignPlan, frame: pl.DataFrame) -> pl.Series:
    """Each row's arm of its target, by the hash of its id: its row in `_arm_table`."""
    units = unit_hash(plan.salt, frame["customer_id"])
    codes = np.zeros(len(units), dtype=np.uint32)
    start = 0
    for target in plan.targets:
        rows = (frame["target"] == target.name).to_numpy()
        arms = plan.arms_for(target)
        codes[rows] = start + arm_index(units[rows], arms)
        start += len(arms)
    return pl.Series(codes)


def _arm_table(plan: CampaignPlan) -> pl.DataFrame:
    """One row per target and arm, in the plan's order: what its customers get."""
    rows = []
    for target in plan.targets:
        for arm in plan.arms_for(target):
            offer = "none" if arm.control else (arm.offer or target.offer).describe()
            channel = "none" if arm.control else target.channel
            rows.append((arm.name, arm.share, channel, offer))
    schema: dict[str, pl.DataType] = {
        "arm": LABEL,
        "planned_share": pl.Float64(),
        "channel": LABEL,
        "offer": LABEL,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def opted_out(channel: str) -> Phrase:
    # the channel is an identifier the shells word too
    return Phrase("opted out of {channel}", channel=Phrase(channel))


def suppressed_by(selector: str) -> Phrase:
    return Phrase("suppressed segment ({selector})", selector=selector)


def reasons(plan: CampaignPlan) -> dict[str, Phrase]:
    """Every reason this plan can list a customer under, by its text in the assignment."""
    found = [HOLDOUT, SUPPRESSED, *map(opted_out, {t.channel for t in plan.targets})]
    found += map(suppressed_by, plan.suppress)
    return {str(p): p for p in found}


def _suppression(plan: CampaignPlan, frame: pl.DataFrame, customers: pl.DataFrame) -> pl.Expr:
    # selectors are checked against every customer, then applied to the targeted ones
    checks: list[tuple[pl.Expr | pl.Series, str]] = []
    if plan.holdout_share > 0:
        units = unit_hash(plan.holdout_salt, frame["customer_id"])
        checks.append((pl.Series(units < plan.holdout_share), HOLDOUT))
    for selector in plan.suppress:
        checks.append((compile_selector(selector, customers), suppressed_by(selector)))
    suppressed = [t.name for t in plan.targets if t.suppress or t.channel == "none"]
    checks.append((pl.col("target").is_in(suppressed), SUPPRESSED))
    for channel in {t.channel for t in plan.targets}:
        column = f"{channel}_opt_in"
        if column in frame.columns:
            uses = pl.col("target").is_in([t.name for t in plan.targets if t.channel == channel])
            checks.append((uses & (pl.col(column) == False), opted_out(channel)))  # noqa: E712
    reason = pl.lit(None, dtype=pl.String)
    for failed, label in reversed(checks):
        value = pl.lit(failed) if isinstance(failed, pl.Series) else failed
        reason = pl.when(value).then(pl.lit(label)).otherwise(reason)
    return reason


def _describe(plan: CampaignPlan, frame: pl.DataFrame, plan_hash: str) -> pl.DataFrame:
    arms = _arm_table(plan)
    strategies = {t.name: t.strategy for t in plan.targets}
    # one lazy query: the engine sorts millions of text ids in parallel, twice as fast as
    # DataFrame.sort; each arm's details are gathered by its row (null: not assigned)
    out = (
        frame.lazy()
        .select("customer_id", "target", "segment", "_arm", "suppressed_reason")
        .sort("target", "customer_id")
        .with_columns(pl.lit(arms[c]).gather(pl.col("_arm")).alias(c) for c in arms.columns)
        .with_columns(
            pl.col("target").replace_strict(strategies, return_dtype=LABEL).alias("strategy"),
            pl.col("channel").fill_null("none"),
            pl.col("offer").fill_null("none"),
            (pl.col("arm").is_not_null() & (pl.col("channel") != "none")).alias("contact"),
            pl.lit(plan_hash, dtype=LABEL).alias("plan_hash"),
        )
    )
    return out.select(ASSIGNMENT_COLUMNS).collect()


def achieved_shares(assignment: pl.DataFrame) -> pl.DataFrame:
    """Per target and arm: customers and their share of the target's assigned customers."""
    assigned = assignment.filter(pl.col("arm").is_not_null())
    return (
        assigned.group_by("target", "arm")
        .len("customers")
        .with_columns(
            (pl.col("customers") / pl.col("customers").sum().over("target")).alias("share")
        )
        .sort("target", "arm")
    )
