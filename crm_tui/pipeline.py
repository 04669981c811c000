"""The core calls both shells (CLI and TUI) make: load, segment, add side tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from crm_tui.engine import Segmentation, SegmentSettings, segment
from crm_tui.errors import InputError
from crm_tui.findings import Findings
from crm_tui.orders import load_orders
from crm_tui.side_tables import load_visitors, with_visitors

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class ShopData:
    orders: pl.DataFrame
    findings: Findings
    segmentation: Segmentation
    visitors: pl.DataFrame | None = None
    side_findings: tuple[Findings, ...] = ()  # the visitors' and profiles' files
    # past segmentations by settings: a plan edited key by key asks for the same one each time
    _past: dict[SegmentSettings, pl.DataFrame | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def customers(self) -> pl.DataFrame:
        return self.segmentation.customers

    def past_customers(self, settings: SegmentSettings) -> pl.DataFrame | None:
        """The customers as they stood on settings.as_of, or None if too few bought by then."""
        if settings not in self._past:
            try:
                self._past[settings] = segment(self.orders, settings).customers
            except InputError:
                self._past[settings] = None
        return self._past[settings]


def load_shop(
    orders_path: str | Path,
    overrides: Mapping[str, str] | None = None,
    settings: SegmentSettings | None = None,
    visitors_path: str | Path | None = None,
) -> ShopData:
    loaded = load_orders(orders_path, overrides)
    if visitors_path is None:
        return ShopData(loaded.orders, loaded.findings, _segment(loaded.orders, settings, None))
    visitors = load_visitors(visitors_path)
    segmentation = _segment(loaded.orders, settings, visitors.frame)
    return ShopData(
        loaded.orders, loaded.findings, segmentation, visitors.frame, (visitors.findings,)
    )


def resegment(shop: ShopData, settings: SegmentSettings) -> ShopData:
    """Segment the same orders again with other settings, keeping any visitors."""
    return replace(shop, segmentation=_segment(shop.orders, settings, shop.visitors))


def _segment(
    orders: pl.DataFrame, settings: SegmentSettings | None, visitors: pl.DataFrame | None
) -> Segmentation:
    seg = segment(orders, settings)
    if visitors is None:
        return seg
    return replace(seg, customers=with_visitors(seg.customers, visitors))


def sample_paths() -> dict[str, Path]:
    """The bundled sample data set, generated into the user's cache if the checkout lacks it."""
    folder = SAMPLE_DIR
    if not (folder / "orders.csv").exists():
        from crm_tui import sample

        folder = Path.home() / ".cache" / "crm-tui" / "sample"
        if not (folder / "orders.csv").exists():
            sample.write_all(folder)
    return {p.stem: p for p in folder.iterdir() if p.is_file()}
