"""Writing a file so that nothing the user had is lost: a temporary file beside it, renamed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def check_target(path: Path, overwrite: bool) -> None:
    """Raise FileExistsError, IsADirectoryError or FileNotFoundError if path cannot be written."""
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: already exists")
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a folder, expected a file name")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder")


def write_atomic(path: Path, write: Callable[[Path], object], overwrite: bool = False) -> None:
    """Call write(tmp) on a temporary file in path's folder, then rename it to path.

    Raises as check_target does before writing; the file gets the permissions a newly created
    file would get.
    """
    path = Path(path)
    check_target(path, overwrite)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600 files
        if path.exists() and not overwrite:  # appeared while we were writing
            raise FileExistsError(f"{path}: already exists")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
