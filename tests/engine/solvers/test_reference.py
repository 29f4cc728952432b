"""Cross-checks of the certified solve against cvxpy: the engine's own reference programs
(engine.solvers.reference) and a dense program of (15) written here from mu and the cost alone."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest
from strategies import KINDS, allowed_cells, cell_cost, cond_entropy

import engine
from engine.bounds.plan import plan_value, repair_plan
from engine.core.moves import allowed_moves
from engine.solvers.reference import plan_program, rule_program, solve_saddle_cvxpy

GAP = 1e-6


def dense_h_star(p, eps: float) -> float:
    """(15) over a dense plan G[a, c] on X x Y: max sum -rel_entr(N, N_X) s.t. rows of G = mu, N = columns."""
    n, m = p.n, p.m
    k = n * m
    C = cell_cost(p)
    forbidden = ~allowed_cells(p, eps)
    G = cp.Variable((k, k), nonneg=True)
    N = cp.Variable((n, m), nonneg=True)
    NX = cp.Variable(n, nonneg=True)
    cons = [cp.sum(G, axis=1) == p.mu.ravel(), cp.vec(N, order="C") == cp.sum(G, axis=0), NX == cp.sum(N, axis=1)]
    if forbidden.any():
        cons.append(cp.multiply(forbidden.astype(float), G) == 0)
    if p.constraint != "max":
        cons.append(cp.sum(cp.multiply(np.where(forbidden, 0.0, C), G)) <= eps)
    NXb = cp.reshape(NX, (n, 1), order="C") @ np.ones((1, m))
    prob = cp.Problem(cp.Maximize(cp.sum(-cp.rel_entr(N, NXb))), cons)
    prob.solve(solver="CLARABEL")
    assert prob.status == cp.OPTIMAL, prob.status
    return float(prob.value)


def random_problem(seed: int, kind: str, metric: str):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    mu = rng.random((n, m)) * (rng.random((n, m)) < 0.75)
    mu[0, 0] += 1e-3
    mu[-1, -1] = 1e-12 if seed % 2 else mu[-1, -1]
    positions = np.sort(rng.choice(np.arange(-6, 7), n, replace=False)) / 2
    return engine.Problem.from_arrays(
        mu / mu.sum(), positions=positions, metric=metric, constraint=kind, label_cost=0.8, normalise=True
    )


CASES = [
    (seed, kind, metric, eps)
    for seed, (kind, metric, eps) in enumerate([
        ("expected", "squared", 0.4),
        ("expected", "abs", 1.3),
        ("max", "abs", 1.0),
        ("max", "hamming", 1.0),
        ("joint", "squared", 0.3),
        ("joint", "hamming", 0.9),
    ])
]


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")  # the values are still checked to 1e-6
@pytest.mark.parametrize("seed, kind, metric, eps", CASES)
def test_engine_agrees_with_cvxpy_programs(seed, kind, metric, eps):
    p = random_problem(seed, kind, metric)
    w = engine.worst_case(p, eps)
    assert w.status == "verified"
    moves = allowed_moves(p, eps)
    plan_prob, read_plan = plan_program(p, moves, eps)
    plan_prob.solve(solver="CLARABEL")
    rule_prob, read_rule = rule_program(p, moves, eps)
    rule_prob.solve(solver="CLARABEL")
    assert plan_prob.value == pytest.approx(w.value, abs=GAP)  # (15)
    assert rule_prob.value == pytest.approx(w.value, abs=GAP)  # the dual of (13): Theorem 1
    assert dense_h_star(p, eps) == pytest.approx(w.value, abs=GAP)  # written here, independently
    q, _ = read_rule()
    assert engine.rule_loss(p, q, eps) == pytest.approx(w.value, abs=GAP)
    assert plan_value(moves, repair_plan(moves, read_plan(), eps)) == pytest.approx(w.value, abs=GAP)


@pytest.mark.parametrize("kind", KINDS)
def test_solve_saddle_cvxpy_gives_a_certified_pair(kind):
    """The fallback attempt alone closes the certificate: a feasible plan and a rule with equal values."""
    p = random_problem(11, kind, "abs")
    eps = {"expected": 0.8, "max": 1.0, "joint": 0.5}[kind]
    moves = allowed_moves(p, eps)
    raw = solve_saddle_cvxpy(p, moves, eps, "CLARABEL")
    assert raw.plan is not None and raw.q is not None
    lower = plan_value(moves, repair_plan(moves, raw.plan, eps))
    upper = engine.rule_loss(p, raw.q, eps)
    assert -1e-12 <= upper - lower <= GAP
    assert lower == pytest.approx(engine.worst_case(p, eps).value, abs=GAP)
    assert (raw.multiplier is None) == (kind == "max")


def test_paper_example_against_dense_program():
    mu = np.zeros((5, 5))
    mu[[0, 2, 4], [0, 2, 4]] = 1 / 3
    for kind in KINDS:
        p = engine.Problem.from_arrays(mu, positions=range(5), metric="abs", constraint=kind, normalise=True)
        assert dense_h_star(p, 1.0) == pytest.approx(engine.worst_case(p, 1.0).value, abs=GAP)
    assert cond_entropy(mu) == 0.0
