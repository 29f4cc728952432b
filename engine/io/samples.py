"""Samples in: a CSV of numeric feature columns and a label column, or a data set bundled with scikit-learn.

:class:`Samples` holds the raw table before any binning: one row per sample, its feature values (NaN where a
cell is empty or not a number, with the cell's text kept for the sentence that names it), its label, and the
row number the user knows it by. ``engine.io.binning`` decides what is used and says what is not.

- ``load_dataset(name)``: iris, wine, breast-cancer or digits, read by scikit-learn's ``load_*`` functions from
  files shipped inside the package (no download). Rows are numbered 1, 2, ... in the data set's order.
- ``read_samples_csv(source, label=None)``: a header row of column names, then one row per sample; ``label``
  names the label column (default: the last column). Files are read as every upload is
  (``engine.formats.text``: at most 5 MB, UTF-8 or UTF-16 with a byte-order mark) and rows are numbered as a
  spreadsheet shows them (the header is row 1).
- ``samples_from_arrays(X, y, ...)``: arrays or a pandas DataFrame; rows numbered 1, 2, ...

Every bad file raises :class:`ProblemError` with one sentence naming the row or the column.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from engine.errors import ProblemError
from engine.formats.text import read_text

DATASETS = ("iris", "wine", "breast-cancer", "digits")
MAX_SAMPLES = 200_000
MAX_FEATURES = 1_000
MISSING = ("", "na", "nan", "n/a", "null", "none", "?", "-")


@dataclass(frozen=True, eq=False)
class Samples:
    """A table of samples: ``values[i, j]`` is sample i's feature j (NaN when ``text[i][j]`` is not a number)."""

    values: np.ndarray          # (N, k) float, NaN where missing or not a number
    text: tuple                 # per row, the cells as given (strings), for the sentences; () for numeric input
    labels: tuple[str, ...]     # per row, the label as text ("" when missing)
    columns: tuple[str, ...]    # the k feature column names
    rows: tuple[int, ...]       # per row, its number as the user knows it (spreadsheet rows for a CSV file)
    label_column: str
    source: str                 # "iris (scikit-learn)", "the file 'x.csv'", "the arrays"
    label_order: tuple[str, ...] = ()  # the data set's own order of the label names, when it has one

    def cell(self, i: int, j: int) -> str:
        """The text of sample i's feature j as given."""
        return self.text[i][j] if self.text else repr(float(self.values[i, j]))

    def column_index(self, name) -> int:
        """A feature column by name or by 0-based position, or a sentence listing the columns."""
        if isinstance(name, (int, np.integer)) and not isinstance(name, bool):
            if 0 <= name < len(self.columns):
                return int(name)
            raise ProblemError(f"There is no feature {name} in {self.source}: its {len(self.columns)} features are "
                               f"numbered 0 to {len(self.columns) - 1} ({_listed(self.columns)}).")
        text = str(name).strip()
        if text in self.columns:
            return self.columns.index(text)
        if text.lstrip("-").isdigit():
            return self.column_index(int(text))
        if text == self.label_column:
            raise ProblemError(f"The column {text!r} is the label column; pick a feature column "
                               f"({_listed(self.columns)}).")
        raise ProblemError(f"There is no feature column {text!r} in {self.source}; its feature columns are "
                           f"{_listed(self.columns)}.")


def _listed(names, limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def load_dataset(name: str) -> Samples:
    """A data set bundled with scikit-learn (module docstring), as Samples."""
    key = str(name).strip().lower().replace("_", "-")
    if key not in DATASETS:
        raise ProblemError(f"Unknown data set {name!r}: choose one of {', '.join(DATASETS)}, or give a CSV file.")
    from sklearn import datasets  # slow to import (seconds): only when a data set is asked for

    loader = {"iris": datasets.load_iris, "wine": datasets.load_wine, "breast-cancer": datasets.load_breast_cancer,
              "digits": datasets.load_digits}[key]
    bunch = loader()
    names = [str(n) for n in bunch.target_names]
    values = np.asarray(bunch.data, dtype=float)
    columns = tuple(str(c) for c in getattr(bunch, "feature_names", [f"feature {j}" for j in range(values.shape[1])]))
    labels = tuple(names[int(t)] for t in bunch.target)
    return Samples(values=values, text=(), labels=labels, columns=columns, rows=tuple(range(1, len(values) + 1)),
                   label_column="target", source=f"{key} (scikit-learn)", label_order=tuple(names))


def samples_from_arrays(X, y, columns=None, source: str = "the arrays") -> Samples:
    """Arrays (or a pandas DataFrame and Series) as Samples: X one row per sample (a 1-D X is one feature), y one
    label per sample. Cells that are not numbers are kept as text, for the sentences that name them."""
    if hasattr(X, "columns"):  # a DataFrame
        columns = columns if columns is not None else [str(c) for c in X.columns]
        X = X.to_numpy(dtype=object)
    a = np.asarray(X, dtype=object)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ProblemError(f"The samples must be a non-empty table (one row per sample); got shape {a.shape}.")
    labels = [_label_text(v) for v in np.asarray(y, dtype=object).ravel()]
    if len(labels) != a.shape[0]:
        raise ProblemError(f"There are {a.shape[0]} samples but {len(labels)} labels; give one label per sample.")
    k = a.shape[1]
    columns = tuple(str(c) for c in (columns if columns is not None else [f"feature {j}" for j in range(k)]))
    if len(columns) != k:
        raise ProblemError(f"There are {len(columns)} column names for {k} feature columns.")
    if a.shape[0] > MAX_SAMPLES:
        raise ProblemError(f"There are {a.shape[0]:,} samples; the limit is {MAX_SAMPLES:,}.")
    rows = tuple(range(1, a.shape[0] + 1))
    try:
        values = a.astype(float)
    except (TypeError, ValueError):
        text = tuple(tuple("" if _missing_value(v) else str(v) for v in r) for r in a)
        return _parsed(text, tuple(labels), columns, rows, "label", source)
    values[~np.isfinite(values)] = np.nan
    return Samples(values=values, text=(), labels=tuple(labels), columns=columns, rows=rows, label_column="label",
                   source=source)


def _label_text(v) -> str:
    """A label as text: "" when missing, whole floats without '.0' (labels read as floats are classes)."""
    if _missing_value(v):
        return ""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def read_samples_csv(source, label: str | None = None, name: str | None = None) -> Samples:
    """A CSV file of samples (module docstring); ``label`` names the label column (default: the last)."""
    text = read_text(source, "samples")
    shown = name or (f"the file {str(source)!r}" if isinstance(source, str) else "the file")
    records = list(csv.reader(io.StringIO(text)))
    numbered = [(i + 1, r) for i, r in enumerate(records) if any(cell.strip() for cell in r)]
    if not numbered:
        raise ProblemError(f"{shown[:1].upper()}{shown[1:]} is empty; it needs a header row and one row per sample.")
    header_row, header = numbered[0]
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise ProblemError(f"The header (row {header_row}) has {len(header)} column(s); samples need at least one "
                           "feature column and a label column.")
    for j, h in enumerate(header):
        if not h:
            raise ProblemError(f"Column {j + 1} of the header (row {header_row}) has no name.")
        if h in header[:j]:
            raise ProblemError(f"Two columns of the header (row {header_row}) are named {h!r}.")
    if len(header) - 1 > MAX_FEATURES:
        raise ProblemError(f"The file has {len(header) - 1} feature columns; the limit is {MAX_FEATURES}.")
    label = header[-1] if label is None else str(label).strip()
    if label not in header:
        raise ProblemError(f"There is no label column {label!r}; the columns are {_listed(header)}.")
    li = header.index(label)
    body = numbered[1:]
    if len(body) > MAX_SAMPLES:
        raise ProblemError(f"The file has {len(body):,} rows of samples; the limit is {MAX_SAMPLES:,}.")
    cells, labels, rows = [], [], []
    for row, r in body:
        r = [c.strip() for c in r]
        while len(r) > len(header) and not r[-1]:
            r.pop()
        if len(r) > len(header):
            raise ProblemError(f"Row {row} has {len(r)} cells but the header has {len(header)} columns.")
        r += [""] * (len(header) - len(r))
        labels.append("" if r[li].lower() in MISSING else r[li])
        cells.append(tuple(c for j, c in enumerate(r) if j != li))
        rows.append(row)
    columns = tuple(h for j, h in enumerate(header) if j != li)
    return _parsed(tuple(cells), tuple(labels), columns, tuple(rows), label, shown)


def _parsed(text: tuple, labels: tuple[str, ...], columns: tuple[str, ...], rows: tuple[int, ...], label: str,
            source: str) -> Samples:
    """Parse the cells (NaN where missing or not a number)."""
    values = np.full((len(text), len(columns)), np.nan)
    for i, r in enumerate(text):
        for j, cell in enumerate(r):
            values[i, j] = _number(cell)
    return Samples(values=values, text=text, labels=labels, columns=columns, rows=rows, label_column=label,
                   source=source)


def _number(cell: str) -> float:
    """A cell's number, NaN when it is missing, not a number, or not finite."""
    if cell.strip().lower() in MISSING:
        return math.nan
    try:
        x = float(cell)
    except ValueError:
        return math.nan
    return x if math.isfinite(x) else math.nan


def _missing_value(v) -> bool:
    """None, NaN, or an empty text."""
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip().lower() in MISSING


def is_missing(cell: str) -> bool:
    """Is a cell's text a missing value (empty, NA, nan, ?, ...)?"""
    return cell.strip().lower() in MISSING
