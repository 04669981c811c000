"""Campaign evaluation: results frames in, comparisons with SciPy's tests out.

No UI and no file-format guessing: Polars frames and dataclasses. The entry points are
`evaluation.evaluate.evaluate` (per-customer results) and
`evaluation.aggregated.evaluate_aggregated`; this package root holds only the light result
types, so that importing them does not load SciPy.
"""

from evaluation.errors import EvaluationError
from evaluation.model import Comparison, Incremental, Report, SampleRatio

__all__ = ["Comparison", "EvaluationError", "Incremental", "Report", "SampleRatio"]
