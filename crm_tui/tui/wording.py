"""How a terminal-app user changes the setting a library error names."""

from __future__ import annotations

from crm_tui.errors import worded

HOW = {
    "overwrite": "choose another file name",
    "lifecycle_days": "type fixed thresholds in Days on the Segments tab",
    "lifecycle_quantiles": "change Quantiles on the Segments tab",
    "tier_thresholds": "change Tiers on the Segments tab",
    "columns": "map it in the Mapping field of the Data tab (canonical=HEADER)",
    "visitors": "the visitor column comes from a visitors file: name one on the Data tab",
    "control": "type the control arm's name in Control",
    "by": "By takes a column of the results file",
    "as_of": "choose a later As of on the Segments tab",
    "out": "name a .csv or .parquet file",
    "sequential": "Day takes a whole day of the campaign from 1",
    "days": "name the plan on this tab: its duration_days is the campaign's planned length",
    "day": "type the day of this look in Day",
}


def error_line(exc: BaseException) -> str:
    return worded(exc, HOW)
