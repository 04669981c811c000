"""One pane per tab; each module's TCSS sits beside it."""
