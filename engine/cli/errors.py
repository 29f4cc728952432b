"""Exit statuses of the command line, and the exception of a command that did part of its work."""

from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_UNFINISHED = 3


class Unfinished(Exception):
    """A command that did part of its work: ``out`` is its result, the message says what is left."""

    def __init__(self, message: str, out: dict):
        super().__init__(message)
        self.out = out
