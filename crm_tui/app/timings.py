"""Where a command's time goes: the core's phases, timed only while a shell records them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from crm_tui.progress import report

Phases = list[tuple[str, float]]
_recording: ContextVar[Phases | None] = ContextVar("timings", default=None)
_inside: ContextVar[bool] = ContextVar("inside_a_phase", default=False)


@contextmanager
def phase(name: str, detail: str = "") -> Iterator[None]:
    """Time the block as `name` if a recording is on and no other phase encloses it (its time
    is then the enclosing phase's), so the phases add up to at most the whole. A shell
    listening for progress hears of every phase as it starts.

    `name` is marked for translation where it is written; `detail` (dates, a file) is not."""
    report(name, detail=detail)
    phases = _recording.get()
    if phases is None or _inside.get():
        yield
        return
    token = _inside.set(True)
    start = time.perf_counter()
    try:
        yield
    finally:
        phases.append((f"{name} {detail}".rstrip(), time.perf_counter() - start))
        _inside.reset(token)


@contextmanager
def recording() -> Iterator[Phases]:
    """Collect the phases timed inside the block, in the order they finish."""
    phases: Phases = []
    token = _recording.set(phases)
    try:
        yield phases
    finally:
        _recording.reset(token)


def summary(phases: Phases, total: float) -> str:
    """One line: each phase's seconds, then what the phases do not cover (imports, output)."""
    parts = [f"{name} {seconds:.2f} s" for name, seconds in phases]
    rest = total - sum(seconds for _, seconds in phases)
    return "; ".join([*parts, f"other {max(rest, 0.0):.2f} s", f"total {total:.2f} s"])
