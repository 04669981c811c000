"""A loaded shop: its orders, visitors and profiles, segmented on demand with any settings.

Both shells load a shop with `load_shop` and ask it for the segmentation they need; a plan asks
for its own settings and as_of, so the command line and the terminal app check a plan against
the same customers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from campaigns.settings import SegmentationSettings
from crm_tui.app.timings import phase
from crm_tui.engine import Segmentation, segment
from crm_tui.engine.visitors import with_visitors
from crm_tui.errors import InputError
from crm_tui.io.findings import Findings
from crm_tui.io.orders import load_orders
from crm_tui.io.side_tables import load_profiles, load_visitors

CACHED_SEGMENTATIONS = 4  # the view on screen, a plan's, its history baseline's, one spare
View = tuple[SegmentationSettings, "dt.date | None", bool]


@dataclass(frozen=True)
class ShopFiles:
    """Where a shop's data comes from, and how the orders file's columns map."""

    orders: Path
    visitors: Path | None = None
    profiles: Path | None = None
    overrides: tuple[tuple[str, str], ...] = ()  # canonical -> source header


@dataclass(frozen=True, eq=False)
class Shop:
    files: ShopFiles
    orders: pl.DataFrame
    findings: Findings
    visitors: pl.DataFrame | None = None
    profiles: pl.DataFrame | None = None
    side_findings: tuple[Findings, ...] = ()  # the visitors' and profiles' files
    _cache: OrderedDict[View, Segmentation | InputError] = field(
        default_factory=OrderedDict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def segment(
        self,
        settings: SegmentationSettings | None = None,
        as_of: dt.date | None = None,
        visitors: bool = True,
    ) -> Segmentation:
        """The customers and every scheme as of a date, remembered for the next caller.

        visitors=False leaves out the visitors who never bought (and the visitor scheme).
        """
        key: View = (settings or SegmentationSettings(), as_of, visitors)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
        if found is None:
            found = self._compute(*key)
            with self._lock:
                self._cache[key] = found
                while len(self._cache) > CACHED_SEGMENTATIONS:
                    self._cache.popitem(last=False)
        if isinstance(found, InputError):
            raise found
        return found

    def _compute(
        self, settings: SegmentationSettings, as_of: dt.date | None, visitors: bool
    ) -> Segmentation | InputError:
        try:
            with phase(f"segmenting as of {as_of or 'the latest day'}"):
                seg = segment(self.orders, settings, as_of)
        except InputError as exc:
            return exc  # remembered too: asking again gives the same answer at once
        if self.visitors is None or not visitors:
            return seg
        return replace(seg, customers=with_visitors(seg.customers, self.visitors))


def load_shop(files: ShopFiles) -> Shop:
    """Read and validate the orders and the optional visitors and profiles files."""
    with phase("reading orders"):
        loaded = load_orders(files.orders, dict(files.overrides))
    side: list[Findings] = []
    visitors = profiles = None
    if files.visitors is not None:
        visitors_table = load_visitors(files.visitors)
        visitors = visitors_table.frame
        side.append(visitors_table.findings)
    if files.profiles is not None:
        profiles_table = load_profiles(files.profiles)
        profiles = profiles_table.frame
        side.append(profiles_table.findings)
    return Shop(files, loaded.orders, loaded.findings, visitors, profiles, tuple(side))
