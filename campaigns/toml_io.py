"""Plans as TOML: versioned, validated with key paths, written without clobbering anything."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import itertools
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from campaigns.errors import PlanError
from campaigns.files import write_atomic
from campaigns.model import (
    CHANNELS,
    EVENT_PHASES,
    METRICS,
    OBJECTIVES,
    OFFER_KINDS,
    Arm,
    CampaignPlan,
    Costs,
    Offer,
    Phase,
    SegmentationSettings,
    Target,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_VERSION = 1


# ---------------------------------------------------------------- writing


def plan_to_dict(plan: CampaignPlan) -> dict[str, Any]:
    """Plain TOML-ready data; None values are left out."""
    data = _strip_none(dataclasses.asdict(plan))
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
    for key in ("segmentation", "arms", "phases", "targets"):
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
        raise PlanError(str(exc)) from None


# ---------------------------------------------------------------- reading


def load_plan(path: Path) -> CampaignPlan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan ({exc})") from None
    return loads(text, source=str(path))


def loads(text: str, source: str = "plan") -> CampaignPlan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{source}: not valid TOML ({exc})") from None
    problems: list[str] = []
    plan = _Reader(problems).plan(data)
    if problems or plan is None:
        raise PlanError([f"{source}: {p}" for p in problems])
    return plan


class _Reader:
    """Reads plan data into dataclasses, collecting one message per problem with its key path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def keys(self, data: Mapping[str, Any], path: str, known: Mapping[str, bool]) -> None:
        """Report unknown keys (with the nearest known name) and missing required ones."""
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(_join(path, key), f"unknown key{hint}")
        for key, required in known.items():
            if required and key not in data:
                self.fail(_join(path, key), "missing")

    def value(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        check: Callable[[Any], Any],
        expected: str,
        default: Any = None,
    ) -> Any:
        if key not in data:
            return default
        raw = data[key]
        try:
            return check(raw)
        except (TypeError, ValueError):
            self.fail(_join(path, key), f"expected {expected}, got {_show(raw)}")
            return default

    def plan(self, data: Mapping[str, Any]) -> CampaignPlan | None:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            self.fail("schema_version", f"expected {SCHEMA_VERSION}, got {_show(version)}")
            return None
        self.keys(data, "", PLAN_KEYS)
        v = self.value
        arms = self.arms(data.get("arms"), "arms") if "arms" in data else None
        targets = self.list(data, "targets", self.target)
        plan_args: dict[str, Any] = {
            "name": v(data, "", "name", _text, "a non-empty string", ""),
            "objective": v(
                data, "", "objective", _choice(OBJECTIVES), _one_of(OBJECTIVES), "custom"
            ),
            "salt": v(data, "", "salt", _text, "a non-empty string", ""),
            "targets": tuple(t for t in targets if t is not None),
            "as_of": v(data, "", "as_of", _date, "a date like 2025-06-30"),
            "segmentation": self.segmentation(data.get("segmentation", {}), "segmentation"),
            "metric": v(data, "", "metric", _choice(METRICS), _one_of(METRICS), "conversion_rate"),
            "alpha": v(data, "", "alpha", _open_unit, "a number between 0 and 1", 0.05),
            "power": v(data, "", "power", _open_unit, "a number between 0 and 1", 0.8),
            "duration_days": v(
                data, "", "duration_days", _positive_int, "a positive whole number", 14
            ),
            "wanted_lift": v(data, "", "wanted_lift", _positive, "a positive number", 0.2),
            "budget_cap": v(data, "", "budget_cap", _positive, "a positive number"),
            "holdout_share": v(
                data, "", "holdout_share", _unit_half_open, "a share in [0, 1)", 0.0
            ),
            "holdout_salt": v(
                data, "", "holdout_salt", _text, "a non-empty string", "crm-tui-global-holdout"
            ),
            "suppress": tuple(v(data, "", "suppress", _text_list, "a list of selectors", [])),
            "phases": tuple(p for p in self.list(data, "phases", self.phase) if p is not None),
        }
        if arms is not None:
            plan_args["arms"] = arms
        if not plan_args["targets"] and "targets" not in data:
            self.fail("targets", "missing; a plan needs at least one [[targets]]")
        self.cross_checks(plan_args)
        if self.problems:
            return None
        return CampaignPlan(**plan_args)

    def list(self, data: Mapping[str, Any], key: str, read: Callable[[Any, str], Any]) -> list[Any]:
        items = data.get(key, [])
        if not isinstance(items, list):
            self.fail(key, f"expected a list of tables ([[{key}]]), got {_show(items)}")
            return []
        return [read(item, f"{key}[{i}]") for i, item in enumerate(items)]

    def table(self, item: Any, path: str) -> bool:
        if not isinstance(item, dict):
            self.fail(path, f"expected a table, got {_show(item)}")
            return False
        return True

    def arms(self, items: Any, path: str) -> tuple[Arm, ...] | None:
        if not isinstance(items, list) or not items:
            self.fail(path, f"expected a list of arm tables, got {_show(items)}")
            return None
        arms = [self.arm(item, f"{path}[{i}]") for i, item in enumerate(items)]
        if any(a is None for a in arms):
            return None
        valid = tuple(a for a in arms if a is not None)
        controls = [a for a in valid if a.control]
        if len(controls) != 1:
            self.fail(path, f"expected exactly one arm with control = true, got {len(controls)}")
        if len(valid) < 2:
            self.fail(path, "expected a control and at least one treatment arm")
        names = [a.name for a in valid]
        if len(set(names)) != len(names):
            self.fail(path, f"arm names must differ, got {names}")
        total = sum(a.share for a in valid)
        if abs(total - 1.0) > 1e-9:
            self.fail(path, f"shares must add up to 1, got {total:g}")
        return valid

    def arm(self, item: Any, path: str) -> Arm | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, {"name": True, "share": True, "control": False, "offer": False})
        v = self.value
        offer = self.offer(item["offer"], _join(path, "offer")) if "offer" in item else None
        return Arm(
            name=v(item, path, "name", _text, "a non-empty string", ""),
            share=v(item, path, "share", _open_unit, "a share between 0 and 1", 0.5),
            control=v(item, path, "control", _bool, "true or false", False),
            offer=offer,
        )

    def offer(self, item: Any, path: str) -> Offer:
        if not self.table(item, path):
            return Offer()
        self.keys(item, path, {"kind": True, "value": False, "min_spend": False})
        v = self.value
        kind = v(item, path, "kind", _choice(OFFER_KINDS), _one_of(OFFER_KINDS), "none")
        needs_value = kind in ("coupon", "percent", "gift", "free_shipping")
        check, expected = (
            (_positive, "a positive number") if needs_value else (_non_negative, "a number >= 0")
        )
        value = v(item, path, "value", check, expected, 0.0)
        if needs_value and "value" not in item:
            self.fail(_join(path, "value"), f"missing; a {kind} offer needs a value")
        if kind == "percent" and value > 100:
            self.fail(_join(path, "value"), f"expected a percent up to 100, got {_show(value)}")
        min_spend = v(item, path, "min_spend", _non_negative, "a number >= 0", 0.0)
        return Offer(kind, value, min_spend)

    def target(self, item: Any, path: str) -> Target | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, TARGET_KEYS)
        v = self.value
        costs = self.costs(item.get("costs", {}), _join(path, "costs"))
        return Target(
            name=v(item, path, "name", _text, "a non-empty string", ""),
            selector=v(
                item, path, "selector", _text, "a selector such as lifecycle = sleeping", ""
            ),
            strategy=v(item, path, "strategy", str, "a string", ""),
            channel=v(item, path, "channel", _choice(CHANNELS), _one_of(CHANNELS), "sms"),
            offer=self.offer(item["offer"], _join(path, "offer")) if "offer" in item else Offer(),
            contact_cap=v(item, path, "contact_cap", _non_negative_int, "a whole number >= 0", 1),
            costs=costs,
            arms=self.arms(item["arms"], _join(path, "arms")) if "arms" in item else None,
            baseline=v(item, path, "baseline", _positive, "a positive number"),
            phase=v(item, path, "phase", _text, "a phase name"),
            suppress=v(item, path, "suppress", _bool, "true or false", False),
        )

    def costs(self, item: Any, path: str) -> Costs:
        if not self.table(item, path):
            return Costs()
        self.keys(item, path, {"per_contact": False, "redemption_rate": False})
        return Costs(
            per_contact=self.value(item, path, "per_contact", _non_negative, "a number >= 0", 0.0),
            redemption_rate=self.value(
                item, path, "redemption_rate", _unit, "a share between 0 and 1", 0.0
            ),
        )

    def phase(self, item: Any, path: str) -> Phase | None:
        if not self.table(item, path):
            return None
        self.keys(item, path, {"name": True, "start": True, "end": True})
        v = self.value
        start = v(item, path, "start", _date, "a date like 2025-09-18")
        end = v(item, path, "end", _date, "a date like 2025-09-21")
        if start and end and end < start:
            self.fail(_join(path, "end"), f"expected a date on or after start {start}, got {end}")
        return Phase(v(item, path, "name", _text, "a phase name", ""), start, end)

    def segmentation(self, item: Any, path: str) -> SegmentationSettings:
        if not self.table(item, path):
            return SegmentationSettings()
        self.keys(
            item,
            path,
            {"lifecycle_quantiles": False, "lifecycle_days": False, "tier_thresholds": False},
        )
        v = self.value
        quantiles = v(
            item,
            path,
            "lifecycle_quantiles",
            _increasing(3, _open_unit),
            "three increasing numbers between 0 and 1",
            (0.3, 0.6, 0.9),
        )
        days = v(
            item,
            path,
            "lifecycle_days",
            _increasing(3, _non_negative),
            "three increasing numbers of days",
        )
        tiers = v(
            item,
            path,
            "tier_thresholds",
            _increasing(2, _positive),
            "two increasing positive numbers",
            (188.0, 388.0),
        )
        return SegmentationSettings(quantiles, days, tiers)

    def cross_checks(self, args: Mapping[str, Any]) -> None:
        names = [t.name for t in args["targets"]]
        for name in {n for n in names if names.count(n) > 1}:
            self.fail("targets", f"target names must differ; {name!r} appears twice")
        phases = {p.name for p in args["phases"]}
        for i, target in enumerate(args["targets"]):
            if target.phase is not None and target.phase not in phases:
                known = ", ".join(sorted(phases)) or "none are defined"
                self.fail(f"targets[{i}].phase", f"unknown phase {target.phase!r}; phases: {known}")
        if args["objective"] == "event_retention":
            missing = [p for p in EVENT_PHASES if p not in phases]
            if missing:
                self.fail("phases", f"an event_retention plan needs phases {', '.join(missing)}")


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
    "alpha": False,
    "power": False,
    "duration_days": False,
    "wanted_lift": False,
    "budget_cap": False,
    "holdout_share": False,
    "holdout_salt": False,
    "suppress": False,
    "phases": False,
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
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    return (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError
    return raw


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TypeError
    return float(raw)


def _positive(raw: Any) -> float:
    value = _number(raw)
    if not value > 0:
        raise ValueError
    return value


def _non_negative(raw: Any) -> float:
    value = _number(raw)
    if not value >= 0:
        raise ValueError
    return value


def _unit(raw: Any) -> float:
    value = _number(raw)
    if not 0 <= value <= 1:
        raise ValueError
    return value


def _open_unit(raw: Any) -> float:
    value = _number(raw)
    if not 0 < value < 1:
        raise ValueError
    return value


def _unit_half_open(raw: Any) -> float:
    value = _number(raw)
    if not 0 <= value < 1:
        raise ValueError
    return value


def _positive_int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise ValueError
    return raw


def _non_negative_int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError
    return raw


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime) or not isinstance(raw, dt.date):
        raise TypeError
    return raw


def _text_list(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise TypeError
    return [_text(x) for x in raw]


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(raw: Any) -> str:
        if raw not in options:
            raise ValueError
        return raw

    return check


def _one_of(options: tuple[str, ...]) -> str:
    return "one of " + ", ".join(options)


def _increasing(n: int, item: Callable[[Any], float]) -> Callable[[Any], tuple[float, ...]]:
    def check(raw: Any) -> tuple[float, ...]:
        if not isinstance(raw, list) or len(raw) != n:
            raise ValueError
        values = tuple(item(x) for x in raw)
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise ValueError
        return values

    return check
