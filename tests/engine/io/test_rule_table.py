"""engine.io.rule_table: a model's probabilities on the grid, written as the template and read back, and a sentence
for each bad table."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import ProblemError
from engine.io.binning import from_samples
from engine.io.rule_table import grid_table, read_rule_table
from engine.io.samples import load_dataset


@pytest.fixture(scope="module")
def binning():
    return from_samples(load_dataset("iris"), features=[2, 3], bins=4).binning


def test_the_template_reads_back(binning):
    rng = np.random.default_rng(0)
    q = rng.dirichlet(np.ones(3), 16)
    text = grid_table(binning, q)
    assert text.splitlines()[0] == "cell,petal length (cm),petal width (cm),setosa,versicolor,virginica"
    np.testing.assert_allclose(read_rule_table(text.encode(), binning), q, rtol=0, atol=1e-15)
    np.testing.assert_allclose(read_rule_table(grid_table(binning).encode(), binning), 1 / 3)


def test_label_columns_in_any_order_and_coordinates_optional(binning):
    lines = ["cell,virginica,setosa,versicolor"] + [f"{c + 1},0.5,0.25,0.25" for c in range(16)]
    q = read_rule_table("\n".join(lines).encode(), binning)
    np.testing.assert_allclose(q[0], [0.25, 0.25, 0.5])


def table(edit):
    lines = grid_table(load_dataset_binning()).splitlines()
    return "\n".join(edit(lines)).encode()


def load_dataset_binning():
    return from_samples(load_dataset("iris"), features=[2, 3], bins=4).binning


BAD = [
    ("no cell column", lambda ls: [ls[0].replace("cell", "id")] + ls[1:], "must be 'cell'"),
    ("a label missing", lambda ls: [ls[0].replace("virginica", "v")] + ls[1:], "no column for the label 'virginica'"),
    ("a cell missing", lambda ls: ls[:-1], "no row for cell 16"),
    ("a cell twice", lambda ls: ls + [ls[1]], "Row 18 repeats cell 1 (first given in row 2)"),
    ("a bad cell number", lambda ls: [ls[0], "17" + ls[1][1:]] + ls[2:], "cells are numbered 1 to 16"),
    ("not a number", lambda ls: [ls[0], ls[1].rsplit(",", 1)[0] + ",abc"] + ls[2:],
     "Row 2, column 'virginica' is 'abc'"),
    ("not a probability", lambda ls: [ls[0], ls[1].rsplit(",", 1)[0] + ",1.5"] + ls[2:], "between 0 and 1"),
    ("rows not summing to 1", lambda ls: [ls[0], ls[1].rsplit(",", 1)[0] + ",0.9"] + ls[2:], "sum to"),
]


@pytest.mark.parametrize("what, edit, words", BAD, ids=[b[0] for b in BAD])
def test_each_bad_table_gets_a_sentence(binning, what, edit, words):
    with pytest.raises(ProblemError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_rule_table(table(edit), binning)
