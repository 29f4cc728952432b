"""Cells of tables opened in spreadsheets: formulas neutralised (numbers left as numbers), columns named as a
spreadsheet names them, and the one way every message names a cell of a table (``cell_name``)."""

from __future__ import annotations

import math
import re

from engine.formats.text import short

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # what a spreadsheet reads as a number, no more


def neutralise_cell(value):
    """A CSV cell safe to open in a spreadsheet: text starting with = + - @ (a formula) gets a leading quote."""
    return quote_label(value) if isinstance(value, str) else value


def quote_label(label: str) -> str:
    """Prefix a single quote to labels a spreadsheet would run as formulas (or that start with a quote).

    A plain number ('-1', '+1', '2.5e-3') is no formula: a spreadsheet reads it as that number, so it is written
    as it is (quoted, '-1 came back as text). '-1+2' or '-inf' are not plain numbers and keep their quote."""
    if _NUMBER.fullmatch(label):
        return label
    return "'" + label if label.startswith((*FORMULA_STARTS, "'")) else label


def unquote_label(cell: str) -> str:
    """Undo quote_label on a header cell."""
    label = cell.strip()
    if label.startswith("'") and label[1:].startswith((*FORMULA_STARTS, "'")):
        return label[1:]
    return label




def letter(j: int) -> str:
    """The spreadsheet letter of column j (1 = A)."""
    name = ""
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def cell_name(row: int, x=None, column: str | None = None) -> str:
    """How every message names a cell of a table: its row as a spreadsheet numbers it (the header is row 1, so
    the first feature value is row 2), that row's feature value when known, and the column by its header:
    "row 3 (x = 1), column '1'"."""
    name = f"row {row}"
    if x is not None:
        name += f" (x = {_value(x)})"
    if column is not None:
        name += f", column {short(str(column))}"
    return name


def _value(x) -> str:
    """A feature value as the table shows it: a number in :g form, text as it is."""
    try:
        number = float(x)
    except (TypeError, ValueError, OverflowError):
        return short(str(x).strip())
    return f"{number:g}" if math.isfinite(number) else short(str(x).strip())
