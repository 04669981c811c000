"""The one exception type the shells turn into a single line for their user."""

from __future__ import annotations


class InputError(ValueError):
    """Input the user can fix: a file, a column, a row or a setting that is not as expected.

    `setting` names what the user can change to fix it ("lifecycle_days", "columns",
    "overwrite", ...); the message names no command-line flag or screen, so that each shell can
    add how its own user changes that setting.
    """

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
