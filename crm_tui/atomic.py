"""Write files so that nothing the user had is lost: temporary file, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from crm_tui.errors import InputError


def check_writable(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise InputError(f"{path}: already exists; pass --force to replace it")
    if path.exists() and path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if not path.parent.exists():
        raise InputError(f"{path.parent}: no such folder")


def write_atomic(path: Path, write: Callable[[Path], None], overwrite: bool = False) -> None:
    """Call write(tmp) on a temporary file beside path, then move it into place."""
    path = Path(path)
    check_writable(path, overwrite)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        if path.exists() and not overwrite:  # appeared while we were writing
            raise InputError(f"{path}: already exists; pass --force to replace it")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str, overwrite: bool = False) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite)
