"""engine.bounds.loss: the exact worst-case loss of a fixed rule against a HiGHS LP built here, and upper_hull.

The LP is the primal of docs/design.md ("The exact loss of a rule") over a dense transport plan
gamma[a, c] from cell a = x * m + y to cell c = x' * m + y', with costs and allowed moves rebuilt from
the problem's positions and metric name (``strategies.cell_cost``), never from ``engine.core.moves``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from strategies import KINDS, METRICS, allowed_cells, budgets, cell_cost, examples, problems, reachable_cells, rules

import engine
import engine.bounds.hulls
from engine.bounds.hulls import hull_segments, upper_hull, upper_hulls
from engine.errors import ProblemError

LP_TOL = 1e-8
ALL_METRICS = (*METRICS, "custom")


def highs_rule_loss(p, q, eps: float) -> float:
    """max over plans in D(eps) of E[-log q(Y'|X')], solved by HiGHS; inf if a q = 0 cell is reachable."""
    k = p.n * p.m
    with np.errstate(divide="ignore"):
        ell = -np.log(np.asarray(q, dtype=float).ravel())
    zero = ~np.isfinite(ell)
    if np.any(zero & reachable_cells(p, eps)):
        return math.inf
    C = cell_cost(p)
    allowed = allowed_cells(p, eps) & ~zero[None, :]
    bounds = [(0.0, None) if ok else (0.0, 0.0) for ok in allowed.ravel()]
    A_eq = np.kron(np.eye(k), np.ones((1, k)))  # sum_c gamma[a, c] = mu(a)
    A_ub = b_ub = None
    if p.constraint != "max":
        row = np.where(allowed, C, 0.0).ravel()[None, :]
        scale = 1.0 / eps if eps >= 1e-6 else 1.0  # HiGHS tolerances are absolute: make the row's relative
        A_ub, b_ub = row * scale, [eps * scale]
    gain = np.broadcast_to(np.where(zero, 0.0, ell), (k, k)).ravel()
    res = linprog(
        -gain, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=p.mu.ravel(), bounds=bounds, method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert res.status == 0, res.message
    return float(-res.fun)


def eps_grid(p, draw) -> list[float]:
    """0, a tiny budget, a ball boundary and a few drawn budgets."""
    return sorted({0.0, 1e-9, *(draw(budgets(p)) for _ in range(4))})


def assert_matches_lp(p, q, grid):
    got = engine.rule_loss(p, q, grid)
    assert isinstance(got, np.ndarray) and got.shape == (len(grid),)
    for e, value in zip(grid, got, strict=True):
        want = highs_rule_loss(p, q, e)
        if math.isinf(want):
            assert value == math.inf, (e, value)
        else:
            assert abs(value - want) <= LP_TOL * max(1.0, abs(want)), (e, value, want)
        assert engine.rule_loss(p, q, e) == value  # the scalar call agrees with the vectorised one


@pytest.mark.parametrize("kind", KINDS)
def test_rule_loss_equals_highs_lp(kind):
    @settings(max_examples=examples(40))
    @given(st.data())
    def run(data):
        p = data.draw(problems(kinds=(kind,), metrics=ALL_METRICS))
        q = data.draw(rules(p.n, p.m, zeros=False))
        assert_matches_lp(p, q, eps_grid(p, data.draw))

    run()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [(8, 4), (3, 2)], ids=["up-to-8x4", "up-to-3x2"])
def test_rule_loss_with_zeros_is_inf_exactly_where_reachable(kind, size):
    @settings(max_examples=examples(30))
    @given(st.data())
    def run(data):
        p = data.draw(problems(kinds=(kind,), metrics=ALL_METRICS, max_n=size[0], max_m=size[1], min_m=2))
        q = data.draw(rules(p.n, p.m, zeros=True))
        assume(np.any(q == 0))
        assert_matches_lp(p, q, eps_grid(p, data.draw))

    run()


@pytest.mark.parametrize("kind", ["expected", "max"])
def test_zeros_on_a_massless_label_keep_the_loss_finite(kind):
    """Label-fixed kinds never create mass on a label mu gives none, so q may be 0 there at any eps."""
    rng = np.random.default_rng(11)
    mu = rng.random((5, 3))
    mu[:, 2] = 0.0
    p = engine.Problem.from_arrays(mu / mu.sum(), positions=[0, 1, 3, 4, 7], metric="abs", constraint=kind)
    q = rng.dirichlet(np.ones(3), size=5)
    q[:, 2] = 0.0
    q /= q.sum(axis=1, keepdims=True)
    grid = [0.0, 1e-12, 0.5, 1.0, 2.0, 3.0, 10.0]
    assert np.all(np.isfinite(engine.rule_loss(p, q, grid)))
    assert_matches_lp(p, q, grid)


@pytest.mark.parametrize("kind", KINDS)
def test_an_atom_whose_every_move_has_q_zero_loses_inf(kind):
    """Found by Hypothesis (dev profile): the only atom (x = 0.5, y = 1) may go to x = 0 or stay, and q puts
    0 on label 1 at both, so the loss is inf at every budget (the expected kind raised IndexError)."""
    p = engine.Problem.from_arrays([[0, 0], [1, 0]], positions=[0, 0.5], metric="abs", constraint=kind)
    q = [[0.0, 1.0], [0.0, 1.0]]
    assert engine.rule_loss(p, q, 0.0) == math.inf
    assert np.all(engine.rule_loss(p, q, [0.0, 1e-9, 0.5, 3.0]) == math.inf)


def test_joint_kind_reaches_every_cell():
    """Under the joint kind any eps > 0 moves some mass to every cell, so one zero in q makes the loss inf."""
    mu = np.array([[0.5, 0.0], [0.0, 0.5]])
    p = engine.Problem.from_arrays(mu, positions=[0, 1], metric="abs", constraint="joint", label_cost=2.0)
    q = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert engine.rule_loss(p, q, 0.0) == pytest.approx(0.5 * math.log(2), abs=1e-15)
    assert np.all(engine.rule_loss(p, q, [1e-12, 1.0, 5.0]) == math.inf)


@pytest.mark.parametrize("kind", ["expected", "joint"])
def test_budget_kind_curve_is_concave_and_non_decreasing(kind):
    @settings(max_examples=examples(30))
    @given(st.data())
    def run(data):
        p = data.draw(problems(kinds=(kind,)))
        q = data.draw(rules(p.n, p.m, zeros=False))
        grid = np.linspace(0.0, 2.0 * float(p.cost.max()) + 1.0, 41)
        L = engine.rule_loss(p, q, grid)
        scale = max(1.0, float(np.max(np.abs(L))))
        assert np.all(np.diff(L) >= -1e-12 * scale)
        assert np.all(L[1:-1] >= (L[:-2] + L[2:]) / 2 - 1e-12 * scale)

    run()


def test_clean_loss_and_uniform_rule():
    """L(0, q) = E_mu[-log q] when nothing may move; the uniform rule loses log m at every budget."""
    rng = np.random.default_rng(5)
    mu = rng.random((6, 4))
    mu /= mu.sum()
    q = rng.dirichlet(np.ones(4), size=6)
    for kind in KINDS:
        p = engine.Problem.from_arrays(mu, positions=np.arange(6) ** 1.5, metric="squared", constraint=kind)
        assert engine.rule_loss(p, q, 0.0) == pytest.approx(float(np.sum(mu * -np.log(q))), rel=1e-14)
        uniform = np.full((6, 4), 0.25)
        np.testing.assert_allclose(engine.rule_loss(p, uniform, [0.0, 0.1, 5.0, 100.0]), math.log(4), rtol=1e-15)


# -- upper_hull ------------------------------------------------------------------------------------
def brute_majorant(c, v, at):
    """The least concave majorant of the step function max{v_j : c_j <= t}, evaluated at ``at``."""
    best = max(v[j] for j in range(len(c)) if c[j] <= at)
    for i in range(len(c)):
        for j in range(len(c)):
            if c[i] <= at < c[j]:
                best = max(best, v[i] + (v[j] - v[i]) * (at - c[i]) / (c[j] - c[i]))
    return best


points = st.lists(
    st.tuples(st.integers(0, 12), st.integers(-10, 10)), min_size=1, max_size=9
).map(lambda ps: (np.array([a for a, _ in ps], float) / 4, np.array([b for _, b in ps], float) / 3))


# Both ways upper_hulls finds vertices: all pairs compared at once (narrow atoms), and the scan (wide ones).
HULL_PATHS = pytest.mark.parametrize("table_width", [engine.bounds.hulls.HULL_TABLE_WIDTH, 0], ids=["pairs", "scan"])


@HULL_PATHS
@settings(max_examples=examples(200))
@given(points)
def test_upper_hull_is_the_least_concave_majorant(table_width, cv):
    c, v = cv
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine.bounds.hulls, "HULL_TABLE_WIDTH", table_width)
        hc, hv = upper_hull(c, v)
    assert len(hc) >= 1 and len(hc) == len(hv)
    pairs = set(zip(c.tolist(), v.tolist(), strict=True))
    assert all((a, b) in pairs for a, b in zip(hc.tolist(), hv.tolist(), strict=True))  # vertices are points
    assert hc[0] == c.min() and hv[0] == v[c == c.min()].max()
    assert hv[-1] == v.max()
    assert np.all(np.diff(hc) > 0) and np.all(np.diff(hv) > 0)
    slopes = np.diff(hv) / np.diff(hc)
    assert np.all(np.diff(slopes) < 0)  # strictly concave vertices
    for t in np.unique(np.concatenate([c, np.linspace(c.min(), c.max() + 1, 13)])):
        got = float(np.interp(t, hc, hv))
        assert got == pytest.approx(brute_majorant(c, v, t), abs=1e-12)
        assert got >= max(v[c <= t]) - 1e-12  # dominates every point it has paid for


@HULL_PATHS
def test_upper_hull_small_cases(table_width, monkeypatch):
    monkeypatch.setattr(engine.bounds.hulls, "HULL_TABLE_WIDTH", table_width)
    hc, hv = upper_hull(np.array([0.0]), np.array([2.0]))
    assert hc.tolist() == [0.0] and hv.tolist() == [2.0]
    # collinear middle point is dropped; a dominated point is ignored
    hc, hv = upper_hull(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0, 1.5]))
    assert hc.tolist() == [0.0, 2.0] and hv.tolist() == [0.0, 2.0]
    # the cheapest point's best value starts the hull
    hc, hv = upper_hull(np.array([1.0, 1.0, 0.5]), np.array([3.0, 5.0, -1.0]))
    assert hc.tolist() == [0.5, 1.0] and hv.tolist() == [-1.0, 5.0]


@HULL_PATHS
@settings(max_examples=examples(100))
@given(st.lists(points, min_size=1, max_size=6), st.integers(0, 3))
def test_upper_hulls_of_many_atoms_are_each_atoms_hull(table_width, atoms, empty):
    """upper_hulls on several atoms at once (shuffled together, some atoms without points) gives each atom the
    hull it has alone; hull_segments' start and segments rebuild it."""
    sources = np.concatenate([np.full(len(c), k + empty) for k, (c, _) in enumerate(atoms)]).astype(np.intp)
    c = np.concatenate([c for c, _ in atoms])
    v = np.concatenate([v for _, v in atoms])
    shuffle = np.random.default_rng(len(c)).permutation(len(c))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine.bounds.hulls, "HULL_TABLE_WIDTH", table_width)
        alone = [upper_hull(a, b) for a, b in atoms]
        C, V, vertex = upper_hulls(sources[shuffle], c[shuffle], v[shuffle], len(atoms) + empty)
        rows, start, segment_atom, width, rise = hull_segments(sources[shuffle], c[shuffle], v[shuffle],
                                                               len(atoms) + empty)
    assert not vertex[:empty].any()
    assert rows.tolist() == list(range(empty, empty + len(atoms)))
    for k, (hc, hv) in enumerate(alone):
        assert C[k + empty][vertex[k + empty]].tolist() == hc.tolist()
        assert V[k + empty][vertex[k + empty]].tolist() == hv.tolist()
        assert start[k] == hv[0]
        mine = segment_atom == k + empty
        np.testing.assert_allclose(np.cumsum(width[mine]), (hc - hc[0])[1:], atol=1e-12)
        np.testing.assert_allclose(np.cumsum(rise[mine]), (hv - hv[0])[1:], atol=1e-12)


# -- bad rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "value", "words"), [
    ((1, 2), -0.1, "Row 2, column 3 of the rule q is -0.1;"),
    ((2, 0), np.nan, "Row 3, column 1 of the rule q is nan;"),
    ((0, 1), np.inf, "Row 1, column 2 of the rule q is inf;"),
])
def test_a_bad_rule_cell_is_named_and_the_first_one_wins(cell, value, words):
    p = engine.load_preset("uniform-5ary")
    q = np.full((p.n, p.m), 1.0 / p.m)
    q[cell] = value
    q[4, 0] = -1.0  # a later bad cell: the sentence names the first one in reading order
    with pytest.raises(ProblemError, match=re.escape(words)):
        engine.rule_loss(p, q, 0.5)


def test_a_rule_row_not_summing_to_one_is_named():
    p = engine.load_preset("uniform-5ary")
    q = np.full((p.n, p.m), 1.0 / p.m)
    q[3, 3] += 0.25
    q[4, 4] += 0.5
    with pytest.raises(ProblemError, match=re.escape("Row 4 of the rule q sums to 1.25, not 1.")):
        engine.rule_loss(p, q, 0.5)


def test_a_rule_of_the_wrong_shape_or_not_numbers_is_refused():
    p = engine.load_preset("uniform-5ary")
    with pytest.raises(ProblemError, match="must be 5-by-5"):
        engine.rule_loss(p, np.full((4, 5), 0.2), 0.5)
    with pytest.raises(ProblemError, match="table of numbers"):
        engine.rule_loss(p, [["a"] * 5] * 5, 0.5)
