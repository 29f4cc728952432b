"""The saturated saddle point, h*(eps) at (or a hair below) its ceiling log m, proven without Newton (issue 13).

Where the budget lets the attack make every filled row of the perturbed table uniform, h* reaches log m, every
potential ties (lambda* = 0, t = u = log m) and the optimal plans form a polytope with no nondegenerate vertex:
the Newton proof of ``engine.bounds.rule_accuracy`` has nothing to stand on. (Or h* falls short of log m by
1e-30, because the table's float masses miss exact balance by 1e-19: no better.) The ceiling gives a direct proof:

1. **A near-uniform plan.** HiGHS finds a plan in D(eps) whose rows are uniform, at the least cost; it is made
   exactly feasible in rational arithmetic (``fractions``): each atom's flows scaled to its mass, and, with a
   budget, blended with the stay plan until the exact cost is <= eps. Its deficit
   d = log m - H_nu(Y|X') = sum_x' N_X(x') KL(nu(.|x') || u) <= sum_x' N_X(x') chi^2(nu(.|x') || u) is exact.
2. **Filled rows.** Every minimax rule q has E_nu[-log q] <= L(q) = h* <= log m, and
   E_nu[-log q] = H_nu(Y|X') + sum_x' N_X(x') KL(nu(.|x') || q(.|x')), so KL(nu(.|x') || q(.|x')) <= d / N_X(x')
   and, by Pinsker, every entry of q(.|x') is within sqrt(d / (2 N_X(x'))) of nu(y'|x').
3. **Other rows.** Shifting delta of an atom's mass from a move a -> c0 of the plan to a -> c (delta at most that
   move's flow and, with a budget, the unspent budget over the extra cost) keeps the attack in D(eps), so
   -log q(c) <= -log q(c0) + d / delta: q(c) >= q(c0) e^{-d/delta}. A row whose m cells all have such a floor near
   1/m is pinned near uniform (q(y) <= 1 - the other floors); a row no move reaches is free (any pmf, uniform
   chosen); a row only partly reachable declines the proof.

The rule returned is the uniform one (it reaches L = log m, so it is minimax when h* = log m, and within delta of
every minimax rule always); delta is the largest log distance the bounds allow, rounded up.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from engine.core.moves import Moves

NEAR = 1e-9            # try this proof when the certified lower bound is within this of log m
EXACT_MAX_MOVES = 5000  # the rational arithmetic runs on plans of at most this many moves
UNIT = np.finfo(float).eps / 2


def saturated(moves: Moves, eps: float):
    """(q, free rows, floor, plan, delta) when the bounds of the module docstring hold, else None."""
    n, m = moves.n, moves.m
    if m < 2:
        return None
    float_plan = _uniform_plan(moves, eps)
    if float_plan is None:
        return None
    exact = _exact_plan(moves, eps, float_plan)
    if exact is None:
        return None
    gamma, room = exact
    N = {}
    for e, g in gamma.items():
        c = int(moves.target[e])
        N[c] = N.get(c, Fraction(0)) + g
    NX = [sum((N.get(x * m + y, Fraction(0)) for y in range(m)), Fraction(0)) for x in range(n)]
    d = sum((m * sum(((N.get(x * m + y, Fraction(0)) - NX[x] / m) ** 2 for y in range(m)), Fraction(0)) / NX[x]
             for x in range(n) if NX[x] > 0), Fraction(0))
    d_up = _up(float(d))
    lo = np.zeros((n, m))
    delta = np.full(n, math.inf)
    for x in range(n):  # filled rows: KL(nu(.|x) || q(.|x)) <= d / N_X(x), Pinsker
        if NX[x] <= 0:
            continue
        width = _up(math.sqrt(_up(d_up / (float(NX[x]) * (1 - 4 * UNIT)) / 2)))
        p = np.array([float(N.get(x * m + y, Fraction(0)) / NX[x]) for y in range(m)])
        low, high = p * (1 - 2 * UNIT) - width, p * (1 + 2 * UNIT) + width
        if np.all(low > 0):
            lo[x] = low
            delta[x] = _log_distance(low, high, m)
    reach = np.zeros(n * m, bool)
    reach[moves.target] = True
    reach = reach.reshape(n, m)
    floor_of = _shift_floors(moves, gamma, lo, d_up, room)
    free, floor = [], np.full((n, m), np.nan)
    for x in range(n):
        if math.isfinite(delta[x]):
            continue
        if not reach[x].any():
            free.append(x)
            floor[x] = 0.0
            delta[x] = 0.0
            continue
        low = floor_of[x]
        if not reach[x].all() or not np.all(low > 0):
            return None
        high = np.minimum(1.0, (1 - (low.sum() - low)) * (1 + 4 * m * UNIT))
        delta[x] = _log_distance(low, high, m)
    q = np.full((n, m), 1.0 / m)
    plan = np.zeros(len(moves.cost))
    for e, g in gamma.items():
        plan[e] = float(g)
    return q, tuple(free), floor, plan, float(delta.max(initial=0.0))


def _up(value: float) -> float:
    """value rounded up past the rounding of the float operation that produced it."""
    return value * (1 + 4 * UNIT) + 1e-300


def _log_distance(low, high, m) -> float:
    """An upper bound on max_y |log q(y) - log fl(1/m)| over low <= q <= high."""
    worst = max(float(np.max(np.abs(np.log(low * m)))), float(np.max(np.abs(np.log(high * m)))))
    return _up(worst) + 8 * UNIT


def _shift_floors(moves: Moves, gamma: dict, lo: np.ndarray, d_up: float, room) -> np.ndarray:
    """Per cell, the best floor lo(c0) e^{-d / delta} over the moves a -> c and the plan's moves a -> c0 from the
    same atom (module docstring, 3); 0 where there is none."""
    n, m = moves.n, moves.m
    floors = np.zeros(n * m)
    by_atom = {}
    for e, g in gamma.items():
        by_atom.setdefault(int(moves.source[e]), []).append((float(g) * (1 - 4 * UNIT), float(moves.cost[e]),
                                                             float(lo.ravel()[moves.target[e]])))
    room_f = math.inf if room is None else float(room) * (1 - 4 * UNIT)
    for e in range(len(moves.cost)):
        a, c, cost = int(moves.source[e]), int(moves.target[e]), float(moves.cost[e])
        for g0, cost0, lo0 in by_atom.get(a, ()):
            if lo0 <= 0 or g0 <= 0:
                continue
            extra = cost - cost0
            dl = g0 if room is None or extra <= 0 else min(g0, room_f / (extra * (1 + 4 * UNIT)))
            if dl > 0:
                floors[c] = max(floors[c], lo0 * math.exp(-_up(d_up / dl)) * (1 - 4 * UNIT))
    return floors.reshape(n, m)




def _uniform_plan(moves: Moves, eps: float) -> np.ndarray | None:
    """The least-cost plan of D(eps) whose rows are all uniform (HiGHS), or None when there is none."""
    n, m, A = moves.n, moves.m, len(moves.atom_mass)
    k = len(moves.cost)
    # variables: gamma (k), N_X per row (n); equalities: atoms (A), cells (n m)
    rows = np.concatenate([moves.source, A + moves.target, A + np.arange(n * m)])
    cols = np.concatenate([np.arange(k), np.arange(k), k + np.arange(n * m) // m])
    vals = np.concatenate([np.ones(k), np.ones(k), np.full(n * m, -1.0 / m)])
    A_eq = coo_matrix((vals, (rows, cols)), shape=(A + n * m, k + n)).tocsr()
    b_eq = np.concatenate([moves.atom_mass, np.zeros(n * m)])
    cost = np.concatenate([moves.cost, np.zeros(n)]) if moves.budget else np.zeros(k + n)
    kw = {}
    if moves.budget:
        kw = {"A_ub": coo_matrix(cost[None, :]).tocsr(), "b_ub": np.array([eps])}
    try:
        res = linprog(cost, A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * (k + n), method="highs", **kw)
    except ValueError:
        return None
    if res.status != 0:
        return None
    return np.maximum(res.x[:k], 0.0)




def _exact_plan(moves: Moves, eps: float, float_plan: np.ndarray):
    """({move: exact flow}, unspent budget or None without one): the float plan with each atom's flows scaled to its
    mass exactly, blended with the stays while its exact cost exceeds eps; None when too large."""
    S = np.flatnonzero(float_plan > 0)
    if len(S) > EXACT_MAX_MOVES:
        return None
    stay = {int(moves.source[e]): int(e) for e in np.flatnonzero(moves.is_stay)}
    out_sum = {}
    for e in S:
        a = int(moves.source[e])
        out_sum[a] = out_sum.get(a, Fraction(0)) + Fraction(float(float_plan[e]))
    gamma = {}
    for e in S:
        a = int(moves.source[e])
        gamma[int(e)] = Fraction(float(float_plan[e])) * Fraction(float(moves.atom_mass[a])) / out_sum[a]
    for a in range(len(moves.atom_mass)):
        if a not in out_sum:
            gamma[stay[a]] = gamma.get(stay[a], Fraction(0)) + Fraction(float(moves.atom_mass[a]))
    if not moves.budget:
        return gamma, None
    E = Fraction(float(eps))
    spent = sum((Fraction(float(moves.cost[e])) * g for e, g in gamma.items()), Fraction(0))
    if spent > E:
        keep = E / spent
        gamma = {e: g * keep for e, g in gamma.items()}
        for a in range(len(moves.atom_mass)):
            gamma[stay[a]] = gamma.get(stay[a], Fraction(0)) + (1 - keep) * Fraction(float(moves.atom_mass[a]))
        spent = E
    return gamma, E - spent
