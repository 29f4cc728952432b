"""The command line: ``python -m engine COMMAND`` (docs/design.md, "Command line").

JSON on stdout with ``--json``; bad input gives one sentence on stderr and exit status 2, never a
traceback. A batch that leaves tasks unfinished (its workers kept dying) prints its summary, says so on
stderr and exits with status 3: run it again to resume. The solver's commands take the same problem options
(``engine.cli.options``: a preset or a CSV table, and overrides); ``accuracy`` (Tsipras et al.) and ``certify``
(PixelDP versus randomized smoothing) take their own numbers.

Each command is one module of this package holding everything about it: ``NAME``, ``HELP``,
``add_arguments(parser)``, ``run(args) -> dict`` (the JSON-ready result) and ``text(out) -> str`` (what a
person reads). A new command is a new module listed once in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys

from engine.cli import (
    accuracy,
    batch,
    certify,
    concentration,
    data,
    deterministic,
    presets,
    privacy_curve,
    robust_error,
    robust_mean,
    solve,
    sweep,
)
from engine.cli.errors import EXIT_BAD_INPUT, EXIT_UNFINISHED, Unfinished
from engine.errors import ProblemError

COMMANDS = {module.NAME: module for module in (
    solve, sweep, deterministic, privacy_curve, robust_error, data, accuracy, certify, concentration, robust_mean,
    batch, presets,
)}


# A value that starts with a minus sign and then a digit, a point, inf or nan (-1,0 or -1:2:3 or -.5 or -inf) is a
# value, never an option: argparse would take "--eps -1,0" for a missing value, and the sentence would be about the
# option instead of saying that eps must be non-negative.
_NEGATIVE_LOOKING = re.compile(r"-(?:[0-9.]|inf|nan)", re.IGNORECASE)


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one sentence and exit 2 (no usage dump)."""

    def _parse_optional(self, arg_string):
        if _NEGATIVE_LOOKING.match(arg_string):
            return None  # a positional string: the value of the option before it
        return super()._parse_optional(arg_string)

    def error(self, message):
        if message.startswith("argument command: invalid choice"):
            given = message.split("'")[1] if "'" in message else "?"
            raise ProblemError(f"Unknown command {given!r}: choose one of {', '.join(COMMANDS)}.")
        raise ProblemError(message[0].upper() + message[1:].rstrip(".") + f" (see '{self.prog} --help').")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = _Parser(prog="python -m engine", description="Tradeoff Lab's certified engine.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP))
    return parser


def strict(value):
    """``value`` with every non-finite number (an unproven upper bound is +inf, a missing multiplier nan) as None,
    so ``--json`` prints strict JSON (RFC 8259 has no Infinity or NaN) that every parser reads."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status."""
    if os.environ.get("TRADEOFF_DEBUG"):  # also shows what the solvers printed (engine.solvers.capture)
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    try:
        args = build_parser().parse_args(argv)
        command = COMMANDS[args.command]
        try:
            out, status = command.run(args), 0
        except Unfinished as partial:
            out, status = partial.out, EXIT_UNFINISHED
            print(f"error: {partial}", file=sys.stderr)
        print(json.dumps(strict(out), allow_nan=False) if args.json else command.text(out))
        return status
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:  # the commands turn their own reads and writes into sentences; this is the last net
        where = f" {error.filename!r}" if getattr(error, "filename", None) else ""
        print(f"error: cannot read or write{where}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - never a traceback for a user; TRADEOFF_DEBUG=1 shows it
        if os.environ.get("TRADEOFF_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error} (please report it; TRADEOFF_DEBUG=1 shows details).",
              file=sys.stderr)
        return 1
