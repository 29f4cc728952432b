"""The CSV tables: mu and a custom cost, read into arrays and written back exactly.

- mu CSV: a header row ``x,<label 1>,…,<label m>``, then one row per feature value: its position (a
  number) then its m probabilities mu(x, y).
- metric CSV: a header row ``x,<x_1>,…,<x_n>``, then n rows ``x_i, d(x_i, x_1), …, d(x_i, x_n)``.

Readers take a path (``str`` or ``pathlib.Path``), raw ``bytes`` (an upload) or an open stream, read by
``engine.formats.text`` (UTF-8 or UTF-16 with a byte-order mark, at most 5 MB). Limits, checked before any
parsing: :data:`MAX_ROWS` (2,000 data rows) and :data:`MAX_COLUMNS` (200 label columns). The first header
cell may be ``x`` (any case) or empty (as pandas writes an index); blank lines, and empty cells after the last
header column, are skipped.

Every bad file raises :class:`ProblemError` with one sentence. **Row numbers are the ones a spreadsheet
shows**: every record of the file counts, blank ones included, so the header is row 1 when it is the
first line. Columns are named by their header cell (``column 'cat'``).

Values are only parsed here ('1e-3', ' 0.2 ', 'nan' and 'inf' are numbers); whether they are
probabilities or distances is checked by ``engine.core.problem.Problem``, with its own sentences. This
module knows text and arrays only: a writer takes anything with a problem's ``positions``, ``labels``, ``mu``
and ``cost``.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from engine.errors import ProblemError
from engine.formats.cells import cell_name, letter, quote_label, unquote_label
from engine.formats.text import read_text, short

MAX_ROWS = 2_000
MAX_COLUMNS = 200


# -- public readers ---------------------------------------------------------------------------
def read_mu_csv(source) -> tuple[list[float], list[str], np.ndarray]:
    """Read a mu table: returns (positions, labels, mu) with mu an n-by-m float array.

    ``source`` is a path, bytes, or a text or binary stream. Bad files raise :class:`ProblemError`.
    """
    header, rows = _read_table(read_text(source, "mu"), max_columns=MAX_COLUMNS, what="label")
    labels = [unquote_label(cell) for cell in header[1:]]
    _check_distinct(labels)
    positions = [_number(cells[0], row, "x") for row, cells in rows]
    mu = [[_number(cell, row, label, cells[0]) for cell, label in zip(cells[1:], labels, strict=True)]
          for row, cells in rows]
    return positions, labels, np.array(mu, dtype=float).reshape(len(rows), len(labels))


def read_metric_csv(source) -> np.ndarray:
    """Read a custom cost matrix: returns the n-by-n float array d[i, j] = d(x_i, x_j).

    Non-negativity and the zero diagonal are checked when the :class:`Problem` is built.
    """
    header, rows = _read_table(read_text(source, "metric"), max_columns=MAX_ROWS, what="feature value")
    names = header[1:]
    if len(rows) != len(names):
        raise ProblemError(
            f"The metric file must be square: its header names {len(names)} feature value(s) "
            f"but it has {len(rows)} row(s) of distances."
        )
    for j, ((row, cells), name) in enumerate(zip(rows, names, strict=True), start=2):
        if not _same_name(cells[0], name):
            raise ProblemError(
                f"Row {row} is for {short(cells[0].strip())} but column {j} ({letter(j)}) of the header is "
                f"{short(name.strip())}; list the rows in the order of the header."
            )
    d = [[_number(cell, row, name, cells[0]) for cell, name in zip(cells[1:], names, strict=True)]
         for row, cells in rows]
    return np.array(d, dtype=float)


# -- public writers ---------------------------------------------------------------------------
def write_mu_csv(problem) -> str:
    """The mu table of ``problem`` as CSV text that :func:`read_mu_csv` reads back exactly.

    Labels that a spreadsheet would run as formulas (starting with = + - @) get a leading single quote,
    which :func:`read_mu_csv` removes again; numbers are written with ``repr`` and never quoted.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x", *(quote_label(label) for label in problem.labels)])
    for x, row in zip(problem.positions, problem.mu, strict=True):
        writer.writerow([repr(float(x)), *(repr(float(v)) for v in row)])
    return out.getvalue()


def write_metric_csv(problem) -> str:
    """The cost matrix of ``problem`` as CSV text that :func:`read_metric_csv` reads back exactly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [repr(float(x)) for x in problem.positions]
    writer.writerow(["x", *names])
    for name, row in zip(names, problem.cost, strict=True):
        writer.writerow([name, *(repr(float(v)) for v in row)])
    return out.getvalue()


# -- parsing the table ------------------------------------------------------------------------
def _read_table(text: str, max_columns: int, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the (row number, cells) of each data row, with the shape checked."""
    records = _records(text)
    if not records:
        raise ProblemError("The file is empty; it needs a header row x,… and one row per feature value.")
    header_row, header = records[0]
    header = header[: _width(header)]  # trailing empty cells dropped in one slice (a loop was quadratic)
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


def _width(cells: list[str]) -> int:
    """The number of cells up to the last non-empty one (at least 1)."""
    end = len(cells)
    while end > 1 and not cells[end - 1].strip():
        end -= 1
    return end


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
        raise ProblemError(f"The header (row {row}) must start with x; its first cell is {short(first)}.")
    if len(header) - 1 > max_columns:
        raise ProblemError(f"The header has {len(header) - 1:,} {what} columns; the limit is {max_columns:,}.")
    for j, cell in enumerate(header[1:], start=2):
        if not cell.strip():
            raise ProblemError(f"Column {j} ({letter(j)}) of the header is empty; every {what} needs a name.")


_SEPARATORS = ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))


def _check_distinct(labels: list[str]) -> None:
    """No two label columns with the same name."""
    seen: dict[str, int] = {}
    for j, label in enumerate(labels, start=2):
        if label in seen:
            raise ProblemError(
                f"Columns {seen[label]} and {j} ({letter(seen[label])} and {letter(j)}) of the header "
                f"have the same label {short(label)}; labels must differ."
            )
        seen[label] = j


def _number(cell: str, row: int, column: str, x: str | None = None) -> float:
    """One cell as a float, or a sentence naming it (cell_name: its row, the row's feature value ``x``, its
    column)."""
    text = cell.strip()
    where = cell_name(row, x.strip() if x is not None and x.strip() else None, column)
    if not text:
        raise ProblemError(f"The cell in {where} is empty; it needs a number.")
    try:
        return float(text)
    except ValueError:
        raise ProblemError(f"The cell in {where} is {short(text)}, not a number.") from None


def _same_name(a: str, b: str) -> bool:
    """Row and column names agree as text or as numbers."""
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


