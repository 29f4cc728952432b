"""An independent high-precision reference for the saddle point of (15) and the minimax rule of (13) (issue 13).

Written apart from the engine's polish and proof (``engine.solvers.polish``, ``engine.bounds.rule_accuracy``):
the moves and their costs are rebuilt from the positions and metric name (``strategies.cell_cost``), then, given a
support hint (a list of (x, y, x', y') moves), it solves the optimality conditions (docs/design.md, "The dual
program")

    -log(N(c) / N_X(x')) - lambda cost(a -> c) - t(a) = 0  on the support,  sum_c gamma(a -> c) = mu(a),
    sum gamma cost = eps  (when lambda > 0)

by Levenberg-Marquardt-damped Newton in mpmath at DPS digits (unknowns log gamma, t, lambda), and VERIFIES the
result at that precision on every move of the full problem: gamma > 0, all residuals < 10^-(DPS-15), every other
move's slack <= TIE, every empty row's log sum exp(-psi) <= TIE, lambda >= 0 and the budget. A verified point is a
KKT point of the concave program (15), hence optimal (Theorem 1); its rule is q* (Corollary 1 and the dual).
When verification fails, violating moves enter and vanishing ones leave, and it tries again.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
from strategies import cell_cost

DPS = 50
AGREE = 1e-9          # the accuracy for a unique rule, in max |log q - log q*|
REFERENCE_MOVES = 60  # beyond this support the 50-digit Newton takes too long for a unit test
TIE = mp.mpf(10) ** -30   # |slack| below this at 50 digits is an exact tie (zero in exact arithmetic)


def moves_of(problem, eps):
    """[(x, y, x', y', cost)] for every atom (mu > 0) and allowed target, from docs/design.md directly."""
    n, m = problem.n, problem.m
    C = cell_cost(problem)
    budget = problem.constraint != "max" and eps > 0
    out = []
    for a in range(n * m):
        if problem.mu.ravel()[a] <= 0:
            continue
        for c in range(n * m):
            cost = 0.0 if a == c else float(C[a, c])
            if not np.isfinite(cost):
                continue
            if not budget and not (a == c or cost <= eps * (1 + 1e-12)):
                continue
            out.append((a // m, a % m, c // m, c % m, cost))
    return out


def solve(problem, eps, hint, start=None, rounds=6):
    """Solve and verify; returns a dict with q (mpf n-by-m), lam, verified, free rows, notes."""
    mp.mp.dps = DPS + 10
    n, m = problem.n, problem.m
    mu = {(x, y): mp.mpf(float(problem.mu[x, y])) for x in range(n) for y in range(m) if problem.mu[x, y] > 0}
    atoms = sorted(mu)
    aidx = {a: i for i, a in enumerate(atoms)}
    every = moves_of(problem, eps)
    budget = problem.constraint != "max" and eps > 0
    E = mp.mpf(float(eps))
    support = sorted(set(hint))
    start = dict(start or {})
    lam_hint = start.get("lam")
    notes = []
    missing = [e for e in support if e not in start.get("g", {})]
    if missing and start.get("g") and all(a in start.get("t", {}) for a in atoms):
        # hinted moves without a start value are priced like entering ones (not mu(a) / k: see _entering_starts)
        known = {e: mp.mpf(v) for e, v in start["g"].items() if e in support}
        prior = {"gam": {e: mp.exp(v) for e, v in known.items()}, "t": {a: mp.mpf(start["t"][a]) for a in atoms},
                 "lam": mp.mpf(start.get("lam") or 0.0)}
        start["g"] = {**known, **_entering_starts(problem, mu, missing, budget, E, prior)}
    for _ in range(rounds):
        res = _newton(problem, atoms, aidx, mu, support, budget, E, start)
        ok, enter, leave, info = _verify(problem, atoms, aidx, mu, every, support, budget, E, res)
        if ok:
            info["notes"] = notes
            return info
        notes.append(f"round: enter {len(enter)} leave {len(leave)} ({info.get('why')})")
        support = sorted((set(support) - set(leave)) | set(enter))
        g0 = {k: v for k, v in res["g"].items() if k in support}
        g0.update(_entering_starts(problem, mu, enter, budget, E, res))
        lam = res["lam"]
        if budget and not res["active"] and info.get("why") in ("over budget", "budget binds"):
            # the budget binds on the enlarged support although it did not on the hint's: its equation enters
            # (at the hint's multiplier when it has one; None activates it from 0)
            lam = lam_hint if lam_hint is not None and float(lam_hint) > 0 else None
        start = {"g": g0, "t": res["t"], "lam": lam}
    info["notes"] = notes
    info["verified"] = False
    return info


def _newton(problem, atoms, aidx, mu, support, budget, E, start):
    _n, m = problem.n, problem.m
    cost = {}
    C = cell_cost(problem)
    for (x, y, x2, y2) in support:
        cost[(x, y, x2, y2)] = mp.mpf(0.0 if (x2, y2) == (x, y) else float(C[x * m + y, x2 * m + y2]))
    P = list(support)
    A = len(atoms)
    lam0 = start.get("lam", 0.0)
    active = budget and (lam0 is None or float(lam0) > 0) and any(cost[e] > 0 for e in P)
    g = []
    for e in P:
        v = start.get("g", {}).get(e)
        if v is None:
            a = (e[0], e[1])
            k = sum(1 for f in P if (f[0], f[1]) == a)
            v = mp.log(mu[a] / k)
        g.append(mp.mpf(v))
    t = [mp.mpf(start.get("t", {}).get(a, 0.0)) for a in atoms]
    lam = mp.mpf(lam0 or 0.0)
    z = g + t + ([lam] if active else [])
    K = len(P)

    def F(z):
        gam = [mp.exp(v) for v in z[:K]]
        N, NX, carried = {}, {}, [mp.mpf(0)] * A
        for e, w in zip(P, gam, strict=True):
            N[(e[2], e[3])] = N.get((e[2], e[3]), 0) + w
            NX[e[2]] = NX.get(e[2], 0) + w
            carried[aidx[(e[0], e[1])]] += w
        la = z[K + A] if active else mp.mpf(0)
        out = []
        for e in P:
            out.append(-mp.log(N[(e[2], e[3])] / NX[e[2]]) - la * cost[e] - z[K + aidx[(e[0], e[1])]])
        for i, a in enumerate(atoms):
            out.append(carried[i] / mu[a] - 1)
        if active:
            out.append(mp.fsum(w * cost[e] for e, w in zip(P, gam, strict=True)) / E - 1)
        return out

    dim = len(z)
    for _it in range(80):
        Fz = F(z)
        norm = max(abs(v) for v in Fz)
        if norm < mp.mpf(10) ** -(DPS + 2):
            break
        h = mp.mpf(10) ** -(DPS // 2 + 8)
        J = mp.matrix(dim, dim)
        for j in range(dim):  # forward differences at half the working digits are exact enough for Newton
            zj = list(z)
            zj[j] += h
            Fj = F(zj)
            for i in range(dim):
                J[i, j] = (Fj[i] - Fz[i]) / h
        JT = J.T
        JTJ, rhs = JT * J, -(JT * mp.matrix(Fz))
        dz = None
        for tau_exp in range(DPS - 10, -21, -10):  # damp more while the normal matrix is numerically singular
            Mx = JTJ.copy()
            for i in range(dim):
                Mx[i, i] += mp.mpf(10) ** -tau_exp
            try:
                dz = mp.lu_solve(Mx, rhs)
                break
            except ZeroDivisionError:
                continue
        if dz is None:
            break  # no step at any damping: reported as not converged (the residual says so)
        step = mp.mpf(1)
        for _ in range(40):
            # two readings of the same first-order step: in log gamma (g + dg), and in gamma itself
            # (gamma (1 + dg)), in which the marginals and the budget are linear. The second matters when two
            # atoms fill one cell at one cost: their split is fixed only by 1e-12-sized terms (a singular value
            # 2e-12), the step along it is 1e5 times the residual, and in log gamma its curvature, amplified by
            # the budget's 1 / eps, undoes the step (Hypothesis: n = 1, joint, label_cost 0.25, eps = 1e-12).
            best = None
            for trial in ([z[i] + step * dz[i] for i in range(dim)],
                          [z[i] + mp.log(1 + step * dz[i]) if i < K and 1 + step * dz[i] > 0.5 else None
                           for i in range(K)] + [z[i] + step * dz[i] for i in range(K, dim)]):
                if any(v is None for v in trial):
                    continue
                try:
                    fn = max(abs(v) for v in F(trial))
                except (ValueError, ZeroDivisionError):
                    continue
                if fn < norm and (best is None or fn < best[0]):
                    best = (fn, trial)
            if best is not None:
                trial = best[1]
                break
            step /= 2
        else:
            break  # stalled: no step along dz lowers the residual (reported as not converged, never a worse z)
        z = trial
    gam = {e: mp.exp(v) for e, v in zip(P, z[:K], strict=True)}
    return {"g": dict(zip(P, z[:K], strict=True)), "gam": gam, "t": dict(zip(atoms, z[K:K + A], strict=True)),
            "lam": z[K + A] if active else mp.mpf(0), "active": active, "residual": norm, "cost": cost}


def _verify(problem, atoms, aidx, mu, every, support, budget, E, res):
    n, m = problem.n, problem.m
    gam, t, lam = res["gam"], res["t"], res["lam"]
    N, NX = {}, {}
    for e, w in gam.items():
        N[(e[2], e[3])] = N.get((e[2], e[3]), 0) + w
        NX[e[2]] = NX.get(e[2], 0) + w
    u = {c: -mp.log(N[c] / NX[c[0]]) for c in N}
    enter, leave = set(), set()
    why = ""
    tol = mp.mpf(10) ** -(DPS - 15)
    if res["residual"] > tol:
        why = f"residual {mp.nstr(res['residual'], 3)}"
    # A move leaves only when the Newton did not converge: at a converged point every gamma = exp(g) is positive
    # and its own stationarity holds to tol, however small gamma is. Such masses are genuine (issue 13's
    # Hypothesis instances: on a filled row of the joint kind every cell is reachable, so q* > 0 there and some
    # move must carry mass e^-105 or e^-233 to it); dropping them emptied a cell and sent the Newton off.
    if res["residual"] > tol:
        for e, w in gam.items():
            if w / mu[(e[0], e[1])] < mp.mpf(10) ** -40:
                leave.add(e)
    if lam < 0:
        why = "lambda < 0"
    psi = {}
    for (x, y, x2, y2, c) in every:
        val = t[(x, y)] + lam * mp.mpf(c)
        psi[(x2, y2)] = min(psi.get((x2, y2), val), val)
    near = mp.mpf(10) ** -20  # the duals of an unverified point are approximate: near-ties price a cell too
    for (x, y, x2, y2, c) in every:
        e = (x, y, x2, y2)
        if x2 in NX:
            if (x2, y2) not in u:
                if t[(x, y)] + lam * mp.mpf(c) <= psi[(x2, y2)] + near * (1 + abs(psi[(x2, y2)])):
                    enter.add(e)
                why = why or "empty cell on a filled row"
                continue
            slack = u[(x2, y2)] - lam * mp.mpf(c) - t[(x, y)]
            if slack > TIE and e not in gam:
                enter.add(e)
                why = why or f"slack {mp.nstr(slack, 3)}"
    free, tight_rows = [], []
    for x2 in range(n):
        if x2 in NX:
            continue
        cells = [(x2, y2) for y2 in range(m) if (x2, y2) in psi]
        if not cells:
            if m > 1:
                free.append(x2)
            continue
        f = mp.log(mp.fsum(mp.exp(-psi[c]) for c in cells))
        if f > TIE:
            why = why or f"row {x2} should be filled"
            for (x, y, xx, yy, c) in every:
                if xx == x2 and t[(x, y)] + lam * mp.mpf(c) == psi[(xx, yy)]:
                    enter.add((x, y, xx, yy))
        elif f < -TIE:
            if m > 1:
                free.append(x2)
        else:
            tight_rows.append(x2)
    if budget:
        spent = mp.fsum(w * res["cost"][e] for e, w in gam.items())
        if spent > E * (1 + mp.mpf(10) ** -40):
            why = why or "over budget"
        if not res["active"] and spent > E:
            why = why or "budget binds"
    q = [[mp.mpf(0)] * m for _ in range(n)]
    for x2 in range(n):
        if x2 in NX:
            for y2 in range(m):
                q[x2][y2] = N.get((x2, y2), mp.mpf(0)) / NX[x2]
        else:
            cells = [y2 for y2 in range(m) if (x2, y2) in psi]
            if not cells:
                q[x2] = [mp.mpf(1) / m] * m
            else:
                lo = min(psi[(x2, y2)] for y2 in cells)
                w = {y2: mp.exp(-(psi[(x2, y2)] - lo)) for y2 in cells}
                s = mp.fsum(w.values())
                q[x2] = [w.get(y2, mp.mpf(0)) / s for y2 in range(m)]
    ok = not why and not enter and not leave
    info = {"q": q, "lam": lam, "verified": ok, "free": tuple(free), "tight_empty": tuple(tight_rows),
            "why": why, "support": sorted(gam), "active": res["active"]}
    return ok, enter, leave, info


def _entering_starts(problem, mu, enter, budget, E, res):
    """log gamma starts for entering moves, priced by the last duals: a move into row x' is started at
    NX(x') exp(-(t(a) + lambda cost)) (what stationarity asks of a cell it alone fills), minus what the cell holds,
    shared among the moves entering it; capped at half its atom and a share of the budget. Starting them at
    mu(a) / k instead put whole atoms on cost-7 moves at eps = 1e-9 (a budget residual of 2e9)."""
    m = problem.m
    C = cell_cost(problem)
    gam, t, lam = res["gam"], res["t"], res["lam"]
    N, NX = {}, {}
    for e, w in gam.items():
        N[(e[2], e[3])] = N.get((e[2], e[3]), 0) + w
        NX[e[2]] = NX.get(e[2], 0) + w
    into = {}
    for e in enter:
        into[(e[2], e[3])] = into.get((e[2], e[3]), 0) + 1
    out = {}
    for e in enter:
        a, c = (e[0], e[1]), (e[2], e[3])
        cost = mp.mpf(0.0 if c == a else float(C[a[0] * m + a[1], c[0] * m + c[1]]))
        cap = mu[a] / 2
        if budget and cost > 0:
            cap = min(cap, E / (2 * cost * len(enter)))
        w = cap
        if e[2] in NX:
            want = NX[e[2]] * mp.exp(-(t[a] + lam * cost)) - N.get(c, 0)
            if want > 0:
                w = min(cap, want / into[c])
            else:
                w = min(cap, mp.mpf(10) ** -10 * N.get(c, mu[a]))
        out[e] = mp.log(w)
    return out


def hint_from(moves, support):
    """(x, y, x', y') tuples of a support given as move indices (a hint only: the reference verifies it)."""
    m = moves.m
    return [(int(moves.atom_x[moves.source[e]]), int(moves.atom_y[moves.source[e]]),
             int(moves.target[e] // m), int(moves.target[e] % m)) for e in support]


def start_from(moves, plan, q, lam):
    """Float start values for the reference's Newton: log gamma from a plan, t from the rule's brackets."""
    m = moves.m
    g = {}
    for e in np.flatnonzero(plan > 0):
        key = (int(moves.atom_x[moves.source[e]]), int(moves.atom_y[moves.source[e]]),
               int(moves.target[e] // m), int(moves.target[e] % m))
        g[key] = float(np.log(plan[e]))
    with np.errstate(divide="ignore"):
        z = -np.log(np.asarray(q, float).ravel())[moves.target] - (lam or 0.0) * moves.cost
    t = np.full(len(moves.atom_mass), -np.inf)
    np.maximum.at(t, moves.source, z)
    return {"g": g, "t": {(int(moves.atom_x[a]), int(moves.atom_y[a])): float(t[a]) for a in range(len(t))},
            "lam": float(lam or 0.0)}


def max_log_error(q_float, q_mp, rows=None):
    """max |log q_float - log q_mp| over the given rows (0 where both are 0; inf where only one is)."""
    worst = mp.mpf(0)
    n, m = len(q_mp), len(q_mp[0])
    for x in (range(n) if rows is None else rows):
        for y in range(m):
            a, b = float(q_float[x][y]), q_mp[x][y]
            if a == 0 and b == 0:
                continue
            if a == 0 or b == 0:
                return mp.inf
            worst = max(worst, abs(mp.log(a) - mp.log(b)))
    return worst


def reference(p, eps):
    """(the chain's saddle, the 50-digit reference) at eps, or (saddle, None) when the support is too large. The
    engine's polished support is the reference's hint only: it verifies every move of the full problem itself."""
    from engine.solvers.chain import saddle_at
    from engine.solvers.polish import polish

    s = saddle_at(p, eps)
    pol = polish(s.moves, eps, s.plan, s.q, s.multiplier)
    support = np.flatnonzero(pol.plan > 0)
    if len(support) > REFERENCE_MOVES:
        return s, None
    return s, solve(p, eps, hint_from(s.moves, support), start_from(s.moves, pol.plan, s.q, pol.multiplier))
