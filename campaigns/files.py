"""Files as the libraries and the shells read and write them: what may be read, and writing so
that nothing the user had is lost (a temporary file beside it, renamed).

The temporary file is named `.NAME.crm-tui-PID-XXXX`: recognisable, and the next write to the
same destination removes those a killed run left behind (their process is gone).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from evaluation.phrases import Phrase

TEMP_MARK = "crm-tui"


class NotARegularFileError(OSError):
    """A pipe or a device where a file is expected: reading it could block forever."""


def message_of(exc: OSError) -> str:
    """The Phrase a check here raised, or the system's own words for its error."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)


def check_source(path: Path, expected: str) -> None:
    """Raise IsADirectoryError, FileNotFoundError or NotARegularFileError unless path is a
    regular file; expected says what the reader wanted ("a plan .toml file")."""
    if path.is_dir():
        raise IsADirectoryError(
            Phrase("{path}: is a folder, expected {expected}", path=path, expected=expected)
        )
    if not path.exists():
        raise FileNotFoundError(Phrase("{path}: no such file", path=path))
    if not path.is_file():
        raise NotARegularFileError(
            Phrase(
                "{path}: is not a regular file (a pipe or a device?), expected {expected}",
                path=path,
                expected=expected,
            )
        )


def check_target(path: Path, overwrite: bool) -> None:
    """Raise FileExistsError, IsADirectoryError or FileNotFoundError if path cannot be written."""
    if path.is_dir():
        raise IsADirectoryError(Phrase("{path}: is a folder, expected a file name", path=path))
    if (path.exists() or path.is_symlink()) and not overwrite:  # a dangling link counts too
        raise FileExistsError(Phrase("{path}: already exists", path=path))
    if not path.parent.is_dir():
        raise FileNotFoundError(Phrase("{path}: no such folder", path=path.parent))


def write_atomic(path: Path, write: Callable[[Path], object], overwrite: bool = False) -> None:
    """Call write(tmp) on a temporary file in path's folder, then rename it to path.

    Raises as check_target does before writing, and PermissionError naming path (not the
    temporary file) when the folder or the file is not writable; the file gets the permissions
    a newly created file would get.
    """
    path = Path(path)
    check_target(path, overwrite)
    remove_leftovers(path)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name}.{TEMP_MARK}-{os.getpid()}-", dir=path.parent
        )
    except PermissionError:
        raise PermissionError(
            f"{path}: permission denied (cannot write in {path.parent})"
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600 files
        if (path.exists() or path.is_symlink()) and not overwrite:  # appeared meanwhile
            raise FileExistsError(Phrase("{path}: already exists", path=path))
        os.replace(tmp, path)
    except PermissionError:
        raise PermissionError(f"{path}: permission denied") from None
    finally:
        tmp.unlink(missing_ok=True)


def remove_leftovers(path: Path) -> None:
    """Remove temporary files of earlier writes to path whose process no longer runs."""
    remove_stale(path.parent, f".{path.name}.{TEMP_MARK}-")


def remove_stale(folder: Path, prefix: str) -> None:
    """Remove what killed runs left in folder: files and folders named prefix, a process id,
    '-' and more, whose process no longer runs. What cannot be removed (another user's) stays."""
    for stale in folder.glob(f"{glob.escape(prefix)}*"):
        pid, dash, _ = stale.name.removeprefix(prefix).partition("-")
        if not (pid.isdigit() and dash) or _running(int(pid)):
            continue
        with contextlib.suppress(OSError):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
