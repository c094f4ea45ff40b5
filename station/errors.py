"""One exception type for problems a person can fix, so the CLI can print one sentence."""


class StationError(Exception):
    """A problem with the user's input or machine, told in one plain sentence (no traceback)."""
