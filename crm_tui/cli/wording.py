"""How a command-line user changes the setting a library error names."""

from __future__ import annotations

from crm_tui.errors import worded

HOW = {
    "overwrite": "pass --force to replace it",
    "lifecycle_days": "give fixed thresholds with --lifecycle-days A,B,C",
    "lifecycle_quantiles": "set them with --lifecycle-quantiles A,B,C",
    "tier_thresholds": "set them with --tiers VIP,TOP",
    "columns": "give the mapping with --column CANONICAL=HEADER",
    "visitors": "the visitor column comes from a visitors file: add --visitors FILE",
    "control": "name it with --control NAME",
    "by": "--by takes a column of the results file",
    "as_of": "choose a later --as-of",
    "salt": "leave out --salt for a new random one",
    "out": "name a .csv or .parquet file with --out",
    "customers": "ask for more with --customers N",
    "changed_data": "check the plan again with `plan check --record`, or pass --changed-data",
    "orders": "name it with --orders FILE",
    "days": "give --plan or --days N",
    "calibration_end": "choose another --calibration-end",
    "horizon": "set --horizon DAYS",
    "churn_days": "set --churn-days DAYS",
    "discount": "set --discount RATE",
    "day": "give --day N",
    "sequential": "--sequential takes spending or always-valid, --day and --days whole days",
}


def error_line(exc: BaseException) -> str:
    """One line: several problems (a plan's) are joined, naming their file once."""
    lines = worded(exc, HOW).splitlines() or [""]
    source = lines[0].split(": ", 1)[0] + ": "
    if len(lines) > 1 and all(line.startswith(source) for line in lines):
        return source + "; ".join(line.removeprefix(source) for line in lines)
    return "; ".join(lines)
