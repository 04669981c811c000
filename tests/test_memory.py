"""Freed NumPy memory goes back to the system (glibc), rather than staying in the heap."""

import os
import platform
from pathlib import Path

import numpy as np
import pytest

from crm_tui.engine.memory import release_freed_memory

glibc = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc" or not Path("/proc/self/statm").exists(),
    reason="malloc_trim and /proc/self/statm are glibc's and Linux's",
)


def _resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@glibc
def test_the_heap_gives_back_what_block_sized_arrays_freed() -> None:
    large = np.ones(1 << 21)  # 16 MB freed from a mapping: glibc's mmap threshold rises to it
    del large
    arrays = [np.ones(1 << 17) for _ in range(200)]  # 1 MB each, now from the heap
    top = arrays[-1]  # the heap's last block stays in use, so free() alone cannot shrink it
    del arrays
    held = _resident_mb()
    release_freed_memory()
    assert held - _resident_mb() > 150  # of the 199 MB freed
    assert top.sum() == 1 << 17
