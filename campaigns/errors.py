"""Errors in a plan, each tied to the key path or selector text where it was found."""

from __future__ import annotations

from collections.abc import Sequence


class PlanError(ValueError):
    """One or more problems in a plan; str() gives one line per problem.

    `setting` names the plan setting to change when there is one (e.g. "lifecycle_days"), so a
    shell can say where its user changes it; the message itself names no command-line flag.
    """

    def __init__(self, problems: str | Sequence[str], setting: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.setting = setting
        super().__init__("\n".join(self.problems))
