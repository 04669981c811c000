"""The command line: `crm-tui [FILE]` opens the terminal app; subcommands run the same core."""
