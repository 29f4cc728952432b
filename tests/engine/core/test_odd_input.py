"""Odd input, fuzzed (issue 6): every Problem field and both file readers, fed what a lecture hall uploads.

Each input gets a clear sentence (one ProblemError naming the bad value) or a correct answer; size limits
are stated before any work (a million rows or thousands of columns are refused on reading, not after
solving); and labels that look like formulas or HTML survive as plain text, with exported CSV cells and
headers neutralised.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cond_entropy, examples

import engine
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.formats.cells import neutralise_cell
from engine.formats.tables import MAX_COLUMNS, MAX_ROWS, read_mu_csv, write_mu_csv
from engine.formats.text import MAX_BYTES
from engine.io.scenario import problem_from_json, problem_to_json

ODD_FLOATS = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e-300, 5e-324, 1e308, -1e-300, 1.0, 0.5]
ODD_THINGS = [None, True, "", " ", "0.5", "abc", "=1+1", [], [0.5], {"a": 1}, b"\x00", complex(1, 1)]
EVIL_LABELS = ['=HYPERLINK("http://evil.example","click")', "<img src=x onerror=alert(1)>", "+cmd|' /C calc'!A0",
               "@SUM(A1)", "-2+3", "[x](javascript:alert(1))", ":red[alarm]", "$x^2$", "a,b", 'say "hi"']


def sentence(message: str) -> None:
    assert message and message.endswith(".") and "\n" not in message and "Traceback" not in message, message


def build(**fields):
    """Problem.from_arrays with the fields given; a ProblemError must be one sentence."""
    try:
        return Problem.from_arrays(**fields)
    except ProblemError as error:
        sentence(str(error))
        return None


CELLS = st.one_of(st.sampled_from(ODD_FLOATS), st.sampled_from(ODD_THINGS), st.floats(allow_nan=True),
                  st.text(max_size=4))
TABLES = st.one_of(
    st.lists(st.lists(CELLS, min_size=0, max_size=4), min_size=0, max_size=4),
    st.sampled_from(ODD_THINGS), st.sampled_from(ODD_FLOATS),
)
POSITIONS = st.one_of(st.none(), st.lists(st.one_of(st.sampled_from(ODD_FLOATS), st.sampled_from(ODD_THINGS)),
                                          max_size=4), st.sampled_from(ODD_THINGS))
LABELS = st.one_of(st.none(), st.lists(st.one_of(st.sampled_from(EVIL_LABELS), st.text(max_size=5),
                                                 st.sampled_from(ODD_THINGS)), max_size=4))
METRICS = st.one_of(st.sampled_from(["abs", "squared", "hamming", "ABS", "euclid", "", None]), TABLES)
KINDS = st.sampled_from(["expected", "max", "joint", "Joint", "worst", "", None, 3])
KAPPAS = st.one_of(st.sampled_from(ODD_FLOATS), st.sampled_from(ODD_THINGS))


@settings(max_examples=examples(400), deadline=None)
@given(mu=TABLES, positions=POSITIONS, labels=LABELS, metric=METRICS, constraint=KINDS, label_cost=KAPPAS,
       normalise=st.booleans())
def test_every_field_gets_a_sentence_or_a_valid_problem(mu, positions, labels, metric, constraint, label_cost,
                                                         normalise):
    p = build(mu=mu, positions=positions, labels=labels, metric=metric, constraint=constraint,
              label_cost=label_cost, normalise=normalise)
    if p is not None:
        assert np.all(np.isfinite(p.mu)) and np.all(p.mu >= 0) and abs(p.mu.sum() - 1) <= 1e-9
        assert np.all((p.mu == 0) | (p.mu >= 1e-15))  # no solver ever sees a mass that rounds log(0)
        assert len(set(p.labels)) == p.m and all(isinstance(s, str) for s in p.labels)


@settings(max_examples=examples(60), deadline=None)
@given(tiny=st.sampled_from([1e-300, 5e-324, 1e-16, 1e-15, 1e-13, 1e-12]), kind=st.sampled_from(["expected", "max",
                                                                                             "joint"]),
       eps=st.sampled_from([0.0, 1e-300, 5e-324, 0.5, 1e308]))
def test_tiny_masses_and_extreme_budgets_get_a_certified_answer(tiny, kind, eps):
    mu = np.array([[0.5 - tiny, tiny], [0.25, 0.25]])
    p = build(mu=mu, positions=[0.0, 1.0], metric="abs", constraint=kind)
    assert p is not None
    w = engine.worst_case(p, eps)
    assert w.status == "verified" and w.certificate.gap <= 1e-6
    assert cond_entropy(p.mu) - 1e-9 <= w.value <= math.log(2) + 1e-12


def test_a_numeric_string_eps_is_read_as_its_number():
    p = engine.load_preset("binary-source")
    assert engine.worst_case(p, "0.25").value == engine.worst_case(p, 0.25).value


@pytest.mark.parametrize("eps", [math.nan, math.inf, -math.inf, -1e-300, "abc", "", None, [0.5], True])
def test_bad_eps_gets_a_sentence(eps):
    with pytest.raises(ProblemError) as info:
        engine.worst_case(engine.load_preset("binary-source"), eps)
    sentence(str(info.value))


def test_a_million_rows_are_refused_before_parsing():
    data = b"x,a\n" + b"1,0.000001\n" * 1_000_000
    assert len(data) > MAX_BYTES
    with pytest.raises(ProblemError) as info:
        read_mu_csv(data)
    sentence(str(info.value))
    assert "MB" in str(info.value)


def test_many_short_rows_within_the_byte_limit_are_refused_by_count():
    data = ("x,a\n" + "".join(f"{k},0\n" for k in range(MAX_ROWS + 5))).encode()
    assert len(data) <= MAX_BYTES
    with pytest.raises(ProblemError) as info:
        read_mu_csv(data)
    sentence(str(info.value))
    assert f"{MAX_ROWS:,}" in str(info.value) or str(MAX_ROWS) in str(info.value)


def test_thousands_of_columns_are_refused():
    header = "x," + ",".join(f"c{j}" for j in range(5000))
    with pytest.raises(ProblemError) as info:
        read_mu_csv((header + "\n1," + ",".join(["0"] * 5000) + "\n").encode())
    sentence(str(info.value))
    assert str(MAX_COLUMNS) in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_and_utf16_with_a_byte_order_mark_are_read(encoding):
    """The README's promise: UTF-8 (with or without a BOM) or UTF-16 with a byte-order mark."""
    positions, labels, mu = read_mu_csv("x,a,b\n1,0.25,0.25\n2,0.25,0.25\n".encode(encoding))
    assert positions == [1.0, 2.0] and labels == ["a", "b"] and np.allclose(mu, 0.25)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_other_encodings_are_refused_with_a_sentence(encoding):
    """UTF-16 without a BOM (and UTF-32) cannot be told from binary data: refused, with what to do instead."""
    with pytest.raises(ProblemError) as info:
        read_mu_csv("x,a,b\n1,0.25,0.25\n2,0.25,0.25\n".encode(encoding))
    sentence(str(info.value))
    assert "UTF-8" in str(info.value)


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"), (b"\xef\xbb\xbf", "empty"), (b"x,a\n", "no data rows"),
    (b"\x00\x01\x02\xff" * 50, "not text"), (b"x,a\n1\n2,0.5,0.5\n", "Row 2 has 1 cells"),
    (b"x,a,a\n1,0.5,0.5\n", "same label 'a'"), (b"x,a\n1,abc\n", "row 2 (x = 1), column 'a' is 'abc'"),
])
def test_odd_files_get_a_sentence_naming_the_problem(data, words):
    with pytest.raises(ProblemError) as info:
        read_mu_csv(data)
    sentence(str(info.value))
    assert words in str(info.value)


def test_a_negative_zero_cell_is_read_as_a_plain_zero():
    positions, labels, mu = read_mu_csv(b"x,a\n1,-0\n2,1\n")
    p = Problem.from_arrays(mu, positions, labels)
    assert p.mu.tolist() == [[0.0], [1.0]] and not np.signbit(p.mu).any()


@pytest.mark.parametrize("label", EVIL_LABELS)
def test_formula_and_html_labels_are_kept_as_text_and_neutralised_on_export(label):
    p = Problem.from_arrays([[0.25, 0.25], [0.25, 0.25]], positions=[1, 2], labels=[label, "safe"])
    assert p.labels[0] == label
    csv = write_mu_csv(p)
    header = csv.splitlines()[0]
    if label.startswith(("=", "+", "-", "@")):
        assert "'" + label[:3] in header  # a spreadsheet shows it as text, never runs it
    positions, labels, mu = read_mu_csv(csv.encode())
    assert labels[0] == label  # and our own reader gets the label back
    assert problem_from_json(problem_to_json(p)).labels[0] == label


@pytest.mark.parametrize("cell, safe", [("=1+1", "'=1+1"), ("+A1", "'+A1"), ("-A1", "'-A1"), ("@x", "'@x"),
                                        ("\tx", "'\tx"), ("fine", "fine"), (0.5, 0.5), (-0.5, -0.5)])
def test_neutralise_cell(cell, safe):
    assert neutralise_cell(cell) == safe
