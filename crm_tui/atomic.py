"""File writing for the shells: atomic, never replacing a file unasked, errors as InputError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from campaigns.files import write_atomic as _write_atomic
from crm_tui.errors import InputError


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail before any work is done when the output could not be written."""
    if path.exists() and not overwrite:
        raise InputError(f"{path}: already exists; pass --force to replace it")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")


def write_atomic(path: Path, write: Callable[[Path], object], overwrite: bool = False) -> None:
    try:
        _write_atomic(Path(path), write, overwrite)
    except (FileExistsError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise InputError(str(exc)) from None


def write_text_atomic(path: Path, text: str, overwrite: bool = False) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)
