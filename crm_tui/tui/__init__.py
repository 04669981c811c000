"""The Textual application: a thin shell over the same core calls the CLI makes."""
