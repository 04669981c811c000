"""How a command-line user changes the setting a library error names."""

from __future__ import annotations

from crm_tui.errors import worded
from crm_tui.language import N_, _, say

HOW = {
    "overwrite": N_("pass --force to replace it"),
    "lifecycle_days": N_("give fixed thresholds with --lifecycle-days A,B,C"),
    "lifecycle_quantiles": N_("set them with --lifecycle-quantiles A,B,C"),
    "tier_thresholds": N_("set them with --tiers VIP,TOP"),
    "columns": N_("give the mapping with --column CANONICAL=HEADER"),
    "visitors": N_("the visitor column comes from a visitors file: add --visitors FILE"),
    "control": N_("name it with --control NAME"),
    "by": N_("--by takes a column of the results file"),
    "as_of": N_("choose a later --as-of"),
    "salt": N_("leave out --salt for a new random one"),
    "out": N_("name a .csv or .parquet file with --out"),
    "customers": N_("ask for more with --customers N"),
    "changed_data": N_("check the plan again with `plan check --record`, or pass --changed-data"),
    "orders": N_("name it with --orders FILE"),
    "days": N_("give --plan or --days N"),
    "calibration_end": N_("choose another --calibration-end"),
    "horizon": N_("set --horizon DAYS"),
    "churn_days": N_("set --churn-days DAYS"),
    "discount": N_("set --discount RATE"),
    "day": N_("give --day N"),
    "sequential": N_("--sequential takes spending or always-valid, --day and --days whole days"),
}


def error_line(exc: BaseException) -> str:
    """One line: several problems (a plan's) are joined, naming their file once."""
    how = {setting: _(how) for setting, how in HOW.items()}
    return worded(exc, how, say, separator=_("; "))
