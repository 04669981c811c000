"""At 80x24 every table shows what an operator decides on first and the keyboard reaches it all."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from crm_tui.tui.app import CrmApp
from crm_tui.tui.panes.segments import COMPACT_COLUMNS, SEGMENT_COLUMNS, SegmentsPane
from crm_tui.tui.widgets.tables import PaneTable
from tests.tui.conftest import sample
from tests.tui.test_flows import settle


def headers(table: PaneTable) -> tuple[str, ...]:
    return table.headers


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize(
    ("size", "columns"), [((80, 24), COMPACT_COLUMNS), ((120, 40), SEGMENT_COLUMNS)]
)
async def test_segments_fit_the_terminal(size: tuple[int, int], columns: tuple[str, ...]) -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert headers(app.query_one("#segment-table", DataTable)) == columns
        bands = app.query_one("#bands", DataTable)
        # the bands table sits wholly inside the screen's width, beside or below the histogram
        assert bands.region.right <= size[0]
        assert bands.virtual_size.width <= bands.region.width


@pytest.mark.usefixtures("in_repo")
async def test_page_down_from_a_table_scrolls_its_tab() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        pane = app.query_one(SegmentsPane)
        assert app.query_one("#segment-table").has_focus and pane.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0 and app.query_one("#segment-table").has_focus
        await pilot.press("pageup")
        await pilot.pause()
        assert pane.scroll_y == 0


@pytest.mark.usefixtures("in_repo")
async def test_segment_table_switches_layout_when_the_terminal_is_resized() -> None:
    paths = sample()
    app = CrmApp(paths["orders"], None, None, paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        table = app.query_one("#segment-table", DataTable)
        table.focus()
        await pilot.press("down", "down", "enter")  # the sleeping customers, drilled into
        await settle(app, pilot)
        drill = app.query_one("#drill", DataTable)
        drilled = [drill.get_row_at(i) for i in range(drill.row_count)]
        assert drilled
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert headers(table) == SEGMENT_COLUMNS
        assert table.row_count == 4
        # the chosen segment and its customers stay through the resize
        assert table.cursor_row == 2
        assert [drill.get_row_at(i) for i in range(drill.row_count)] == drilled


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_focused_field_stands_out_in_either_theme(theme: str) -> None:
    """Compact fields have no border to light up: the focused one is tinted far enough from its
    neighbours to be seen at a glance (RGB distance; Textual's own tint gives about 19)."""
    app = CrmApp()
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = theme
        app.query_one("#orders-path").focus()
        await pilot.pause()
        focused = app.query_one("#orders-path").background_colors[1]
        blurred = app.query_one("#visitors-path").background_colors[1]
        distance = sum((a - b) ** 2 for a, b in zip(focused.rgb, blurred.rgb, strict=True)) ** 0.5
        assert distance > 50


async def test_a_table_drawn_before_its_rows_were_measured_is_drawn_again() -> None:
    """In a table of fixed height the header and first rows drawn before Textual measured the
    rows kept the old column widths (seen in the drill-down at 80x24)."""
    from textual.app import App, ComposeResult

    class One(App[None]):
        def compose(self) -> ComposeResult:
            table = PaneTable()
            table.styles.height = 4
            yield table

    app = One()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(PaneTable)
        table.add_columns("a", "b")
        await pilot.pause()
        table.add_row("xxxxxxxx", "y")
        assert table.render_line(0).text.startswith(" a  b ")  # drawn before the measurement
        await settle(app, pilot)
        header, row = (table.render_line(y).text for y in (0, 1))
        assert header.index("b") == row.index("y") == len(" xxxxxxxx  ")
