"""A model's probabilities on the grid as a table: the grid's cells to fill in, and the filled table read back.

Format (CSV, UTF-8): a header ``cell,<axis 1>[,<axis 2>],<label 1>,...,<label m>``, then one row per grid cell:
its number (1..n, row-major as ``engine.io.binning`` numbers them), its centre's coordinates (standardised
units; ignored when reading, and may be left out), and the model's probability of each label there. The label
columns are found by name, in any order; every cell appears once; each row is a pmf (sums to 1 within 1e-6; it
is then renormalised). ``grid_table(binning)`` writes the empty template (uniform probabilities) to fill in.
Bad tables get a sentence naming the row (as a spreadsheet numbers it) and the column.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from engine.errors import ProblemError
from engine.formats.cells import neutralise_cell
from engine.formats.text import read_text

ROW_SUM_TOLERANCE = 1e-6


def grid_table(binning, q: np.ndarray | None = None) -> str:
    """The cells of the grid with their centres and (by default uniform) probabilities, as CSV text."""
    n, m = binning.counts.shape
    q = np.full((n, m), 1.0 / m) if q is None else np.asarray(q, dtype=float)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    names = [*binning.axes, *binning.labels]
    w.writerow(["cell", *[neutralise_cell(str(a)) for a in names]])
    for c in range(n):
        w.writerow([c + 1, *[repr(float(v)) for v in binning.centres[c]], *[repr(float(v)) for v in q[c]]])
    return out.getvalue()


def read_rule_table(source, binning, name: str = "the table") -> np.ndarray:
    """The n-by-m rule a table gives on the grid of ``binning`` (module docstring)."""
    text = read_text(source, "probability table")
    records = [(i + 1, r) for i, r in enumerate(csv.reader(io.StringIO(text))) if any(c.strip() for c in r)]
    if not records:
        raise ProblemError(f"{name[:1].upper()}{name[1:]} is empty; it needs a header and one row per grid cell.")
    header_row, header = records[0]
    header = [h.strip() for h in header]
    if not header or header[0].lower() != "cell":
        raise ProblemError(f"The first column of {name} (row {header_row}) must be 'cell' (the grid cell's number, "
                           f"1 to {len(binning.centres)}).")
    labels = list(binning.labels)
    missing = [label for label in labels if label not in header]
    if missing:
        raise ProblemError(f"{name[:1].upper()}{name[1:]} has no column for the label {missing[0]!r}; its header "
                           f"needs a column per label ({', '.join(repr(x) for x in labels)}).")
    columns = [header.index(label) for label in labels]
    n, m = len(binning.centres), len(labels)
    q = np.full((n, m), np.nan)
    seen: dict[int, int] = {}
    for row, r in records[1:]:
        r = [c.strip() for c in r] + [""] * max(0, len(header) - len(r))
        cell = _cell(r[0], row, n)
        if cell in seen:
            raise ProblemError(f"Row {row} repeats cell {cell + 1} (first given in row {seen[cell]}).")
        seen[cell] = row
        for j, col in enumerate(columns):
            q[cell, j] = _probability(r[col], row, labels[j])
        total = math.fsum(q[cell])
        if abs(total - 1.0) > ROW_SUM_TOLERANCE:
            raise ProblemError(f"The probabilities in row {row} (cell {cell + 1}) sum to {total:.9g}, not 1.")
    if len(seen) < n:
        absent = next(c for c in range(n) if c not in seen)
        raise ProblemError(f"{name[:1].upper()}{name[1:]} has no row for cell {absent + 1} ({n - len(seen)} of the "
                           f"{n} cells are missing); give every cell of the grid.")
    return q / q.sum(axis=1, keepdims=True)


def _cell(text: str, row: int, n: int) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ProblemError(f"Row {row}, column 'cell' is {text!r}, not a cell number.") from None
    if not value.is_integer() or not 1 <= value <= n:
        raise ProblemError(f"Row {row}, column 'cell' is {text!r}; cells are numbered 1 to {n}.")
    return int(value) - 1


def _probability(text: str, row: int, label: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ProblemError(f"Row {row}, column {label!r} is {text!r}, not a number.") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ProblemError(f"Row {row}, column {label!r} is {text!r}; a probability must be between 0 and 1.")
    return value
