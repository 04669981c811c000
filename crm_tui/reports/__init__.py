"""Readable text of the core's results, for the command line and the app's text panels."""
