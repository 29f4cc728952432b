"""engine.solvers.posterior: the robust rule at eps = 0 in closed form, and its limit eps -> 0+ off the support.

The closed form is checked against the posterior computed here; the limit rule against the chain's own robust
rules at small budgets (it must be their limit: the error shrinks in proportion to eps), for a finite lambda0
(every row with mass has every label) and an infinite one (a row lacks a label the attack could bring).
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.solvers.chain import saddle_at
from engine.solvers.posterior import posterior_at_zero

CASES = {
    "finite lambda0": (np.array([[0.2, 0.1], [0.0, 0.0], [0.15, 0.25], [0.05, 0.25]]), "expected", "squared"),
    "joint kind": (np.array([[0.3, 0.1], [0.0, 0.0], [0.1, 0.2], [0.0, 0.0], [0.2, 0.1]]), "joint", "abs"),
    "infinite lambda0": (np.array([[0.3, 0.0], [0.0, 0.0], [0.2, 0.3], [0.0, 0.2]]), "expected", "squared"),
}


def problem(name):
    mu, kind, metric = CASES[name]
    return engine.Problem.from_arrays(mu / mu.sum(), positions=list(range(len(mu))), metric=metric,
                                      constraint=kind, label_cost=0.5)


def test_eps_zero_is_the_posterior_exactly():
    p = engine.load_preset("figure2")
    r = engine.robust_rule(p, 0.0)
    post = p.mu / p.mu.sum(axis=1, keepdims=True)
    assert np.max(np.abs(np.log(r.q) - np.log(post))) <= r.rule_error <= 1e-15
    assert r.unique and r.uniqueness == ""


@pytest.mark.parametrize("name", list(CASES))
def test_rows_off_the_support_take_the_limit_of_the_robust_rules(name):
    p = problem(name)
    q0, delta, free, lam0 = posterior_at_zero(p)
    empty = p.mu.sum(axis=1) == 0
    assert free == tuple(np.flatnonzero(empty)) and np.isinf(lam0) == (name == "infinite lambda0")
    np.testing.assert_allclose(q0.sum(axis=1), 1.0, atol=1e-15)
    errors = []
    for eps in (1e-3, 1e-4, 1e-5):
        q = saddle_at(p, eps).q
        errors.append(np.max(np.abs(np.log(q[empty]) - np.log(q0[empty]))))
    assert errors[-1] < 1e-4  # converges...
    assert errors[0] > 5 * errors[1] > 25 * errors[2]  # ...linearly in eps


def test_the_rule_at_zero_says_it_is_not_unique_off_the_support():
    p = problem("finite lambda0")
    r = engine.robust_rule(p, 0.0)
    assert r.free_rows == (1,) and not r.unique
    assert "not unique at x = 1" in r.uniqueness and "eps -> 0+" in r.uniqueness
    np.testing.assert_array_equal(r.rule_floor[1], [0.0, 0.0])  # at eps = 0 any pmf is minimax there


def test_free_moves_at_zero_are_polished_not_posterior():
    """A custom distance of 0 between two feature values lets eps = 0 move mass: no closed form, the polish."""
    mu = np.array([[0.4, 0.1], [0.1, 0.4]])
    p = engine.Problem.from_arrays(mu, metric=np.array([[0.0, 0.0], [0.0, 0.0]]), constraint="expected")
    assert posterior_at_zero(p) is None
    r = engine.robust_rule(p, 0.0)
    np.testing.assert_allclose(r.q, 0.5, atol=1e-12)  # the attacker pools both rows for free
    assert r.rule_error < 1e-12


def test_a_label_no_atom_carries_leaves_the_rounding_bound_finite():
    """One atom (mass 1, label 0) on seven rows, expected kind, eps = 0 (a Hypothesis draw): label 1's cells are
    unreachable (psi = inf, q = 0 exactly); the rounding bound used to take |psi| over them and read inf."""
    mu = np.zeros((7, 2))
    mu[0, 0] = 1.0
    p = engine.Problem.from_arrays(mu, positions=list(range(7)), metric="abs", constraint="expected")
    q0, delta, free, lam0 = posterior_at_zero(p)
    assert delta < 1e-14 and free == (1, 2, 3, 4, 5, 6) and lam0 == 0.0
    np.testing.assert_array_equal(q0, np.tile([1.0, 0.0], (7, 1)))
    s = saddle_at(p, 0.0)
    assert s.rule_error < 1e-14 and s.free_rows == free
