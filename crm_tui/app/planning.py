"""Plans on a shop: checked and assigned against the shop as the plan defines it.

The plan's own as_of and segmentation settings decide who is in which segment, so the same plan
gives the same audiences from the command line and the terminal app, whatever either of them
shows on screen.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import replace
from pathlib import Path

import polars as pl

from campaigns import CampaignPlan, DataFile, PlanData
from campaigns.check import Baseline, PlanCheck, check_plan, historical_baseline
from campaigns.library import Starter, starter_plan
from campaigns.selectors import selector_columns
from campaigns.settings import SegmentationSettings
from crm_tui.app.predicting import with_scores
from crm_tui.app.shop import Shop, ShopFiles, View
from crm_tui.app.timings import phase
from crm_tui.engine import Segmentation
from crm_tui.engine.models.scores import SCORES
from crm_tui.errors import InputError
from crm_tui.io.database import Database
from crm_tui.io.readers import is_parquet_set, source_files
from crm_tui.language import N_
from evaluation.phrases import Phrase

Overrides = tuple[tuple[str, str], ...]


def plan_segmentation(plan: CampaignPlan, shop: Shop) -> Segmentation:
    """The shop as the plan defines it; the history its baselines read comes from the same
    pass over the orders (a shop on disk gives each date a pass of its own: Shop._passes)."""
    as_of = plan.as_of or shop.latest_as_of
    seg, _ = shop.segment_each(plan.segmentation, [View(as_of), _history(plan, as_of)])
    if isinstance(seg, InputError):
        raise seg
    return seg


def _history_start(plan: CampaignPlan, as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=plan.duration_days)


def _history(plan: CampaignPlan, as_of: dt.date) -> View:
    """The shop one campaign length before as_of, as the baselines read it: through the
    targets' selectors alone. The visitors file keeps no date per visit, so who had visited by
    then is unknown: the past is the buyers only, and a selector on the visitor column gets no
    baseline."""
    named = selector_columns([t.selector for t in plan.targets])
    columns = None if named is None else frozenset(named)
    return View(_history_start(plan, as_of), False, columns)


def history_baselines(
    plan: CampaignPlan, shop: Shop, seg: Segmentation
) -> dict[str, Baseline | None]:
    """Per target: how such customers bought in the last window as long as the campaign.

    The shop as it stood one campaign length before as-of picks each target's customers with
    its selector; their purchases in the window after it give the baseline conversion rate and
    revenue per customer.
    """
    history = _history(plan, seg.as_of)
    (past,) = shop.segment_each(plan.segmentation, [history])
    if isinstance(past, InputError):
        return {}  # too few customers had bought by then
    spend = shop.spend_between(past.as_of, seg.as_of)
    return {t.name: historical_baseline(t.selector, past.customers, spend) for t in plan.targets}


def check(plan: CampaignPlan, shop: Shop) -> tuple[PlanCheck, pl.DataFrame]:
    """The plan's audiences, suppression, power and budget, and the assignment behind them."""
    seg = plan_segmentation(plan, shop)
    with phase(N_("history baselines")):
        baselines = history_baselines(plan, shop, seg)
    customers = seg.customers
    if names_scores(plan):
        with phase(N_("fitting the customer-base models")):
            customers = with_scores(customers, shop, seg)
    with phase(N_("audiences, assignment, power and budget")):
        return check_plan(plan, customers, shop.profiles, baselines)


def names_scores(plan: CampaignPlan) -> bool:
    """Whether a selector or a rank of the plan reads a model's score: only then are the models
    fitted."""
    named = selector_columns([t.selector for t in plan.targets] + list(plan.suppress))
    if named is None:
        return False  # the check itself names the broken selector
    named |= {t.rank for t in plan.targets if t.rank is not None}
    return bool(named & set(SCORES))


def new_plan(
    objective: str,
    settings: SegmentationSettings,
    as_of: dt.date | None,
    salt: str | None = None,
) -> Starter:
    """The objective's starter plan, recording the settings and as_of it was built on.

    A new random salt is drawn unless one is given (and recorded in the plan); checking the plan
    later reproduces the audiences seen when it was made.
    """
    if salt is not None and not salt.strip():
        raise InputError(
            Phrase(
                "salt: expected a non-empty text",
            ),
            setting="salt",
        )
    return starter_plan(objective, salt or secrets.token_hex(6), as_of, settings)


def fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks; of a folder or pattern of Parquet parts, of
    the parts' digests in name order (so moving the folder keeps it).

    Comparing with a plan and then recording reads a file once: the digest is remembered for
    the file as it is (its size and modification time), so a changed file is read again.
    """
    parts = source_files(path)
    if parts == (path,):
        return _file_digest(path)
    digest = hashlib.sha256()
    for part in parts:
        digest.update(bytes.fromhex(_file_digest(part)))
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    status = path.stat()
    return _digest(path.resolve(), status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _digest(path: Path, size: int, modified_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def recorded(plan: CampaignPlan, files: ShopFiles, plan_path: Path) -> CampaignPlan:
    """The plan, recording the shop's files (relative to the plan's folder when below it)."""
    given = _recordable(files)
    data = {
        kind: DataFile(_relative(path, plan_path.parent), fingerprint(path))
        for kind, path in given.items()
        if path is not None
    }
    return replace(plan, data=PlanData(**data))


def plan_files(
    plan: CampaignPlan, plan_path: Path, given: dict[str, Path | None], overrides: Overrides = ()
) -> ShopFiles:
    """The files to check or assign with: those given, else those the plan records."""
    chosen = dict(given)
    for kind, file in plan.data.files().items():
        if chosen.get(kind) is None:
            chosen[kind] = plan_path.parent / file.path
    orders = chosen.get("orders")
    if orders is None:
        raise InputError(
            Phrase(
                "the plan records no orders file; name one",
            ),
            setting="orders",
        )
    return ShopFiles(orders, chosen.get("visitors"), chosen.get("profiles"), overrides)


def changes(plan: CampaignPlan, files: ShopFiles, plan_path: Path) -> list[str]:
    """How the files differ from those the plan was checked against, one line each."""
    used = _recordable(files)
    out = []
    for kind, file in plan.data.files().items():
        path = used[kind]
        if path is None:
            out.append(f"the plan was checked with {kind} {file.path}, and none is given now")
        elif not (path.is_file() or is_parquet_set(path)):
            out.append(f"{path}: no such file (the plan was checked with it)")
        elif fingerprint(path) != file.sha256:
            out.append(f"{path}: changed since the plan was checked (its SHA-256 differs)")
    return out


def _recordable(files: ShopFiles) -> dict[str, Path | None]:
    """The shop's files by kind; a plan records each by its SHA-256, which a database has not."""
    if isinstance(files.orders, Database):
        raise InputError(
            Phrase(
                "{orders}: a plan records the files it was checked against; "
                "export the orders to a file first",
                orders=files.orders,
            ),
            setting="orders",
        )
    return {"orders": files.orders, "visitors": files.visitors, "profiles": files.profiles}


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path.resolve())
