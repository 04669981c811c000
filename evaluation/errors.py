"""The error evaluation raises for results it cannot analyse."""


class EvaluationError(ValueError):
    """Results that cannot be evaluated as asked: a missing column, arm or metric."""
