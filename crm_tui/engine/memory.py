"""Giving freed memory back to the system.

NumPy allocates through the C library's malloc. glibc serves an allocation above its mmap
threshold from a mapping of its own and unmaps it when freed, but it raises that threshold to
the size of each large block freed, so the reduction's many block-sized arrays soon come from
the heap, and the heap keeps what they freed: the next step, whose memory Polars takes from its
own allocator, then stands on top of it. malloc_trim returns the heap's free pages at once.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        program = ctypes.CDLL(None)  # the symbols already loaded, the C library's among them
    except (OSError, TypeError):  # Windows has no such handle
        return None
    return getattr(program, "malloc_trim", None)  # glibc's alone


def release_freed_memory() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
