"""How far long work has got, for a shell that shows it: the phase under way, rows read so far.

The core reports; nothing is kept unless a shell listens (the terminal app does while it loads a
shop), so reporting costs a context-variable lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    phase: str  # what is being done, e.g. "reading orders"
    rows: int | None = None  # rows done so far, when the phase goes by rows
    total: int | None = None  # rows in all, when known before the end
    detail: str = ""  # what the phase is done to, e.g. the dates a shop is segmented as of


Listener = Callable[[Progress], object]
_listener: ContextVar[Listener | None] = ContextVar("progress_listener", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send the progress reported inside the block (in this thread or task) to listener."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def report(phase: str, rows: int | None = None, total: int | None = None, detail: str = "") -> None:
    listener = _listener.get()
    if listener is not None:
        listener(Progress(phase, rows, total, detail))
