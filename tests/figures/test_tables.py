"""figures.tables: heatmaps of mu, nu*, q* and release channels carry the engine's tables cell for cell."""

from __future__ import annotations

import html

import numpy as np
import plotly.colors
import pytest

import engine
from figures.style import plain
from figures.tables import describe_table, table_heatmap

EPS = 0.5


@pytest.fixture(scope="module")
def solved(figure2):
    return engine.worst_case(figure2, EPS)


def _cividis(trace) -> bool:
    return [c for _, c in trace.colorscale] == list(plotly.colors.sequential.Cividis)


@pytest.mark.parametrize("which", ["mu", "nu", "q"])
def test_heatmap_carries_the_table(figure2, solved, which):
    """As the worst-case page draws them: z is the table itself, written in the cells to 3 decimals."""
    table = {"mu": figure2.mu, "nu": solved.nu, "q": solved.q}[which]
    zmax = 1.0 if which == "q" else None
    fig = table_heatmap(table, figure2.positions, figure2.labels, f"The table {which}", which, zmax=zmax)
    assert len(fig.data) == 1
    h = fig.data[0]
    assert h.type == "heatmap"
    np.testing.assert_array_equal(np.asarray(h.z, dtype=float), table)
    assert np.asarray(h.text).tolist() == [[f"{v:.3f}" for v in row] for row in table]
    assert h.texttemplate == "%{text}"
    assert list(h.x) == list(figure2.labels)
    assert list(h.y) == [f"{p:g}" for p in figure2.positions]
    assert h.zmin == 0.0
    assert h.zmax == (1.0 if which == "q" else pytest.approx(float(np.max(table))))
    assert _cividis(h)
    assert h.colorbar.title.text == which
    assert f"{which}=%{{z:.6f}}" in h.hovertemplate
    assert fig.layout.title.text == f"The table {which}"


def test_engine_tables_are_what_the_heatmaps_show(figure2, solved):
    """The numbers behind the pictures: mu and nu* are joint laws, q* a conditional (rows sum to 1)."""
    for table in (figure2.mu, solved.nu):
        assert table.shape == (figure2.n, figure2.m)
        assert np.all(table >= -1e-12) and np.sum(table) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(solved.q.sum(axis=1), 1.0, atol=1e-9)
    # the attacker moves features only: nu* keeps mu's label marginal
    np.testing.assert_allclose(solved.nu.sum(axis=0), figure2.mu.sum(axis=0), atol=1e-9)


def test_axes_are_categories_with_the_first_row_on_top(figure2):
    fig = table_heatmap(figure2.mu, figure2.positions, figure2.labels, "mu", "mu")
    assert fig.layout.xaxis.type == "category" and fig.layout.xaxis.side == "bottom"
    assert fig.layout.yaxis.type == "category" and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "label y"
    assert fig.layout.yaxis.title.text == "feature x"


@pytest.mark.parametrize("name", ["binary-source", "figure2", "two-gaussians"])
def test_height_grows_with_the_rows(name):
    p = engine.load_preset(name)
    fig = table_heatmap(p.mu, p.positions, p.labels, "mu", "mu")
    assert fig.layout.height == max(300, 60 + 32 * p.n)


def test_an_all_zero_table_keeps_a_positive_colour_range():
    fig = table_heatmap(np.zeros((2, 2)), [0.0, 1.0], ["a", "b"], "zeros", "v")
    assert fig.data[0].zmax > fig.data[0].zmin == 0.0


def test_release_mechanism_as_the_privacy_page_draws_it():
    """Rows named 'x, y=label' (strings, escaped as user text), columns the released z, zmax 1."""
    p = engine.load_preset("binary-source")
    curve = engine.privacy_curve(p, [0.0, 0.1, 0.2])
    k = 1
    mech = np.array([[curve.mechanisms[k][x, y, :, y] for y in range(p.m)] for x in range(p.n)]).reshape(p.n * p.m, p.n)
    rows = [f"{x:g}, y={lab}" for x in p.positions for lab in p.labels]
    keep = p.mu.ravel() > 0
    fig = table_heatmap(mech[keep], list(np.array(rows)[keep]), [f"{z:g}" for z in p.positions],
                        "P(Z = z | X = x, Y = y)", "P", zmax=1.0, x_title="released z", y_title="row")
    h = fig.data[0]
    np.testing.assert_array_equal(np.asarray(h.z, dtype=float), mech[keep])
    np.testing.assert_allclose(np.asarray(h.z, dtype=float).sum(axis=1), 1.0, atol=1e-9)  # each row a law
    assert list(h.y) == ["0, y=0", "1, y=1"]
    assert list(h.x) == ["0", "1"]
    assert h.zmax == 1.0
    assert fig.layout.xaxis.title.text == "released z" and fig.layout.yaxis.title.text == "row"
    # Hamming distortion eps = 0.1 on a Bernoulli(0.3) bit: the release flips each bit with mass 0.1 in all
    flips = mech[keep][0, 1] * p.mu[0, 0] + mech[keep][1, 0] * p.mu[1, 1]
    assert flips == pytest.approx(0.1, abs=1e-6)


def test_labels_and_string_positions_are_escaped(hostile_problem, hostile_worst, strings):
    """Problem labels are user text: they reach plotly.js as entities, never as tags."""
    p = hostile_problem
    for table in (p.mu, hostile_worst.nu, hostile_worst.q):
        fig = table_heatmap(table, p.positions, p.labels, "t", "v")
        assert list(fig.data[0].x) == [plain(s) for s in p.labels]
        texts = strings(fig)
        assert not any("<img" in s or "<b>" in s for s in texts)
        assert "&lt;img src=x onerror=alert(1)&gt;" in texts
    fig = table_heatmap(np.eye(2), ["<i>x</i>", "y & z"], ["a", "b"], "t", "v")
    assert list(fig.data[0].y) == ["&lt;i&gt;x&lt;/i&gt;", "y &amp; z"]


def test_numeric_positions_are_formatted_not_escaped():
    fig = table_heatmap(np.eye(3), [0.5, 2, np.float64(1e-7)], ["a", "b", "c"], "t", "v")
    assert list(fig.data[0].y) == ["0.5", "2", "1e-07"]


# -- describe_table ---------------------------------------------------------------------------------
def test_describe_table_names_shape_and_largest_cell(figure2, solved):
    for name, table in (("mu", figure2.mu), ("nu*", solved.nu), ("q*", solved.q)):
        text = describe_table(f"the table {name}", table, figure2.positions, figure2.labels)
        i, j = np.unravel_index(int(np.argmax(table)), table.shape)
        assert text.startswith(f"Heatmap of the table {name}: ")
        assert f"{figure2.n} feature values by {figure2.m} labels" in text
        assert f"the largest entry is {table[i, j]:.3f}" in text
        assert f"x = {figure2.positions[i]:g}, y = {figure2.labels[j]}." in text
        assert text.endswith(".")


def test_describe_table_keeps_labels_as_typed(hostile_problem):
    """Alt text is plain text (no Plotly markup): the label appears as the user typed it."""
    p = hostile_problem
    text = describe_table("mu", p.mu, p.positions, p.labels)
    assert text.endswith(f"x = 0, y = {p.labels[0]}.")
    assert html.escape(p.labels[0]) not in text


def test_every_row_keeps_its_own_category():
    """Repeated positions (allowed with the hamming and custom metrics) must not share a category."""
    p = engine.Problem.from_arrays([[0.3, 0.1], [0.1, 0.2], [0.2, 0.1]], positions=[1.0, 1.0, 2.0],
                                   labels=["a", "b"], metric="hamming")
    fig = table_heatmap(p.mu, p.positions, p.labels, "mu", "mu")
    assert len(set(fig.data[0].y)) == p.n


def test_describe_table_accepts_the_string_rows_table_heatmap_accepts():
    text = describe_table("the release", np.array([[0.9, 0.1], [0.2, 0.8]]), ["0, y=0", "1, y=1"], ["0", "1"])
    assert "x = 0, y=0, y = 0" in text
