"""figures.transport: the Sankey diagram of the engine's transport plan gamma[x, y, x', y']."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from figures.style import colour, plain
from figures.transport import SHOWN_MASS, describe_transport, transport_sankey

EPS = 0.5


@pytest.fixture(scope="module")
def solved(figure2):
    return engine.worst_case(figure2, EPS)


@pytest.fixture(scope="module")
def joint():
    """figure2 with the joint kind: the attacker may also change labels (at cost 0.3)."""
    p = engine.load_preset("figure2")
    q = engine.Problem.from_arrays(p.mu, p.positions, p.labels, metric="squared", constraint="joint", label_cost=0.3)
    return q, engine.worst_case(q, 1.0)


def _links(fig):
    s = fig.data[0]
    return s.link.source, s.link.target, s.link.value, s.link.color, s.link.customdata


def test_the_plan_moves_mu_to_nu(figure2, solved):
    """The diagram's input: a transport plan from mu (its margins over x', y') to nu* (over x, y)."""
    g = solved.plan
    assert g.shape == (figure2.n, figure2.m, figure2.n, figure2.m)
    np.testing.assert_allclose(g.sum(axis=(2, 3)), figure2.mu, atol=1e-9)
    np.testing.assert_allclose(g.sum(axis=(0, 1)), solved.nu, atol=1e-9)


def test_links_are_the_plan_entries_above_the_threshold(figure2, solved):
    g = solved.plan
    fig = transport_sankey(g, figure2.positions, figure2.labels)
    source, target, value, _, _ = _links(fig)
    shown = np.argwhere(g > SHOWN_MASS)
    assert len(value) == len(shown) > figure2.n  # some mass moves at eps = 0.5
    for (x, y, x2, y2), s, t, v in zip(shown, source, target, value, strict=True):
        assert (s, t) == (x, figure2.n + x2)
        assert v == g[x, y, x2, y2]
    assert min(value) > SHOWN_MASS
    assert sum(value) == pytest.approx(g[g > SHOWN_MASS].sum()) and sum(value) == pytest.approx(1.0, abs=1e-4)


def test_links_below_shown_mass_are_hidden(figure2, solved):
    """A plan entry at or below SHOWN_MASS draws no link; one just above it does."""
    g = solved.plan.copy()
    base = len(transport_sankey(g, figure2.positions, figure2.labels).data[0].link.value)
    empty = np.argwhere(g == 0)
    (a, b) = empty[:2]
    g[tuple(a)] = SHOWN_MASS  # not strictly above: hidden
    g[tuple(b)] = 2 * SHOWN_MASS
    fig = transport_sankey(g, figure2.positions, figure2.labels)
    source, target, value, _, _ = _links(fig)
    assert len(value) == base + 1
    assert 2 * SHOWN_MASS in value and SHOWN_MASS not in value
    k = list(value).index(2 * SHOWN_MASS)
    assert (source[k], target[k]) == (b[0], figure2.n + b[2])


def test_nodes_clean_left_perturbed_right(figure2, solved):
    fig = transport_sankey(solved.plan, figure2.positions, figure2.labels)
    node = fig.data[0].node
    n = figure2.n
    assert list(node.label) == [f"x = {p:g}" for p in figure2.positions] + [f"x' = {p:g}" for p in figure2.positions]
    assert list(node.x) == [0.02] * n + [0.98] * n
    np.testing.assert_allclose(node.y, list(np.linspace(0.02, 0.98, n)) * 2)
    source, target, *_ = _links(fig)
    assert all(s < n for s in source) and all(n <= t < 2 * n for t in target)
    assert fig.data[0].arrangement == "fixed"
    assert fig.layout.height == max(320, 40 * n)
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_one_colour_per_label(figure2, solved):
    g = solved.plan
    fig = transport_sankey(g, figure2.positions, figure2.labels)
    _, _, _, colours, hover = _links(fig)
    for (x, y, x2, y2), c, h in zip(np.argwhere(g > SHOWN_MASS), colours, hover, strict=True):
        assert c == colour(y) + "99"  # the label's Okabe-Ito colour, translucent
        assert h == f"label {figure2.labels[y]}: {figure2.positions[x]:g} -> {figure2.positions[x2]:g}, " \
                    f"mass {g[x, y, x2, y2]:.4f}"
    legend = fig.data[1:]
    assert [t.name for t in legend] == [f"label {s}" for s in figure2.labels]
    assert [t.marker.color for t in legend] == [colour(y) for y in range(figure2.m)]


def test_label_changes_are_named_in_the_hover(joint):
    problem, w = joint
    g = w.plan
    fig = transport_sankey(g, problem.positions, problem.labels)
    _, _, _, colours, hover = _links(fig)
    entries = np.argwhere(g > SHOWN_MASS)
    changes = [(e, h, c) for e, h, c in zip(entries, hover, colours, strict=True) if e[1] != e[3]]
    assert changes  # the joint kind moves some mass to another label
    for (_, y, _, y2), h, c in changes:
        assert h.split(", mass")[0].endswith(f"(label becomes {problem.labels[y2]})")
        assert c == colour(y) + "99"  # coloured by the clean label
    assert all("becomes" not in h for e, h in zip(entries, hover, strict=True) if e[1] == e[3])


def test_labels_are_escaped(hostile_problem, hostile_worst, strings):
    p = hostile_problem
    fig = transport_sankey(hostile_worst.plan, p.positions, p.labels, title="plan")
    texts = strings(fig)
    assert not any("<img" in s or "<b>" in s for s in texts)
    assert [t.name for t in fig.data[1:]] == [f"label {plain(s)}" for s in p.labels]
    assert all(h.startswith(("label &lt;img", "label a&amp;b &lt;b&gt;")) for h in fig.data[0].link.customdata)
    assert fig.layout.title.text == "plan"


# -- describe_transport -------------------------------------------------------------------------------
def test_describe_transport_gives_the_moved_mass_and_the_largest_move(figure2, solved):
    g = solved.plan
    n, m = figure2.n, figure2.m
    stay = sum(g[x, y, x, y] for x in range(n) for y in range(m))
    moves = g.copy()
    for x in range(n):
        for y in range(m):
            moves[x, y, x, y] = 0
    x, y, x2, _ = np.unravel_index(int(np.argmax(moves)), moves.shape)
    text = describe_transport(g, figure2.positions, figure2.labels)
    assert text == (f"Transport plan: a total mass of {1 - stay:.3f} moves; the largest move takes "
                    f"{moves.max():.3f} of label {figure2.labels[y]} from x = {figure2.positions[x]:g} to "
                    f"x' = {figure2.positions[x2]:g}.")
    assert 1 - stay > 0.01 and x != x2


def test_describe_transport_when_nothing_moves(figure2):
    w = engine.worst_case(figure2, 0.0)
    assert describe_transport(w.plan, figure2.positions, figure2.labels) == (
        "Transport plan: no mass moves; the perturbed distribution equals the clean one.")
    # and the diagram shows only the stay-put links, x -> x'
    source, target, *_ = _links(transport_sankey(w.plan, figure2.positions, figure2.labels))
    assert [t - figure2.n for t in target] == list(source)
