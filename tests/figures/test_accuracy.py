"""figures.accuracy: Tsipras et al.'s model, both rules against eps and the Pareto frontier, on engine.context.tsipras's
closed forms (engine.context.tsipras.rule_curves, which views/accuracy.py calls too, on a coarser eps grid)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from engine.context.tsipras import (
    accuracy_frontier,
    natural_rule_accuracy,
    robust_rule_accuracy,
    rule_curves,
    simulate_accuracy,
)
from figures.accuracy import (
    AXIS,
    BOUND_COLOUR,
    FRONTIER_COLOUR,
    NATURAL_COLOUR,
    ROBUST_COLOUR,
    accuracy_against_eps,
    describe_accuracy,
    describe_frontier,
    frontier_figure,
)
from figures.style import OKABE_ITO

P, ETA, D, EPS_NOW = 0.9, 0.3, 100, 0.6  # the page's defaults
EPS_MAX = 1.5


def make_curves(p: float, eta: float, d: int, points: int = 31):
    """The page's curves (views/accuracy.curves) on ``points`` eps values."""
    return rule_curves(p, eta, d, EPS_MAX, points)


def at_eps(p: float, eta: float, d: int, eps: float):
    rules = {"natural": natural_rule_accuracy(p, eta, d, eps), "robust": robust_rule_accuracy(p, eta, d, eps)}
    now = {name: r.adversarial for name, r in rules.items()}
    return rules, now


@pytest.fixture(scope="module")
def curves():
    return make_curves(P, ETA, D)


@pytest.fixture(scope="module")
def rules():
    return at_eps(P, ETA, D, EPS_NOW)


@pytest.fixture(scope="module")
def frontier():
    return accuracy_frontier(P, ETA, D, EPS_NOW, points=201)


def _f(values):
    return np.asarray(values, dtype=float)


def _named(fig, name):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


FRONTIER_BOUND = "bound: adversarial <= p/(1-p) (1 - standard)"


def _inside(fig, ceiling: str | None = None) -> None:
    """Every point of every trace (error bars included) lies inside the axis ranges; ``ceiling``, a straight
    reference line that the plot may clip, only needs its right end (x = 1, y = 0) inside."""
    (x_lo, x_hi), (y_lo, y_hi) = fig.layout.xaxis.range, fig.layout.yaxis.range
    for t in fig.data:
        if t.name == ceiling:
            assert x_lo <= t.x[-1] <= x_hi and y_lo <= t.y[-1] <= y_hi
            continue
        x, y = _f(t.x), _f(t.y)
        bars = _f(t.error_y.array) if t.error_y and t.error_y.array is not None else np.zeros_like(y)
        assert np.all((x_lo <= x) & (x <= x_hi)), (t.name, x.min(), x.max(), x_lo, x_hi)
        assert np.all((y_lo <= y - bars) & (y + bars <= y_hi)), (t.name, y.min(), y.max(), y_lo, y_hi)


def test_colours_are_distinct_okabe_ito(curves, rules, frontier):
    """Each series has its own colour-blind-safe (Okabe-Ito) colour, the same in both figures."""
    rule, now = rules
    sims = {name: (now[name], 0.01) for name in now}
    against = accuracy_against_eps(curves, EPS_NOW, now, sims)
    front = frontier_figure(frontier, rule["natural"], rule["robust"])
    natural, robust = against.data[0].line.color, against.data[2].line.color
    bound = _named(against, "bound p/(1-p) delta for the natural rule's delta").line.color
    simulator = _named(against, "seeded simulator (2 SE bars)").marker.color
    pareto = _named(front, "Pareto frontier").marker.color
    series = (natural, robust, bound, simulator, pareto)
    assert all(c in OKABE_ITO for c in series) and len(set(series)) == len(series), series
    assert _named(front, "natural rule").marker.color == natural
    assert _named(front, "robust rule").marker.color == robust
    assert front.data[-1].line.color == bound
    assert (NATURAL_COLOUR, ROBUST_COLOUR, FRONTIER_COLOUR, BOUND_COLOUR) == (natural, robust, pareto, bound)


def test_the_closed_forms_behind_the_curves(curves):
    """Natural rule: Phi(sqrt(d)(eta - eps)); robust rule: p up to eps = 1, then 0."""
    eps = curves.eps
    np.testing.assert_allclose(curves.natural, norm.cdf(np.sqrt(D) * (ETA - eps)), atol=1e-12)
    np.testing.assert_allclose(curves.robust, np.where(eps < 1.0, P, 0.0), atol=1e-12)


# -- accuracy_against_eps ---------------------------------------------------------------------------
def test_curves_carry_the_engine_accuracies(curves, rules):
    _, now = rules
    fig = accuracy_against_eps(curves, EPS_NOW, now)
    natural, natural_now, robust, robust_now = fig.data[:4]
    for line, mark, name, col in ((natural, natural_now, "natural", NATURAL_COLOUR),
                                  (robust, robust_now, "robust", ROBUST_COLOUR)):
        np.testing.assert_array_equal(_f(line.x), curves.eps)
        np.testing.assert_array_equal(_f(line.y), getattr(curves, name))
        assert line.line.color == mark.marker.color == col
        assert (mark.x[0], mark.y[0]) == (EPS_NOW, now[name])
        assert mark.showlegend is False
    # the current marks lie on the curves
    assert now["natural"] == pytest.approx(np.interp(EPS_NOW, curves.eps, curves.natural), abs=1e-9)
    assert now["robust"] == pytest.approx(P)


def test_axes_are_fixed_and_hold_every_trace(curves):
    """The same ranges whatever eps and the model (moving a slider never rescales the picture): accuracies in
    [0, 1] with a margin, eps over the whole grid; every trace, simulator bars included, inside them."""
    figs = []
    for p, eta, d, eps_now in ((P, ETA, D, EPS_NOW), (P, ETA, D, 0.0), (0.6, 0.05, 1000, 1.4), (0.99, 1.0, 1, 0.2),
                               (0.5, 0.01, 1, EPS_MAX)):
        c = curves if (p, eta, d) == (P, ETA, D) else make_curves(p, eta, d)
        rule, now = at_eps(p, eta, d, eps_now)
        sims = {}
        for name, r in rule.items():
            s = simulate_accuracy(p, eta, d, eps_now, r.a, r.b, samples=500, seed=1)
            sims[name] = (s.accuracy, s.standard_error)
        figs.append(accuracy_against_eps(c, eps_now, now, sims))
    for fig in figs:
        assert list(fig.layout.yaxis.range) == list(figs[0].layout.yaxis.range)
        assert list(fig.layout.xaxis.range) == [0.0, EPS_MAX]  # the whole eps grid, whatever the model
        lo, hi = fig.layout.yaxis.range
        assert lo < 0.0 and hi > 1.0  # every accuracy, with room for the markers at 0 and 1
        _inside(fig)


def test_two_eta_line_and_the_theorem_bound(curves, rules):
    _, now = rules
    fig = accuracy_against_eps(curves, EPS_NOW, now)
    (shape,), (note,) = fig.layout.shapes, fig.layout.annotations
    assert shape.x0 == shape.x1 == pytest.approx(2 * ETA) and shape.yref == "paper"
    assert note.text == "eps = 2 eta" and note.x == pytest.approx(2 * ETA)
    bound = _named(fig, "bound p/(1-p) delta for the natural rule's delta")
    expected = P / (1 - P) * (1 - norm.cdf(ETA * np.sqrt(D)))  # Thm 2.1 at delta = 1 - Phi(eta sqrt(d))
    assert list(bound.x) == [pytest.approx(2 * ETA), EPS_MAX]
    assert list(bound.y) == [pytest.approx(expected)] * 2
    assert bound.line.dash == "dash" and bound.line.color == BOUND_COLOUR
    # the theorem holds for the natural rule: from eps = 2 eta on it is below its bound
    assert np.all(curves.natural[curves.eps >= 2 * ETA] <= expected + 1e-12)


def test_no_bound_line_when_vacuous_or_inapplicable():
    vacuous = make_curves(0.95, 0.05, 1)  # delta near 1/2: p/(1-p) delta > 1
    assert vacuous.bound > 1
    fig = accuracy_against_eps(vacuous, 0.5, at_eps(0.95, 0.05, 1, 0.5)[1])
    assert len(fig.layout.shapes) == 1 and not any(t.name and t.name.startswith("bound") for t in fig.data)
    below_half = make_curves(0.4, ETA, D)  # p < 1/2: the theorem says nothing
    assert below_half.bound is None
    fig = accuracy_against_eps(below_half, 0.5, at_eps(0.4, ETA, D, 0.5)[1])
    assert len(fig.layout.shapes) == 1 and not any(t.name and t.name.startswith("bound") for t in fig.data)


def test_no_two_eta_line_beyond_the_axis():
    c = make_curves(P, 0.9, D)  # 2 eta = 1.8 > 1.5
    fig = accuracy_against_eps(c, 0.5, at_eps(P, 0.9, D, 0.5)[1])
    assert len(fig.layout.shapes) == 0 and len(fig.layout.annotations) == 0
    assert len(fig.data) == 4


def test_simulator_marks_with_two_standard_error_bars(curves, rules):
    rule, now = rules
    sims = {}
    for name, r in rule.items():
        s = simulate_accuracy(P, ETA, D, EPS_NOW, r.a, r.b, samples=2000, seed=0)
        sims[name] = (s.accuracy, s.standard_error)
    fig = accuracy_against_eps(curves, EPS_NOW, now, sims)
    sim = _named(fig, "seeded simulator (2 SE bars)")
    assert list(sim.x) == [EPS_NOW, EPS_NOW]
    assert list(sim.y) == [sims["natural"][0], sims["robust"][0]]
    assert list(sim.error_y.array) == [2 * sims["natural"][1], 2 * sims["robust"][1]]
    assert sim.error_y.visible is True
    for name, (acc, se) in sims.items():  # the simulator agrees with the closed form
        assert abs(acc - now[name]) <= 4 * max(se, 1 / 2000)


def test_describe_accuracy(curves, rules):
    _, now = rules
    text = describe_accuracy(curves, EPS_NOW, now)
    assert text.startswith("Line chart: ")
    for number in (curves.natural[0], curves.natural[-1], curves.robust[0], curves.robust[-1],
                   now["natural"], now["robust"]):
        assert f"{number:.3f}" in text
    assert f"eps = {EPS_MAX:.3g}" in text and f"At eps = {EPS_NOW:.3g}: natural {now['natural']:.3f}" in text


# -- frontier_figure --------------------------------------------------------------------------------
def test_frontier_traces_carry_the_family(frontier, rules):
    rule, _ = rules
    fig = frontier_figure(frontier, rule["natural"], rule["robust"])
    family, pareto, natural, robust, bound = fig.data
    np.testing.assert_array_equal(_f(family.x), frontier.standard)
    np.testing.assert_array_equal(_f(family.y), frontier.adversarial)
    np.testing.assert_array_equal(_f(family.customdata), np.column_stack([frontier.theta, frontier.a, frontier.b]))
    np.testing.assert_array_equal(_f(pareto.x), frontier.frontier_standard)
    np.testing.assert_array_equal(_f(pareto.y), frontier.frontier_adversarial)
    np.testing.assert_array_equal(_f(pareto.customdata)[:, 0], frontier.frontier_theta)
    assert pareto.marker.color == FRONTIER_COLOUR
    assert (natural.x[0], natural.y[0]) == rule["natural"].value and natural.marker.color == NATURAL_COLOUR
    assert (robust.x[0], robust.y[0]) == rule["robust"].value and robust.marker.color == ROBUST_COLOUR
    # the ends of the family are the two rules (theta = pi/2 natural, theta = 0 robust)
    assert (family.x[-1], family.y[-1]) == pytest.approx(rule["natural"].value)
    assert (family.x[0], family.y[0]) == pytest.approx(rule["robust"].value)


def test_frontier_bound_line(frontier, rules):
    """y = f (1 - x) from x0 = max(0, 1 - 1/f) to x = 1, and no frontier point above it (eps >= 2 eta)."""
    rule, _ = rules
    f = P / (1 - P)
    assert frontier.bound_factor == pytest.approx(f)
    bound = frontier_figure(frontier, rule["natural"], rule["robust"]).data[-1]
    x0 = 1 - 1 / f
    assert list(bound.x) == [pytest.approx(x0), 1.0]
    assert list(bound.y) == [pytest.approx(f * (1 - x0)), 0.0]
    assert bound.y[0] == pytest.approx(1.0)
    assert np.all(frontier.adversarial <= f * (1 - frontier.standard) + 1e-12)


def test_frontier_without_bound_says_why(rules):
    rule, _ = rules
    early = accuracy_frontier(P, ETA, D, 0.3, points=51)  # eps < 2 eta: the theorem does not apply
    assert not early.bound_applies and early.bound_factor is None
    fig = frontier_figure(early, rule["natural"], rule["robust"])
    assert len(fig.data) == 4
    (note,) = fig.layout.annotations
    assert note.text == "The bound needs eps >= 2 eta and 1/2 <= p < 1."


@pytest.mark.parametrize("p, eta, d, eps", [(P, ETA, D, EPS_NOW), (P, ETA, D, 0.0), (0.55, 0.01, 1, 1.2),
                                            (0.99, 1.0, 1000, 0.5)])
def test_frontier_axes(p, eta, d, eps):
    fr = accuracy_frontier(p, eta, d, eps, points=101)
    rule, _ = at_eps(p, eta, d, eps)
    fig = frontier_figure(fr, rule["natural"], rule["robust"])
    assert list(fig.layout.yaxis.range) == AXIS
    left, right = fig.layout.xaxis.range
    assert right == AXIS[1] and AXIS[0] <= left < fr.standard.min()  # every rule inside the picture
    _inside(fig, ceiling=FRONTIER_BOUND)
    assert f"eps = {eps:.3g}" in fig.layout.title.text and f"eps = {eps:.3g}" in fig.layout.yaxis.title.text


def test_describe_frontier(frontier, rules):
    rule, _ = rules
    text = describe_frontier(frontier, rule["natural"], rule["robust"])
    assert f"at eps = {EPS_NOW:.3g}" in text
    assert f"natural rule at ({rule['natural'].standard:.3f}, {rule['natural'].adversarial:.3f})" in text
    assert f"robust rule at ({rule['robust'].standard:.3f}, {rule['robust'].adversarial:.3f})" in text
    assert f"{int(frontier.on_frontier.sum())} of 201 rules are Pareto optimal." in text
