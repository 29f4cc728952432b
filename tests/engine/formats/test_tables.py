"""engine.formats: CSV and scenario files in and out; every bad file is one ProblemError sentence.

Row numbers in messages are spreadsheet rows (header = row 1, blank lines counted).
"""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, tables

from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.formats.tables import MAX_COLUMNS, MAX_ROWS, read_metric_csv, read_mu_csv, write_metric_csv, write_mu_csv
from engine.formats.text import MAX_BYTES
from engine.io.scenario import problem_from_json, problem_to_json

GOOD = "x,cat,dog\n1,0.1,0.2\n2.5,0.3,0.4\n"
METRIC = "x,1,2.5\n1,0,2\n2.5,3,0\n"


def error(call, *args, **kwargs) -> str:
    """The message of the ProblemError that call(*args, **kwargs) raises: one sentence."""
    with pytest.raises(ProblemError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


def read_error(content) -> str:
    """read_mu_csv's sentence for CSV given as text or bytes."""
    return error(read_mu_csv, content.encode() if isinstance(content, str) else content)


# -- sources ----------------------------------------------------------------------------------
def test_reads_path_str_path_bytes_and_streams(tmp_path):
    file = tmp_path / "mu.csv"
    file.write_text(GOOD)
    sources = [str(file), file, GOOD.encode(), bytearray(GOOD.encode()), io.BytesIO(GOOD.encode()), io.StringIO(GOOD)]
    for source in sources:
        positions, labels, mu = read_mu_csv(source)
        assert positions == [1.0, 2.5] and labels == ["cat", "dog"]
        np.testing.assert_array_equal(mu, [[0.1, 0.2], [0.3, 0.4]])


def test_problem_from_csv_path(tmp_path):
    (tmp_path / "mu.csv").write_text(GOOD)
    p = Problem.from_csv(tmp_path / "mu.csv", metric="abs", constraint="max")
    assert p.labels == ("cat", "dog") and p.positions == (1.0, 2.5) and p.cost[0, 1] == 1.5


def test_missing_file_and_folder(tmp_path):
    assert "no mu file at" in error(read_mu_csv, tmp_path / "nope.csv")
    assert "is a folder" in error(read_mu_csv, tmp_path)
    assert "abs, squared, hamming" in error(Problem.from_csv, GOOD.encode(), metric="squard")


def test_unreadable_source_type():
    assert "from int" in error(read_mu_csv, 5)


# -- encodings --------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_byte_order_marks(encoding):
    data = GOOD.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(encoding) + data
    assert read_mu_csv(data)[1] == ["cat", "dog"]


def test_bom_in_a_text_stream_and_crlf_lines():
    assert read_mu_csv(io.StringIO("\ufeff" + GOOD.replace("\n", "\r\n")))[0] == [1.0, 2.5]


def test_not_utf8_names_the_byte():
    msg = read_error("x,café\n1,1\n".encode("latin-1"))
    assert "not UTF-8" in msg and "0xe9" in msg and "byte 6" in msg


@pytest.mark.parametrize("data", [b"x,a\n1,\x001\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"x,a\n1,\x071\n"])
def test_binary_content(data):
    assert read_error(data) == "The file is not text (it contains binary bytes); save it as CSV (UTF-8)."


def test_utf16_without_bom_is_not_text():
    assert "not text" in read_error(GOOD.encode("utf-16-le"))


# -- shape of the file ------------------------------------------------------------------------
@pytest.mark.parametrize("content", ["", "\n\n  \n", ",,\n"])
def test_empty_file(content):
    assert "The file is empty" in read_error(content)


def test_header_only():
    assert "header but no data rows" in read_error("x,a,b\n\n")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("y,a\n1,1\n", "must start with x; its first cell is 'y'"),
        ("1,0.5\n2,0.5\n", "must start with x; its first cell is '1'"),
        ("x\n1\n", "only one column; it needs x and at least one label column"),
        ("x;a;b\n1;0.5;0.5\n", "separated by semicolons"),
        ("x\ta\n1\t1\n", "separated by tabs"),
        ("x,a,,b\n1,0.5,0,0.5\n", "Column 3 (C) of the header is empty"),
    ],
)
def test_bad_header(content, words):
    assert words in read_error(content)


def test_header_may_be_capital_x_or_empty():
    assert read_mu_csv(b"X,a\n1,1\n")[1] == ["a"]
    assert read_mu_csv(b",a\n1,1\n")[1] == ["a"]


def test_ragged_rows():
    assert read_error("x,a,b,c,d\n1,1,0,0,0\n2,0,0\n") == "Row 3 has 3 cells; the header has 5."
    assert read_error("x,a\n1,0.5,0.5\n") == "Row 2 has 3 cells; the header has 2."


def test_trailing_empty_cells_are_ignored():
    _, labels, mu = read_mu_csv(b"x,a,b,,\n1,0.5,0.5,,\n2,0,0\n")
    assert labels == ["a", "b"] and mu.shape == (2, 2)


def test_blank_lines_are_skipped_but_counted():
    positions, _, _ = read_mu_csv(b"\nx,a\n\n1,0.5\n\n2,0.5\n\n")
    assert positions == [1.0, 2.0]
    assert read_error("x,a\n\n\n1,0.5\n2,abc\n") == "The cell in row 5 (x = 2), column 'a' is 'abc', not a number."
    assert "header (row 3)" in read_error("\n\ny,a\n1,1\n")


def test_rows_are_records_not_lines():
    # a quoted label with a line break is one spreadsheet row
    want = "The cell in row 2 (x = 1), column 'two\\nlines' is 'abc', not a number."
    assert read_error('x,"two\nlines"\n1,abc\n') == want


def test_unclosed_quote():
    assert "Row 3 is not valid CSV" in read_error('x,a\n1,0.5\n2,"0.5\n')


def test_duplicate_labels():
    msg = read_error("x,cat,dog, cat\n1,0.2,0.3,0.5\n")
    assert msg == "Columns 2 and 4 (B and D) of the header have the same label 'cat'; labels must differ."


# -- numbers ----------------------------------------------------------------------------------
def test_number_formats():
    positions, _, mu = read_mu_csv(b'x,a,b\n -1e-3 ,1e-1, 0.2 \n+2,"0.3",.4\n')
    assert positions == [-0.001, 2.0]
    np.testing.assert_array_equal(mu, [[0.1, 0.2], [0.3, 0.4]])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x,cat\n1,abc\n", "The cell in row 2 (x = 1), column 'cat' is 'abc', not a number."),
        ("x,cat\n1,50%\n", "The cell in row 2 (x = 1), column 'cat' is '50%', not a number."),
        ("x,cat\none,1\n", "The cell in row 2, column 'x' is 'one', not a number."),
        ("x,cat,dog\n1,0.5, \n", "The cell in row 2 (x = 1), column 'dog' is empty; it needs a number."),
    ],
)
def test_non_numeric_cells(content, message):
    assert read_error(content) == message


@pytest.mark.parametrize(("cell", "word"), [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf")])
def test_nan_and_inf_parse_then_problem_rejects_them(cell, word):
    data = f"x,a,b\n1,0.5,0.25\n2,{cell},0.25\n".encode()
    assert not math.isfinite(read_mu_csv(data)[2][1, 0])
    msg = error(Problem.from_csv, data)
    assert f"row 3 (x = 2), column 'a' is {word}" in msg and "finite" in msg


def test_problem_rejects_a_file_that_does_not_sum_to_one():
    assert "sums to 1.1" in error(Problem.from_csv, b"x,a,b\n1,0.5,0.6\n")
    assert Problem.from_csv(b"x,a,b\n1,1,3\n", normalise=True).mu[0, 1] == 0.75


def test_duplicate_positions_from_a_file():
    data = b"x,a\n1,0.5\n1,0.5\n"
    assert "Feature values 1 and 2 have the same position 1" in error(Problem.from_csv, data, metric="abs")
    assert Problem.from_csv(data, metric="hamming").n == 2


# -- size limits ------------------------------------------------------------------------------
def test_byte_limit_on_bytes_streams_and_paths(tmp_path):
    big = b"x,a\n" + b" " * MAX_BYTES + b"\n"
    file = tmp_path / "big.csv"
    file.write_bytes(big)
    for source in (big, io.BytesIO(big), io.StringIO(big.decode()), file):
        assert "limit of 5 MB" in error(read_mu_csv, source)


def test_row_limit():
    rows = "".join(f"{i},1\n" for i in range(MAX_ROWS + 1))
    assert "more than 2,000 data rows" in read_error("x,a\n" + rows)
    assert read_mu_csv(("x,a\n" + rows[: rows.rindex(f"{MAX_ROWS},")]).encode())[2].shape == (MAX_ROWS, 1)


def test_column_limit():
    header = "x," + ",".join(f"y{j}" for j in range(MAX_COLUMNS + 1))
    assert "201 label columns; the limit is 200" in read_error(header + "\n1" + ",0" * (MAX_COLUMNS + 1) + "\n")
    ok = "x," + ",".join(f"y{j}" for j in range(MAX_COLUMNS)) + "\n1" + ",0" * MAX_COLUMNS + "\n"
    assert len(read_mu_csv(ok.encode())[1]) == MAX_COLUMNS


# -- metric files -----------------------------------------------------------------------------
def test_read_metric(tmp_path):
    np.testing.assert_array_equal(read_metric_csv(METRIC.encode()), [[0, 2], [3, 0]])
    (tmp_path / "d.csv").write_text(METRIC)
    mu = b"x,a\n1,0.5\n2.5,0.5\n"
    for metric in (str(tmp_path / "d.csv"), tmp_path / "d.csv", METRIC.encode(), io.StringIO(METRIC)):
        p = Problem.from_csv(mu, metric=metric)
        assert p.metric == "custom" and p.cost[1, 0] == 3.0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("x,1,2\n1,0,1\n", "must be square: its header names 2 feature value(s) but it has 1 row(s)"),
        ("x,1,2\n1,0,1\n2,1,0\n3,1,1\n", "names 2 feature value(s) but it has 3 row(s)"),
        ("x,1,2\n1,0\n2,1,0\n", "Row 2 has 2 cells; the header has 3."),
        ("x,1,2\n1,0,far\n2,1,0\n", "The cell in row 2 (x = 1), column '2' is 'far', not a number."),
        ("x,1,2\n2,1,0\n1,0,1\n", "Row 2 is for '2' but column 2 (B) of the header is '1'"),
        ("x,,2\n1,0,1\n2,1,0\n", "Column 2 (B) of the header is empty; every feature value needs a name."),
    ],
)
def test_bad_metric_file(content, words):
    assert words in error(read_metric_csv, content.encode())


def test_metric_row_names_match_as_numbers_or_text():
    assert read_metric_csv(b"x,1,2\n1.0,0,1\n2e0,1,0\n").shape == (2, 2)
    assert read_metric_csv(b"x,low,high\nlow,0,1\nhigh,1,0\n").shape == (2, 2)


@pytest.mark.parametrize(
    ("content", "words"),
    [("x,1,2\n1,0,-1\n2,1,0\n", "negative (-1)"), ("x,1,2\n1,0.5,1\n2,1,0\n", "to itself) is 0.5"),
     ("x,1,2,3\n1,0,1,1\n2,1,0,1\n3,1,1,0\n", "3-by-3 but the table has 2")],
)
def test_metric_values_checked_by_problem(content, words):
    assert words in error(Problem.from_csv, b"x,a\n1,0.5\n2,0.5\n", metric=content.encode())


# -- writing ----------------------------------------------------------------------------------
def test_formulas_are_neutralised_in_labels_only():
    p = Problem.from_arrays([[0.25, 0.25, 0.25, 0.25]], positions=[-1.5],
                            labels=["=SUM(A1:A9)", "+x", "-x", "@cmd"])
    text = write_mu_csv(p)
    assert text.splitlines() == ["x,'=SUM(A1:A9),'+x,'-x,'@cmd", "-1.5,0.25,0.25,0.25,0.25"]
    assert read_mu_csv(text.encode())[1] == list(p.labels)


def test_numeric_labels_stay_numbers():
    """'-1' and '+1' are numbers, not formulas: written as they are (a quoted '-1 came back as text in a
    spreadsheet); '-1+2' would be a formula and keeps its quote; a quoted old file still reads back."""
    p = Problem.from_arrays([[0.25, 0.25, 0.25, 0.25]], labels=["-1", "+1", "2.5e-3", "-1+2"])
    text = write_mu_csv(p)
    assert text.splitlines()[0] == "x,-1,+1,2.5e-3,'-1+2"
    assert read_mu_csv(text.encode())[1] == list(p.labels)
    assert read_mu_csv(b"x,'-1,'+1\n1,0.5,0.5\n")[1] == ["-1", "+1"]


def test_labels_that_start_with_a_quote_survive():
    p = Problem.from_arrays([[0.5, 0.5]], labels=["'=a", "'plain"])
    assert read_mu_csv(write_mu_csv(p).encode())[1] == ["'=a", "'plain"]


def test_round_trip_of_awkward_numbers_and_labels():
    mu = np.array([[1e-300, 0.1, 1 / 3], [0.0, 5e-324, 1 - 0.1 - 1 / 3 - 1e-300]])
    p = Problem.from_arrays(mu, positions=[-0.0, 1e-17], labels=['a,b', 'say "hi"', "ünï"], metric="abs")
    positions, labels, back = read_mu_csv(write_mu_csv(p).encode())
    assert tuple(positions) == p.positions and tuple(labels) == p.labels
    assert np.array_equal(back, p.mu)


def test_metric_round_trip():
    p = Problem.from_arrays([[0.5], [0.5]], positions=[0.1, 0.7], metric=[[0, 1 / 3], [2 / 3, 0]])
    assert np.array_equal(read_metric_csv(write_metric_csv(p).encode()), p.cost)


# -- scenario files ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "p",
    [
        Problem.from_arrays([[0.1, 0.2], [0.3, 0.4]], labels=["a", "=b"], name="mine", description="é \"q\""),
        Problem.from_arrays([[0.5], [0.5]], metric=[[0, 1], [2, 0]], constraint="max"),
        Problem.from_arrays([[0.2, 0.3], [0.5, 0]], positions=[-1, 1e-9], metric="abs", constraint="joint",
                            label_cost=0.7),
    ],
)
def test_scenario_round_trip(p):
    text = problem_to_json(p)
    for source in (text, text.encode(), text.encode("utf-8-sig"), io.BytesIO(text.encode())):
        back = problem_from_json(source)
        assert back == p and back.to_dict() == p.to_dict()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON (line 1, column 2"),
        ("", "not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"name": "a"}', "no 'mu' key"),
        ('{"mu": [[1]], "metrc": "abs"}', "unknown key 'metrc'"),
        ('{"mu": "0.5"}', "mu must be a list; it is the text '0.5'"),
        ('{"mu": [[0.5, "0.5"]]}', "mu[0][1] must be a number; it is the text '0.5'"),
        ('{"mu": [[0.5, true]]}', "mu[0][1] must be a number; it is true"),
        ('{"mu": [[0.5, 0.5], [0]]}', "mu[1] has 1 entries but mu[0] has 2"),
        ('{"mu": [[1]], "labels": "a"}', "labels must be a list"),
        ('{"mu": [[1]], "labels": [1]}', "labels[0] must be text; it is the number 1"),
        ('{"mu": [[1]], "positions": [null]}', "positions[0] must be a number; it is null"),
        ('{"mu": [[1]], "metric": 2}', "metric must be a list; it is the number 2"),
        ('{"mu": [[1]], "constraint": {}}', "constraint must be text; it is an object"),
        ('{"mu": [[1]], "label_cost": "1"}', "label_cost must be a number"),
        ('{"mu": [[NaN, 1]]}', "row 2 (x = 1), column '1' is nan"),
        ('{"mu": [[1e999]]}', "is inf"),
        ('{"mu": [[1' + "0" * 400 + ']]}', "is inf"),
        ('{"mu": [[1]], "metric": "euclid"}', "Unknown metric 'euclid'"),
    ],
)
def test_bad_scenario(text, words):
    assert words in error(problem_from_json, text)


def test_scenario_binary_and_type():
    assert "save it as JSON" in error(problem_from_json, b"\x00{}")
    assert "from int" in error(problem_from_json, 3)


# -- properties -------------------------------------------------------------------------------
LABEL = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=8).map(str.strip)


@st.composite
def problems(draw) -> Problem:
    """A small valid problem with awkward labels (quotes, commas, formula starts) and positions."""
    mu = draw(tables(max_n=6, max_m=4))
    n, m = mu.shape
    labels = draw(st.lists(LABEL.filter(bool), min_size=m, max_size=m, unique=True))
    positions = draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n, unique_by=lambda x: x + 0.0))
    kind = draw(st.sampled_from(["expected", "max", "joint"]))
    return Problem.from_arrays(mu, positions, labels, metric=draw(st.sampled_from(["abs", "squared", "hamming"])),
                               constraint=kind, label_cost=draw(st.sampled_from([0.0, 0.5, 2.0])))


@settings(max_examples=examples(150))
@given(problems())
def test_csv_round_trip_is_exact(p):
    positions, labels, mu = read_mu_csv(write_mu_csv(p).encode())
    assert tuple(positions) == p.positions and tuple(labels) == p.labels
    assert np.array_equal(mu, p.mu)
    assert Problem.from_arrays(mu, positions, labels, p.metric, p.constraint, p.label_cost) == p


@settings(max_examples=examples(100))
@given(problems())
def test_json_round_trip_is_exact(p):
    back = problem_from_json(problem_to_json(p))
    assert back == p and back.to_dict() == p.to_dict()


CSVISH = st.text(alphabet=",\n\r x01.5e-+naif\"';\t\ufeff", max_size=120)
SOURCES = st.one_of(st.binary(max_size=200), CSVISH.map(str.encode), CSVISH.map(io.StringIO),
                    st.text(max_size=80).map(lambda t: t.encode("utf-8")))


@settings(max_examples=examples(300))
@given(SOURCES)
def test_readers_raise_only_problem_errors(source):
    for read in (read_mu_csv, read_metric_csv, Problem.from_csv):
        if isinstance(source, io.StringIO):
            source.seek(0)
        with contextlib.suppress(ProblemError):
            read(source)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=20,
)
SCENARIOS = st.dictionaries(st.sampled_from(["mu", "metric", "positions", "labels", "constraint", "label_cost"]),
                            JSON_VALUES, max_size=6)


@settings(max_examples=examples(300))
@given(st.one_of(SCENARIOS.map(json.dumps), st.binary(max_size=100), st.text(max_size=100)))
def test_scenario_reader_raises_only_problem_errors(source):
    with contextlib.suppress(ProblemError):
        problem_from_json(source)
