"""Files in and out: the CSV tables of DESIGN.md §3 and the JSON scenario file.

- mu CSV: a header row ``x,<label 1>,…,<label m>``, then one row per feature value: its position (a
  number) then its m probabilities mu(x, y).
- metric CSV: a header row ``x,<x_1>,…,<x_n>``, then n rows ``x_i, d(x_i, x_1), …, d(x_i, x_n)``.
- scenario JSON: :meth:`engine.problem.Problem.to_dict`, written by :func:`problem_to_json`.

Readers take a path (``str`` or ``pathlib.Path``), raw ``bytes`` (an upload) or an open stream. Text is
UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark. Limits, checked before any
parsing: :data:`MAX_BYTES` (5 MB), :data:`MAX_ROWS` (2,000 data rows) and :data:`MAX_COLUMNS` (200 label
columns). The first header cell may be ``x`` (any case) or empty (as pandas writes an index); blank
lines, and empty cells after the last header column, are skipped.

Every bad file raises :class:`ProblemError` with one sentence. **Row numbers are the ones a spreadsheet
shows**: every record of the file counts, blank ones included, so the header is row 1 when it is the
first line. Columns are named by their header cell (``column 'cat'``).

Values are only parsed here ('1e-3', ' 0.2 ', 'nan' and 'inf' are numbers); whether they are
probabilities or distances is checked by :class:`~engine.problem.Problem`, with its own sentences.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re

import numpy as np

from engine.errors import ProblemError
from engine.problem import Problem

MAX_BYTES = 5_000_000
MAX_ROWS = 2_000
MAX_COLUMNS = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCENARIO_KEYS = ("name", "description", "positions", "labels", "mu", "metric", "constraint", "label_cost")
NOT_TEXT = "The file is not text (it contains binary bytes); save it as {} (UTF-8)."
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


# -- public readers ---------------------------------------------------------------------------
def read_mu_csv(source) -> tuple[list[float], list[str], np.ndarray]:
    """Read a mu table: returns (positions, labels, mu) with mu an n-by-m float array.

    ``source`` is a path, bytes, or a text or binary stream. Bad files raise :class:`ProblemError`.
    """
    header, rows = _read_table(_read_text(source, "mu"), max_columns=MAX_COLUMNS, what="label")
    labels = [_unquote_label(cell) for cell in header[1:]]
    _check_distinct(labels)
    positions = [_number(cells[0], row, "x") for row, cells in rows]
    mu = [[_number(cell, row, label) for cell, label in zip(cells[1:], labels, strict=True)] for row, cells in rows]
    return positions, labels, np.array(mu, dtype=float).reshape(len(rows), len(labels))


def read_metric_csv(source) -> np.ndarray:
    """Read a custom cost matrix: returns the n-by-n float array d[i, j] = d(x_i, x_j).

    Non-negativity and the zero diagonal are checked when the :class:`Problem` is built.
    """
    header, rows = _read_table(_read_text(source, "metric"), max_columns=MAX_ROWS, what="feature value")
    names = header[1:]
    if len(rows) != len(names):
        raise ProblemError(
            f"The metric file must be square: its header names {len(names)} feature value(s) "
            f"but it has {len(rows)} row(s) of distances."
        )
    for j, ((row, cells), name) in enumerate(zip(rows, names, strict=True), start=2):
        if not _same_name(cells[0], name):
            raise ProblemError(
                f"Row {row} is for {_short(cells[0].strip())} but column {j} ({_letter(j)}) of the header is "
                f"{_short(name.strip())}; list the rows in the order of the header."
            )
    d = [[_number(cell, row, name) for cell, name in zip(cells[1:], names, strict=True)] for row, cells in rows]
    return np.array(d, dtype=float)


# -- public writers ---------------------------------------------------------------------------
def write_mu_csv(problem: Problem) -> str:
    """The mu table of ``problem`` as CSV text that :func:`read_mu_csv` reads back exactly.

    Labels that a spreadsheet would run as formulas (starting with = + - @) get a leading single quote,
    which :func:`read_mu_csv` removes again; numbers are written with ``repr`` and never quoted.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x", *(_quote_label(label) for label in problem.labels)])
    for x, row in zip(problem.positions, problem.mu, strict=True):
        writer.writerow([repr(float(x)), *(repr(float(v)) for v in row)])
    return out.getvalue()


def write_metric_csv(problem: Problem) -> str:
    """The cost matrix of ``problem`` as CSV text that :func:`read_metric_csv` reads back exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [repr(float(x)) for x in problem.positions]
    writer.writerow(["x", *names])
    for name, row in zip(names, problem.cost, strict=True):
        writer.writerow([name, *(repr(float(v)) for v in row)])
    return out.getvalue()


def problem_to_json(problem: Problem) -> str:
    """The scenario file of ``problem``: :meth:`Problem.to_dict` as JSON text, one table row per line."""
    fields = []
    for key, value in problem.to_dict().items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            text = "[\n" + ",\n".join("    " + _json(row) for row in value) + "\n  ]"
        else:
            text = _json(value)
        fields.append(f"  {_json(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def problem_from_json(source) -> Problem:
    """Build a :class:`Problem` from scenario JSON: text (``str``), bytes or a stream (not a path).

    Bad files raise :class:`ProblemError`; values are then checked by :meth:`Problem.from_arrays`.
    """
    if isinstance(source, str):
        text = _within_limit(source).lstrip("\ufeff")
    elif isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
        text = _read_text(source, "scenario", "JSON")
    else:
        raise ProblemError(f"Cannot read a scenario from {type(source).__name__}; give JSON text, bytes or a stream.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise ProblemError(f"The scenario file is not valid JSON ({where}: {e.msg}).") from None
    except (ValueError, RecursionError) as e:
        raise ProblemError(f"The scenario file cannot be read as JSON ({str(e) or 'nested too deeply'}).") from None
    if not isinstance(data, dict):
        raise ProblemError(f"The scenario file must hold a JSON object with the keys {', '.join(SCENARIO_KEYS)}.")
    return Problem.from_arrays(**_scenario_arguments(data))


# -- reading text -----------------------------------------------------------------------------
def _read_text(source, what: str, fmt: str = "CSV") -> str:
    """The decoded text of a path, bytes or stream, after the size limit; ``fmt`` names the format."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _decode(_within_limit(bytes(source)), fmt)
    if hasattr(source, "read"):
        try:
            data = source.read(MAX_BYTES + 1)
        except UnicodeDecodeError:
            raise ProblemError(f"The file is not UTF-8 text; save it as {fmt} (UTF-8).") from None
        if isinstance(data, str):
            return _check_text(_within_limit(data).lstrip("\ufeff"), fmt)
        return _decode(_within_limit(bytes(data)), fmt)
    if isinstance(source, (str, os.PathLike)):
        return _decode(_within_limit(_read_path(source, what)), fmt)
    raise ProblemError(f"Cannot read a {what} file from {type(source).__name__}; give a path, bytes or a stream.")


def _read_path(source, what: str) -> bytes:
    """The bytes of a file, refusing files over MAX_BYTES before reading them."""
    path = os.fspath(source)
    shown = _short(str(path))
    try:
        _check_size(os.path.getsize(path))
        with open(path, "rb") as f:
            return f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        hint = " (the metric must be abs, squared, hamming or the path of a CSV file)" if what == "metric" else ""
        raise ProblemError(f"There is no {what} file at {shown}{hint}.") from None
    except IsADirectoryError:
        raise ProblemError(f"{shown} is a folder, not a {what} file.") from None
    except PermissionError:
        raise ProblemError(f"The {what} file {shown} cannot be read (permission denied).") from None
    except (OSError, ValueError) as e:
        raise ProblemError(f"The {what} file {shown} cannot be read ({getattr(e, 'strerror', None) or e}).") from None


def _check_size(size: int) -> None:
    """Refuse more than MAX_BYTES bytes (or characters)."""
    if size > MAX_BYTES:
        raise ProblemError(f"The file is larger than the limit of {MAX_BYTES / 1e6:g} MB; use a smaller table.")


def _within_limit(data):
    """Bytes or text of at most MAX_BYTES (bytes or characters)."""
    _check_size(len(data))
    return data


def _decode(data: bytes, fmt: str) -> str:
    """UTF-8 (optional byte-order mark) or UTF-16 with a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16"), fmt)
        except UnicodeDecodeError:
            raise ProblemError(NOT_TEXT.format(fmt)) from None
    if b"\0" in data:
        raise ProblemError(NOT_TEXT.format(fmt))
    try:
        return _check_text(data.decode("utf-8-sig"), fmt)
    except UnicodeDecodeError as e:
        raise ProblemError(
            f"The file is not UTF-8 text (byte {e.start + 1} is 0x{data[e.start]:02x}); save it as {fmt} (UTF-8)."
        ) from None


def _check_text(text: str, fmt: str) -> str:
    """Refuse control characters, the mark of a binary file."""
    if _CONTROL.search(text):
        raise ProblemError(NOT_TEXT.format(fmt))
    return text


# -- parsing the table ------------------------------------------------------------------------
def _read_table(text: str, max_columns: int, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the (row number, cells) of each data row, with the shape checked."""
    records = _records(text)
    if not records:
        raise ProblemError("The file is empty; it needs a header row x,… and one row per feature value.")
    header_row, header = records[0]
    while len(header) > 1 and not header[-1].strip():
        header = header[:-1]
    _check_header(header, header_row, max_columns, what)
    rows = records[1:]
    if not rows:
        raise ProblemError("The file has a header but no data rows; add one row per feature value.")
    width = len(header)
    shaped = []
    for row, cells in rows:
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            raise ProblemError(f"Row {row} has {len(cells)} cells; the header has {width}.")
        shaped.append((row, cells))
    return header, shaped


def _records(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank CSV records with their spreadsheet row numbers (blank records count, are skipped)."""
    out = []
    row = 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                out.append((row, cells))
                if len(out) > MAX_ROWS + 1:
                    raise ProblemError(f"The file has more than {MAX_ROWS:,} data rows; the limit is {MAX_ROWS:,}.")
    except csv.Error as e:
        raise ProblemError(f"Row {row + 1} is not valid CSV ({e}).") from None
    return out


def _check_header(header: list[str], row: int, max_columns: int, what: str) -> None:
    """The header is x (or empty), then 1 to max_columns named columns."""
    first = header[0].strip()
    if len(header) < 2:
        hint = next((f" (it looks separated by {n}; use commas)" for s, n in _SEPARATORS if s in first), "")
        raise ProblemError(
            f"The header (row {row}) has only one column{hint}; it needs x and at least one {what} column."
        )
    if first.lower() not in ("x", ""):
        raise ProblemError(f"The header (row {row}) must start with x; its first cell is {_short(first)}.")
    if len(header) - 1 > max_columns:
        raise ProblemError(f"The header has {len(header) - 1:,} {what} columns; the limit is {max_columns:,}.")
    for j, cell in enumerate(header[1:], start=2):
        if not cell.strip():
            raise ProblemError(f"Column {j} ({_letter(j)}) of the header is empty; every {what} needs a name.")


_SEPARATORS = ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))


def _check_distinct(labels: list[str]) -> None:
    """No two label columns with the same name."""
    seen: dict[str, int] = {}
    for j, label in enumerate(labels, start=2):
        if label in seen:
            raise ProblemError(
                f"Columns {seen[label]} and {j} ({_letter(seen[label])} and {_letter(j)}) of the header "
                f"have the same label {_short(label)}; labels must differ."
            )
        seen[label] = j


def _number(cell: str, row: int, column: str) -> float:
    """One cell as a float, or a sentence naming it."""
    text = cell.strip()
    if not text:
        raise ProblemError(f"Row {row}, column {_short(column)} is empty; it needs a number.")
    try:
        return float(text)
    except ValueError:
        raise ProblemError(f"Row {row}, column {_short(column)} is {_short(text)}, not a number.") from None


def _same_name(a: str, b: str) -> bool:
    """Row and column names agree as text or as numbers."""
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _letter(j: int) -> str:
    """The spreadsheet letter of column j (1 = A)."""
    name = ""
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _short(value: str, limit: int = 40) -> str:
    """repr of a value, cut to a readable length."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


# -- labels in spreadsheets -------------------------------------------------------------------
def neutralise_cell(value):
    """A CSV cell safe to open in a spreadsheet: text starting with = + - @ (a formula) gets a leading quote."""
    return _quote_label(value) if isinstance(value, str) else value


def _quote_label(label: str) -> str:
    """Prefix a single quote to labels a spreadsheet would run as formulas (or that start with a quote)."""
    return "'" + label if label.startswith((*FORMULA_STARTS, "'")) else label


def _unquote_label(cell: str) -> str:
    """Undo _quote_label on a header cell."""
    label = cell.strip()
    if label.startswith("'") and label[1:].startswith((*FORMULA_STARTS, "'")):
        return label[1:]
    return label


# -- scenario files ---------------------------------------------------------------------------
def _scenario_arguments(data: dict) -> dict:
    """Check the keys and types of a scenario object; return Problem.from_arrays arguments."""
    unknown = [k for k in data if k not in SCENARIO_KEYS]
    if unknown:
        known = ", ".join(SCENARIO_KEYS)
        raise ProblemError(f"The scenario has an unknown key {_short(str(unknown[0]))}; the keys are {known}.")
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
        return f"the text {_short(value)}"
    return "a list" if isinstance(value, list) else "an object"
