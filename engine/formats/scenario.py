"""The scenario file: a whole problem as JSON text (the fields of ``Problem.to_dict``), checked key by key.

This module turns JSON text into the keyword arguments of ``Problem.from_arrays`` and a dict back into text;
``engine.io.scenario`` builds the problem. Every bad file raises :class:`ProblemError` with one sentence naming
the key.
"""

from __future__ import annotations

import json
import math
import sys

from engine.errors import ProblemError
from engine.formats.tables import MAX_COLUMNS, MAX_ROWS
from engine.formats.text import read_text, short, within_limit

SCENARIO_KEYS = ("name", "description", "positions", "labels", "mu", "metric", "constraint", "label_cost")


def dump_scenario(fields: dict) -> str:
    """A scenario dict as JSON text, one table row per line (floats by repr, so they read back exactly)."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            text = "[\n" + ",\n".join("    " + _json(row) for row in value) + "\n  ]"
        else:
            text = _json(value)
        lines.append(f"  {_json(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"



def read_scenario(source) -> dict:
    """The ``Problem.from_arrays`` arguments of a scenario: JSON text (``str``), bytes or a stream (not a path)."""
    if isinstance(source, str):
        text = within_limit(source).lstrip("\ufeff")
    elif isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
        text = read_text(source, "scenario", "JSON")
    else:
        raise ProblemError(f"Cannot read a scenario from {type(source).__name__}; give JSON text, bytes or a stream.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise ProblemError(f"The scenario file is not valid JSON ({where}: {e.msg}).") from None
    except RecursionError:
        raise ProblemError("The scenario file cannot be read as JSON (it is nested too deeply).") from None
    except ValueError as e:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        if "digits" in str(e):
            raise ProblemError(f"The scenario file holds an integer of more than {sys.get_int_max_str_digits():,} "
                               f"digits; every entry must be a number a float can hold.") from None
        raise ProblemError(f"The scenario file cannot be read as JSON ({e}).") from None
    if not isinstance(data, dict):
        raise ProblemError(f"The scenario file must hold a JSON object with the keys {', '.join(SCENARIO_KEYS)}.")
    return scenario_arguments(data)


def scenario_arguments(data: dict) -> dict:
    """Check the keys and types of a scenario object; return Problem.from_arrays arguments."""
    unknown = [k for k in data if k not in SCENARIO_KEYS]
    if unknown:
        known = ", ".join(SCENARIO_KEYS)
        raise ProblemError(f"The scenario has an unknown key {short(str(unknown[0]))}; the keys are {known}.")
    if "mu" not in data:
        raise ProblemError("The scenario has no 'mu' key; it needs the table mu as a list of rows.")
    args = {"mu": _matrix(data["mu"], "mu", MAX_ROWS, MAX_COLUMNS)}
    for key in ("name", "description", "constraint"):
        if key in data:
            args[key] = _text(data[key], key)
    if "metric" in data:
        metric = data["metric"]
        args["metric"] = metric if isinstance(metric, str) else _matrix(metric, "metric", MAX_ROWS, MAX_ROWS)
    if data.get("positions") is not None:
        positions = _list(data["positions"], "positions")
        args["positions"] = [_json_number(v, f"positions[{i}]") for i, v in enumerate(positions)]
    if data.get("labels") is not None:
        labels = _list(data["labels"], "labels")
        args["labels"] = [_text(v, f"labels[{i}]") for i, v in enumerate(labels)]
    if "label_cost" in data:
        args["label_cost"] = _json_number(data["label_cost"], "label_cost")
    return args


def _matrix(value, key: str, max_rows: int, max_columns: int) -> list[list[float]]:
    """A JSON list of equal-length rows of numbers."""
    rows = _list(value, key)
    if len(rows) > max_rows:
        raise ProblemError(f"The scenario's {key!r} has {len(rows):,} rows; the limit is {max_rows:,}.")
    out = []
    for i, row in enumerate(rows):
        cells = _list(row, f"{key}[{i}]")
        if len(cells) > max_columns:
            raise ProblemError(f"The scenario's {key}[{i}] has {len(cells):,} entries; the limit is {max_columns:,}.")
        if out and len(cells) != len(out[0]):
            raise ProblemError(f"The scenario's {key}[{i}] has {len(cells)} entries but {key}[0] has {len(out[0])}.")
        out.append([_json_number(v, f"{key}[{i}][{j}]") for j, v in enumerate(cells)])
    return out


def _list(value, key: str) -> list:
    """A JSON array, or a sentence naming the key."""
    if not isinstance(value, list):
        raise ProblemError(f"The scenario's {key} must be a list; it is {_json_kind(value)}.")
    return value


def _text(value, key: str) -> str:
    """A JSON string, or a sentence naming the key."""
    if not isinstance(value, str):
        raise ProblemError(f"The scenario's {key} must be text; it is {_json_kind(value)}.")
    return value


def _json_number(value, key: str) -> float:
    """A JSON number (not a boolean), or a sentence naming the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"The scenario's {key} must be a number; it is {_json_kind(value)}.")
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # an integer beyond the float range


def _json(value) -> str:
    """Compact JSON of one value (floats by repr, so they read back exactly)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _json_kind(value) -> str:
    """How a JSON value reads in a sentence."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {short(value)}"
    return "a list" if isinstance(value, list) else "an object"
