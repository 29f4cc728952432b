"""engine.analyses.deterministic: the paper's Sec. V-A example, and the map search against brute-force enumeration.

Paper's numbers (X = Y = {0..4}, mu = 1/3 on (0,0), (2,2), (4,4), d = |x - z|, eps = 1): the stochastic
optimum and (20) equal h2(1/3); (21) equals (2/3) ln 2. The brute force enumerates every map g(x, y)
with d(x, g(x, y)) <= eps (itertools.product over each atom's allowed targets) and computes
H(Y | g(X, Y)) with scipy, independently of the engine.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import METRICS, allowed_cells, cond_entropy, examples, h2, tables

import engine
from engine.analyses.deterministic import deterministic_gap, map_segment

MAX_MAPS = 2000
PAPER_EPS = 1.0


@pytest.fixture(scope="module")
def example():
    return engine.load_preset("stochastic-vs-deterministic")


@pytest.fixture(scope="module")
def example_gap(example):
    return deterministic_gap(example, PAPER_EPS)


def test_paper_example_values(example_gap):
    d = example_gap
    assert d.stochastic == pytest.approx(h2(1 / 3), abs=1e-6)
    assert d.pure_minimax == pytest.approx(h2(1 / 3), abs=1e-6)
    assert d.pure_maximin == pytest.approx(2 / 3 * math.log(2), abs=1e-6)
    assert d.maximin_exact and d.maximin_label == "exact"
    assert d.minimax_verified  # (20) = h*: the rule's exact loss meets the stochastic lower bound
    assert d.status == "verified"
    assert d.stochastic_upper - d.stochastic <= 1e-6


def test_paper_example_best_map_is_a_valid_pure_attack(example, example_gap):
    g = example_gap.best_map
    assert np.array_equal(g >= 0, example.mu > 0)  # -1 exactly where mu = 0
    x, y = np.nonzero(example.mu)
    assert np.all(np.abs(np.array(example.positions)[g[x, y]] - np.array(example.positions)[x]) <= PAPER_EPS)
    assert map_entropy(example.mu, g) == pytest.approx(example_gap.pure_maximin, abs=1e-12)


def test_paper_example_mixture_of_two_maps_peaks_at_one_half(example):
    """H(Y|Z) along the paper's family: 2 -> 1 with probability alpha, 2 -> 3 otherwise."""
    map_a = np.full((5, 5), -1)
    map_b = np.full((5, 5), -1)
    map_a[[0, 2, 4], [0, 2, 4]] = [1, 1, 3]
    map_b[[0, 2, 4], [0, 2, 4]] = [1, 3, 3]
    alphas = np.linspace(0.0, 1.0, 101)
    h = map_segment(example, map_a, map_b, alphas)
    assert int(np.argmax(h)) == 50
    assert h[50] == pytest.approx(h2(1 / 3), abs=1e-12)
    assert h[0] == pytest.approx(2 / 3 * math.log(2), abs=1e-12)
    assert h[-1] == pytest.approx(2 / 3 * math.log(2), abs=1e-12)
    assert np.allclose(h, h[::-1], atol=1e-12)  # symmetric in alpha <-> 1 - alpha
    assert np.all(np.diff(h, 2) <= 1e-12)  # concave


def test_deterministic_gap_needs_the_max_kind():
    with pytest.raises(engine.ProblemError, match="max kind"):
        deterministic_gap(engine.load_preset("figure2"), 0.5)


def test_tiny_node_limit_reports_a_bracket(example):
    d = deterministic_gap(example, PAPER_EPS, node_limit=1)
    truth = 2 / 3 * math.log(2)
    assert not d.maximin_exact
    assert d.pure_maximin <= truth + 1e-12 <= d.maximin_upper + 1e-9
    assert d.maximin_label.startswith("lower bound, gap <= ")
    assert d.nodes <= 1


# -- brute force -----------------------------------------------------------------------------------
def map_entropy(mu: np.ndarray, g: np.ndarray) -> float:
    """H(Y | g(X, Y)) of a map g[x, y] (feature index; ignored where mu = 0)."""
    nu = np.zeros_like(mu)
    for (x, y), mass in np.ndenumerate(mu):
        if mass > 0:
            nu[g[x, y], y] += mass
    return cond_entropy(nu)


def targets(problem, eps: float) -> list[tuple[tuple[int, int], list[int]]]:
    """Each atom (x, y) with its allowed targets x' (d(x, x') <= eps)."""
    m = problem.m
    ok = allowed_cells(problem, eps)
    return [((x, y), [c // m for c in np.flatnonzero(ok[x * m + y]) if c % m == y])
            for (x, y), mass in np.ndenumerate(problem.mu) if mass > 0]


def brute_force(problem, eps: float) -> float:
    """max over every map of H(Y | g(X, Y)) (21), by enumeration."""
    atoms = targets(problem, eps)
    best = -np.inf
    for choice in itertools.product(*(t for _, t in atoms)):
        g = np.full(problem.mu.shape, -1)
        for ((x, y), _), z in zip(atoms, choice, strict=True):
            g[x, y] = z
        best = max(best, map_entropy(problem.mu, g))
    return best


def count_maps(problem, eps: float) -> int:
    return math.prod(len(t) for _, t in targets(problem, eps))


def small_enough(problem, eps: float) -> float:
    """The largest budget <= eps (eps itself or one of the distances) whose maps number at most MAX_MAPS."""
    for e in sorted({eps, *(float(v) for v in np.unique(problem.cost) if v <= eps)}, reverse=True):
        if count_maps(problem, e) <= MAX_MAPS:
            return e
    return 0.0


@st.composite
def max_instances(draw):
    """(problem, eps): a max-kind problem with n in 2..5, m <= 3 (zeros and tiny masses allowed) and a
    budget, mostly one of its own positive distances, lowered until the maps number at most MAX_MAPS."""
    mu = draw(tables(max_n=5, max_m=3, min_n=2))
    metric = draw(st.sampled_from(METRICS))
    positions = None
    if metric != "hamming":
        ticks = draw(st.lists(st.integers(-8, 8), min_size=len(mu), max_size=len(mu), unique=True))
        positions = [t / 2 for t in ticks]
    p = engine.Problem.from_arrays(mu, positions=positions, metric=metric, constraint="max", normalise=True)
    distances = sorted({float(v) for v in p.cost.ravel() if v > 0})
    eps = draw(st.one_of(st.sampled_from(distances), st.floats(0.0, 1.1 * distances[-1])))
    return p, small_enough(p, eps)


@settings(max_examples=examples(60))
@given(max_instances())
def test_map_search_agrees_with_brute_force(instance):
    p, eps = instance
    truth = brute_force(p, eps)
    d = deterministic_gap(p, eps)
    assert d.maximin_exact
    assert d.pure_maximin == pytest.approx(truth, abs=1e-9)
    assert map_entropy(p.mu, d.best_map) == pytest.approx(d.pure_maximin, abs=1e-12)
    assert np.array_equal(d.best_map >= 0, p.mu > 0)
    for (x, y), allowed in targets(p, eps):
        assert d.best_map[x, y] in allowed
    assert d.pure_maximin <= d.stochastic <= d.stochastic_upper + 1e-12  # (21) <= h*: a map is a plan too
    assert d.pure_minimax == pytest.approx(d.stochastic, abs=1e-6)  # (20) = h* under the max kind
    cut = deterministic_gap(p, eps, node_limit=2)
    assert cut.pure_maximin <= truth + 1e-12
    assert truth <= cut.maximin_upper + 1e-9
    if not cut.maximin_exact:
        assert cut.maximin_label.startswith("lower bound, gap <= ")
