"""Small builders for the forms every tab has: a labelled row, a path field."""

from __future__ import annotations

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Label

from crm_tui.tui.widgets.paths import PathSuggester


def row(label: str | None, *items: Widget | str, id: str | None = None) -> Horizontal:
    """A form row: a muted label, then the widgets side by side; a text among them labels the
    widget after it (two fields a row)."""
    children: list[Widget] = [Label(label, classes="field-label")] if label else []
    children += [Label(i, classes="field-label") if isinstance(i, str) else i for i in items]
    return Horizontal(*children, classes="row", id=id)


def path_field(id: str, placeholder: str, value: str = "") -> Input:
    """A one-line input that completes file paths."""
    return Input(value, placeholder=placeholder, id=id, suggester=PathSuggester(), compact=True)


def text_field(id: str, placeholder: str = "", value: str = "", short: bool = False) -> Input:
    return Input(
        value, placeholder=placeholder, id=id, classes="short" if short else "", compact=True
    )
