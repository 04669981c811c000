"""Match a file's headers to canonical columns through the presets and the user's overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm_tui.errors import InputError
from crm_tui.io.database import Source
from crm_tui.io.presets import Preset, normalise_header
from evaluation.phrases import Phrase


@dataclass(frozen=True)
class ColumnMapping:
    """Which preset was recognised and which source header feeds each canonical column."""

    preset: Preset
    sources: dict[str, str]  # canonical -> source header
    derived: dict[str, tuple[str, ...]]  # canonical -> source headers combined into it


def parse_overrides(pairs: Sequence[str] | None) -> dict[str, str]:
    """Turn `canonical=source` strings, as either shell takes them, into a mapping."""
    overrides: dict[str, str] = {}
    for pair in pairs or ():
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise InputError(
                Phrase(
                    "column mapping {pair!r}: expected canonical=source, e.g. amount=Total",
                    pair=pair,
                ),
                setting="columns",
            )
        overrides[canonical.strip()] = source.strip()
    return overrides


def resolve_columns(
    path: Source,
    headers: Sequence[str],
    presets: Sequence[Preset],
    required: Sequence[str],
    overrides: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """Pick the preset that covers the required columns and the most others."""
    overrides = dict(overrides or {})
    _check_overrides(path, headers, presets, overrides)
    candidates = [_match(preset, headers, overrides) for preset in presets]
    complete = [m for m in candidates if _missing(m, required) == []]
    if complete:
        chosen = max(complete, key=lambda m: len(m.sources) + len(m.derived))
        _check_unambiguous(path, headers, chosen)
        return chosen
    best = max(candidates, key=lambda m: len(m.sources) + len(m.derived))
    missing = _missing(best, required)
    listed = ", ".join(repr(h) for h in headers)
    raise InputError(
        Phrase(
            "{path}: missing required column {value}; the file has columns "
            "{listed}; map {value2}=HEADER to name its source",
            path=path,
            value=", ".join(missing),
            listed=listed,
            value2=missing[0],
        ),
        setting="columns",
    )


DUPLICATE_MARK = "_duplicated_"  # how Polars names the second column of a repeated header


def _check_unambiguous(path: Source, headers: Sequence[str], mapping: ColumnMapping) -> None:
    """A header that appears twice cannot feed a column: which of the two is meant?"""
    repeated = {h.rsplit(DUPLICATE_MARK, 1)[0] for h in headers if DUPLICATE_MARK in h}
    used = set(mapping.sources.values()) | {h for hs in mapping.derived.values() for h in hs}
    for header in sorted(repeated & used):
        raise InputError(
            Phrase(
                "{path}: the header {header!r} appears more than once; rename the"
                " copies so that it is clear which one to read",
                path=path,
                header=header,
            ),
        )


def _missing(mapping: ColumnMapping, required: Sequence[str]) -> list[str]:
    return [c for c in required if c not in mapping.sources and c not in mapping.derived]


def _match(preset: Preset, headers: Sequence[str], overrides: Mapping[str, str]) -> ColumnMapping:
    by_norm = {normalise_header(h): h for h in reversed(headers)}
    sources: dict[str, str] = {}
    for canonical, names in preset.columns.items():
        found = next((by_norm[n] for n in map(normalise_header, names) if n in by_norm), None)
        if found is not None:
            sources[canonical] = found
    derived: dict[str, tuple[str, ...]] = {}
    for canonical, parts in preset.derived.items():
        matched = [_first_present(part.split("|"), by_norm) for part in parts]
        if canonical not in sources and all(m is not None for m in matched):
            derived[canonical] = tuple(m for m in matched if m is not None)
    for canonical, source in overrides.items():
        sources[canonical] = by_norm.get(normalise_header(source), source)
        derived.pop(canonical, None)
    return ColumnMapping(preset, sources, derived)


def _first_present(names: Sequence[str], by_norm: Mapping[str, str]) -> str | None:
    return next((by_norm[n] for n in map(normalise_header, names) if n in by_norm), None)


def _check_overrides(
    path: Source, headers: Sequence[str], presets: Sequence[Preset], overrides: Mapping[str, str]
) -> None:
    known = {c for p in presets for c in (*p.columns, *p.derived)}
    normalised = {normalise_header(h) for h in headers}
    for canonical, source in overrides.items():
        if canonical not in known:
            raise InputError(
                Phrase(
                    "column mapping {canonical}={source}: unknown canonical "
                    "column {canonical!r}; expected one of {value}",
                    canonical=canonical,
                    source=source,
                    value=", ".join(sorted(known)),
                ),
                setting="columns",
            )
        if normalise_header(source) not in normalised:
            listed = ", ".join(repr(h) for h in headers)
            raise InputError(
                Phrase(
                    "column mapping {canonical}={source}: {path} has no column "
                    "{source!r}; it has {listed}",
                    canonical=canonical,
                    source=source,
                    path=path,
                    listed=listed,
                ),
                setting="columns",
            )
