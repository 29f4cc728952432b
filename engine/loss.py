"""The exact worst-case loss of a fixed decision rule, for many budgets at once.

For a rule q(y|x) with losses l(x', y') = -log q(y'|x'), the attacker's best response is the LP

.. math::
    L(\\varepsilon, q) = \\max_{\\nu \\in D(\\varepsilon)} L(\\nu, q)
      = \\max_{\\gamma \\ge 0} \\sum_{\\text{moves}} \\gamma \\, l(\\text{target})
        \\quad \\text{s.t. each atom's moves carry } \\mu(x, y), \\ \\sum \\gamma\\,\\text{cost} \\le \\varepsilon,

whose dual is min_{lam >= 0} lam eps + sum_{x,y} mu(x,y) max_{x'} [l(x', y) - lam d(x, x')]
(Gao & Kleywegt, arXiv 1604.02199, Thm 1). It is a fractional multiple-choice knapsack: each atom's
best value as a function of the cost it spends is the upper concave hull of its points (cost, l), and
the optimum spends the budget on hull segments in decreasing order of slope. One sort gives the
whole concave, piecewise-linear curve eps -> L(eps, q); no LP per point is needed. Under the ``max``
kind there is no budget: each atom takes the largest loss within cost eps.

Losses are infinite where q = 0 on a reachable cell; the curve is then inf from the first eps that
reaches it (every eps > 0 for a budget kind, since an arbitrarily small mass may go anywhere).
"""

from __future__ import annotations

import numpy as np

from engine.errors import ProblemError
from engine.moves import LIMIT_SLACK, Moves, allowed_moves
from engine.problem import Problem, check_eps_values

RULE_SUM_TOLERANCE = 1e-9


def rule_loss(problem: Problem, q, eps_values):
    """L(eps, q) for each eps in ``eps_values`` (a float for a scalar eps, else an array), in nats."""
    q = check_rule(q, problem.n, problem.m)
    eps = check_eps_values(eps_values)
    with np.errstate(divide="ignore"):
        ell = -np.log(q).ravel()
    if problem.constraint == "max":
        out = _max_kind_loss(problem, ell, eps)
    else:
        out = _budget_curve(allowed_moves(problem, np.inf), ell)(eps)
    return out if np.ndim(eps_values) else float(out[0])


def check_rule(q, n: int, m: int) -> np.ndarray:
    """A rule is an n-by-m table of finite non-negative rows summing to 1 (within 1e-9)."""
    try:
        a = np.array(q, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError("The rule q must be a table of numbers.") from None
    if a.shape != (n, m):
        raise ProblemError(f"The rule q must be {n}-by-{m} (feature values by labels); it is {a.shape}.")
    for (i, j), v in np.ndenumerate(a):
        if not np.isfinite(v) or v < 0:
            raise ProblemError(f"Row {i + 1}, column {j + 1} of the rule q is {v:g}; it must be in [0, 1].")
    sums = a.sum(axis=1)
    for i, s in enumerate(sums):
        if abs(s - 1) > RULE_SUM_TOLERANCE:
            raise ProblemError(f"Row {i + 1} of the rule q sums to {s:.12g}, not 1.")
    return a


def _max_kind_loss(problem: Problem, ell: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """sum_{x,y} mu(x,y) max_{x': d(x,x') <= eps} l(x', y), for each eps."""
    widest = allowed_moves(problem, float(eps.max()))
    return np.array([
        best_response_loss(widest.subset(widest.is_stay | (widest.cost <= e * (1 + LIMIT_SLACK))), ell) for e in eps
    ])


def best_response_loss(moves: Moves, ell: np.ndarray) -> float:
    """sum over atoms of mu(a) max over a's moves of l(target): the attacker's best reply with no budget."""
    best = np.full(len(moves.atom_mass), -np.inf)
    np.maximum.at(best, moves.source, ell[moves.target])
    return float(np.sum(moves.atom_mass * best))


def _budget_curve(moves: Moves, ell: np.ndarray):
    """The function eps -> L(eps, q) for a budget kind, as base + a concave piecewise-linear curve."""
    base = 0.0
    inf_at_zero = inf_beyond_zero = False
    slopes, widths, gains = [], [], []
    order = np.lexsort((moves.cost, moves.source))
    starts = np.searchsorted(moves.source[order], np.arange(len(moves.atom_mass)))
    bounds = np.append(starts, len(order))
    for a, mass in enumerate(moves.atom_mass):
        idx = order[bounds[a]:bounds[a + 1]]
        c, v = moves.cost[idx], ell[moves.target[idx]]
        infinite = ~np.isfinite(v)
        if infinite.any():
            inf_at_zero |= bool(np.any(infinite & (c <= 0)))
            inf_beyond_zero |= bool(np.any(infinite & (c > 0)))
            c, v = c[~infinite], v[~infinite]
            if not len(c):  # every move (the stay included) reaches q = 0: the loss is infinite at every eps
                continue
        hull_c, hull_v = upper_hull(c, v)
        base += mass * hull_v[0]
        if len(hull_c) > 1:
            dc, dv = np.diff(hull_c), np.diff(hull_v)
            slopes.append(dv / dc)
            widths.append(mass * dc)
            gains.append(mass * dv)
    if slopes:
        s = np.concatenate(slopes)
        rank = np.argsort(-s, kind="stable")
        breaks = np.concatenate(([0.0], np.cumsum(np.concatenate(widths)[rank])))
        values = np.concatenate(([0.0], np.cumsum(np.concatenate(gains)[rank])))
    else:
        breaks, values = np.zeros(1), np.zeros(1)

    def curve(eps: np.ndarray) -> np.ndarray:
        out = base + np.interp(eps, breaks, values)
        if inf_at_zero:
            out[:] = np.inf
        elif inf_beyond_zero:
            out[eps > 0] = np.inf
        return out

    return curve


def upper_hull(c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the least concave majorant of max{v_j : c_j <= c}, from c = min c_j to argmax v.

    Points are (cost, value) pairs; the result starts at the best value among the cheapest points,
    has strictly increasing costs and values, and strictly decreasing slopes.
    """
    order = np.lexsort((-v, c))
    hull_c: list[float] = []
    hull_v: list[float] = []
    for ci, vi in zip(c[order], v[order], strict=True):
        if hull_v and vi <= hull_v[-1]:
            continue  # dominated: costs at least as much, gains no more
        while len(hull_c) >= 2 and (
            (hull_c[-1] - hull_c[-2]) * (vi - hull_v[-2]) - (hull_v[-1] - hull_v[-2]) * (ci - hull_c[-2]) >= 0
        ):
            hull_c.pop()
            hull_v.pop()
        hull_c.append(float(ci))
        hull_v.append(float(vi))
    return np.array(hull_c), np.array(hull_v)
