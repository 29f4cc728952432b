"""The one error type the engine raises for bad input: its message is a sentence for a person."""


class ProblemError(ValueError):
    """Bad input to the engine. ``str(error)`` is one sentence naming the bad cell or value."""
