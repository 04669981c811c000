"""crm-tui: plan and measure repeat-customer marketing from the terminal."""

__version__ = "0.1.0"
