"""Errors in a plan, each tied to the key path or selector text where it was found."""

from __future__ import annotations

from collections.abc import Sequence


class PlanError(ValueError):
    """One or more problems in a plan; str() gives one line per problem."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
