"""The one exception type the shells turn into a single line for their user."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from evaluation.phrases import Phrase


class InputError(ValueError):
    """Input the user can fix: a file, a column, a row or a setting that is not as expected.

    `setting` names what the user can change to fix it ("lifecycle_days", "columns",
    "overwrite", ...); the message names no command-line flag or screen, so that each shell can
    add how its own user changes that setting.
    """

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


def worded(
    exc: BaseException,
    how: Mapping[str, str],
    word: Callable[[str], str] = str,
    separator: str = "\n",
) -> str:
    """The error's message, with how a shell's user changes the setting it names (if known).

    `how` is the shell's own table: setting -> how its user changes it; `word` puts each of the
    error's problems in the user's language, `separator` goes between them. Several problems
    in one file name the file once. A selector that needs the visitor column is fixed by giving
    a visitors file.
    """
    listed = problems(exc)
    named = [p for p in listed if isinstance(p, Phrase) and p.template == "{path}: {problem}"]
    sources = {str(p.values["path"]) for p in named}
    if len(named) == len(listed) > 1 and len(sources) == 1:
        inner = separator.join(word(p.values["problem"]) for p in named)
        message = word(Phrase("{path}: {problem}", path=sources.pop(), problem=inner))
    else:
        message = separator.join(word(p) for p in listed)
    setting = getattr(exc, "setting", None)
    if getattr(exc, "missing_column", None) == "visitor":
        setting = "visitors"
    hint = how.get(setting or "")
    return word(Phrase("{message}; {hint}", message=message, hint=hint)) if hint else message


def problems(exc: BaseException) -> list[str]:
    """What the error says, one problem an item: a plan's several, else its message."""
    listed = getattr(exc, "problems", None)
    if listed:
        return list(listed)
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return [exc.args[0]]
    return [str(exc)]
