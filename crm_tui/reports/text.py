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


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most width cells, broken at spaces or between wide characters (Chinese
    has no spaces to break at); a word wider than a line stays whole."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if line.strip() and cells(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line, token = "", token.lstrip()
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words with the spaces before them; each wide character a word of its own."""
    tokens: list[str] = []
    current = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if wide or (ch.isspace() and current.strip()):
            if current:
                tokens.append(current)
            current = ""
        current += ch
        if wide:
            tokens.append(current)
            current = ""
    if current:
        tokens.append(current)
    return tokens
