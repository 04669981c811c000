"""Widgets the panes share: form rows, path fields, charts."""
