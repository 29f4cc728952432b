"""engine.io.samples and engine.io.binning: the binned counts are the data's, nothing is dropped silently, and every
bad input gets a sentence naming its row or column."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import engine
from engine.errors import ProblemError
from engine.io.binning import MAX_BINS, MIN_SAMPLES, BinnedProblem, from_samples, grid_cost
from engine.io.samples import load_dataset, read_samples_csv


def rows(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = [f"{rng.normal():.6f},{rng.normal():.6f},{rng.normal():.6f},{'ab'[i % 2]}" for i in range(n)]
    return "x,y,z,label\n" + "\n".join(lines) + "\n"


def csv_with(cells: dict[tuple[int, int], str], n: int = 20) -> bytes:
    """``rows(n)`` with some cells replaced: (sample index, column index) -> text."""
    lines = rows(n).splitlines()
    for (i, j), text in cells.items():
        parts = lines[i + 1].split(",")
        parts[j] = text
        lines[i + 1] = ",".join(parts)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris")


def test_binned_counts_are_the_data_counts(iris):
    p = from_samples(iris, features=[2, 3], bins=20, cost="l2")
    b = p.binning
    assert isinstance(p, BinnedProblem) and p.n == 400 and p.m == 3
    assert b.samples_used == 150 and b.rows_total == 150 and b.refused == ()
    # an independent histogram of the standardised values with the same edges
    z = (iris.values[:, [2, 3]] - iris.values[:, [2, 3]].mean(axis=0)) / iris.values[:, [2, 3]].std(axis=0)
    for k, name in enumerate(b.labels):
        pick = np.array([label == name for label in iris.labels])
        edges = [e + np.r_[-1e-12, np.zeros(len(e) - 2), 1e-12] for e in b.edges]  # the extremes' rounding
        hist, _, _ = np.histogram2d(z[pick, 0], z[pick, 1], bins=edges)
        np.testing.assert_array_equal(b.counts[:, k].reshape(20, 20), hist)
        assert b.counts[:, k].sum() == pick.sum() == 50
    np.testing.assert_allclose(p.mu, b.counts / 150, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(b.point_rows, np.arange(1, 151))


def test_rows_refused_are_listed_with_their_reason():
    data = csv_with({(2, 1): "", (5, 0): "abc", (7, 3): "NA"})
    s = read_samples_csv(data, label="label")
    p = from_samples(s, features=["x", "y"], bins=5, drop_bad_rows=True)
    b = p.binning
    assert b.rows_total == 20 and b.samples_used == 17 and int(b.counts.sum()) == 17
    assert dict(b.refused) == {4: "row 4 has no value in column 'y'",
                               7: "row 7 has 'abc' in column 'x', not a finite number",
                               9: "row 9 has no label (column 'label')"}
    assert set(b.point_rows) == set(range(2, 22)) - {4, 7, 9}
    assert "17 of 20 rows used, 3 left out" in b.summary()


def test_a_column_not_used_may_hold_anything():
    p = from_samples(read_samples_csv(csv_with({(3, 2): "n/a", (4, 2): "text"})), features=["x", "y"], bins=4)
    assert p.binning.samples_used == 20


BAD = [
    ("missing value", csv_with({(2, 1): ""}), {"features": ["x", "y"]},
     ("Row 4", "no value", "column 'y'", "drop_bad_rows")),
    ("non-number in a used column", csv_with({(5, 0): "abc"}), {"features": ["x", "y"]},
     ("Row 7", "'abc'", "column 'x'")),
    ("non-numeric column", b"x,name,label\n" + b"".join(b"%d,n%d,%s\n" % (i, i, b"ab"[i % 2:i % 2 + 1])
                                                         for i in range(20)), {"features": ["x", "name"]},
     ("column 'name'", "not numeric", "row 2", "'n0'")),
    ("constant feature", b"x,c,label\n" + b"".join(b"%d,3.5,%s\n" % (i, b"ab"[i % 2:i % 2 + 1]) for i in range(20)),
     {"features": ["x", "c"]}, ("'c'", "constant", "3.5")),
    ("single class", b"x,y,label\n" + b"".join(b"%d,%d,a\n" % (i, i * i) for i in range(20)), {},
     ("the label 'a'", "two labels")),
    ("too few samples", b"x,y,label\n" + b"".join(b"%d,%d,%s\n" % (i, i * i, b"ab"[i % 2:i % 2 + 1])
                                                   for i in range(MIN_SAMPLES - 1)), {},
     (f"Only {MIN_SAMPLES - 1} rows", f"at least {MIN_SAMPLES}")),
    ("label with one sample", csv_with({(6, 3): "c"}), {"features": ["x"]},
     ("label 'c'", "single sample", "row 8", "at least two")),
    ("no label", csv_with({(0, 3): ""}), {}, ("Row 2", "no label", "column 'label'")),
    ("unknown feature", rows(20).encode(), {"features": ["x", "w"]}, ("no feature column 'w'", "'x'", "'z'")),
    ("feature out of range", rows(20).encode(), {"features": [0, 7]}, ("no feature 7", "0 to 2")),
    ("the label as a feature", rows(20).encode(), {"features": ["label"]}, ("'label'", "label column")),
    ("three features", rows(20).encode(), {"features": [0, 1, 2]}, ("one or two features", "got 3")),
    ("too many bins", rows(20).encode(), {"bins": MAX_BINS + 1}, ("from 2 to 30", "31")),
    ("fractional bins", rows(20).encode(), {"bins": 2.5}, ("whole number", "2.5")),
    ("unknown cost", rows(20).encode(), {"cost": "l3"}, ("Unknown cost 'l3'", "l2, l1, linf, sql2")),
    ("unknown binning", rows(20).encode(), {"method": "kmeans"}, ("Unknown binning method", "uniform, quantile")),
]


@pytest.mark.parametrize("what, data, options, words", BAD, ids=[b[0] for b in BAD])
def test_each_bad_input_gets_a_sentence(what, data, options, words):
    with pytest.raises(ProblemError) as err:
        from_samples(read_samples_csv(data), **options)
    message = str(err.value)
    for word in words:
        assert word in message, (what, message)
    assert message.endswith(".") and "\n" not in message


def test_bad_files_get_a_sentence():
    cases = [(b"", "empty"), (b"x\n1\n", "at least one feature column"), (b"x,,label\n1,2,a\n", "no name"),
             (b"x,x,label\n1,2,a\n", "named 'x'"), (b"x,y,label\n1,2,a,4\n", "Row 2 has 4 cells")]
    for data, words in cases:
        with pytest.raises(ProblemError, match=words):
            read_samples_csv(data)
    with pytest.raises(ProblemError, match="no label column 'kind'"):
        read_samples_csv(rows(20).encode(), label="kind")
    with pytest.raises(ProblemError, match="Unknown data set 'mnist'"):
        load_dataset("mnist")
    with pytest.raises(ProblemError, match="20 samples but 3 labels"):
        from_samples(np.zeros((20, 2)), [0, 1, 2])


def test_arrays_and_a_one_dimensional_grid():
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(-1, 1, 40), rng.normal(1, 1, 40)]
    y = np.r_[np.zeros(40, int), np.ones(40, int)]
    p = from_samples(x, y, bins=12, cost="sql2")
    assert p.binning.dims == 1 and p.n == 12 and p.labels == ("0", "1") and p.metric == "squared"
    np.testing.assert_allclose(p.positions, p.binning.centres[:, 0])
    assert from_samples(x, y, bins=12, cost="linf").metric == "abs"


def test_costs_between_centres():
    c = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert grid_cost(c, "l2")[0, 1] == 5.0 and grid_cost(c, "l1")[0, 1] == 7.0
    assert grid_cost(c, "linf")[0, 1] == 4.0 and grid_cost(c, "sql2")[0, 1] == 25.0


def test_pca_and_quantile_bins_say_what_they_did():
    digits = from_samples(load_dataset("digits"), features="pca", bins=10)
    assert digits.binning.axes == ("PC1", "PC2") and digits.binning.loadings.shape == (64, 2)
    assert any("constant column" in note and "'pixel_0_0'" in note for note in digits.binning.notes)
    np.testing.assert_allclose(digits.binning.points.std(axis=0), 1.0)
    x = np.r_[np.zeros(30), np.arange(30.0)]
    p = from_samples(x, np.arange(60) % 2, bins=10, method="quantile")
    assert p.binning.bins[0] < 10 and any("tied values" in note for note in p.binning.notes)
    assert int(p.binning.counts.sum()) == 60


def test_a_binned_problem_is_a_problem():
    p = engine.from_samples(load_dataset("wine"), features=[0, 1], bins=8, cost="l1")
    plain = engine.Problem.from_arrays(p.mu, p.positions, p.labels, p.cost)
    assert p == plain and hash(p) == hash(plain) and p.key == plain.key
    ball = p.replace(constraint="max")
    assert ball.constraint == "max" and ball.binning is p.binning
    back = pickle.loads(pickle.dumps(p))
    assert back == p and back.binning.samples_used == 178
    with pytest.raises(AttributeError):  # frozen
        p.mu = None
