"""figures.deterministic: Sec. V-A on the paper's example (stochastic-vs-deterministic preset, eps = 1): the alpha
family between two maps, the three values, and the optimal attack drawn as a channel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from strategies import h2

import engine
from engine.analyses.deterministic import map_segment, rival_map
from figures.deterministic import alpha_curve, channel_diagram, values_bars
from figures.style import H_STAR_STYLE, OKABE_ITO, colour

LN2 = math.log(2.0)
CERT = 1e-6
EPS = 1.0
ALPHAS = np.round(np.linspace(0.0, 1.0, 11), 6)


@pytest.fixture(scope="module")
def problem():
    return engine.load_preset("stochastic-vs-deterministic")


@pytest.fixture(scope="module")
def solved(problem):
    """As ui.compute.deterministic: the gap, H(Y|Z) along the segment to the rival map, and the saddle."""
    gap = engine.deterministic_gap(problem, EPS)
    saddle = engine.worst_case(problem, EPS)
    rival = rival_map(gap.best_map, saddle.mechanism)
    return gap, np.asarray(map_segment(problem, rival, gap.best_map, ALPHAS)), saddle


def _f(values):
    return np.asarray(values, dtype=float)


def test_the_paper_example(solved):
    """The numbers the figures show: h* = (20) = h2(1/3), (21) = 2/3 ln 2, reached at alpha = 1/2."""
    gap, along, _ = solved
    assert gap.stochastic == pytest.approx(h2(1 / 3), abs=CERT)
    assert gap.pure_minimax == pytest.approx(h2(1 / 3), abs=CERT)
    assert gap.pure_maximin == pytest.approx(2 / 3 * LN2, abs=CERT)
    assert along[0] == pytest.approx(gap.pure_maximin, abs=CERT)
    assert along[5] == pytest.approx(gap.stochastic, abs=CERT)


# -- alpha_curve ------------------------------------------------------------------------------------
def test_alpha_curve_carries_the_segment(solved):
    gap, along, _ = solved
    fig = alpha_curve(ALPHAS, along, gap.stochastic, gap.pure_maximin)
    line, _, _, ends, best = fig.data
    np.testing.assert_array_equal(_f(line.x), ALPHAS)
    np.testing.assert_array_equal(_f(line.y), along)
    assert list(ends.x) == [0.0, 1.0] and list(ends.y) == [along[0], along[-1]]
    assert ends.marker.color == OKABE_ITO[5]
    k = int(np.argmax(along))
    assert (best.x[0], best.y[0]) == (ALPHAS[k], along[k])
    assert best.x[0] == 0.5 and best.y[0] == pytest.approx(gap.stochastic, abs=CERT)
    assert best.y[0] > max(ends.y)  # randomising beats either fixed map


def test_alpha_curve_marks_h_star_and_21_in_the_legend(solved):
    """h* and (21) are lines named in the legend, with the words for (21): no label on the plot to overlap the
    curve or be clipped at its edge."""
    gap, along, _ = solved
    fig = alpha_curve(ALPHAS, along, gap.stochastic, gap.pure_maximin)
    _, h_line, pure_line, _, _ = fig.data
    assert list(h_line.y) == [gap.stochastic] * 2 and list(pure_line.y) == [gap.pure_maximin] * 2
    assert h_line.line.dash == H_STAR_STYLE["dash"] and h_line.line.color == H_STAR_STYLE["color"]
    assert h_line.name.startswith("h*") and pure_line.name == "(21) attacker first, fixed moves"
    assert not fig.layout.annotations and not fig.layout.shapes
    assert np.all(_f(fig.data[0].y) <= gap.stochastic + CERT)  # no mixture beats h*
    assert fig.layout.yaxis.title.text == "H(Y | Z) [nats]"
    assert fig.layout.yaxis.range[1] > gap.stochastic  # h*'s line inside the plot


def test_alpha_curve_in_bits(solved):
    gap, along, _ = solved
    nats = alpha_curve(ALPHAS, along, gap.stochastic, gap.pure_maximin)
    bits = alpha_curve(ALPHAS, along, gap.stochastic, gap.pure_maximin, "bits")
    assert bits.layout.yaxis.title.text == "H(Y | Z) [bits]"
    for a, b in zip(nats.data, bits.data, strict=True):
        np.testing.assert_array_equal(_f(a.x), _f(b.x))
        np.testing.assert_allclose(_f(b.y), _f(a.y) / LN2, rtol=1e-12)
    assert bits.data[2].y[0] == pytest.approx(2 / 3, abs=CERT)  # (21) = 2/3 bit


# -- values_bars ------------------------------------------------------------------------------------
@pytest.mark.parametrize("units", ["nats", "bits"])
def test_values_bars_are_the_three_values(solved, units):
    gap, _, _ = solved
    scale = 1.0 if units == "nats" else LN2
    fig = values_bars(gap, units)
    (bar,) = fig.data
    np.testing.assert_allclose(_f(bar.y), np.array(gap.value) / scale, rtol=1e-12)
    assert list(bar.text) == [f"{v / scale:.4f}" for v in gap.value]
    assert [x.replace("<br>", " ") for x in bar.x] == [
        "h*: the attacker randomises", "(20): attacker second, fixed moves", "(21): attacker first, fixed moves"]
    assert list(bar.marker.color) == [OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[5]]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] > max(bar.y)
    assert fig.layout.yaxis.title.text == f"value [{units}]"


# -- channel_diagram --------------------------------------------------------------------------------
def _arrows(fig):
    return [(a.ax, a.x, a.arrowcolor, a.arrowwidth) for a in fig.layout.annotations]


def _mass_arrows(fig, problem):
    """The arrows leaving points with mass (the ones the docstring promises), keyed (x, y, z)."""
    out = {}
    for ax, x, col, width in _arrows(fig):
        i = problem.positions.index(ax)
        for y in range(problem.m):
            if col == colour(y) and problem.mu[i, y] > 0:
                out[(ax, y, x)] = (width - 1) / 3
    return out


def test_channel_shows_the_randomised_attack(problem, solved):
    """0 -> 1 and 4 -> 3 surely; 2 -> 1 or 3 with probability 1/2 each (the paper's optimum)."""
    _, _, saddle = solved
    fig = channel_diagram(saddle.mechanism, problem.positions, problem.mu)
    arrows = _mass_arrows(fig, problem)
    assert set(arrows) == {(0.0, 0, 1.0), (2.0, 2, 1.0), (2.0, 2, 3.0), (4.0, 4, 3.0)}
    assert arrows[(0.0, 0, 1.0)] == pytest.approx(1.0, abs=CERT)
    assert arrows[(4.0, 4, 3.0)] == pytest.approx(1.0, abs=CERT)
    assert arrows[(2.0, 2, 1.0)] == pytest.approx(0.5, abs=1e-4)
    assert arrows[(2.0, 2, 3.0)] == pytest.approx(0.5, abs=1e-4)


def test_channel_arrows_and_labels_agree(problem, solved):
    """One probability label per arrow, halfway along it, in the arrow's colour; arrows go from y=1 to y=0."""
    _, _, saddle = solved
    P = saddle.mechanism
    fig = channel_diagram(P, problem.positions, problem.mu)
    labels = fig.data[0]
    notes = fig.layout.annotations
    assert len(labels.x) == len(notes) == len(labels.text)
    for a, x, text, col in zip(notes, labels.x, labels.text, labels.textfont.color, strict=True):
        assert (a.ay, a.y, a.showarrow) == (1, 0, True)
        assert x == pytest.approx((a.ax + a.x) / 2)
        assert col == a.arrowcolor
        i, z = problem.positions.index(a.ax), problem.positions.index(a.x)
        y = OKABE_ITO.index(a.arrowcolor)
        assert text == f"{P[i, y, z, y]:.2f}"
        assert a.arrowwidth == pytest.approx(1 + 3 * P[i, y, z, y])
    clean, released = fig.data[1], fig.data[2]
    assert list(clean.x) == list(released.x) == list(problem.positions)
    assert set(clean.y) == {1} and set(released.y) == {0}
    assert list(clean.text) == [f"x={p:g}" for p in problem.positions]
    assert list(released.text) == [f"z={p:g}" for p in problem.positions]
    assert fig.layout.yaxis.visible is False and tuple(fig.layout.yaxis.range) == (-0.4, 1.4)


def test_channel_takes_a_three_index_mechanism(problem, solved):
    """P[x, y, z] (the label kept) draws the same arrows as the four-index P[x, y, z, y]."""
    _, _, saddle = solved
    P4 = saddle.mechanism
    P3 = np.stack([P4[:, y, :, y] for y in range(problem.m)], axis=1)
    four = channel_diagram(P4, problem.positions, problem.mu)
    three = channel_diagram(P3, problem.positions, problem.mu)
    assert _arrows(four) == _arrows(three)
    assert list(four.data[0].text) == list(three.data[0].text)


def test_channel_hides_tiny_probabilities(problem):
    P = np.zeros((problem.n, problem.m, problem.n))
    for x in range(problem.n):
        P[x, x, x] = 1.0
    P[2, 2] = 0.0
    P[2, 2, 1], P[2, 2, 3], P[2, 2, 2] = 0.5, 0.5 - 5e-7, 5e-7  # 5e-7 <= 1e-6: not drawn
    fig = channel_diagram(P, problem.positions, problem.mu)
    drawn = {(a.ax, a.x) for a in fig.layout.annotations if a.arrowcolor == colour(2)}
    assert drawn == {(2.0, 1.0), (2.0, 3.0)}


def test_channel_draws_only_points_with_mass(problem, solved):
    """The engine's mechanism keeps empty (x, y) points in place; no arrow is drawn for them."""
    _, _, saddle = solved
    fig = channel_diagram(saddle.mechanism, problem.positions, problem.mu)
    assert len(fig.layout.annotations) == 4


def test_a_budget_that_moves_nothing_draws_its_zeros_on_a_plain_axis(problem):
    """At eps = 0.5 the preset's attacker (max kind, moves of 1) can move nothing: every value is 0, and the value
    axes run from 0 to 1 instead of Plotly's nano-units around nothing."""
    from engine.analyses.deterministic import deterministic_gap

    gap = deterministic_gap(problem, 0.5)
    assert max(gap.value) == 0
    bars = values_bars(gap)
    assert tuple(bars.layout.yaxis.range) == (0, 1.0)
    curve = alpha_curve(ALPHAS, np.zeros(len(ALPHAS)), gap.stochastic, gap.pure_maximin)
    assert tuple(curve.layout.yaxis.range) == (0, 1.0)
