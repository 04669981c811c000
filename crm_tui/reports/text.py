"""Columns of plain text that stay aligned when names are Chinese: widths in terminal cells."""

from __future__ import annotations

import unicodedata


def cells(text: str) -> int:
    """How many terminal cells text takes: wide (CJK) characters two, combining marks none."""
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        for ch in text
    )


def pad(text: str, width: int, align: str = "<") -> str:
    """text filled with spaces to width cells, on the right ("<") or the left (">")."""
    fill = " " * max(width - cells(text), 0)
    return text + fill if align == "<" else fill + text
