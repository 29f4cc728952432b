"""Cells of tables opened in spreadsheets: formulas neutralised, columns named as a spreadsheet names them."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """A CSV cell safe to open in a spreadsheet: text starting with = + - @ (a formula) gets a leading quote."""
    return quote_label(value) if isinstance(value, str) else value


def quote_label(label: str) -> str:
    """Prefix a single quote to labels a spreadsheet would run as formulas (or that start with a quote)."""
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
