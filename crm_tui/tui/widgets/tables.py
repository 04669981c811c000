"""A table inside a scrolling pane: page keys move the pane once the table has no page left."""

from __future__ import annotations

from collections.abc import Iterable

from textual.containers import ScrollableContainer
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class PaneTable(DataTable[str]):
    """A DataTable whose PageDown at its last row (or when it shows every row) scrolls the pane
    around it, and PageUp at its first row likewise: with the focus in a table, the rest of the
    tab stays reachable from the keyboard."""

    @property
    def headers(self) -> tuple[str, ...]:
        """The column headers as shown, so that a pane can tell whether its layout is current."""
        return tuple(c.label.plain for c in self.columns.values())

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        # Textual measures new rows when idle and drops the lines it drew before only when a row
        # has auto height or the table resizes: in a table of fixed height the header and first
        # rows drawn before the measurement kept the old column widths. Its caches are keyed by
        # this count.
        self._update_count += 1
        self.refresh()

    def action_page_down(self) -> None:
        if self.max_scroll_y == 0 or self.cursor_row >= self.row_count - 1:
            self._pane_scroll(down=True)
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.max_scroll_y == 0 or self.cursor_row <= 0:
            self._pane_scroll(down=False)
        else:
            super().action_page_up()

    def _pane_scroll(self, down: bool) -> None:
        pane = next(
            (a for a in self.ancestors if isinstance(a, ScrollableContainer) and a.max_scroll_y),
            None,
        )
        if pane is None:
            return
        if down:
            pane.scroll_page_down()
        else:
            pane.scroll_page_up()
