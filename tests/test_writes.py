"""Writes never lose what the user had: killed mid-way, refused, or unwritable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from campaigns import files
from crm_tui.cli.main import main
from crm_tui.errors import InputError
from crm_tui.io.writers import write_table

ROOT = Path(__file__).resolve().parents[1]

# Each child writes to DEST with one of crm-tui's writers; just before the rename it says
# "ready" and waits, and the test kills it there: no timing is involved.
CHILD = """
import os, sys
from pathlib import Path
from campaigns import files
dest = Path(sys.argv[1])
rename = os.replace
def blocked(src, dst):
    if Path(dst) != dest:  # the sample renames files in its scratch folder first
        return rename(src, dst)
    print("ready", flush=True)
    sys.stdin.read()
files.os.replace = blocked
{write}
"""
WRITERS = {
    "table": "import polars as pl\nfrom crm_tui.io.writers import write_table\n"
    "write_table(pl.DataFrame({'customer_id': ['a'] * 100000}), dest, True)",
    "report": "from crm_tui.io.writers import write_text_atomic\n"
    "write_text_atomic(dest, 'report' * 10000, True)",
    "plan": "from campaigns.library import starter_plan\nfrom campaigns.toml_io import save_plan\n"
    "save_plan(starter_plan('custom', 's').plan, dest, True)",
    "sample": "from crm_tui.app.sample import write_all\n"
    "write_all(dest.parent, customers=400, seed=3, overwrite=True)",
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_killed_write_leaves_the_file_as_it_was(tmp_path: Path, writer: str) -> None:
    dest = tmp_path / ("orders.csv" if writer == "sample" else "out.csv")
    dest.write_text("what the user had\n")
    code = CHILD.format(write=WRITERS[writer])
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(dest)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert dest.read_text() == "what the user had\n"
    leftovers = [p for p in tmp_path.iterdir() if files.TEMP_MARK in p.name]
    assert leftovers, "the killed run's temporary file is recognisable"
    # the next write to the same destination clears what the killed run left
    write_table(pl.DataFrame({"customer_id": ["b"]}), dest, overwrite=True)
    assert [p for p in tmp_path.iterdir() if files.TEMP_MARK in p.name] == []
    assert dest.read_text() == "customer_id\nb\n"


def test_a_dangling_link_is_not_replaced_unasked(tmp_path: Path) -> None:
    dest = tmp_path / "out.csv"
    dest.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(InputError, match="already exists"):
        write_table(pl.DataFrame({"a": [1]}), dest)
    assert dest.is_symlink()


def test_permission_errors_name_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".hidden-tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as err:
        write_table(pl.DataFrame({"a": [1]}), tmp_path / "out.csv")
    assert str(err.value).startswith(f"{tmp_path / 'out.csv'}: permission denied")
    assert ".hidden-tmp" not in str(err.value)


def test_a_failed_sample_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sample"
    assert main(["sample", "--out", str(out), "--customers", "5"]) == 2
    assert "too small" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("command", [["segment"], ["plan", "check"], ["tui"]])
def test_pipes_devices_and_folders_are_named(tmp_path: Path, capsys, command: list[str]) -> None:
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    # segment and the app read a folder of Parquet parts as one table
    folder = "is a folder" if command == ["plan", "check"] else "holds no Parquet files"
    for given, what in ((fifo, "not a regular file"), (tmp_path, folder)):
        assert main([*command, str(given)]) == 2
        err = capsys.readouterr().err
        assert what in err and len(err.strip().splitlines()) == 1
