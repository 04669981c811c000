"""How a terminal-app user changes the setting a library error names."""

from __future__ import annotations

from crm_tui.errors import worded
from crm_tui.language import N_, _, say

HOW = {
    "overwrite": N_("choose another file name"),
    "lifecycle_days": N_("type fixed thresholds in Days on the Segments tab"),
    "lifecycle_quantiles": N_("change Quantiles on the Segments tab"),
    "tier_thresholds": N_("change Tiers on the Segments tab"),
    "columns": N_("map it in the Mapping field of the Data tab (canonical=HEADER)"),
    "visitors": N_("the visitor column comes from a visitors file: name one on the Data tab"),
    "control": N_("type the control arm's name in Control"),
    "by": N_("By takes a column of the results file"),
    "as_of": N_("choose a later As of on the Segments tab"),
    "out": N_("name a .csv or .parquet file"),
    "sequential": N_("Day takes a whole day of the campaign from 1"),
    "days": N_("name the plan on this tab: its duration_days is the campaign's planned length"),
    "day": N_("type the day of this look in Day"),
}


def error_line(exc: BaseException) -> str:
    return worded(exc, {setting: _(how) for setting, how in HOW.items()}, say)
