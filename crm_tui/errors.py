"""The one exception type the shells turn into a single line for their user."""

from __future__ import annotations

from collections.abc import Mapping


class InputError(ValueError):
    """Input the user can fix: a file, a column, a row or a setting that is not as expected.

    `setting` names what the user can change to fix it ("lifecycle_days", "columns",
    "overwrite", ...); the message names no command-line flag or screen, so that each shell can
    add how its own user changes that setting.
    """

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


def worded(exc: BaseException, how: Mapping[str, str]) -> str:
    """The error's message, with how a shell's user changes the setting it names (if known).

    `how` is the shell's own table: setting -> how its user changes it. A selector that needs
    the visitor column is fixed by giving a visitors file.
    """
    setting = getattr(exc, "setting", None)
    if getattr(exc, "missing_column", None) == "visitor":
        setting = "visitors"
    hint = how.get(setting or "")
    return f"{exc}; {hint}" if hint else str(exc)
