"""The one exception type the command line turns into a single line and exit code 2."""


class InputError(ValueError):
    """Input the user can fix: a file, a column, a row or a setting that is not as expected."""
