"""File writing for the shells: atomic, never replacing a file unasked, errors as InputError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from campaigns import files
from crm_tui.errors import InputError

UNWRITABLE = (FileExistsError, FileNotFoundError, IsADirectoryError, PermissionError)


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail before any work is done when the output could not be written."""
    try:
        files.check_target(Path(path), overwrite)
    except UNWRITABLE as exc:
        raise InputError(str(exc)) from None


def write_atomic(path: Path, write: Callable[[Path], object], overwrite: bool = False) -> None:
    try:
        files.write_atomic(Path(path), write, overwrite)
    except UNWRITABLE as exc:
        raise InputError(str(exc)) from None


def write_text_atomic(path: Path, text: str, overwrite: bool = False) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)
