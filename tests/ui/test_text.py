"""ui.text.literal: user text shown through Streamlit's Markdown exactly as typed; ui.editor.safe_csv."""

from __future__ import annotations

import io
import re
import string

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ui.tables import safe_csv
from ui.text import literal


def unescape(text: str) -> str:
    """CommonMark's reading of a backslash before ASCII punctuation: the character itself."""
    return re.sub(r"\\([" + re.escape(string.punctuation) + "])", r"\1", text)


@given(st.text(max_size=60))
def test_literal_reads_back_as_the_original(text):
    assert unescape(literal(text)) == text


@given(st.text(max_size=60))
def test_no_markdown_syntax_survives(text):
    escaped = literal(text)
    # every punctuation character is preceded by a backslash, so none starts a link, image, directive or math
    for k, ch in enumerate(escaped):
        if ch in string.punctuation and ch != "\\":
            assert k > 0 and escaped[k - 1] == "\\"


def test_examples():
    assert literal("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert literal(":red[alarm] $x^2$") == r"\:red\[alarm\] \$x\^2\$"
    assert literal("plain words 12") == "plain words 12"


def test_safe_csv_neutralises_cells_and_headers_but_not_numbers():
    df = pd.DataFrame({"x": [1.0, -2.0], "=HYPERLINK(\"http://e\")": [0.25, -0.5], "ok": ["@SUM(A1)", "fine"]})
    text = safe_csv(df)
    header = text.splitlines()[0]
    assert header.startswith("x,") and "'=HYPERLINK" in header
    back = pd.read_csv(io.StringIO(text))
    assert list(back["x"]) == [1.0, -2.0]  # numbers keep their sign
    assert list(back["ok"]) == ["'@SUM(A1)", "fine"]


def test_safe_csv_keeps_numeric_labels_as_numbers():
    """'-1' and '+1' are numbers, not formulas: a spreadsheet reads them as -1 and 1, so no quote is added (a
    quoted '-1 came back as text); text that merely starts like a number is still neutralised."""
    df = pd.DataFrame({"x": [1.0], "-1": [0.5], "+1": [0.25], "1e-3": [0.25], "-1+2": [0.0], "-inf": [0.0]})
    header = safe_csv(df).splitlines()[0].split(",")
    assert header == ["x", "-1", "+1", "1e-3", "'-1+2", "'-inf"]
    back = pd.read_csv(io.StringIO(safe_csv(df)))
    assert list(back.columns[1:4]) == ["-1", "+1", "1e-3"]
