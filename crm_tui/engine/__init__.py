"""The Polars segmentation engine: canonical orders in, one row per customer with its schemes."""

from crm_tui.engine.segmentation import Lifecycle, Segmentation, segment

__all__ = ["Lifecycle", "Segmentation", "segment"]
