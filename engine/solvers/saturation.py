"""The saturated saddle point, h*(eps) at (or a hair below) its ceiling, proven without Newton (issue 13).

The ceiling C of h*: the label-fixed kinds (expected, max) never change a label, so every nu in D(eps) has
nu_Y = mu_Y and H_nu(Y|X') <= H(mu_Y) = C, with equality exactly where every filled row of nu is p = mu_Y (X'
independent of Y); the joint kind may change labels, C = log m, p uniform. Where the budget lets the attack reach
it, every potential ties (lambda* = 0) and the optimal plans form a polytope with no nondegenerate vertex: the
Newton proof of ``engine.bounds.rule_accuracy`` has nothing to stand on. (Or h* falls short of C by 1e-30, because
the table's float masses miss exact balance by 1e-19: no better.) The ceiling gives a direct proof:

1. **A near-p plan.** HiGHS finds a plan in D(eps) whose rows are p, at the least cost; it is made exactly
   feasible in rational arithmetic (``fractions``): each atom's flows scaled to its mass, and, with a budget,
   blended with the stay plan until the exact cost is <= eps. Its deficit d = C - H_nu(Y|X') =
   sum_x' N_X(x') KL(nu(.|x') || p) <= sum_x' N_X(x') chi^2(nu(.|x') || p) is exact (for the label-fixed kinds
   because nu_Y = mu_Y = p exactly: C - H_nu(Y|X') is then the mutual information).
2. **Filled rows.** Every minimax rule q has E_nu[-log q] <= L(q) = h* <= C, and
   E_nu[-log q] = H_nu(Y|X') + sum_x' N_X(x') KL(nu(.|x') || q(.|x')), so KL(nu(.|x') || q(.|x')) <= d / N_X(x')
   and, by Pinsker, every entry of q(.|x') is within sqrt(d / (2 N_X(x'))) of nu(y'|x').
3. **Other rows.** Shifting delta of an atom's mass from a move a -> c0 of the plan to a -> c (delta at most that
   move's flow and, with a budget, the unspent budget over the extra cost) keeps the attack in D(eps), so
   -log q(c) <= -log q(c0) + d / delta: q(c) >= q(c0) e^{-d/delta}. A row whose m cells all have such a floor near
   p is pinned near p (q(y) <= 1 - the other floors); a row no move reaches is free (any pmf; uniform chosen, as
   everywhere in the engine); a row only partly reachable declines the proof. At the budget where h* first reaches
   C the least-cost plan spends all of eps, leaving no room to shift: the plan is then blended with the stays by
   RESERVE more (room of order RESERVE, but a deficit of the same order on the rows the stays then fill: floors of
   order e^{-lambda}), and a second plan, one that fills every row it can, pins those rows by 2 instead; the
   better of the bounds is kept, and one weaker than ACCEPT is declined (a loosely pinned row may hold many
   minimax rules).
4. **Kinks: rows that are not unique.** Where the exact plan's deficit is 0 (h* = C exactly), p on every reached
   row is minimax exactly, and a reached row the floors leave loose may hold other minimax rules: ``second_rules``
   proves one (a row only partly reached, or a dual certificate in rational arithmetic, for all the loose rows
   together, else one at a time; two emptied rows may each hide the attack's slack, so they move together). The row
   is then free
   (Corollary 1's condition fails: no worst case puts mass there), the rule returned there is p, and its floors (3)
   are necessary ones (every minimax rule is above them), which is what bounding a loss over every minimax rule
   needs (``engine.analyses.rule_bounds.minimax_range``). Binary source at eps = 0.3: every q(.|x=2) with
   q(1|2) in [0.3, 0.7] is minimax.

The rule returned is p on every row a move reaches (it reaches L = C, so it is minimax when h* = C, and within
delta of every minimax rule always); delta is the largest log distance the bounds allow, rounded up.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack
from scipy.special import xlogy

from engine.core.moves import Moves

NEAR = 1e-6            # try this proof when the certified lower bound is within this of the ceiling C
EXACT_MAX_MOVES = 5000  # the rational arithmetic runs on plans of at most this many moves
# HiGHS meets the rows only to its feasibility tolerance (1e-7 absolute by default), which leaves atoms of 1e-12 in
# rows of one label (deficit bounds of nats); tighter tolerances place them
HIGHS_TOLERANCES = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
UNIT = np.finfo(float).eps / 2
ACCEPT = 1e-6          # a weaker bound is declined: a row pinned only loosely by 3 may hold many minimax rules
GOOD = 1e-12           # a delta this small ends the search over plans (and the chain's: no polish then)
RESERVE = Fraction(1, 2**40)  # when the plan spends the whole budget, a row it leaves empty needs room (3): keep this


def ceiling(problem) -> float:
    """The ceiling C of h* (module docstring): H(mu_Y) for the label-fixed kinds, which keep nu_Y = mu_Y; log m for
    the joint kind, which may change labels. In floats: it only decides whether the proof is tried."""
    if problem.constraint == "joint":
        return math.log(problem.m)
    p = problem.mu.sum(axis=0) / problem.mu.sum()
    return float(-np.sum(xlogy(p, p)))


def ceiling_rows(problem) -> tuple:
    """The rows' exact distribution p at the ceiling: mu_Y from the exact column sums of the float table (label-fixed
    kinds), uniform for the joint kind. Rational sums over every cell, so computed only when the proof is tried."""
    m = problem.m
    if problem.constraint == "joint":
        return tuple(Fraction(1, m) for _ in range(m))
    cols = [sum((Fraction(float(v)) for v in problem.mu[:, y]), Fraction(0)) for y in range(m)]
    total = sum(cols, Fraction(0))
    return tuple(c / total for c in cols)


def saturated(moves: Moves, eps: float, target: tuple | None = None):
    """(q, free rows, floor, plan, delta, kinks) when the bounds of the module docstring hold, else None.

    ``target``: the rows' exact distribution p at the ceiling (``ceiling_rows``; uniform when None). The free rows
    are those no move reaches (q uniform there) and the ``kinks``, reached rows where p is one minimax rule of
    several (4; q = p there)."""
    m = moves.m
    if m < 2:
        return None
    p_exact = tuple(target) if target is not None else tuple(Fraction(1, m) for _ in range(m))
    if not all(v > 0 for v in p_exact):
        return None  # a label no atom carries: no row can be p, and its cells are unreachable
    pf = np.array([float(v) for v in p_exact])
    # the least-cost plan as it is and with room kept (a budget only), then the plan that fills every row it can
    attempts = [(False, Fraction(0))] + ([(False, RESERVE)] if moves.budget else []) + [(True, Fraction(0))]
    plans, best = {}, None
    for fill, reserve in attempts:
        if fill not in plans:
            plans[fill] = _target_plan(moves, eps, pf, fill)
        exact = None if plans[fill] is None else _exact_plan(moves, eps, plans[fill], reserve)
        out = None if exact is None else _bounds(moves, eps, *exact, p_exact, pf)
        if out is not None and (best is None or out[4] < best[4]):
            best = out
        if best is not None and best[4] <= GOOD:
            break
    return best if best is not None and best[4] <= ACCEPT else None


def _bounds(moves: Moves, eps: float, gamma: dict, room, p_exact: tuple, pf: np.ndarray):
    """The bounds of the module docstring (2, 3) for the exact plan ``gamma``; None where a row is not pinned."""
    n, m = moves.n, moves.m
    N = {}
    for e, g in gamma.items():
        c = int(moves.target[e])
        N[c] = N.get(c, Fraction(0)) + g
    NX = [sum((N.get(x * m + y, Fraction(0)) for y in range(m)), Fraction(0)) for x in range(n)]
    d = sum((sum(((N.get(x * m + y, Fraction(0)) - NX[x] * p_exact[y]) ** 2 / p_exact[y] for y in range(m)),
                 Fraction(0)) / NX[x] for x in range(n) if NX[x] > 0), Fraction(0))
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
            delta[x] = _log_distance(low, high, pf)
    reach = np.zeros(n * m, bool)
    reach[moves.target] = True
    reach = reach.reshape(n, m)
    floor_of = _shift_floors(moves, gamma, lo, d_up, room)
    free, loose, floor = [], [], np.full((n, m), np.nan)
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
            if d != 0:
                return None
            loose.append(x)  # p is minimax exactly (d = 0): is another pmf too? (4)
            floor[x] = np.where(reach[x], low, 0.0)
            delta[x] = 8 * UNIT  # the rule there is p, the engine's choice, rounded to floats
            continue
        high = np.minimum(1.0, (1 - (low.sum() - low)) * (1 + 4 * m * UNIT))
        delta[x] = _log_distance(low, high, pf)
    if loose and not _not_unique(moves, eps, loose, reach, p_exact):
        return None
    q = np.tile(pf, (n, 1))
    q[free] = 1.0 / m  # a row no move reaches: the engine's choice there is uniform, as everywhere (``_rule``)
    plan = np.zeros(len(moves.cost))
    for e, g in gamma.items():
        plan[e] = float(g)
    return q, tuple(sorted(free + loose)), floor, plan, float(delta.max(initial=0.0)), tuple(loose)


def _not_unique(moves: Moves, eps: float, loose: list, reach: np.ndarray, p_exact: tuple) -> bool:
    """Does every row of ``loose`` (reached, not pinned, at deficit 0) hold a minimax rule other than p? A row only
    partly reached does trivially (p with the unreachable cells' mass moved onto the others is >= p wherever nu can
    put mass); the fully reached ones by ``second_rules``, all together, else one at a time."""
    full = [x for x in loose if reach[x].all()]
    if not full or second_rules(moves, eps, full, p_exact) is not None:
        return True
    return all(second_rules(moves, eps, [x], p_exact) is not None for x in full)


def second_rules(moves: Moves, eps: float, rows, p_exact: tuple) -> dict | None:
    """Minimax rules other than p on the fully reached rows ``rows``, all at once (module docstring, 4), or None.

    Called where h* = C exactly (a plan of deficit 0), so the rule q = p on every reached row is minimax; q' = q but
    r_x on each row x of ``rows`` has, for every nu in D(eps) (nu_Y = p exactly, or q uniform for the joint kind),

        L(nu, q') = C + sum_x sum_y nu(x, y) log(p(y) / r_x(y)).

    An LP (HiGHS) finds vectors w_x with p.w_x >= 1 and a dual certificate, lambda >= 0 and phi(a) = max over a's
    moves of w~(c) - lambda cost (w~ = w_x on row x, 0 elsewhere) with lambda eps + sum_a mu(a) phi(a) <= 0, which
    is checked in rational arithmetic. Then max_nu sum_c nu(c) w~(c) <= 0, so r_x = p e^{-t w_x} / s_x(t) with
    s_x(t) = sum p e^{-t w_x} < 1 (a small t; the certificate scales) gives L(nu, q') <= C + t sum_c nu(c) w~(c)
    <= C, and r_x != p because w_x is not constant (p.w_x >= 1 and a reached row make a constant w_x infeasible).
    Rows must move together where one row's slack is another's (two emptied rows, each attack able to hide mass
    in the other): the caller tries them jointly first. Returns {x: r_x}."""
    m, A, k = moves.m, len(moves.atom_mass), len(moves.cost)
    rows = [int(x) for x in rows]
    R = len(rows)
    pf = np.array([float(v) for v in p_exact])
    slot = np.full(moves.n, -1)
    slot[rows] = np.arange(R)
    into = slot[moves.target // m] >= 0
    W = R * m  # variables: w (R m), lambda, phi (A); w~(c_e) - lambda cost_e - phi(a_e) <= 0 per move
    ii = np.concatenate([np.flatnonzero(into), np.arange(k), np.arange(k)])
    jj = np.concatenate([slot[moves.target[into] // m] * m + moves.target[into] % m, np.full(k, W),
                         W + 1 + moves.source])
    vals = np.concatenate([np.ones(int(into.sum())), -moves.cost, -np.ones(k)])
    norm_rows = coo_matrix((np.tile(-pf, R), (np.repeat(np.arange(R), m), np.arange(W))), shape=(R, W + 1 + A))
    A_ub = vstack([coo_matrix((vals, (ii, jj)), shape=(k, W + 1 + A)),
                   coo_matrix(np.concatenate([np.zeros(W), [eps], moves.atom_mass])[None, :]), norm_rows]).tocsr()
    b_ub = np.concatenate([np.zeros(k + 1), -np.ones(R)])
    bounds = [(-50.0, 50.0)] * W + [(0.0, None if moves.budget else 0.0)] + [(None, None)] * A
    try:
        res = linprog(np.zeros(W + 1 + A), A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    except ValueError:
        return None
    if res.status != 0:
        return None
    w = [[Fraction(float(v)) for v in res.x[i * m:(i + 1) * m]] for i in range(R)]
    lam = Fraction(float(max(res.x[W], 0.0))) if moves.budget else Fraction(0)
    for wx in w:
        if not sum((p * v for p, v in zip(p_exact, wx, strict=True)), Fraction(0)) > 0 or len(set(wx)) < 2:
            return None
    phi = [None] * A
    for e in range(k):
        a, c = int(moves.source[e]), int(moves.target[e])
        i = slot[c // m]
        value = (w[i][c % m] if i >= 0 else Fraction(0)) - lam * Fraction(float(moves.cost[e]))
        if phi[a] is None or value > phi[a]:
            phi[a] = value
    if any(v is None for v in phi):
        return None
    pairs = zip(moves.atom_mass, phi, strict=True)
    if lam * Fraction(float(eps)) + sum((Fraction(float(mu)) * v for mu, v in pairs), Fraction(0)) > 0:
        return None
    wf = np.array([[float(v) for v in wx] for wx in w])
    for t in 2.0 ** -np.arange(60):  # every s_x(t) < 1 with room for the rounding of exp and the sum
        r = pf[None, :] * np.exp(-t * wf)
        if np.all(r.sum(axis=1) * (1 + 8 * m * UNIT) < 1) and t * float(np.ptp(wf, axis=1).min()) > 1e-9:
            return {x: r[i] / r[i].sum() for i, x in enumerate(rows)}
    return None


def _up(value: float) -> float:
    """value rounded up past the rounding of the float operation that produced it."""
    return value * (1 + 4 * UNIT) + 1e-300


def _log_distance(low, high, pf) -> float:
    """An upper bound on max_y |log q(y) - log pf(y)| over low <= q <= high (pf: the rule returned)."""
    worst = max(float(np.max(np.abs(np.log(low / pf)))), float(np.max(np.abs(np.log(high / pf)))))
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




def _target_plan(moves: Moves, eps: float, pf: np.ndarray, fill: bool = False) -> np.ndarray | None:
    """A plan of D(eps) whose rows are all pf (HiGHS), or None when there is none: the least costly one (it leaves
    the most budget to shift with), or with ``fill`` one that fills every row it can (each row's mass up to 1/n
    counts: a row it fills is pinned by 2, not by 3)."""
    n, m, A = moves.n, moves.m, len(moves.atom_mass)
    k = len(moves.cost)
    # variables: gamma (k), N_X per row (n), the rows' counted masses s (n); equalities: atoms (A), cells (n m)
    rows = np.concatenate([moves.source, A + moves.target, A + np.arange(n * m)])
    cols = np.concatenate([np.arange(k), np.arange(k), k + np.arange(n * m) // m])
    vals = np.concatenate([np.ones(k), np.ones(k), -np.tile(pf, n)])
    A_eq = coo_matrix((vals, (rows, cols)), shape=(A + n * m, k + 2 * n)).tocsr()
    b_eq = np.concatenate([moves.atom_mass, np.zeros(n * m)])
    spend = np.concatenate([moves.cost, np.zeros(2 * n)])
    ub_rows, ub_b = [], []
    if moves.budget:
        ub_rows.append(coo_matrix(spend[None, :]))
        ub_b.append([eps])
    if fill:  # s_x - N_X(x) <= 0
        cols_s = np.concatenate([k + n + np.arange(n), k + np.arange(n)])
        ub_rows.append(coo_matrix((np.concatenate([np.ones(n), -np.ones(n)]), (np.tile(np.arange(n), 2), cols_s)),
                                  shape=(n, k + 2 * n)))
        ub_b.append(np.zeros(n))
        objective = np.concatenate([np.zeros(k + n), -np.ones(n)])
    else:
        objective = spend if moves.budget else np.zeros(k + 2 * n)
    kw = {}
    if ub_rows:
        kw = {"A_ub": vstack(ub_rows).tocsr(), "b_ub": np.concatenate(ub_b)}
    bounds = [(0, None)] * (k + n) + [(0, 1.0 / n if fill else 0.0)] * n
    try:
        res = linprog(objective, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs", options=HIGHS_TOLERANCES, **kw)
    except ValueError:
        return None
    if res.status != 0:
        return None
    return np.maximum(res.x[:k], 0.0)


def _exact_plan(moves: Moves, eps: float, float_plan: np.ndarray, reserve: Fraction = Fraction(0)):
    """({move: exact flow}, unspent budget or None without one): the float plan with each atom's flows scaled to its
    mass exactly, blended with the stays while its exact cost exceeds eps (1 - reserve); None when too large."""
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
    if spent > E * (1 - reserve):
        keep = E * (1 - reserve) / spent
        gamma = {e: g * keep for e, g in gamma.items()}
        for a in range(len(moves.atom_mass)):
            gamma[stay[a]] = gamma.get(stay[a], Fraction(0)) + (1 - keep) * Fraction(float(moves.atom_mass[a]))
        spent = E * (1 - reserve)
    return gamma, E - spent

