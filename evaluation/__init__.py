"""Campaign evaluation: results frames in, comparisons with SciPy's tests out.

No UI and no file-format guessing: Polars frames and dataclasses.
"""

from evaluation.errors import EvaluationError
from evaluation.evaluate import evaluate
from evaluation.model import Comparison, Incremental, Report, SampleRatio

__all__ = ["Comparison", "EvaluationError", "Incremental", "Report", "SampleRatio", "evaluate"]
