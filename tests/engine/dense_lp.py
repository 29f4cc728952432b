"""The exact loss of a fixed rule under attack, as one dense HiGHS LP (independent of ``engine.bounds.loss``).

For a rule q(y|x) with l = -log q, docs/design.md defines L(eps, q) = max_{nu in D(eps)} L(nu, q). Written
over a dense plan gamma[a, c] on cells a = x * m + y -> c = x' * m + y' (n·m by n·m variables):

    maximise  sum_{a,c} gamma[a, c] l(c)
    s.t.      sum_c gamma[a, c] = mu(a),  gamma >= 0,  gamma[a, c] = 0 on forbidden moves,
              sum_{a,c} gamma[a, c] cost(a, c) <= eps          (``expected`` and ``joint`` kinds).

Forbidden moves: a label change under ``expected`` and ``max`` (cost (7) is infinite there) and, under
``max``, any move with d(x, x') > eps. The costs and allowed moves come from ``strategies`` (rebuilt from
the positions and metric name), never from the engine. Solved with ``scipy.optimize.linprog(method="highs")``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from strategies import allowed_cells, cell_cost

TOL = 1e-10  # HiGHS feasibility tolerances: tight, so the LP value is good to ~1e-9 nats


def allowed_and_cost(problem, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(allowed[a, c], cost[a, c]) of the dense plan, cost 0 where the move is forbidden."""
    C = cell_cost(problem)
    allowed = allowed_cells(problem, eps) & (problem.mu.ravel() > 0)[:, None]
    return allowed, np.where(allowed, C, 0.0)


def reaches(problem, eps: float, allowed: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Cells that some plan in D(eps) can put positive mass on (a budget of 0 allows only free moves)."""
    if problem.constraint != "max" and eps == 0:
        allowed = allowed & (cost <= 0)
    return allowed.any(axis=0)


def dense_rule_loss(problem, q, eps: float) -> float:
    """L(eps, q) by HiGHS over the dense plan; inf when the attacker can reach a cell where q = 0."""
    n, m = problem.n, problem.m
    with np.errstate(divide="ignore"):
        ell = -np.log(np.asarray(q, dtype=float)).ravel()
    allowed, cost = allowed_and_cost(problem, eps)
    if np.any(~np.isfinite(ell) & reaches(problem, eps, allowed, cost)):
        return float("inf")
    allowed &= np.isfinite(ell)[None, :]
    k = n * m
    gain = np.broadcast_to(np.where(np.isfinite(ell), ell, 0.0), (k, k))
    A_eq = np.kron(np.eye(k), np.ones(k))  # row a of the plan sums to mu(a)
    A_ub = b_ub = None
    if problem.constraint != "max":
        A_ub, b_ub = cost.ravel()[None, :], [eps]
    bounds = [(0.0, None if ok else 0.0) for ok in allowed.ravel()]
    res = linprog(
        -gain.ravel(), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=problem.mu.ravel(), bounds=bounds, method="highs",
        options={"primal_feasibility_tolerance": TOL, "dual_feasibility_tolerance": TOL},
    )
    if res.status != 0:
        raise AssertionError(f"HiGHS did not solve the rule-loss LP: {res.message}")
    return float(-res.fun)
