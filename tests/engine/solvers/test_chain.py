"""Certificates: repair_plan makes any plan feasible, plan_violation sees violations, and a faulty solver
can never produce a dishonest certificate (lower <= h* <= upper) or an exception."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import KINDS, cond_entropy, examples, instances

import engine
from engine.bounds.plan import plan_violation, repair_plan, stay_plan
from engine.bounds.result import Certificate
from engine.core.moves import allowed_moves
from engine.solvers.chain import DEFAULT_CHAIN, Attempt, chain_override, polish_override, solve_saddle
from engine.solvers.conic import RawSaddle


# -- repair_plan and plan_violation ---------------------------------------------------------------
def spoil(rng, moves, kind: str) -> np.ndarray:
    """A plan a solver might return: noisy, negative, NaN/inf, all zero, huge or over budget."""
    M = len(moves.cost)
    base = stay_plan(moves)
    if kind == "noise":
        return base + rng.normal(0, 1e-6, M)
    if kind == "negative":
        return rng.normal(0, 1, M)
    if kind == "nan":
        g = rng.random(M)
        g[rng.random(M) < 0.4] = rng.choice([np.nan, np.inf, -np.inf])
        return g
    if kind == "zero":
        return np.zeros(M)
    if kind == "huge":
        return rng.random(M) * 1e300
    if kind == "far":  # every atom to its most expensive move: far over any small budget
        g = np.zeros(M)
        for a in range(len(moves.atom_mass)):
            idx = np.flatnonzero(moves.source == a)
            g[idx[np.argmax(moves.cost[idx])]] = moves.atom_mass[a]
        return g
    raise ValueError(kind)


SPOILS = ("noise", "negative", "nan", "zero", "huge", "far")


@settings(max_examples=examples(60))
@given(instances(), st.sampled_from(SPOILS), st.integers(0, 2**32 - 1))
def test_repair_plan_is_exactly_feasible(instance, how, seed):
    p, eps = instance
    moves = allowed_moves(p, eps)
    with np.errstate(invalid="ignore", over="ignore"):
        g = repair_plan(moves, spoil(np.random.default_rng(seed), moves, how), eps)
    assert g.shape == moves.cost.shape
    assert np.all(np.isfinite(g)) and np.all(g >= 0)
    residual, excess = plan_violation(moves, g, eps)
    assert residual <= 1e-15 * float(p.mu.max())
    assert excess == 0.0
    # independently: per-atom sums and the budget, with exact summation
    for a, mass in enumerate(moves.atom_mass):
        assert math.fsum(g[moves.source == a]) == pytest.approx(mass, rel=1e-15, abs=0)
    if moves.budget:
        assert math.fsum(g * moves.cost) <= eps


@pytest.mark.parametrize("kind", KINDS)
def test_repair_leaves_feasible_plans_alone(kind):
    rng = np.random.default_rng(4)
    mu = rng.random((6, 3))
    p = engine.Problem.from_arrays(mu / mu.sum(), positions=range(6), metric="abs", constraint=kind)
    moves = allowed_moves(p, 1.0)
    np.testing.assert_array_equal(repair_plan(moves, stay_plan(moves), 1.0), stay_plan(moves))
    w = engine.worst_case(p, 1.0)
    np.testing.assert_allclose(repair_plan(moves, w.mass, 1.0), w.mass, rtol=0, atol=1e-15)


def test_plan_violation_sees_violations():
    mu = np.array([[0.5, 0.0], [0.0, 0.5]])
    p = engine.Problem.from_arrays(mu, positions=[0, 1], metric="abs", constraint="expected")
    moves = allowed_moves(p, 0.1)
    g = stay_plan(moves)
    assert plan_violation(moves, g, 0.1) == (0.0, 0.0)
    short = g * 0.9
    assert plan_violation(moves, short, 0.1)[0] == pytest.approx(0.05)
    far = spoil(np.random.default_rng(0), moves, "far")  # everything moves distance 1 at a budget of 0.1
    assert plan_violation(moves, far, 0.1) == (0.0, pytest.approx(0.9))
    fixed = repair_plan(moves, far, 0.1)
    assert plan_violation(moves, fixed, 0.1) == (0.0, 0.0)
    assert math.fsum(fixed * moves.cost) == pytest.approx(0.1, rel=1e-9)  # shrunk just enough


def test_certificate_gap_and_verification():
    assert Certificate(0.0, 1e-6).verified  # the threshold itself is verified
    c = Certificate(0.5, 0.5 + 5e-7)
    assert c.gap == pytest.approx(5e-7, abs=1e-16) and c.verified
    assert not Certificate(0.5, 0.5 + 2e-6).verified
    assert c.as_dict() == {"lower": 0.5, "upper": 0.5 + 5e-7, "gap": c.gap}


# -- faulty solvers ---------------------------------------------------------------------------------
CASES = {"expected": 0.7, "max": 0.7, "joint": 0.2}  # budgets where h* is far from both trivial bounds


def figure2_like(kind: str):
    """A 5-by-4 problem whose trivial bounds (nu = mu, uniform rule) are far apart, so solvers are needed."""
    rng = np.random.default_rng(17)
    mu = rng.random((5, 4)) ** 3
    mu /= mu.sum()
    return engine.Problem.from_arrays(
        mu, positions=np.arange(5) / 2, metric="abs", constraint=kind, label_cost=1.5
    )


@pytest.fixture(params=KINDS)
def case(request, fresh_solver_cache):
    """(problem, eps, true h*) with h* from an unpatched, verified solve; the cache is cleared around the test."""
    p, eps = figure2_like(request.param), CASES[request.param]
    w = engine.worst_case(p, eps)
    assert w.status == "verified"
    truth = (w.certificate.lower, w.certificate.upper)
    assert truth[0] > cond_entropy(p.mu) + 1e-3 and truth[1] < math.log(p.m) - 1e-3  # solvers needed
    engine.clear_cache()
    return p, eps, truth


def patch_solvers(clarabel=None, cvxpy=None):
    """The default chain with the hand-built Clarabel solve (attempts 1-3) and/or the cvxpy programs (attempts 4-5)
    replaced by ``fake(real, problem, moves, eps)``, made the default while the test runs; returns the calls."""
    calls = []

    def swap(attempt):
        family = next((f for f in ("clarabel", "cvxpy") if attempt.name.startswith(f)), None)
        if family is None:
            return attempt
        fake = {"clarabel": clarabel, "cvxpy": cvxpy}[family] or (lambda real, *args: real(*args))

        def solve(problem, moves, eps):
            calls.append(family)
            return fake(attempt.solve, problem, moves, eps)

        return Attempt(attempt.name, solve, attempt.applies)

    OVERRIDES.enter_context(chain_override(tuple(swap(a) for a in DEFAULT_CHAIN)))
    return calls


@pytest.fixture(autouse=True)
def restore_chain():
    """Every chain a test makes the default is undone after it."""
    yield
    OVERRIDES.close()


OVERRIDES = contextlib.ExitStack()


def moves_of(args):
    """The Moves argument of either solver's signature."""
    return next(a for a in args if hasattr(a, "atom_mass"))


def raising(real, *args):
    raise RuntimeError("solver exploded")


def insufficient(real, *args):
    return RawSaddle(None, None, None, "InsufficientProgress", "fake")


def nothing_solved(real, *args):
    return RawSaddle(None, None, None, "Solved", "fake")


def garbage(real, *args):
    mv = moves_of(args)
    rng = np.random.default_rng(len(mv.cost))
    q = rng.dirichlet(np.ones(mv.m), size=mv.n)
    return RawSaddle(rng.normal(0, 1, len(mv.cost)), q, 3.0, "AlmostSolved", "fake")


def nan_everything(real, *args):
    mv = moves_of(args)
    return RawSaddle(np.full(len(mv.cost), np.nan), np.full((mv.n, mv.m), np.nan), np.nan, "AlmostSolved", "fake")


def nan_rule_only(real, *args):
    mv = moves_of(args)
    q = np.full((mv.n, mv.m), 1.0 / mv.m)
    q[0, 0] = np.nan
    return RawSaddle(stay_plan(mv), q, None, "AlmostSolved", "fake")


def check_honest(w, truth, p, eps):
    lower, upper = w.certificate.lower, w.certificate.upper
    assert lower <= truth[1] + 1e-12 and truth[0] <= upper + 1e-12  # lower <= h* <= upper
    assert w.value == lower == pytest.approx(cond_entropy(w.nu), abs=1e-12)
    residual, excess = plan_violation(w.moves, w.mass, eps)
    assert residual <= 1e-15 and excess == 0.0
    assert upper == engine.rule_loss(p, w.q, eps)
    assert np.all(np.isfinite(w.q)) and np.allclose(w.q.sum(axis=1), 1.0, atol=1e-12)


def test_first_attempt_raising_falls_back(case):
    p, eps, truth = case
    state = {"n": 0}

    def first_raises(real, *args):
        state["n"] += 1
        if state["n"] == 1:
            raise RuntimeError("solver exploded")
        return real(*args)

    patch_solvers(clarabel=first_raises)
    w = engine.worst_case(p, eps)
    assert w.status == "verified"
    assert "RuntimeError" in w.message and "solver exploded" in w.message
    check_honest(w, truth, p, eps)


def test_insufficient_progress_falls_back_to_cvxpy(case):
    p, eps, truth = case
    calls = patch_solvers(clarabel=insufficient)
    w = engine.worst_case(p, eps)
    assert calls[:4] == ["clarabel"] * 3 + ["cvxpy"]
    assert w.status == "verified" and w.method.startswith("cvxpy")
    assert "InsufficientProgress" in w.message
    check_honest(w, truth, p, eps)
    assert engine.robust_rule(p, eps).value == w.certificate.upper


def test_attempts_stop_once_verified(case):
    p, eps, truth = case
    calls = patch_solvers()
    w = engine.worst_case(p, eps)
    assert w.status == "verified" and calls == ["clarabel"]
    engine.worst_case(p, eps)
    assert calls == ["clarabel"]  # the second call is served from the cache


@pytest.mark.parametrize("fault", [garbage, nan_everything, nan_rule_only], ids=lambda f: f.__name__)
def test_garbage_from_every_solver_leaves_an_honest_certificate(case, fault):
    p, eps, truth = case
    OVERRIDES.enter_context(polish_override(False))  # the chain alone; the polish is tested below
    calls = patch_solvers(clarabel=fault, cvxpy=fault)
    w = engine.worst_case(p, eps)
    assert len(calls) == 5
    assert w.status in ("approximate", "failed")
    check_honest(w, truth, p, eps)


@pytest.mark.parametrize("fault", [garbage, nan_everything, nan_rule_only], ids=lambda f: f.__name__)
def test_the_polish_after_garbage_stays_honest(case, fault):
    """From a garbage answer the polish (engine.solvers.polish) may still find the saddle point: then the
    certificate closes on the truth and the rule's error is proven; else it is no better than without it."""
    p, eps, truth = case
    patch_solvers(clarabel=fault, cvxpy=fault)
    w, r = engine.worst_case(p, eps), engine.robust_rule(p, eps)
    check_honest(w, truth, p, eps)
    if w.status == "verified":
        assert math.isfinite(r.rule_error) and r.rule_error < 1e-9


@pytest.mark.parametrize("fault", [garbage, nan_everything], ids=lambda f: f.__name__)
def test_garbage_from_clarabel_is_rescued_by_cvxpy(case, fault):
    p, eps, truth = case
    patch_solvers(clarabel=fault)
    w = engine.worst_case(p, eps)
    assert w.status == "verified"
    check_honest(w, truth, p, eps)


@pytest.mark.parametrize("fault", [raising, insufficient, nothing_solved], ids=lambda f: f.__name__)
def test_all_attempts_failing_gives_the_trivial_bounds(case, fault):
    p, eps, truth = case
    calls = patch_solvers(clarabel=fault, cvxpy=fault)
    w, r = engine.worst_case(p, eps), engine.robust_rule(p, eps)
    assert len(calls) == 5
    assert w.status == r.status == "failed"
    assert w.certificate.lower == pytest.approx(cond_entropy(p.mu), abs=1e-12)  # nu = mu
    assert w.certificate.upper == pytest.approx(math.log(p.m), abs=1e-12)  # the uniform rule
    np.testing.assert_allclose(w.nu, p.mu, atol=1e-15)
    np.testing.assert_array_equal(r.q, np.full((p.n, p.m), 1.0 / p.m))
    assert len(w.message.split("; ")) == 5
    check_honest(w, truth, p, eps)


def test_a_chain_passed_to_solve_saddle_is_used_and_is_part_of_the_cache_key(case):
    """The chain is an argument (issue 12): solve_saddle(problem, eps, attempts=...) solves with that chain, the
    default chain's answer is cached apart from it, and nothing module-level is patched."""
    p, eps, truth = case
    calls = []

    def counted(attempt):
        def solve(problem, moves, e):
            calls.append(attempt.name)
            return attempt.solve(problem, moves, e)

        return Attempt(attempt.name, solve, attempt.applies)

    chain = tuple(counted(a) for a in DEFAULT_CHAIN)
    s = solve_saddle(p, eps, attempts=chain)
    assert calls and set(calls) <= {a.name for a in DEFAULT_CHAIN}
    assert s.status == "verified" and s.certificate.lower <= truth[1] + 1e-12
    solve_saddle(p, eps, attempts=chain)
    n = len(calls)
    assert n >= 1 and solve_saddle(p, eps, attempts=chain) is s  # cached under this chain
    default = solve_saddle(p, eps)
    assert len(calls) == n and default is not s  # the default chain's own entry, not the injected one
    assert default.certificate.lower == pytest.approx(s.certificate.lower, abs=1e-9)
