"""Timing a command as a whole process: wall time, its own peak memory, what it said last."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


def whole_process(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the last line of stderr of one fresh process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage: its peak memory
        elapsed = time.perf_counter() - start
        err.seek(0)
        said = err.read().decode().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {said}")
    return elapsed, usage.ru_maxrss / 1024, (said.splitlines() or [""])[-1]
