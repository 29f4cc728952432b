"""The screened solver for large alphabets (engine.solvers.reduced), forced onto small problems: its plan and rule must
certify to 1e-6 nats on the full problem and agree with the plain conic solve, for every constraint kind."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import check_grad
from strategies import KINDS, allowed_cells, cond_entropy, examples, instances, tables

import engine
import engine.solvers.reduced
from engine.bounds.plan import plan_value, plan_violation, repair_plan
from engine.bounds.result import VERIFIED_GAP
from engine.core.moves import allowed_moves
from engine.core.rules import sane_rule
from engine.solvers.chain import DEFAULT_CHAIN, Attempt, chain_override, reduced_attempt
from engine.solvers.conic import RawSaddle
from engine.solvers.reduced import (
    local_moves,
    screen,
    smoothed_dual,
    smoothed_potentials,
    solve_saddle_reduced,
    table_of,
)

GAP = 1e-6
CONIC_CHAIN = tuple(a for a in DEFAULT_CHAIN if a.name != "reduced")  # the default chain without the screened solve


def reduced_first(**options):
    """The default chain with the screened solve applied to every size (it normally starts at 5,000 moves)."""
    return chain_override((reduced_attempt(min_moves=0, **options), *CONIC_CHAIN))


def certify(p, eps, raw):
    """(lower, upper) on the full problem, computed the way the chain (engine.solvers.chain) does it."""
    moves = allowed_moves(p, eps)
    plan = repair_plan(moves, raw.plan, eps)
    residual, excess = plan_violation(moves, plan, eps)
    assert residual <= 1e-15 and excess == 0.0  # feasible for the full problem, not only for the kept moves
    q = sane_rule(raw.q, p.n, p.m)
    assert q is not None
    return plan_value(moves, plan), float(engine.rule_loss(p, q, eps))


def conic_worst_case(p, eps):
    """engine.worst_case with the screened solver switched off: the plain conic form (and its fallbacks)."""
    with chain_override(CONIC_CHAIN):
        engine.clear_cache()
        w = engine.worst_case(p, eps)
        engine.clear_cache()
    assert w.status == "verified" and w.method != "reduced"
    return w


def check_against_conic(p, eps, local_first):
    raw = solve_saddle_reduced(p, allowed_moves(p, eps), eps, local_first=local_first)
    lower, upper = certify(p, eps, raw)
    assert upper - lower <= GAP, (upper, lower)
    w = conic_worst_case(p, eps)
    assert lower == pytest.approx(w.value, abs=GAP)
    assert upper == pytest.approx(w.certificate.upper, abs=GAP)


@st.composite
def large_instances(draw, kind):
    """Problems up to 30 x 6 (zeros and tiny masses included, from ``tables``) and a budget."""
    mu = draw(tables(max_n=30, max_m=6))
    n = mu.shape[0]
    metric = draw(st.sampled_from(["abs", "squared", "hamming", "custom"]))
    positions = None
    if metric == "custom":  # asymmetric, with free moves
        metric = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.5]), min_size=n * n, max_size=n * n)))
        metric = metric.reshape(n, n)
        np.fill_diagonal(metric, 0.0)
    elif metric != "hamming":  # distinct binned positions
        positions = np.sort(draw(st.permutations(range(4 * n)))[:n]) / n
    kappa = draw(st.sampled_from([0.0, 0.25, 1.0, 3.0])) if kind == "joint" else 1.0
    p = engine.Problem.from_arrays(
        mu, positions=positions, metric=metric, constraint=kind, label_cost=kappa, normalise=True
    )
    top = float(np.max(p.cost)) + (kappa if kind == "joint" else 0.0)
    eps = draw(st.one_of(
        st.sampled_from([0.0, 1e-9, 1e-3, 0.01, 0.05]),
        st.floats(0.0, 1.2 * top + 0.1, allow_nan=False, allow_infinity=False),
    ))
    return p, eps


@pytest.mark.parametrize("local_first", [True, False], ids=["local-first", "smoothed-first"])
@pytest.mark.parametrize("kind", KINDS)
def test_matches_the_conic_solver_on_random_problems(kind, local_first):
    @settings(max_examples=examples(20))
    @given(large_instances(kind))
    def run(instance):
        check_against_conic(*instance, local_first)

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_matches_the_conic_solver_on_small_tables(kind):
    """The solver-test strategy's own instances (n <= 8, every budget the tests use elsewhere)."""

    @settings(max_examples=examples(15))
    @given(instances(kinds=(kind,)))
    def run(instance):
        check_against_conic(*instance, local_first=False)

    run()


def binned(n: int, m: int, kind: str, seed: int = 0):
    """A binned feature with concentrated posteriors (the benchmark's kind of problem)."""
    rng = np.random.default_rng(seed)
    mu = rng.dirichlet(np.full(n, 5.0))[:, None] * rng.dirichlet(np.full(m, 0.3), size=n)
    mu[rng.random((n, m)) < 0.15] = 0.0  # exact zeros
    mu[0, 0] = 1e-11  # a tiny mass
    return engine.Problem.from_arrays(
        mu, positions=np.linspace(1, 5, n), metric="squared", constraint=kind, label_cost=0.5, normalise=True
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("eps", [3e-3, 0.03, 0.3, 3.0])
def test_30_by_6_across_budgets(kind, eps):
    """From lambda large (local moves) to the budget no longer binding (a degenerate optimal face)."""
    p = binned(30, 6, kind)
    for local_first in (True, False):
        check_against_conic(p, eps, local_first)


# -- the pieces ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_smoothed_dual_gradient(kind):
    p = binned(7, 3, kind, seed=3)
    eps = 0.2 if kind != "max" else 1.5
    moves = allowed_moves(p, eps)
    table = table_of(moves)
    rng = np.random.default_rng(0)
    x = np.append(rng.normal(0, 1, len(table.reach)), 1.3 if moves.budget else 0.0)
    for tau in (0.5, 0.05):
        value = lambda v, tau=tau: smoothed_dual(v, table, eps, moves.budget, tau)[0]  # noqa: E731
        grad = lambda v, tau=tau: smoothed_dual(v, table, eps, moves.budget, tau)[1]  # noqa: E731
        assert check_grad(value, grad, x, epsilon=1e-7) <= 1e-5 * (1 + np.linalg.norm(grad(x)))


def test_smoothed_dual_bounds_h_star_from_above():
    """f_tau >= the dual (13) >= h* at any point, and its minimiser is within tau log |M(a)| of h*."""
    p = binned(12, 4, "expected", seed=1)
    eps = 0.05
    moves = allowed_moves(p, eps)
    table = table_of(moves)
    h = conic_worst_case(p, eps).value
    x = smoothed_potentials(table, eps, True, evaluations=2000)
    for tau in (0.1, 0.01):
        f = smoothed_dual(x, table, eps, True, tau)[0]
        assert f >= h - GAP
    assert smoothed_dual(x, table, eps, True, 0.01)[0] <= h + 0.01 * math.log(p.n) + 1e-3


def test_table_lays_out_every_move_once():
    p = binned(9, 3, "max", seed=2)
    moves = allowed_moves(p, 0.6)
    table = table_of(moves)
    assert sorted(table.index[table.valid].tolist()) == list(range(len(moves.cost)))
    rows = np.nonzero(table.valid)[0]
    np.testing.assert_array_equal(moves.source[table.index[table.valid]], rows)
    np.testing.assert_array_equal(table.target[table.valid], moves.target[table.index[table.valid]])


@pytest.mark.parametrize("kind", KINDS)
def test_kept_moves_keep_every_cell_reachable(kind):
    """A cell the full problem reaches must stay reachable, or the reduced rule would put q = 0 on it."""
    p = binned(10, 4, kind, seed=4)
    eps = 0.3
    moves = allowed_moves(p, eps)
    table = table_of(moves)
    reach = np.flatnonzero(allowed_cells(p, eps)[p.mu.ravel() > 0].any(axis=0))
    for keep in (local_moves(moves), screen(moves, table, smoothed_potentials(table, eps, moves.budget), 0.01)):
        np.testing.assert_array_equal(np.unique(moves.target[keep]), reach)
    assert local_moves(moves)[moves.is_stay].all()


# -- the engine chooses it by size -----------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_saddle_uses_it_above_the_threshold(kind, fresh_solver_cache):
    p = binned(20, 4, kind, seed=5)
    eps = 0.05
    truth = conic_worst_case(p, eps)
    with reduced_first():
        w = engine.worst_case(p, eps)
    assert w.status == "verified" and w.method == "reduced"
    assert w.value == pytest.approx(truth.value, abs=GAP)
    assert w.certificate.upper == engine.rule_loss(p, w.q, eps)
    assert w.certificate.gap <= VERIFIED_GAP
    assert cond_entropy(w.nu) == pytest.approx(w.value, abs=1e-12)


def test_saddle_falls_back_to_the_conic_solve(fresh_solver_cache):
    p = binned(20, 4, "expected", seed=6)

    def broken(*args, **kwargs):
        raise RuntimeError("screening exploded")

    with chain_override((Attempt("reduced", broken), *CONIC_CHAIN)):
        w = engine.worst_case(p, 0.05)
    assert w.status == "verified" and w.method == "clarabel"
    assert "reduced failed (RuntimeError: screening exploded)" in w.message


@pytest.mark.parametrize("fault", ["nan", "garbage", "stalled"])
def test_garbage_from_the_reduced_solves_leaves_an_honest_certificate(fault, monkeypatch, fresh_solver_cache):
    p = binned(20, 4, "expected", seed=8)
    eps = 0.05
    truth = conic_worst_case(p, eps)

    def broken(moves, eps, options, method):
        rng = np.random.default_rng(len(moves.cost))
        if fault == "stalled":
            return RawSaddle(None, None, None, "InsufficientProgress", method)
        if fault == "nan":
            return RawSaddle(np.full(len(moves.cost), np.nan), np.full((moves.n, moves.m), np.nan), np.nan, "Solved",
                             method)
        return RawSaddle(rng.normal(0, 1, len(moves.cost)), rng.dirichlet(np.ones(moves.m), size=moves.n), 2.0,
                         "AlmostSolved", method)

    monkeypatch.setattr(engine.solvers.reduced, "solve_saddle_clarabel", broken)  # the screened solve's own solver
    with reduced_first():
        w = engine.worst_case(p, eps)
    assert w.status == "verified" and w.method != "reduced"  # the conic form over all moves closed the gap
    assert w.value == pytest.approx(truth.value, abs=GAP)
    residual, excess = plan_violation(w.moves, w.mass, eps)
    assert residual <= 1e-15 and excess == 0.0


def test_a_gap_left_open_is_never_reported_as_verified(fresh_solver_cache):
    """One round on the local moves only cannot reach h* here; the chain must then move on to the conic solve."""
    p = binned(20, 4, "expected", seed=7)
    eps = 0.5
    with reduced_first(rounds=1):
        w = engine.worst_case(p, eps)
    assert w.status == "verified" and w.method != "reduced"
    assert "reduced left a gap" in w.message
