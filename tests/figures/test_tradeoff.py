"""figures.tradeoff: both panels of Figure 2, the loss surface and the clean-versus-robust bars, on the engine's
TradeoffGrid and CleanVersusRobust for the figure2 preset."""

from __future__ import annotations

import math

import numpy as np
import plotly.colors
import pytest
from strategies import label_entropy

import engine
from figures.style import H_STAR_STYLE, OKABE_ITO
from figures.tradeoff import (
    _pick,
    clean_robust_bars,
    curve_colour,
    describe_clean_robust,
    describe_grid,
    figure2_left,
    figure2_right,
    loss_heatmap,
)

LN2 = math.log(2.0)
CERT = 1e-6  # the engine's certificate gap: h* is certified to within this
EPS = np.linspace(0.0, 2.0, 5)
ATTACKS = np.array([0.0, 1.0, 2.0])  # fewer attacks than rules: a transposed surface would show


@pytest.fixture(scope="module")
def grid(figure2):
    return engine.tradeoff_grid(figure2, EPS, EPS)


@pytest.fixture(scope="module")
def oblong(figure2):
    """Rules on 5 budgets, attacks on 3: loss is 3 x 5 (rows attacks, columns rules)."""
    return engine.tradeoff_grid(figure2, EPS, ATTACKS)


@pytest.fixture(scope="module")
def cvr(figure2):
    return engine.clean_vs_robust(figure2, 0.5)


def _lines(fig):
    return [t for t in fig.data if t.mode == "lines"]


def _f(values):
    return np.asarray(values, dtype=float)


# -- the grid itself ---------------------------------------------------------------------------------
def test_the_grid_is_figure_2(grid, figure2):
    """What the panels are meant to show, on the engine's numbers: the rule designed for an attack is the best
    against it (its loss is h*), and h* climbs from H(Y|X) towards H(Y)."""
    assert grid.status == "verified"
    assert grid.loss.shape == (len(EPS), len(EPS))
    np.testing.assert_allclose(np.diag(grid.loss), grid.h_star, atol=CERT)
    assert np.all(grid.loss >= grid.h_star[:, None] - CERT)
    assert grid.h_star[0] == pytest.approx(grid.h_y_given_x, abs=CERT)
    assert grid.h_y == pytest.approx(label_entropy(figure2.mu), abs=1e-12)
    assert np.all(np.diff(grid.h_star) >= -CERT) and grid.h_star[-1] <= grid.h_y + CERT


# -- left panel --------------------------------------------------------------------------------------
def test_left_panel_curves_are_the_rows_of_the_surface(grid):
    fig = figure2_left(grid)
    picked = _pick(grid.eps_attack, None)
    assert picked == list(range(len(EPS)))  # 5 attacks: all drawn (the spread is 6)
    assert len(fig.data) == 2 * len(picked)
    for k, i in enumerate(picked):
        line, mark = fig.data[2 * k], fig.data[2 * k + 1]
        assert line.mode == "lines" and mark.mode == "markers"
        np.testing.assert_array_equal(_f(line.x), grid.eps_rule)
        np.testing.assert_array_equal(_f(line.y), grid.loss[i])
        assert line.name == f"eps_attack = {grid.eps_attack[i]:.3g}"
        assert line.line.color == mark.marker.color == curve_colour(grid.eps_attack[i], 0.0, 2.0)
        assert mark.showlegend is False and mark.marker.symbol == "diamond"
        assert line.line.width == 2 and line.opacity == 0.5  # nothing chosen: the spread, thin


def test_left_panel_diamonds_sit_on_h_star(grid):
    """Each diamond marks eps_rule = eps_attack, where the curve is lowest: its height is h*(eps_attack)."""
    fig = figure2_left(grid)
    marks = [t for t in fig.data if t.mode == "markers"]
    assert len(marks) == len(EPS)
    for i, mark in enumerate(marks):
        assert mark.x[0] == grid.eps_attack[i]
        assert mark.y[0] == pytest.approx(grid.h_star[i], abs=CERT)
        assert mark.y[0] <= np.min(grid.loss[i]) + CERT


def test_left_panel_h_y_line(grid):
    fig = figure2_left(grid)
    (shape,), (note,) = fig.layout.shapes, fig.layout.annotations
    assert shape.y0 == shape.y1 == pytest.approx(grid.h_y)
    assert shape.xref == "paper" and (shape.x0, shape.x1) == (0, 1)
    assert note.text == "H(Y)" and note.y == pytest.approx(grid.h_y)
    # its label in the right margin, beside the line's end: never under the curves
    assert (note.xref, note.x, note.xanchor) == ("paper", 1.0, "left") and fig.layout.margin.r >= 60
    assert fig.layout.yaxis.title.text == "loss [nats]"


def test_left_panel_rows_not_columns(oblong):
    """With 3 attacks and 5 rules the curves run over the 5 rules, one per attack."""
    fig = figure2_left(oblong)
    lines = _lines(fig)
    assert len(lines) == len(ATTACKS)
    for i, line in enumerate(lines):
        assert len(line.x) == len(EPS)
        np.testing.assert_array_equal(_f(line.y), oblong.loss[i])
    for i, mark in enumerate(t for t in fig.data if t.mode == "markers"):
        j = int(np.argmin(np.abs(EPS - ATTACKS[i])))
        assert (mark.x[0], mark.y[0]) == (EPS[j], oblong.loss[i, j])


def test_left_panel_adds_the_chosen_attack(figure2):
    eps = np.linspace(0.0, 2.0, 11)
    g = engine.tradeoff_grid(figure2, eps, eps)
    default = {line.name: line.line.color for line in _lines(figure2_left(g))}
    assert len(default) == 6  # the even spread
    lines = _lines(figure2_left(g, attacks=[0.61]))
    chosen = {line.name: line.line.color for line in lines}
    assert "eps_attack = 0.6 (chosen)" in chosen and len(chosen) == 7
    assert all(chosen[n] == c for n, c in default.items())  # the others keep their colours
    (thick,) = [line for line in lines if line.line.width > 2]
    assert thick.name == "eps_attack = 0.6 (chosen)" and thick.opacity == 1.0
    values = [float(n.split("= ")[1].split()[0]) for n in chosen]
    assert values == sorted(values)


def test_a_curve_keeps_its_colour_whatever_else_is_drawn(figure2):
    """A budget's colour is its place on the scale: adding or removing highlights never recolours a curve."""
    eps = np.linspace(0.0, 2.0, 21)
    g = engine.tradeoff_grid(figure2, eps, eps)
    colours = [{t.name.replace(" (chosen)", ""): t.line.color for t in _lines(figure2_right(g, rules=wanted))}
               for wanted in ([], [0.3], [0.3, 1.7], [1.1])]
    for name in colours[0]:
        assert len({c[name] for c in colours if name in c}) == 1
    assert curve_colour(0.0, 0.0, 2.0) != curve_colour(2.0, 0.0, 2.0)


# -- right panel -------------------------------------------------------------------------------------
def test_right_panel_curves_are_the_columns_of_the_surface(oblong):
    fig = figure2_right(oblong)
    rules = _lines(fig)[:-1]
    assert len(rules) == len(EPS)
    for j, line in zip(_pick(oblong.eps_rule, None), rules, strict=True):
        np.testing.assert_array_equal(_f(line.x), oblong.eps_attack)
        np.testing.assert_array_equal(_f(line.y), oblong.loss[:, j])
        assert line.name == f"rule for eps = {oblong.eps_rule[j]:.3g}"
        assert line.line.color == curve_colour(oblong.eps_rule[j], 0.0, 2.0)


def test_right_panel_h_star_curve_is_the_engine_h_star(grid):
    """The dotted curve is h*(eps_attack) itself, and every rule's curve lies on or above it."""
    fig = figure2_right(grid)
    h = fig.data[-1]
    assert h.name == "h*(eps_attack)"
    np.testing.assert_array_equal(_f(h.x), grid.eps_attack)
    np.testing.assert_array_equal(_f(h.y), grid.h_star)
    assert h.line.color == H_STAR_STYLE["color"] and h.line.dash == H_STAR_STYLE["dash"]
    for line in fig.data[:-1]:
        assert np.all(_f(line.y) >= _f(h.y) - CERT)


def test_right_panel_range_covers_every_loss(grid):
    fig = figure2_right(grid)
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and hi == pytest.approx(1.05 * np.max(grid.loss))
    assert all(np.max(_f(t.y)) <= hi for t in fig.data)


def test_right_panel_adds_the_chosen_rule(figure2):
    eps = np.linspace(0.0, 2.0, 11)
    g = engine.tradeoff_grid(figure2, eps, eps)
    names = [t.name for t in figure2_right(g, rules=[1.42]).data[:-1]]
    assert "rule for eps = 1.4 (chosen)" in names and len(names) == 7


# -- the surface ---------------------------------------------------------------------------------------
def test_heatmap_z_is_the_surface(oblong):
    fig = loss_heatmap(oblong)
    h, diagonal = fig.data
    assert h.type == "heatmap"
    np.testing.assert_array_equal(_f(h.z), oblong.loss)
    np.testing.assert_array_equal(_f(h.x), oblong.eps_rule)
    np.testing.assert_array_equal(_f(h.y), oblong.eps_attack)
    assert [c for _, c in h.colorscale] == list(plotly.colors.sequential.Cividis)
    assert h.colorbar.title.text == "loss [nats]"
    assert list(diagonal.x) == list(diagonal.y) == [0.0, 2.0]
    assert fig.layout.xaxis.title.text == "eps_rule" and fig.layout.yaxis.title.text == "eps_attack"


def test_heatmap_diagonal_stays_inside_both_axes(figure2):
    g = engine.tradeoff_grid(figure2, [0.5, 1.0, 1.5], [0.0, 1.0])
    diagonal = loss_heatmap(g).data[1]
    assert list(diagonal.x) == list(diagonal.y) == [0.5, 1.0]


# -- clean versus robust -------------------------------------------------------------------------------
def test_bars_are_the_chain_of_sec_v_b(cvr):
    fig = clean_robust_bars(cvr)
    (bar,) = fig.data
    np.testing.assert_array_equal(_f(bar.y), cvr.value)
    assert list(bar.text) == [f"{v:.4f}" for v in cvr.value]
    # no (1) (2) (3) on the bars: the paper's (3) is the max-distortion constraint, another thing
    assert list(bar.x) == ["clean optimum H(Y|X)", "robust rule, clean data", "robust rule, attacked (h*)"]
    assert list(bar.marker.color) == [OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[5]]
    y = _f(bar.y)
    assert y[0] <= y[1] + CERT and y[1] <= y[2] + CERT  # (1) <= (2) <= (3)
    assert y[1] - y[0] == pytest.approx(cvr.kl_penalty)
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and hi > y.max()  # room for the value written above the tallest bar
    assert "0.5" in fig.layout.title.text


def test_an_unproven_clean_loss_is_hatched_and_labelled_with_its_interval(cvr):
    """A rule the engine does not prove (a Hypothesis draw at eps 1e-12, tests/engine/analyses/test_rule_bounds.py;
    every preset rule is proven now): its clean loss is drawn as the interval the engine proves, hatched, never as
    an exact number; a proven one keeps its number, unhatched. (Two Gaussians, joint kind, at eps 0.3 served here
    until the 200-bit ball proved it, and the binary source's kink at 0.3 before that.)"""
    mu = np.array([[8.081116643126669e-10, 0.7819440493325507], [0.21805594985852952, 8.081116643126668e-13]])
    draw = engine.Problem.from_arrays(mu, positions=[0.0, 0.5], labels=["1", "2"], metric="abs",
                                      constraint="expected")
    unproven = engine.clean_vs_robust(draw, 1e-12)
    assert unproven.clean_loss_status != "verified"
    (bar,) = clean_robust_bars(unproven).data
    lower, upper = unproven.robust_rule_clean_loss_lower, unproven.robust_rule_clean_loss_upper
    assert bar.text[1] == f"{lower:.4f} to {upper:.4f}<br>(not proven)" and bar.constraintext == "none"
    assert list(bar.marker.pattern.shape) == ["", "/", ""]
    assert f"robust rule on clean data from {lower:.4f} to {upper:.4f} (not proven)" in describe_clean_robust(unproven)
    assert cvr.clean_loss_status == "verified"
    (proven,) = clean_robust_bars(cvr).data
    assert list(proven.marker.pattern.shape) == ["", "", ""] and "not proven" not in describe_clean_robust(cvr)


# -- units ---------------------------------------------------------------------------------------------
def test_bits_are_nats_over_ln_2(grid, cvr):
    """Every number drawn in bits is the same number in nats divided by ln 2, and the axis titles say so."""
    pairs = [(figure2_left(grid), figure2_left(grid, "bits")), (figure2_right(grid), figure2_right(grid, "bits")),
             (clean_robust_bars(cvr), clean_robust_bars(cvr, "bits"))]
    for nats, bits in pairs:
        assert "[nats]" in nats.layout.yaxis.title.text and "[bits]" in bits.layout.yaxis.title.text
        assert nats.layout.yaxis.title.text.replace("nats", "bits") == bits.layout.yaxis.title.text
        for a, b in zip(nats.data, bits.data, strict=True):
            np.testing.assert_allclose(_f(b.y), _f(a.y) / LN2, rtol=1e-12)
            assert list(a.x) == list(b.x)  # only the loss axis changes
    np.testing.assert_allclose(pairs[0][1].layout.shapes[0].y0, grid.h_y / LN2)
    np.testing.assert_allclose(pairs[1][1].layout.yaxis.range[1], pairs[1][0].layout.yaxis.range[1] / LN2)
    nats, bits = loss_heatmap(grid), loss_heatmap(grid, "bits")
    np.testing.assert_allclose(_f(bits.data[0].z), grid.loss / LN2, rtol=1e-12)
    assert bits.data[0].colorbar.title.text == "loss [bits]"


def test_unknown_units_are_refused(grid):
    with pytest.raises(ValueError, match="Unknown units"):
        figure2_left(grid, "hartleys")


# -- alt text ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("units", ["nats", "bits"])
def test_describe_grid_gives_the_key_numbers(grid, units):
    scale = 1.0 if units == "nats" else LN2
    text = describe_grid(grid, units)
    assert text.startswith("Figure 2: losses of 5 robust rules under 5 attack sizes")
    assert f"from {grid.loss.min() / scale:.3f} to {grid.loss.max() / scale:.3f} {units}" in text
    assert f"h* rises from {grid.h_star[0] / scale:.3f} to {grid.h_star[-1] / scale:.3f}" in text
    assert f"H(Y) = {grid.h_y / scale:.3f}." in text


# -- _pick ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 2, 5, 6, 21])
def test_pick_spreads_evenly_and_keeps_both_ends(size):
    values = np.linspace(0.0, 1.0, size)
    picked = _pick(values, None)
    assert picked == sorted(set(picked))
    assert picked[0] == 0 and picked[-1] == size - 1
    assert len(picked) == min(6, size)


def test_pick_adds_the_nearest_to_each_wanted_value():
    values = np.linspace(0.0, 2.0, 21)
    assert 7 in _pick(values, [0.69]) and 13 in _pick(values, [0.69, 1.31])
    assert _pick(values, []) == _pick(values, None)
