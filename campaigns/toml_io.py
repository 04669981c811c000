"""Plans as TOML: versioned, validated with key paths, written without clobbering anything."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import tomli_w

from campaigns.errors import PlanError
from campaigns.files import check_source, message_of, write_atomic
from campaigns.model import (
    CHANNELS,
    DATA_KINDS,
    METRICS,
    OBJECTIVES,
    OFFER_KINDS,
    Arm,
    CampaignPlan,
    Costs,
    DataFile,
    Offer,
    Phase,
    PlanData,
    Target,
)
from campaigns.rules import VALUED_OFFERS, at, join, plan_problems
from campaigns.settings import SETTING_NAMES, SegmentationSettings
from evaluation.phrases import Phrase

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_VERSION = 1
MISSING: Any = object()  # a key the file leaves out: the dataclass's own default applies


# ---------------------------------------------------------------- writing


# Settings added after the first plans were saved are written only when they differ from their
# defaults, so that those plans keep their content hash (and their recorded assignments match).
LATER_SETTINGS = ("band_max_cuts", "band_min_share", "band_min_customers")


def plan_to_dict(plan: CampaignPlan) -> dict[str, Any]:
    """Plain TOML-ready data; None values are left out."""
    data = _strip_none(dataclasses.asdict(plan))
    defaults = SegmentationSettings()
    for key in LATER_SETTINGS:
        if getattr(plan.segmentation, key) == getattr(defaults, key):
            del data["segmentation"][key]
    # a plan that records no files, or names no primary metrics, keeps the hash it had before
    for key in ("data", "primary_metrics"):
        if not data[key]:
            del data[key]
    return {"schema_version": SCHEMA_VERSION, **data}


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_strip_none(v) for v in value]
    return value


def dumps(plan: CampaignPlan, comments: Mapping[str, str] | None = None) -> str:
    """TOML text; comments keyed by section ('plan', 'segmentation', 'arms', 'targets[i]')."""
    comments = comments or {}
    lines = tomli_w.dumps(plan_to_dict(plan)).splitlines(keepends=True)
    seen: dict[str, int] = {}
    out = [_comment(comments.get("plan"))]
    for line in lines:
        key = _section_of(line)
        if key is not None:
            i = seen.get(key, 0)
            seen[key] = i + 1
            note = comments.get(f"{key}[{i}]") or (comments.get(key) if i == 0 else None)
            out.append(_comment(note))
        out.append(line)
    return "".join(out)


def _section_of(line: str) -> str | None:
    # tomli_w writes an array of tables either inline (`arms = [`) or as `[[arms]]` headers
    for key in ("segmentation", "arms", "phases", "targets", "data"):
        if line.startswith((f"[[{key}]]", f"[{key}]", f"{key} = [")):
            return key
    return None


def _comment(text: str | None) -> str:
    if not text:
        return ""
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def plan_hash(plan: CampaignPlan) -> str:
    """A short content hash: equal plans give equal hashes whatever their comments."""
    return hashlib.sha256(dumps(plan).encode("utf-8")).hexdigest()[:12]


def save_plan(
    plan: CampaignPlan,
    path: Path,
    overwrite: bool = False,
    comments: Mapping[str, str] | None = None,
) -> None:
    """Write to a temporary file beside path, then rename; refuse to replace unless asked."""
    text = dumps(plan, comments)
    try:
        write_atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)
    except (FileExistsError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        setting = "overwrite" if isinstance(exc, FileExistsError) else None
        raise PlanError(message_of(exc), setting=setting) from None


def save_data(path: Path, data: PlanData) -> CampaignPlan:
    """Record the data files in the plan file at path, leaving the rest of its text as it is.

    The plan's comments and layout are the user's: only the [data] tables are replaced.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    plan = replace(loads(text, source=str(path)), data=data)
    kept = "".join(_without_data_tables(text.splitlines(keepends=True))).rstrip("\n")
    section = tomli_w.dumps({"data": _strip_none(dataclasses.asdict(data))})
    new = f"{kept}\n\n{section}" if data.files() else kept + "\n"
    if loads(new, source=str(path)) != plan:  # the splice must say exactly the plan
        raise PlanError(f"{path}: cannot record the data files in this plan's layout")
    write_atomic(path, lambda tmp: tmp.write_text(new, encoding="utf-8"), overwrite=True)
    return plan


def _without_data_tables(lines: list[str]) -> list[str]:
    kept, inside = [], False
    for line in lines:
        header = line.lstrip()
        if header.startswith("["):
            inside = header.startswith(("[data]", "[data."))
        if not inside:
            kept.append(line)
    return kept


# ---------------------------------------------------------------- reading


def load_plan(path: Path) -> CampaignPlan:
    path = Path(path)
    try:
        check_source(path, Phrase("a plan .toml file"))
    except OSError as exc:
        raise PlanError(message_of(exc)) from None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(
            Phrase("{path}: cannot read the plan ({error})", path=path, error=exc)
        ) from None
    return loads(text, source=str(path))


def loads(text: str, source: str = "plan") -> CampaignPlan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            Phrase("{source}: not valid TOML ({error})", source=source, error=exc)
        ) from None
    problems: list[str] = []
    plan = _Reader(problems).plan(data)
    if problems or plan is None:
        raise PlanError([at(source, p) for p in problems])
    return plan


class _Reader:
    """Reads plan data into dataclasses, collecting one message per problem with its key path.

    The reader checks presence and types only; what values a plan may hold is decided by
    campaigns.rules, which the terminal app's plan form calls too.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.settings_problems: list[str] = []  # rules, reported with the plan's other rules

    def fail(self, path: str, message: str) -> None:
        self.problems.append(at(path, message) if path else message)

    def keys(self, data: Mapping[str, Any], path: str, known: Mapping[str, bool]) -> None:
        """Report unknown keys (with the nearest known name) and missing required ones."""
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
                unknown = (
                    Phrase("unknown key; did you mean {key!r}?", key=close[0])
                    if close
                    else Phrase("unknown key")
                )
                self.fail(join(path, key), unknown)
        for key, required in known.items():
            if required and key not in data:
                self.fail(join(path, key), Phrase("missing"))

    def value(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        check: Callable[[Any], Any],
        expected: str,
    ) -> Any:
        """The key's value if it has the right type; MISSING (and a problem if it is there)."""
        if key not in data:
            return MISSING
        raw = data[key]
        try:
            return check(raw)
        except (TypeError, ValueError):
            got = Phrase("expected {expected}, got {value}", expected=expected, value=_show(raw))
            self.fail(join(path, key), got)
            return MISSING

    def plan(self, data: Mapping[str, Any]) -> CampaignPlan | None:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            self.fail(
                "schema_version",
                Phrase(
                    "expected {expected}, got {value}",
                    expected=SCHEMA_VERSION,
                    value=_show(version),
                ),
            )
            return None
        self.keys(data, "", PLAN_KEYS)
        v = self.value
        targets = self.list(data, "targets", self.target)
        plan_args: dict[str, Any] = {
            "name": v(data, "", "name", _string, Phrase("a string")),
            "objective": v(data, "", "objective", _choice(OBJECTIVES), _one_of(OBJECTIVES)),
            "salt": v(data, "", "salt", _string, Phrase("a string")),
            "targets": tuple(t for t in targets if t is not None),
            "as_of": v(data, "", "as_of", _date, Phrase("a date like 2025-06-30")),
            "segmentation": self.segmentation(data.get("segmentation", {}), "segmentation"),
            "metric": v(data, "", "metric", _choice(METRICS), _one_of(METRICS)),
            "primary_metrics": v(
                data, "", "primary_metrics", _text_list, Phrase("a list of metrics")
            ),
            "alpha": v(data, "", "alpha", _number, Phrase("a number between 0 and 1")),
            "power": v(data, "", "power", _number, Phrase("a number between 0 and 1")),
            "duration_days": v(data, "", "duration_days", _whole, Phrase("a whole number of days")),
            "wanted_lift": v(data, "", "wanted_lift", _number, Phrase("a positive number")),
            "budget_cap": v(data, "", "budget_cap", _number, Phrase("a positive number")),
            "holdout_share": v(data, "", "holdout_share", _number, Phrase("a share in [0, 1)")),
            "holdout_salt": v(data, "", "holdout_salt", _string, Phrase("a string")),
            "suppress": v(data, "", "suppress", _text_list, Phrase("a list of selectors")),
            "phases": tuple(p for p in self.list(data, "phases", self.phase) if p is not None),
            "data": self.data(data["data"], "data") if "data" in data else MISSING,
        }
        if "arms" in data:
            plan_args["arms"] = self.arms(data["arms"], "arms")
        if self.problems:
            return None
        plan = CampaignPlan(**_given(plan_args))
        for path, message in plan_problems(plan):
            self.fail(path, message)
        self.problems += self.settings_problems
        return None if self.problems else plan

    def list(self, data: Mapping[str, Any], key: str, read: Callable[[Any, str], Any]) -> list[Any]:
        items = data.get(key, [])
        if not isinstance(items, list):
            self.fail(
                key,
                Phrase(
                    "expected a list of tables ([[{key}]]), got {value}",
                    key=key,
                    value=_show(items),
                ),
            )
            return []
        return [read(item, f"{key}[{i}]") for i, item in enumerate(items)]

    def table(self, item: Any, path: str) -> bool:
        if not isinstance(item, dict):
            self.fail(path, Phrase("expected a table, got {value}", value=_show(item)))
            return False
        return True

    def arms(self, items: Any, path: str) -> tuple[Arm, ...]:
        if not isinstance(items, list) or not items:
            self.fail(
                path, Phrase("expected a list of arm tables, got {value}", value=_show(items))
            )
            return ()
        arms = [self.arm(item, f"{path}[{i}]") for i, item in enumerate(items)]
        return tuple(a for a in arms if a is not None)

    def arm(self, item: Any, path: str) -> Arm | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, {"name": True, "share": True, "control": False, "offer": False})
        v = self.value
        offer = self.offer(item["offer"], join(path, "offer")) if "offer" in item else None
        args = {
            "name": v(item, path, "name", _string, Phrase("a string")),
            "share": v(item, path, "share", _number, Phrase("a share between 0 and 1")),
            "control": v(item, path, "control", _bool, Phrase("true or false")),
            "offer": offer,
        }
        return None if self.problems else Arm(**_given(args))

    def offer(self, item: Any, path: str) -> Offer:
        if not self.table(item, path):
            return Offer()
        self.keys(item, path, {"kind": True, "value": False, "min_spend": False})
        v = self.value
        kind = v(item, path, "kind", _choice(OFFER_KINDS), _one_of(OFFER_KINDS))
        if kind in VALUED_OFFERS and "value" not in item:
            self.fail(
                join(path, "value"), Phrase("missing; a {kind} offer needs a value", kind=kind)
            )
        args = {
            "kind": kind,
            "value": v(item, path, "value", _number, Phrase("a number")),
            "min_spend": v(item, path, "min_spend", _number, Phrase("a number >= 0")),
        }
        return Offer(**_given(args))

    def target(self, item: Any, path: str) -> Target | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, TARGET_KEYS)
        v = self.value
        args = {
            "name": v(item, path, "name", _string, Phrase("a string")),
            "selector": v(
                item, path, "selector", _string, Phrase("a selector, e.g. lifecycle = sleeping")
            ),
            "strategy": v(item, path, "strategy", _string, Phrase("a string")),
            "channel": v(item, path, "channel", _choice(CHANNELS), _one_of(CHANNELS)),
            "offer": self.offer(item["offer"], join(path, "offer")) if "offer" in item else MISSING,
            "contact_cap": v(item, path, "contact_cap", _whole, Phrase("a whole number >= 0")),
            "costs": self.costs(item["costs"], join(path, "costs")) if "costs" in item else MISSING,
            "arms": self.arms(item["arms"], join(path, "arms")) if "arms" in item else MISSING,
            "baseline": v(item, path, "baseline", _number, Phrase("a positive number")),
            "phase": v(item, path, "phase", _string, Phrase("a phase name")),
            "suppress": v(item, path, "suppress", _bool, Phrase("true or false")),
            "rank": v(item, path, "rank", _string, Phrase("a column name such as clv")),
            "top": v(item, path, "top", _number, Phrase("a share or a number of customers")),
        }
        return None if self.problems else Target(**_given(args))

    def costs(self, item: Any, path: str) -> Costs:
        if not self.table(item, path):
            return Costs()
        self.keys(item, path, {"per_contact": False, "redemption_rate": False})
        args = {
            "per_contact": self.value(item, path, "per_contact", _number, Phrase("a number >= 0")),
            "redemption_rate": self.value(
                item, path, "redemption_rate", _number, Phrase("a share between 0 and 1")
            ),
        }
        return Costs(**_given(args))

    def phase(self, item: Any, path: str) -> Phase | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, {"name": True, "start": True, "end": True})
        v = self.value
        args = {
            "name": v(item, path, "name", _string, Phrase("a phase name")),
            "start": v(item, path, "start", _date, Phrase("a date like 2025-09-18")),
            "end": v(item, path, "end", _date, Phrase("a date like 2025-09-21")),
        }
        return None if self.problems else Phase(**_given(args))

    def data(self, item: Any, path: str) -> PlanData:
        if not self.table(item, path):
            return PlanData()
        self.keys(item, path, {kind: False for kind in DATA_KINDS})
        files = {}
        for kind in DATA_KINDS:
            where = join(path, kind)
            if kind in item and self.table(item[kind], where):
                self.keys(item[kind], where, {"path": True, "sha256": True})
                found = {
                    "path": self.value(item[kind], where, "path", _string, Phrase("a file path")),
                    "sha256": self.value(
                        item[kind], where, "sha256", _string, Phrase("a SHA-256 in hex")
                    ),
                }
                files[kind] = DataFile(**_given(found)) if MISSING not in found.values() else None
        return PlanData(**files)

    def segmentation(self, item: Any, path: str) -> SegmentationSettings:
        if not self.table(item, path):
            return SegmentationSettings()
        self.keys(item, path, {name: False for name in SETTING_NAMES})
        values = {
            key: self.value(item, path, key, check, expected)
            for key, (check, expected) in SETTING_TYPES.items()
        }
        try:
            return SegmentationSettings(**_given(values))
        except PlanError as exc:
            self.settings_problems += [_within(path, line) for line in exc.problems]
            return SegmentationSettings()


PLAN_KEYS = {
    "schema_version": True,
    "name": True,
    "objective": True,
    "salt": True,
    "targets": False,
    "arms": False,
    "as_of": False,
    "segmentation": False,
    "metric": False,
    "primary_metrics": False,
    "alpha": False,
    "power": False,
    "duration_days": False,
    "wanted_lift": False,
    "budget_cap": False,
    "holdout_share": False,
    "holdout_salt": False,
    "suppress": False,
    "phases": False,
    "data": False,
}
TARGET_KEYS = {
    "name": True,
    "selector": True,
    "strategy": False,
    "channel": False,
    "offer": False,
    "contact_cap": False,
    "costs": False,
    "arms": False,
    "baseline": False,
    "phase": False,
    "suppress": False,
    "rank": False,
    "top": False,
}


def _given(args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the file gave; the dataclasses hold every default."""
    return {key: value for key, value in args.items() if value is not MISSING}


def _show(value: Any) -> str:
    return (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _string(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError
    return raw


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TypeError
    return float(raw)


def _whole(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TypeError
    return raw


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime) or not isinstance(raw, dt.date):
        raise TypeError
    return raw


def _text_list(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise TypeError
    return tuple(_string(x) for x in raw)


def _numbers(n: int) -> Callable[[Any], tuple[float, ...]]:
    def check(raw: Any) -> tuple[float, ...]:
        if not isinstance(raw, list) or len(raw) != n:
            raise ValueError
        return tuple(_number(x) for x in raw)

    return check


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(raw: Any) -> str:
        if raw not in options:
            raise ValueError
        return raw

    return check


def _within(path: str, problem: str) -> str:
    """A segmentation setting's problem ("tier_thresholds: ...") under the plan's key path."""
    if isinstance(problem, Phrase) and problem.template == "{path}: {problem}":
        return at(join(path, problem.values["path"]), problem.values["problem"])
    return join(path, problem)


def _one_of(options: tuple[str, ...]) -> Phrase:
    return Phrase("one of {options}", options=", ".join(options))


SETTING_TYPES: dict[str, tuple[Callable[[Any], Any], Phrase]] = {
    "lifecycle_quantiles": (_numbers(3), Phrase("three increasing numbers between 0 and 1")),
    "lifecycle_days": (_numbers(3), Phrase("three increasing numbers of days")),
    "tier_thresholds": (_numbers(2), Phrase("two increasing positive numbers")),
    "band_max_cuts": (_whole, Phrase("a whole number from 0 to 3")),
    "band_min_share": (_number, Phrase("a share in [0, 1)")),
    "band_min_customers": (_whole, Phrase("a whole number of at least 1")),
}
