"""engine.analyses.robust_error: the robust 0-1 error e*(eps) against formulations built here.

Independent of the engine's LP (a primal over the plan, ``engine.solvers.error_lp``): the *minimax over q* solved
directly as one dense LP by HiGHS,

    min_{q, lam >= 0, s}  lam eps + sum_a mu(a) s_a   s.t.  s_a >= 1 - q(c) - lam cost(a, c) on each allowed move,
                          sum_y q(y|x') = 1, q >= 0          (``max`` kind: no lam, moves inside the ball),

with costs and allowed moves rebuilt by ``strategies`` (never by ``engine.moves``); the worst-case error of a
fixed rule as a dense plan LP; and, for two classes under the ``max`` kind, Bhagoji, Cullina & Mittal's
matching: e* = the largest mass of class-0 / class-1 pairs whose eps-balls share a point, by a max flow.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow
from strategies import KINDS, METRICS, allowed_cells, budgets, cell_cost, examples, feature_cost, problems, rules

import engine
from engine.analyses import robust_error as re_mod
from engine.analyses.error_grid import clean_rule, error_grid
from engine.analyses.robust_error import RobustError, RobustErrorCurve, robust_error, rule_error
from engine.errors import ProblemError

ROOT = Path(__file__).resolve().parents[3]
TOL = 1e-9
LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
ALL_METRICS = (*METRICS, "custom")


def minimax_lp(p, eps: float) -> float:
    """min_q max_{nu in D(eps)} E_nu[1 - q]: the dual (Gao-Kleywegt) form as one dense HiGHS LP."""
    n, m, k = p.n, p.m, p.n * p.m
    C = cell_cost(p)
    allowed = allowed_cells(p, eps)
    atoms = np.flatnonzero(p.mu.ravel() > 0)
    budget = p.constraint != "max"
    # variables: q (k), lam (1), s (one per atom)
    nv = k + 1 + len(atoms)
    rows, b = [], []
    for i, a in enumerate(atoms):
        for c in np.flatnonzero(allowed[a]):
            row = np.zeros(nv)  # -q(c) - lam cost - s_a <= -1
            row[c], row[k], row[k + 1 + i] = -1.0, -(C[a, c] if budget else 0.0), -1.0
            rows.append(row)
            b.append(-1.0)
    A_eq = np.zeros((n, nv))
    for x in range(n):
        A_eq[x, x * m:(x + 1) * m] = 1.0
    cost = np.concatenate((np.zeros(k), [eps if budget else 0.0], p.mu.ravel()[atoms]))
    bounds = [(0, None)] * k + [(0, None if budget else 0)] + [(None, None)] * len(atoms)
    res = linprog(cost, A_ub=np.array(rows), b_ub=b, A_eq=A_eq, b_eq=np.ones(n), bounds=bounds, method="highs",
                  options=LP_OPTIONS)
    assert res.status == 0, res.message
    return float(res.fun)


def dense_rule_error(p, q, eps: float) -> float:
    """max over plans in D(eps) of E[1 - q(Y'|X')], by HiGHS over the dense plan gamma[a, c]."""
    k = p.n * p.m
    C = cell_cost(p)
    allowed = allowed_cells(p, eps) & (p.mu.ravel() > 0)[:, None]
    if p.constraint != "max" and eps == 0:
        allowed &= C <= 0
    gain = np.broadcast_to(1.0 - np.asarray(q, float).ravel(), (k, k)).ravel()
    A_ub = b_ub = None
    if p.constraint != "max" and eps > 0:
        scale = 1.0 / eps if eps >= 1e-6 else 1.0  # HiGHS's tolerances are absolute: make the row's relative
        A_ub, b_ub = (np.where(allowed, C, 0.0).ravel() * scale)[None, :], [eps * scale]
    res = linprog(-gain, A_ub=A_ub, b_ub=b_ub, A_eq=np.kron(np.eye(k), np.ones((1, k))), b_eq=p.mu.ravel(),
                  bounds=[(0.0, None if ok else 0.0) for ok in allowed.ravel()], method="highs", options=LP_OPTIONS)
    assert res.status == 0, res.message
    return float(-res.fun)


def matching_error(counts: np.ndarray, positions, eps: float) -> float:
    """Bhagoji et al.'s characterisation on a finite X: the most class-0 / class-1 mass that can be paired, a
    pair (x0, x1) allowed when some x' in X has |x0 - x'| <= eps and |x1 - x'| <= eps; max flow on integers."""
    xs = np.asarray(positions, float)
    near = np.abs(xs[:, None] - xs[None, :]) <= eps * (1 + 1e-9)  # near[x, x']
    meet = (near.astype(int) @ near.T.astype(int)) > 0            # meet[x0, x1]: the balls share a point
    n = len(xs)
    source, sink = 2 * n, 2 * n + 1
    cap = np.zeros((2 * n + 2, 2 * n + 2), dtype=np.int64)
    cap[source, :n] = counts[:, 0]
    cap[n:2 * n, sink] = counts[:, 1]
    cap[:n, n:2 * n] = np.where(meet, int(counts.sum()), 0)
    flow = maximum_flow(csr_array(cap).astype(np.int32), source, sink).flow_value
    return flow / counts.sum()


def grid_of(p, draw) -> list[float]:
    return sorted({0.0, 1e-9, *(draw(budgets(p)) for _ in range(4))})


# -- against the independent minimax LP ----------------------------------------------------------------
@settings(max_examples=examples(60))
@given(st.data(), problems(kinds=KINDS, metrics=ALL_METRICS, max_n=6, max_m=3))
def test_matches_the_minimax_lp_and_the_certificate_closes(data, p):
    grid = grid_of(p, data.draw)
    curve = robust_error(p, grid)
    for e, point in zip(grid, curve.points, strict=True):
        expected = minimax_lp(p, e)
        assert abs(point.value - expected) <= TOL, (e, point.value, expected)
        assert abs(point.certificate.upper - expected) <= TOL, (e, point.certificate.upper, expected)
        assert point.certificate.gap <= TOL and point.status == "verified", (e, point.certificate, point.message)


@settings(max_examples=examples(30))
@given(st.data(), problems(kinds=KINDS, metrics=ALL_METRICS, max_n=5, max_m=3))
def test_the_plan_is_feasible_and_makes_nu_and_the_rule_is_a_pmf_on_all_of_x(data, p):
    e = data.draw(budgets(p))
    point = robust_error(p, e)
    plan = point.plan.reshape(p.n * p.m, p.n * p.m)
    C, allowed = cell_cost(p), allowed_cells(p, e)
    assert np.all(plan >= 0) and not np.any(plan[~allowed])
    assert np.allclose(plan.sum(axis=1), p.mu.ravel(), rtol=0, atol=1e-15)
    if p.constraint != "max":
        assert np.sum(plan * np.where(allowed, C, 0.0)) <= e * (1 + 1e-12)
    assert np.allclose(point.nu.ravel(), plan.sum(axis=0), rtol=0, atol=1e-15)
    assert point.value == pytest.approx(1 - np.max(point.nu, axis=1).sum(), abs=1e-15)
    assert point.q.shape == (p.n, p.m) and np.all(point.q >= 0)
    assert np.allclose(point.q.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert rule_error(p, point.q, e) == pytest.approx(point.certificate.upper, abs=1e-12)


# -- orderings -------------------------------------------------------------------------------------
@settings(max_examples=examples(40))
@given(st.data(), problems(kinds=KINDS, metrics=ALL_METRICS, max_n=6, max_m=4))
def test_non_decreasing_in_eps_and_between_bayes_error_and_the_prior_guess(data, p):
    grid = sorted({data.draw(budgets(p)) for _ in range(6)} | {0.0})
    curve = robust_error(p, grid)
    assert np.all(np.diff(curve.value) >= -TOL)
    bayes = 1 - p.mu.max(axis=1).sum()
    top = 1 - p.mu.sum(axis=0).max() if p.constraint != "joint" else 1 - 1 / p.m  # labels may change (joint)
    assert np.all(curve.lower >= bayes - TOL) and np.all(curve.upper <= top + TOL)
    free = cell_cost(p) <= 0
    np.fill_diagonal(free, False)
    if not free.any():  # at eps = 0 only free moves are allowed: with none, nu = mu
        assert curve.value[0] == pytest.approx(bayes, abs=TOL)
    # any other rule does no better, the cross-entropy-robust rule q* included
    rival = engine.robust_rule(p, grid[-1]).q
    assert rule_error(p, rival, grid[-1]) >= curve.value[-1] - TOL


# -- Bhagoji, Cullina & Mittal (NeurIPS 2019): two classes, max kind -----------------------------------------
@settings(max_examples=examples(40))
@given(st.data())
def test_two_classes_max_kind_equals_the_matching(data):
    n = data.draw(st.integers(1, 7))
    counts = np.array(data.draw(st.lists(st.integers(0, 6), min_size=2 * n, max_size=2 * n))).reshape(n, 2)
    if counts.sum() == 0:
        counts[0, 0] = 1
    ticks = data.draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n, unique=True))
    p = engine.Problem.from_arrays(counts / counts.sum(), positions=[t / 2 for t in ticks], metric="abs",
                                   constraint="max")
    distances = sorted({float(v) for v in feature_cost(p).ravel()} | {d / 2 for d in feature_cost(p).ravel()})
    grid = sorted({data.draw(st.sampled_from(distances)), data.draw(st.floats(0, 9)), 0.0})
    curve = robust_error(p, grid)
    for e, v in zip(grid, curve.value, strict=True):
        assert v == pytest.approx(matching_error(counts, p.positions, e), abs=TOL), e


# -- any rule's error --------------------------------------------------------------------------------------
@settings(max_examples=examples(40))
@given(st.data(), problems(kinds=KINDS, metrics=ALL_METRICS, max_n=5, max_m=3))
def test_rule_error_matches_the_dense_plan_lp(data, p):
    q = data.draw(rules(p.n, p.m))
    grid = sorted({0.0, *(data.draw(budgets(p)) for _ in range(3))})
    got = rule_error(p, q, grid)
    assert isinstance(got, np.ndarray) and got.shape == (len(grid),)
    for e, v in zip(grid, got, strict=True):
        assert v == pytest.approx(dense_rule_error(p, q, e), abs=TOL), e


def test_known_numbers_on_figure2():
    p = engine.load_preset("figure2")
    curve = robust_error(p, np.linspace(0, 2, 41))
    bayes = 1 - p.mu.max(axis=1).sum()
    assert curve.value[0] == pytest.approx(bayes, abs=1e-15)
    assert curve.status == "verified" and curve.gap.max() <= TOL
    assert np.all(np.diff(curve.value) >= -TOL) and curve.value[-1] <= 1 - p.mu.sum(axis=0).max() + TOL
    assert curve.rule.shape == (5, 5) and curve.rules.shape == (41, 5, 5)


# -- the interface -----------------------------------------------------------------------------------------
def test_scalar_and_list_budgets():
    p = engine.load_preset("figure2")
    point = robust_error(p, 0.5)
    assert isinstance(point, RobustError) and isinstance(point.value, float)
    assert point.accuracy == pytest.approx(1 - point.value)
    assert point.argmax is point.nu and point.argmin is point.q
    curve = robust_error(p, [0.5, 0.0, 0.5])
    assert isinstance(curve, RobustErrorCurve) and list(curve.eps) == [0.5, 0.0, 0.5]
    assert curve.value[0] == curve.value[2] == pytest.approx(point.value, abs=1e-12)
    assert curve.value[1] <= point.value
    assert isinstance(rule_error(p, point.q, 0.5), float)


def test_results_pickle_for_the_page_caches():
    import pickle

    curve = robust_error(engine.load_preset("figure2"), [0.0, 0.5])
    back = pickle.loads(pickle.dumps(curve))
    assert np.array_equal(back.value, curve.value) and np.array_equal(back.points[1].plan, curve.points[1].plan)


@pytest.mark.parametrize("eps, words", [(-1, "non-negative"), (float("nan"), "finite"), ([], "non-empty"),
                                        ("abc", "number")])
def test_bad_budgets_are_sentences(eps, words):
    with pytest.raises(ProblemError, match=words):
        robust_error(engine.load_preset("figure2"), eps)


def test_bad_rules_are_sentences():
    p = engine.load_preset("figure2")
    with pytest.raises(ProblemError, match="5-by-5"):
        rule_error(p, np.ones((2, 2)) / 2, 0.1)
    with pytest.raises(ProblemError, match="sums to"):
        rule_error(p, np.ones((5, 5)), 0.1)


def test_a_failing_solver_is_reported_and_the_bounds_stay_honest(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no solver today")

    monkeypatch.setattr(re_mod, "ErrorLP", broken)
    monkeypatch.setattr(re_mod, "solve_error_linprog", broken)
    re_mod.clear_cache()
    p = engine.load_preset("figure2")
    try:
        point = robust_error(p, 0.7)
    finally:
        re_mod.clear_cache()
    assert point.status == "failed" and "no solver today" in point.message
    assert point.value == pytest.approx(1 - p.mu.max(axis=1).sum())  # the plan that moves nothing
    assert point.certificate.upper == pytest.approx(min(1 - 1 / p.m, 1 - p.mu.sum(axis=0).max()))
    assert point.certificate.lower <= robust_error(p, 0.7).value <= point.certificate.upper


def test_the_interior_point_attempt_closes_when_the_simplex_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simplex out")

    monkeypatch.setattr(re_mod, "ErrorLP", broken)
    re_mod.clear_cache()
    p = engine.load_preset("figure2").replace(constraint="joint", label_cost=0.5)
    try:
        curve = robust_error(p, [0.0, 0.3, 1.1])
    finally:
        re_mod.clear_cache()
    assert {pt.method for pt in curve.points} == {"highs-ipm"} and curve.status == "verified"
    for e, v in zip(curve.eps, curve.value, strict=True):
        assert v == pytest.approx(minimax_lp(p, e), abs=TOL)


# -- the accuracy view of Figure 2 ---------------------------------------------------------------------------
def test_error_grid_on_figure2():
    p = engine.load_preset("figure2")
    eps = np.linspace(0, 2, 9)
    g = error_grid(p, [0.0, 0.5, 1.0, 1.95], eps)
    assert g.error.shape == g.zero_one.shape == (9, 4) and g.status == "verified"
    assert np.all(g.error >= g.optimal[:, None] - TOL) and np.all(g.zero_one >= g.optimal[:, None] - TOL)
    assert np.all(g.clean >= g.optimal - TOL) and g.clean[0] == pytest.approx(g.bayes_error, abs=1e-15)
    for j, e in enumerate(g.eps_rule):  # a 0-1-robust rule is optimal at its own budget
        i = int(np.flatnonzero(np.isclose(eps, e))[0]) if np.isclose(eps, e).any() else None
        if i is not None:
            assert g.zero_one[i, j] == pytest.approx(g.optimal[i], abs=TOL)
    assert g.prior_error == pytest.approx(1 - p.mu.sum(axis=0).max())
    assert np.ptp(g.error[:, 3]) < 0.05  # the rule for eps_rule = 1.95 nearly guesses the prior: flat
    assert np.allclose(g.accuracy, 1 - g.error) and g.value is g.error


def test_clean_rule_splits_ties_and_guesses_the_prior_where_mu_x_is_zero():
    mu = np.array([[0.2, 0.2, 0.0], [0.0, 0.0, 0.0], [0.1, 0.0, 0.5]])
    q = clean_rule(engine.Problem.from_arrays(mu, metric="abs"))
    assert np.allclose(q, [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])


@settings(max_examples=examples(20))
@given(st.data(), problems(kinds=KINDS, metrics=ALL_METRICS, max_n=5, max_m=3))
def test_no_rule_beats_the_optimum(data, p):
    grid = sorted({0.0, *(data.draw(budgets(p)) for _ in range(3))})
    g = error_grid(p, grid[-2:], grid)
    assert np.all(g.error >= g.optimal[:, None] - TOL) and np.all(g.clean >= g.optimal - TOL)
    assert np.all(g.optimal_upper - g.optimal <= TOL)


# -- Pydi & Jog (ICML 2020): N(-1, 1) against N(1, 1), max kind -------------------------------------------------
@pytest.mark.slow
def test_binned_gaussians_converge_to_phi_of_eps_minus_one():
    spec = importlib.util.spec_from_file_location("pydi_jog", ROOT / "scripts" / "pydi_jog.py")
    pydi_jog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pydi_jog)
    rows = pydi_jog.convergence([25, 50, 100, 200], [1 / 3, 0.5, 2 / 3, 0.99])
    worst = {}
    for r in rows:
        print(f"{r['points']:4d} points, eps {r['eps']:.3f}: e* = {r['value']:.9f}, Phi(eps - 1) = {r['exact']:.9f}, "
              f"distance {r['distance']:+.2e}, certificate gap {r['certificate_gap']:.1e}")
        assert r["status"] == "verified" and r["certificate_gap"] <= TOL
        assert abs(r["distance"]) <= 0.4 * r["width"]  # phi(0) < 0.4: at most one bin's worth of Phi
        if r["binned"] is not None:  # even K: the binned problem's own closed form
            assert r["value"] == pytest.approx(r["binned"], abs=TOL)
        worst[r["points"]] = max(worst.get(r["points"], 0.0), abs(r["distance"]))
    assert list(worst.values()) == sorted(worst.values(), reverse=True) and worst[200] < 0.02
