"""figures.accuracy: Tsipras et al.'s model, both rules against eps and the Pareto frontier, on engine.accuracy's
closed forms (built as views/accuracy.py builds them, on a coarser eps grid)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from engine.accuracy import (
    accuracy_frontier,
    adversarial_accuracy,
    natural_rule_accuracy,
    robust_rule_accuracy,
    simulate_accuracy,
    tradeoff_bound,
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


def make_curves(p: float, eta: float, d: int, points: int = 31) -> dict:
    """views/accuracy.curves on ``points`` eps values."""
    eps = np.linspace(0.0, EPS_MAX, points)
    natural = natural_rule_accuracy(p, eta, d, 0.0)
    bound = tradeoff_bound(p, 1.0 - natural.standard) if 0.5 <= p < 1 else None
    return {"eps": eps, "eta": eta, "bound": bound,
            "natural": np.array([adversarial_accuracy(p, eta, d, e, 0.0, 1.0) for e in eps]),
            "robust": np.array([adversarial_accuracy(p, eta, d, e, 1.0, 0.0) for e in eps])}


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


def test_palette():
    assert (NATURAL_COLOUR, ROBUST_COLOUR, FRONTIER_COLOUR, BOUND_COLOUR) == (OKABE_ITO[0], OKABE_ITO[1],
                                                                            OKABE_ITO[2], OKABE_ITO[5])
    assert AXIS == [-0.02, 1.02]


def test_the_closed_forms_behind_the_curves(curves):
    """Natural rule: Phi(sqrt(d)(eta - eps)); robust rule: p up to eps = 1, then 0."""
    eps = curves["eps"]
    np.testing.assert_allclose(curves["natural"], norm.cdf(np.sqrt(D) * (ETA - eps)), atol=1e-12)
    np.testing.assert_allclose(curves["robust"], np.where(eps < 1.0, P, 0.0), atol=1e-12)


# -- accuracy_against_eps ---------------------------------------------------------------------------
def test_curves_carry_the_engine_accuracies(curves, rules):
    _, now = rules
    fig = accuracy_against_eps(curves, EPS_NOW, now)
    natural, natural_now, robust, robust_now = fig.data[:4]
    for line, mark, name, col in ((natural, natural_now, "natural", NATURAL_COLOUR),
                                  (robust, robust_now, "robust", ROBUST_COLOUR)):
        np.testing.assert_array_equal(_f(line.x), curves["eps"])
        np.testing.assert_array_equal(_f(line.y), curves[name])
        assert line.line.color == mark.marker.color == col
        assert (mark.x[0], mark.y[0]) == (EPS_NOW, now[name])
        assert mark.showlegend is False
    # the current marks lie on the curves
    assert now["natural"] == pytest.approx(np.interp(EPS_NOW, curves["eps"], curves["natural"]), abs=1e-9)
    assert now["robust"] == pytest.approx(P)


def test_axes_are_fixed(curves):
    """Accuracies on AXIS whatever eps and the model: moving a slider never rescales the picture."""
    figs = []
    for p, eta, d, eps_now in ((P, ETA, D, EPS_NOW), (P, ETA, D, 0.0), (0.6, 0.05, 1000, 1.4), (0.99, 1.0, 1, 0.2)):
        c = curves if (p, eta, d) == (P, ETA, D) else make_curves(p, eta, d)
        figs.append(accuracy_against_eps(c, eps_now, at_eps(p, eta, d, eps_now)[1]))
    for fig in figs:
        assert list(fig.layout.yaxis.range) == AXIS
        assert list(fig.layout.xaxis.range) == [0.0, EPS_MAX]
        assert all(AXIS[0] <= v <= AXIS[1] for t in fig.data for v in t.y)


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
    assert np.all(curves["natural"][curves["eps"] >= 2 * ETA] <= expected + 1e-12)


def test_no_bound_line_when_vacuous_or_inapplicable():
    vacuous = make_curves(0.95, 0.05, 1)  # delta near 1/2: p/(1-p) delta > 1
    assert vacuous["bound"] > 1
    fig = accuracy_against_eps(vacuous, 0.5, at_eps(0.95, 0.05, 1, 0.5)[1])
    assert len(fig.layout.shapes) == 1 and not any(t.name and t.name.startswith("bound") for t in fig.data)
    below_half = make_curves(0.4, ETA, D)  # p < 1/2: the theorem says nothing
    assert below_half["bound"] is None
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
    for number in (curves["natural"][0], curves["natural"][-1], curves["robust"][0], curves["robust"][-1],
                   now["natural"], now["robust"]):
        assert f"{number:.3f}" in text
    assert f"eps = {EPS_MAX:.3g}" in text and f"At eps = {EPS_NOW:.3g}: natural {now['natural']:.3f}" in text


# -- frontier_figure --------------------------------------------------------------------------------
def test_frontier_traces_carry_the_family(frontier, rules):
    rule, _ = rules
    fig = frontier_figure(frontier, rule["natural"], rule["robust"], P / (1 - P))
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
    bound = frontier_figure(frontier, rule["natural"], rule["robust"], f).data[-1]
    x0 = 1 - 1 / f
    assert list(bound.x) == [pytest.approx(x0), 1.0]
    assert list(bound.y) == [pytest.approx(f * (1 - x0)), 0.0]
    assert bound.y[0] == pytest.approx(1.0)
    assert np.all(frontier.adversarial <= f * (1 - frontier.standard) + 1e-12)


def test_frontier_without_bound_says_why(rules):
    rule, _ = rules
    early = accuracy_frontier(P, ETA, D, 0.3, points=51)  # eps < 2 eta: the theorem does not apply
    assert not early.bound_applies
    fig = frontier_figure(early, rule["natural"], rule["robust"], None)
    assert len(fig.data) == 4
    (note,) = fig.layout.annotations
    assert note.text == "The bound needs eps >= 2 eta and 1/2 <= p < 1."


@pytest.mark.parametrize("p, eta, d, eps", [(P, ETA, D, EPS_NOW), (P, ETA, D, 0.0), (0.55, 0.01, 1, 1.2),
                                            (0.99, 1.0, 1000, 0.5)])
def test_frontier_axes(p, eta, d, eps):
    fr = accuracy_frontier(p, eta, d, eps, points=101)
    rule, _ = at_eps(p, eta, d, eps)
    fig = frontier_figure(fr, rule["natural"], rule["robust"], p / (1 - p) if fr.bound_applies else None)
    assert list(fig.layout.yaxis.range) == AXIS
    left, right = fig.layout.xaxis.range
    assert right == AXIS[1] and AXIS[0] <= left < fr.standard.min()  # every rule inside the picture
    assert f"eps = {eps:.3g}" in fig.layout.title.text and f"eps = {eps:.3g}" in fig.layout.yaxis.title.text


def test_describe_frontier(frontier, rules):
    rule, _ = rules
    text = describe_frontier(frontier, rule["natural"], rule["robust"])
    assert f"at eps = {EPS_NOW:.3g}" in text
    assert f"natural rule at ({rule['natural'].standard:.3f}, {rule['natural'].adversarial:.3f})" in text
    assert f"robust rule at ({rule['robust'].standard:.3f}, {rule['robust'].adversarial:.3f})" in text
    assert f"{int(frontier.on_frontier.sum())} of 201 rules are Pareto optimal." in text
