"""The one exception type users see: a clear, single-line message."""


class StylecutError(Exception):
    """Bad input or an unusable environment; the message is meant for the user."""
