"""Modal screens: help and the questions the app asks before it loses or replaces anything."""

from crm_tui.tui.screens.dialogs import Confirm, HelpScreen

__all__ = ["Confirm", "HelpScreen"]
