"""Timing a command as a whole process: wall time, its own peak memory, what it said last."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

# Linux records the high-water mark of the memory an exec replaces in the new program's peak, so
# a command started straight from a benchmark that has just built gigabytes of data would report
# the benchmark's peak as its own. A small launcher starts the command instead and times it.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def whole_process(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the last line of stderr of one fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        measured = os.path.join(folder, "measured")
        launched = [sys.executable, "-c", LAUNCHER, measured, *command]
        done = subprocess.run(launched, stderr=subprocess.PIPE, check=False)
        said = done.stderr.decode().strip()
        with open(measured) as file:
            elapsed, peak_kb, code = file.read().split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {said}")
    return float(elapsed), int(peak_kb) / 1024, (said.splitlines() or [""])[-1]
