"""A loaded shop: its orders, visitors and profiles, segmented on demand with any settings.

Both shells load a shop with `load_shop` and ask it for the segmentation they need; a plan asks
for its own settings and as_of, so the command line and the terminal app check a plan against
the same customers.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple, cast

import polars as pl

from campaigns.settings import SegmentationSettings
from crm_tui.app.timings import phase
from crm_tui.engine import Segmentation
from crm_tui.engine.features import Parts, part_number
from crm_tui.engine.segmentation import segment_each
from crm_tui.engine.visitors import with_visitors
from crm_tui.errors import InputError
from crm_tui.io.database import Source
from crm_tui.io.findings import Findings
from crm_tui.io.orders import Spill, SpilledOrders, load_orders
from crm_tui.io.side_tables import load_profiles, load_visitors
from crm_tui.language import N_

# Above SPILL_ORDERS orders (about 3 GB held), a shop's orders stay on disk in parts of up to
# PART_ORDERS: on 30 million orders, parts of 2**22 segmented in 6.9 s and 1.9 GB against 8.8 s
# and 2.4 GB for parts of 2**24 (a large sort runs slower per order than several small ones).
SPILL_ORDERS = 1 << 24
PART_ORDERS = 1 << 22
CACHED_SEGMENTATIONS = 4  # the view on screen, a plan's, its history baseline's, one spare


class View(NamedTuple):
    """A segmentation to ask a shop for: as of a date (None: the day after the last order),
    with the visitors who never bought or not, with every customer column or only some (and
    the id), a smaller frame to hold."""

    as_of: dt.date | None
    visitors: bool = True
    columns: frozenset[str] | None = None


Key = tuple[SegmentationSettings, dt.date, bool, frozenset[str] | None]


@dataclass(frozen=True)
class ShopFiles:
    """Where a shop's data comes from, and how the orders file's columns map."""

    orders: Source  # a file, or a query on the shop's database
    visitors: Path | None = None
    profiles: Path | None = None
    overrides: tuple[tuple[str, str], ...] = ()  # canonical -> source header


@dataclass(frozen=True, eq=False)
class Shop:
    files: ShopFiles
    orders: pl.DataFrame | SpilledOrders  # a large shop's stay on disk
    findings: Findings
    visitors: pl.DataFrame | None = None
    profiles: pl.DataFrame | None = None
    side_findings: tuple[Findings, ...] = ()  # the visitors' and profiles' files
    _cache: OrderedDict[Key, Segmentation | InputError] = field(
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
        found = self.segment_each(settings, [View(as_of, visitors)])[0]
        if isinstance(found, InputError):
            raise found
        return found

    def segment_each(
        self, settings: SegmentationSettings | None, views: Sequence[View]
    ) -> list[Segmentation | InputError]:
        """Each view's segmentation, or the error of one there is too little history for;
        those not remembered yet come from one pass over the orders (see _passes)."""
        settings = settings or SegmentationSettings()
        keys = [self._key(settings, view) for view in views]
        with self._lock:
            found = {key: self._cache[key] for key in keys if key in self._cache}
            for key in found:
                self._cache.move_to_end(key)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            found.update(zip(missing, self._compute(settings, missing), strict=True))
            with self._lock:
                for key in missing:
                    self._cache[key] = found[key]  # errors too: asking again answers at once
                while len(self._cache) > CACHED_SEGMENTATIONS:
                    self._cache.popitem(last=False)
        return [found[key] for key in keys]

    @functools.cached_property
    def latest_as_of(self) -> dt.date:
        """The default reference date: the day after the last order."""
        return self.order_span[1].date() + dt.timedelta(days=1)

    @functools.cached_property
    def order_span(self) -> tuple[dt.datetime, dt.datetime]:
        """When the first and the last order were placed."""
        if isinstance(self.orders, SpilledOrders):
            return self.orders.first_order_at, self.orders.last_order_at
        at = self.orders["ordered_at"]
        return cast(dt.datetime, at.min()), cast(dt.datetime, at.max())

    def spend_between(self, start: dt.date, end: dt.date) -> pl.DataFrame:
        """Each customer's spend on orders placed from start to the day before end."""
        day = pl.col("ordered_at").dt.date()
        spend = pl.col("amount").sum().alias("spend")
        return pl.concat(
            p.filter((day >= start) & (day < end)).group_by("customer_id").agg(spend)
            for p in self.parts
        ).collect()

    @property
    def parts(self) -> Parts:
        """The orders in parts of whole customers: one, unless they stay on disk."""
        if isinstance(self.orders, SpilledOrders):
            return self.orders.parts
        return (self.orders.lazy(),)

    def _key(self, settings: SegmentationSettings, view: View) -> Key:
        # without a visitors file, the view with visitors is the one without
        visitors = view.visitors and self.visitors is not None
        return settings, view.as_of or self.latest_as_of, visitors, view.columns

    def _compute(
        self, settings: SegmentationSettings, keys: list[Key]
    ) -> list[Segmentation | InputError]:
        found: dict[Key, Segmentation | InputError] = {}
        for keys_of_pass in self._passes(keys):
            dates = list(dict.fromkeys(as_of for _, as_of, _, _ in keys_of_pass))
            # the latest day as None: every order counts, and no pass is spent filtering by date
            ends = [None if as_of == self.latest_as_of else as_of for as_of in dates]
            columns = [_wanted(keys_of_pass, as_of) for as_of in dates]
            with phase(N_("segmenting as of"), ", ".join(str(d) for d in dates)):
                each = segment_each(self.parts, settings, ends, columns)
                whole = dict(zip(dates, each, strict=True))
            found.update((key, self._view(whole[key[1]], key)) for key in keys_of_pass)
            del whole  # a view of some columns lets the others go before the next pass
        return [found[key] for key in keys]

    def _passes(self, keys: list[Key]) -> list[list[Key]]:
        """The views to segment together. In memory, all at once: one sort serves every date.
        On disk, one date at a time, the views of some columns first: two dates at once held
        both whole customer tables, 0.8 GB more at the peak of a plan on 30M orders."""
        if not isinstance(self.orders, SpilledOrders):
            return [keys]
        by_date: dict[dt.date, list[Key]] = {}
        for key in sorted(keys, key=lambda key: key[3] is None):
            by_date.setdefault(key[1], []).append(key)
        return list(by_date.values())

    def _view(self, seg: Segmentation | InputError, key: Key) -> Segmentation | InputError:
        _, _, visitors, columns = key
        if isinstance(seg, InputError):
            return seg
        if visitors and self.visitors is not None:
            seg = replace(seg, customers=with_visitors(seg.customers, self.visitors))
        if columns is not None:
            kept = [c for c in seg.customers.columns if c == "customer_id" or c in columns]
            seg = replace(seg, customers=seg.customers.select(kept))
        return seg


def _wanted(keys: list[Key], as_of: dt.date) -> frozenset[str] | None:
    """The columns the views of a date name together; None where one wants every column."""
    named = [columns for _, day, _, columns in keys if day == as_of]
    if any(columns is None for columns in named):
        return None
    return frozenset().union(*[c for c in named if c is not None])


SIDE_FILES = ("visitors", "profiles")
SIDE_SUFFIXES = (".csv", ".parquet", ".xlsx")


def files_beside(orders: Path) -> dict[str, Path]:
    """The visitors and profiles files lying beside an orders file under the names crm-tui's
    sample gives them (visitors.csv, profiles.parquet, ...), by kind."""
    found = {}
    for kind in SIDE_FILES:
        beside = (orders.parent / f"{kind}{suffix}" for suffix in SIDE_SUFFIXES)
        match = next((path for path in beside if path.is_file() and path != orders), None)
        if match is not None:
            found[kind] = match
    return found


def load_shop(files: ShopFiles) -> Shop:
    """Read and validate the orders and the optional visitors and profiles files; a shop of
    more than SPILL_ORDERS orders keeps them on disk, in parts the engine reduces one by one."""
    with phase(N_("reading orders")):
        spill = Spill(SPILL_ORDERS, PART_ORDERS, part_number)
        loaded = load_orders(files.orders, dict(files.overrides), spill)
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
