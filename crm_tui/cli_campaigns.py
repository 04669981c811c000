"""The `plan` and `evaluate` commands."""

from __future__ import annotations

from typing import Any


def add_plan(sub: Any) -> None:
    return None


def add_evaluate(sub: Any) -> None:
    return None
