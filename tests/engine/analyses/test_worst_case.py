"""The worst case (15): the paper's example, Theorem 1 on random problems, rate-distortion closed forms,
and the shape of the curve eps -> h*(eps)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import (
    KINDS,
    allowed_cells,
    cell_cost,
    cond_entropy,
    examples,
    h2,
    instances,
    label_entropy,
    problems,
)

import engine
from engine.bounds.plan import plan_violation

GAP = 1e-6


# -- the paper's example, Sec. V-A ----------------------------------------------------------------
@pytest.fixture(scope="module")
def three_points():
    """X = Y = {0..4}, mu = 1/3 on (0,0), (2,2), (4,4), d = |x - z|, max kind."""
    mu = np.zeros((5, 5))
    mu[[0, 2, 4], [0, 2, 4]] = 1 / 3
    return engine.Problem.from_arrays(mu, positions=range(5), metric="abs", constraint="max", normalise=True)


def test_paper_example_value_is_h2_of_one_third(three_points):
    w = engine.worst_case(three_points, 1.0)
    assert w.status == "verified"
    assert w.value == pytest.approx(h2(1 / 3), abs=1e-6)
    assert w.certificate.lower <= h2(1 / 3) + 1e-12 <= w.certificate.upper + 2e-12
    assert engine.robust_rule(three_points, 1.0).value == pytest.approx(h2(1 / 3), abs=1e-6)


def test_paper_example_attack_splits_the_middle_point(three_points):
    """nu* sends x = 2 to 1 and 3 with probability 1/2 each; 0 goes to 1 and 4 to 3 (alpha = 1/2)."""
    w = engine.worst_case(three_points, 1.0)
    # Along the paper's family, H(alpha) has H''(1/2) = -8/9, so a certificate gap g pins alpha to within
    # sqrt(2 g / (8/9)): the tolerance the certificate itself guarantees (~1.5e-3 at g = 1e-6).
    tol = math.sqrt(2 * max(w.certificate.gap, 0.0) / (8 / 9)) + 1e-6
    mech = w.mechanism
    assert mech[2, 2, 1, 2] == pytest.approx(0.5, abs=tol)
    assert mech[2, 2, 3, 2] == pytest.approx(0.5, abs=tol)
    assert mech[0, 0, 1, 0] == pytest.approx(1.0, abs=tol)
    assert mech[4, 4, 3, 4] == pytest.approx(1.0, abs=tol)
    assert w.plan[2, 2, 1, 2] == pytest.approx(1 / 6, abs=tol / 3)
    assert w.plan[2, 2, 3, 2] == pytest.approx(1 / 6, abs=tol / 3)
    expected_nu = np.zeros((5, 5))
    expected_nu[1, 0] = expected_nu[3, 4] = 1 / 3
    expected_nu[1, 2] = expected_nu[3, 2] = 1 / 6
    np.testing.assert_allclose(w.nu, expected_nu, atol=tol / 3)
    for x, y in [(0, 0), (2, 2), (4, 4)]:
        assert mech[x, y].sum() == pytest.approx(1.0, abs=1e-12)
        assert mech[x, y][np.abs(np.arange(5) - x) > 1].sum() == 0.0  # nothing moves further than eps = 1


def test_paper_example_expected_kind_is_strictly_larger(three_points):
    w_max = engine.worst_case(three_points, 1.0)
    w_exp = engine.worst_case(three_points.replace(constraint="expected"), 1.0)
    assert w_exp.status == "verified"
    assert w_exp.value > w_max.certificate.upper + 1e-3


# -- Theorem 1 on random problems -----------------------------------------------------------------
def check_theorem_1(p, eps):
    """minimax = maximin, a verified certificate, and an exactly feasible worst-case plan."""
    w = engine.worst_case(p, eps)
    r = engine.robust_rule(p, eps)
    assert w.status == "verified", w.message
    assert r.status == "verified"
    assert -1e-12 <= w.certificate.gap <= GAP
    assert abs(w.value - r.value) <= GAP
    assert abs(engine.rule_loss(p, r.q, eps) - w.value) <= GAP
    # the rule: every row a pmf
    assert r.q.shape == (p.n, p.m) and np.all(np.isfinite(r.q)) and np.all(r.q >= 0)
    np.testing.assert_allclose(r.q.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # the plan, as the engine checks it ...
    scale = float(p.mu.max())
    residual, excess = plan_violation(w.moves, w.mass, eps)
    assert residual <= 1e-15 * scale
    assert excess == 0.0
    # ... and rebuilt from mu and the cost alone
    n, m = p.n, p.m
    G = w.plan.reshape(n * m, n * m)
    assert np.all(G >= 0) and np.all(np.isfinite(G))
    carried = np.array([math.fsum(row) for row in G])
    np.testing.assert_allclose(carried, p.mu.ravel(), rtol=0, atol=1e-15 * scale)
    assert not np.any(G[~allowed_cells(p, eps)] > 0), "the plan uses a forbidden move"
    if p.constraint != "max":
        C = cell_cost(p)
        spent = math.fsum((G * np.where(np.isfinite(C), C, 0.0)).ravel())
        assert spent <= eps * (1 + 1e-12)
    # nu is the plan's image, a pmf with the right label marginal, and value = H_nu(Y|X)
    np.testing.assert_allclose(w.nu, w.plan.sum(axis=(0, 1)), rtol=0, atol=1e-15)
    assert np.all(w.nu >= 0)
    assert math.fsum(w.nu.ravel()) == pytest.approx(1.0, abs=1e-12)
    if p.constraint != "joint":
        np.testing.assert_allclose(w.nu.sum(axis=0), p.mu.sum(axis=0), rtol=0, atol=1e-13)
    assert w.value == pytest.approx(cond_entropy(w.nu), abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_theorem_1_on_random_problems(kind):
    @settings(max_examples=examples(100))
    @given(instances(kinds=(kind,)))
    def run(instance):
        check_theorem_1(*instance)

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_theorem_1_with_custom_costs(kind):
    """Asymmetric cost matrices with free (zero-cost) moves between distinct feature values."""

    @settings(max_examples=examples(30))
    @given(instances(kinds=(kind,), metrics=("custom",)))
    def run(instance):
        check_theorem_1(*instance)

    run()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("metric", ["abs", "squared", "hamming"])
def test_theorem_1_one_point_per_metric(kind, metric):
    """A fixed, moderately sized instance per (kind, metric): n = 8, m = 4, zeros and a 1e-12 mass."""
    rng = np.random.default_rng(7)
    mu = rng.random((8, 4))
    mu[rng.random((8, 4)) < 0.3] = 0.0
    mu[0, 0] = 1e-12
    p = engine.Problem.from_arrays(
        mu / mu.sum(), positions=np.arange(8) * 0.5, metric=metric, constraint=kind, normalise=True
    )
    for eps in (0.0, 1e-12, 0.3, 1.0):
        check_theorem_1(p, eps)


# -- rate-distortion with X = Y (Lemma 1): h*(D) = H(X) - R(D) --------------------------------------
def binary_h_star(D, p=0.3):
    """Bernoulli(p), Hamming: R(D) = h(p) - h(D) for D <= min(p, 1 - p), else 0 (Cover & Thomas 10.3.1)."""
    return h2(p) - (h2(p) - h2(D) if D <= min(p, 1 - p) else 0.0)


def uniform_h_star(D, m=5):
    """Uniform m-ary, Hamming: R(D) = log m - h(D) - D log(m - 1) for D <= 1 - 1/m, else 0."""
    return math.log(m) - (math.log(m) - h2(D) - D * math.log(m - 1) if D <= 1 - 1 / m else 0.0)


@pytest.mark.parametrize(
    "source, closed_form, grid",
    [
        ([0.7, 0.3], binary_h_star, [0.0, 1e-6, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.29, 0.3, 0.35, 0.5, 1.0]),
        ([0.2] * 5, uniform_h_star, [0.0, 1e-6, 0.02, 0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.79, 0.8, 0.9, 1.5]),
    ],
    ids=["bernoulli-0.3", "uniform-5"],
)
def test_rate_distortion_closed_forms(source, closed_form, grid):
    p = engine.Problem.from_arrays(np.diag(source), metric="hamming", constraint="expected")
    for D in grid:
        w = engine.worst_case(p, D)
        assert w.status == "verified"
        assert w.value == pytest.approx(closed_form(D), abs=1e-6), D
        assert w.certificate.lower <= closed_form(D) + 1e-9
        assert closed_form(D) <= w.certificate.upper + 1e-9


# -- the shape of eps -> h*(eps) ------------------------------------------------------------------
def h_star_curve(p, grid):
    ws = [engine.worst_case(p, e) for e in grid]
    assert all(w.status == "verified" for w in ws)
    return np.array([w.certificate.lower for w in ws]), np.array([w.certificate.upper for w in ws])


@pytest.mark.parametrize("kind", KINDS)
def test_h_star_is_monotone_concave_and_bounded(kind):
    @settings(max_examples=examples(20))
    @given(problems(kinds=(kind,), max_n=6))
    def run(p):
        top = float(p.cost.max()) + (p.label_cost if kind == "joint" else 0.0) + 0.1
        grid = top * np.array([0.0, 1e-3, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.1])
        lo, up = h_star_curve(p, grid)
        # non-decreasing: h*(e_{i+1}) >= h*(e_i), so upper_{i+1} >= lower_i; and on values, up to 1e-6
        assert np.all(up[1:] >= lo[:-1] - 1e-12)
        assert np.all(np.diff(lo) >= -GAP)
        if kind != "max":  # the max kind's curve is a staircase, not concave
            # h*(e1) >= the chord from (e0, h*(e0)) to (e2, h*(e2)), for every three consecutive budgets
            e0, e1, e2 = grid[:-2], grid[1:-1], grid[2:]
            t = (e1 - e0) / (e2 - e0)
            chord = (1 - t) * lo[:-2] + t * lo[2:]
            assert np.all(up[1:-1] >= chord - 1e-12)
            assert np.all(lo[1:-1] >= chord - GAP)
        h_clean = cond_entropy(p.mu)
        assert np.all(lo >= h_clean - 1e-12)  # nu = mu is feasible
        ceiling = math.log(p.m) if kind == "joint" else min(label_entropy(p.mu), math.log(p.m))
        assert np.all(lo <= ceiling + 1e-12)
        assert np.all(up <= ceiling + GAP)

    run()


def test_h_star_at_zero_is_clean_entropy_for_positive_costs():
    """At eps = 0 nothing may move (all off-diagonal costs positive), so h*(0) = H_mu(Y|X)."""
    rng = np.random.default_rng(3)
    mu = rng.random((6, 3))
    mu /= mu.sum()
    for kind in KINDS:
        p = engine.Problem.from_arrays(mu, positions=np.arange(6), metric="abs", constraint=kind, label_cost=0.5)
        w = engine.worst_case(p, 0.0)
        assert w.value == pytest.approx(cond_entropy(mu), abs=1e-12)
        np.testing.assert_allclose(w.nu, mu, atol=1e-15)


@pytest.mark.parametrize("kind", ["expected", "max", "joint"])
def test_leakage_is_the_worst_cases_mutual_information(kind):
    """WorstCase.leakage = I(Y';X') of nu* with its own labels: never below 0, and H_mu(Y) - h* where labels stay
    (figure 2 under hamming-joint at eps 0.7 has H_mu(Y) - h* = -0.0122 nats: labels move there)."""
    from engine.core.information import conditional_entropy, label_entropy

    p = engine.load_preset("figure2", constraint=kind, metric="hamming")
    w = engine.worst_case(p, 0.7)
    assert w.leakage == pytest.approx(label_entropy(w.nu) - conditional_entropy(w.nu), abs=1e-12)
    assert w.leakage == pytest.approx(label_entropy(w.nu) - w.value, abs=1e-12) and w.leakage >= -1e-12
    if kind != "joint":
        assert w.leakage == pytest.approx(label_entropy(p.mu) - w.value, abs=1e-12)
    else:
        assert label_entropy(p.mu) - w.value < 0 < w.leakage
