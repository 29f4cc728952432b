"""How far can a polished rule be from the minimax rule q* of (13)? A proven bound (issue 13).

Every number drawn from a rule q (its loss at another budget, its clean loss (2)) is an average of -log q, so
it is within delta of the minimax rule's when max |log q - log q*| <= delta (docs/design.md, "Numbers that depend
on the rule"). This module proves such a delta for the rule of a polished saddle point, or says why it cannot.

Let P be the support of the plan (``engine.bounds.support.Forest``: a spanning forest F, components k, exact
kappa). On an exact saddle point of (15) the potentials are t(a) = T_k + lambda kappa(a), u(c) = T_k +
lambda kappa(c) (u = -log nu*(y|x'), Corollary 1). A move of P off F closes a cycle; its slack is lambda K
exactly, so K must be 0 (or lambda = 0). Filled rows whose cells have the same multiset of (component, kappa)
pairs are interchangeable (only their total mass W_s matters: the plan is not unique there): they form a class s.
(As a multiset, not label by label: under a symmetric cost, rows whose patterns are permutations of one another
would otherwise give the same equation twice and a singular system.) The optimum is then the zero of a small
square system in y = (T, log W, lambda):

    class s:      log sum_{c in s} exp(-(T_k(c) + lambda kappa(c))) = 0              (the row's posterior sums to 1)
    component k:  log sum_{s, c in s, k(c) = k} W_s exp(-(T_k + lambda kappa(c))) = log mu(k)     (its atoms' mass)
    budget:       sum_c N(c) kappa(c) - sum_a mu(a) kappa(a) = eps   (lambda > 0: the cost of any plan on tight moves)

``krawczyk`` proves it has exactly one zero y* within r (max norm) of the computed y0. Then:

- flows: the forest carries the aggregated demands exactly (solved leaves first, the other moves of P frozen);
  moving y0 to y* changes each cell's demand by at most a factor e^{r (2 + |kappa|)} and a tree carries any
  balanced change with every edge moving by at most its l1 norm: if every tree edge carries more, an exact plan
  on P exists for y*;
- pricing: every move off P into a filled row stays strictly slack on the ball (its slack moves by at most
  2 r + r |K|), or, in the same component, has the exact slack lambda K <= 0; every empty row stays strictly slack,
  log sum exp(-psi) < 0 (the minimax rule is then not unique there: any pmf with q >= exp(-psi*) is minimax), or
  is exactly a class's row function (then q* = exp(-psi*) is unique);
- lambda* > 0 on the ball, or, with the budget unspent, the exact plan costs less than eps (so h* is flat near
  eps and lambda* = 0 is its only supergradient).

Then the exact plan and (T*, lambda*) satisfy the optimality conditions of (15): the plan is optimal (Theorem 1),
q* = exp(-(T* + lambda* kappa)) on the filled rows (Corollary 1), and the dual of (13) fixes q* = exp(-psi*)
normalised on the empty rows (unique, or the engine's choice). With |T - T*|, |lambda - lambda*| <= r:
|log q - log q*| <= r (1 + |kappa|) on filled rows and <= 2 r (1 + max |kappa + cost|) on empty ones, plus the
floating-point allowances (gamma_k bounds on every sum) that the code adds at each step.

Where floats give no ball (the budget's numerator a difference of O(1) terms at a tiny eps, or two classes whose
exact kappas differ in the last bits, a Jacobian singular to rounding), the same system with the exact kappas is
solved and tested at 200 bits (``engine.bounds.precise``) and the proof goes on from the float point nearest its
zero. A forest move whose flow comes out clearly negative is named (``Proof.leave``): a better support drops it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from engine.bounds.precise import PreciseSystem
from engine.bounds.support import UNIT, Forest, gamma_k, krawczyk
from engine.core.moves import Moves

NEWTON_STEPS = 15  # damped Newton steps on the aggregated system at most
# the 200-bit ball is tried only where the float Newton got this close: there the floats' arithmetic failed, not the
# support (from a far point the 200-bit Newton may still find a zero, but on one Hypothesis draw 30 such tries took
# 3.3 s and every proof then failed on the support's flows)
PRECISE_FROM = 1e-8


@dataclass(frozen=True, eq=False)
class Proof:
    """The rule of the aggregated solution (module docstring) and what could be proven about it."""

    q: np.ndarray | None       # n-by-m rule from (T, lambda) (None when the support's structure is unusable)
    delta: float               # proven max |log q - log q*| (inf when not proven)
    free_rows: tuple           # rows where the minimax rule is not unique (empty rows, strictly slack)
    unique_empty: tuple        # empty rows where it is unique anyway (tight by an exact identity)
    lam: float
    t: np.ndarray | None       # atom potentials of the aggregated solution
    psi: np.ndarray | None     # its c-transform per cell
    note: str                  # why the proof failed ("" when it holds)
    flows: np.ndarray | None = None   # the tree-corrected flows on the support (when the proof got that far)
    enter: tuple = ()                 # a move that prices in (a better support includes it)
    empty_cell: int = -1              # a reachable cell of a filled row that the support leaves empty
    degenerate: tuple = ()            # moves at a tie: a tree flow or a slack that floats cannot sign (``cases``)
    boundary: bool = False            # failed only because lambda meets 0: lambda or the unspent budget unsigned
    signs: bool = True                # the relaxed flows are >= 0 and the unpriced slacks <= 0 in floats
    support: np.ndarray | None = None  # the moves P the proof ran on (``flows`` are theirs)
    active: bool = False              # the budget equation was kept (lambda a variable) in this proof
    leave: tuple = ()                 # tree moves whose exact flow is clearly negative (a better support drops them)


def _fail(why, q=None, lam=0.0, t=None, psi=None, enter=(), empty_cell=-1, degenerate=(), boundary=False, leave=()):
    return Proof(q, math.inf, (), (), lam, t, psi, why, None, enter, empty_cell, tuple(degenerate), boundary,
                 leave=tuple(int(e) for e in leave))


def prove(moves: Moves, eps: float, P, gam, lam: float, active: bool, relaxed=(), unpriced=(),
          boundary: bool = False) -> Proof:
    """Solve the aggregated system of the module docstring on the support P (move indices, with flows ``gam``;
    ``active``: the budget binds, lambda > 0) and prove what it can; the Proof's rule comes from the aggregated
    potentials, so it is the polished rule whether or not the proof holds.

    The relaxations serve ``engine.solvers.polish.cases`` at a degenerate saddle point: the flows of the moves
    ``relaxed`` (in P) are not signed, the moves ``unpriced`` (off P) are not priced, and with ``boundary`` neither
    lambda > 0 (active) nor the unspent budget (inactive) is required. What is proven is then the optimum of the
    program with those constraints changed (docs/design.md, "Ties")."""
    n, m, A = moves.n, moves.m, len(moves.atom_mass)
    P, gam = np.asarray(P), np.asarray(gam, float)
    fo = Forest(moves, P, gam)
    K = fo.K
    src, tgt = moves.source[P], moves.target[P]
    for i in np.flatnonzero(~fo.tree):
        if active and fo.kx[A + int(tgt[i])] - fo.kx[int(src[i])] - fo.exact(moves.cost[P[i]]) != 0:
            return _fail("a cycle of the support is not exactly tight")
    N0 = np.bincount(tgt, gam, minlength=n * m)
    NX0 = N0.reshape(n, m).sum(axis=1)
    reachable = np.zeros(n * m, bool)
    reachable[moves.target] = True
    filled = NX0 > 0
    cell_comp = fo.comp[A:]
    # classes of filled rows by their (component, exact kappa) pattern, as a multiset: every equation of a row depends
    # only on which (component, kappa) its cells have, not on which label each is, and two rows whose patterns are
    # permutations of one another (a symmetric cost makes many) would give one equation twice, a singular system
    classes, row_class, patterns = {}, np.full(n, -1), {}
    for x in np.flatnonzero(filled):
        sig = []
        for c in range(x * m, x * m + m):
            if not reachable[c]:
                sig.append(None)
            elif N0[c] <= 0 or cell_comp[c] < 0:
                return _fail(f"cell ({x + 1}, {c - x * m + 1}) of a filled row is empty", empty_cell=int(c))
            else:
                sig.append((int(cell_comp[c]), fo.kx[A + c] if active else 0))
        patterns.setdefault(tuple(sig), None)  # label by label: what an empty row is compared with
        row_class[x] = classes.setdefault(tuple(sorted(sig, key=_entry_order)), len(classes))
    S = len(classes)
    sigs = sorted(classes, key=classes.get)
    W0 = np.bincount(row_class[filled], NX0[filled], minlength=S)
    mass_k = np.bincount(fo.comp[:A], moves.atom_mass, minlength=K)
    # the terms of the aggregated equations, one per (class, cell of its pattern)
    tk, ts, tkc, tkx = [], [], [], []
    for s, sig in enumerate(sigs):
        for entry in sig:
            if entry is not None:
                tk.append(entry[0])
                ts.append(s)
                tkc.append(fo.to_float(entry[1]))
                tkx.append(entry[1])
    tk, ts, tkc = np.array(tk, int), np.array(ts, int), np.array(tkc)
    if not active:
        tkc = np.zeros(len(tk))
    kap_atoms = fo.kf[:A] if active else np.zeros(A)
    const_B = math.fsum(moves.atom_mass * kap_atoms)
    dim = K + S + int(active)
    iT, iW, iL = np.arange(K), K + np.arange(S), K + S

    def seg_lse(e, eq, count):
        # a group whose terms are all -inf (a trial step far out) gives -inf or nan, which the callers reject
        top = np.full(count, -np.inf)
        np.maximum.at(top, eq, e)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.exp(e - top[eq])
            tot = np.bincount(eq, w, minlength=count)
            return np.log(tot) + top, w / tot[eq]

    def Fonly(y):
        T, om, la = y[:K], y[K:K + S], (y[iL] if active else 0.0)
        eR = -T[tk] - la * tkc
        eM = om[ts] + eR
        parts = [seg_lse(eR, ts, S)[0], seg_lse(eM, tk, K)[0] - np.log(mass_k)]
        if active:
            with np.errstate(over="ignore", invalid="ignore"):  # inf or nan: not > 0 below, rejected
                Bnum = float(np.dot(np.exp(eM), tkc)) - const_B
            if not Bnum > 0:
                return None
            parts.append(np.array([math.log(Bnum) - math.log(eps)]))
        return np.concatenate(parts)

    def FJ(y):
        T, om, la = y[:K], y[K:K + S], (y[iL] if active else 0.0)
        eR = -T[tk] - la * tkc
        eM = om[ts] + eR
        FR, wR = seg_lse(eR, ts, S)
        FM, wM = seg_lse(eM, tk, K)
        J = np.zeros((dim, dim))
        np.add.at(J, (ts, iT[tk]), -wR)
        np.add.at(J, (S + tk, iT[tk]), -wM)
        np.add.at(J, (S + tk, iW[ts]), wM)
        parts = [FR, FM - np.log(mass_k)]
        v = Bnum = None
        if active:
            np.add.at(J, (ts, np.full(len(ts), iL)), -wR * tkc)
            np.add.at(J, (S + tk, np.full(len(tk), iL)), -wM * tkc)
            with np.errstate(over="ignore", invalid="ignore"):  # inf or nan at a point far out: rejected below
                v = np.exp(eM)
                Bnum = float(np.dot(v, tkc)) - const_B
            if not Bnum > 0:
                return None
            parts.append(np.array([math.log(Bnum) - math.log(eps)]))
            dB = np.zeros(dim)
            np.add.at(dB, iT[tk], -v * tkc)
            np.add.at(dB, iW[ts], v * tkc)
            dB[iL] = -float(np.dot(v, tkc * tkc))
            J[S + K] = dB / Bnum
        return np.concatenate(parts), J, eR, eM, v, Bnum

    # start: T_k from the flows' posterior on each component's heaviest cell
    order = np.argsort(N0)
    ok = (N0[order] > 0) & (cell_comp[order] >= 0)

    def start(la):
        T0 = np.zeros(K)
        T0[cell_comp[order[ok]]] = (np.log(NX0[order[ok] // m]) - np.log(N0[order[ok]])
                                    - la * (fo.kf[A + order[ok]] if active else 0.0))
        return np.concatenate([T0, np.log(W0)] + ([np.array([la])] if active else []))

    y = start(lam)
    out = FJ(y)
    if active and (out is None or not abs(out[0][-1]) < 1):
        # the solver's lambda misses the budget by more than a factor e (at a budget far below the solver's
        # resolution its flows, and so its lambda, are noise): start from the lambda whose budget residual is least
        best = math.inf
        for la in np.concatenate([[lam], np.geomspace(1e-3, 1e6, 91)]):
            trial = FJ(start(la))
            if trial is not None and np.all(np.isfinite(trial[0])) and abs(trial[0][-1]) < best:
                best, y, out = abs(trial[0][-1]), start(la), trial
    if out is None:
        return _fail("the budget equation is degenerate at the start")
    for _ in range(NEWTON_STEPS):  # damped Newton on the aggregated system (small: components + classes + 1)
        norm = float(np.max(np.abs(out[0])))
        if norm < 16 * UNIT * (1 + np.max(np.abs(y))):
            break
        try:
            dy = np.linalg.solve(out[1], -out[0])
        except np.linalg.LinAlgError:
            return _fail("the aggregated optimality system is singular")
        step = 1.0
        for _ in range(4 if norm < 1e-12 else 20):  # near rounding level a failed full step ends the iteration
            with np.errstate(over="ignore", invalid="ignore"):
                trial = Fonly(y + step * dy)
            if trial is not None and np.all(np.isfinite(trial)) and np.max(np.abs(trial)) < norm:
                break
            step /= 2
        else:
            break
        y = y + step * dy
        out = FJ(y)
        if norm < 1e-12 and float(np.max(np.abs(out[0]))) > 0.5 * norm:
            break  # rounding level: Newton no longer converges quadratically
    out = FJ(y)
    if out is None:
        return _fail("the budget equation is degenerate")
    F, J, eR, eM, v, Bnum = out
    inc = cell_comp >= 0

    def rule_at(y):  # the rule of the aggregated point y, its potentials and their c-transform
        T, om, la = y[:K], y[K:K + S], (float(y[iL]) if active else 0.0)
        t_agg = T[fo.comp[:A]] + la * kap_atoms
        u_agg = np.full(n * m, np.inf)
        u_agg[inc] = T[cell_comp[inc]] + (la * fo.kf[A:][inc] if active else 0.0)
        psi = np.full(n * m, np.inf)
        np.minimum.at(psi, moves.target, t_agg[moves.source] + la * moves.cost)
        return om, la, t_agg, u_agg, psi, _rule(n, m, filled, u_agg, psi, reachable)

    om, la, t_agg, u_agg, psi, q = rule_at(y)
    if np.any(q.ravel()[reachable] < np.finfo(float).tiny):
        return _fail("an entry of the rule is below the smallest normal float (q* underflows)", q, la, t_agg, psi)
    # Krawczyk on the aggregated system
    aR = 1 + np.abs(tkc)
    aM = 2 + np.abs(tkc)
    amax = float(max(aR.max(initial=1), aM.max(initial=2)))
    big = float(np.max(np.abs(np.concatenate([eR, eM, [0.0]]))))
    rho = np.concatenate([np.full(S, 8 * UNIT * (len(tk) + 1 + big)),
                          8 * UNIT * (len(tk) + 1 + big + np.abs(np.log(mass_k)))])
    if active:
        scaleB = (float(np.dot(v, np.abs(tkc))) + abs(const_B) + math.fsum(moves.atom_mass * np.abs(kap_atoms)))
        rho = np.append(rho, 8 * UNIT * (len(tk) + A + 2 + big) * (1 + scaleB / Bnum) + 4 * UNIT * abs(math.log(eps)))

    def lipschitz(r, B=None, v=v, row=None):
        """sup ||J(y) - J(y0)|| on the ball of radius r; B, v and row (the budget's numerator, exp(eM) and the abs
        sum of the budget's row of J at y0) default to the float point's."""
        if not 2 * r * amax < 50:
            return math.inf
        bound = 2 * math.expm1(2 * r * amax) * amax
        if active:
            B = Bnum if B is None else B
            row = float(np.abs(J[S + K]).sum()) if row is None else row
            grow = math.expm1(r * amax)
            beta = grow * float(np.dot(v, np.abs(tkc)))
            if not B - beta > 0:
                return math.inf
            dnum = grow * float(np.dot(v * np.abs(tkc), aM))
            bound = max(bound, (dnum + row * beta) / (B - beta))
        return bound

    def lipschitz_precise(r, B, centre):
        """``lipschitz`` at the 200-bit centre: exp(eM) there in floats (relative rounding only), B exact, and the
        budget row bounded by the triangle inequality; every input widened a little."""
        if not active:
            return lipschitz(r) * 1.01
        vc = np.exp(centre[K:K + S][ts] - centre[:K][tk] - float(centre[iL]) * tkc) * (1 + 1e-9)
        B = B * (1 - 1e-9)
        row = (2 * float(np.dot(vc, np.abs(tkc))) + float(np.dot(vc, tkc * tkc))) / B
        return lipschitz(r, B, vc, row) * 1.01

    r = krawczyk(F, J, rho, lipschitz)
    if r is None and float(np.max(np.abs(F))) <= PRECISE_FROM:
        # the same system at 200 bits (engine.bounds.precise): cancellation or near-singularity in floats
        system = PreciseSystem(K, S, active, eps, tk, ts, tkx if active else [0] * len(tk), fo.shift,
                               moves.atom_mass, fo.comp[:A], fo.kx[:A] if active else [0] * A)
        found = system.ball(y, lipschitz_precise)
        if found is not None:
            y, r = found
            om, la, t_agg, u_agg, psi, q = rule_at(y)
            if np.any(q.ravel()[reachable] < np.finfo(float).tiny):
                return _fail("an entry of the rule is below the smallest normal float (q* underflows)", q, la, t_agg,
                             psi)
    if r is None:
        return _fail("no Krawczyk ball: the aggregated optimality system is singular or ill-conditioned", q, la,
                     t_agg, psi)
    if active and not la - r > 0 and not boundary:
        return _fail("lambda is not provably positive", q, la, t_agg, psi, boundary=True)
    # flows: the tree carries the aggregated demands exactly (leaves first, the other moves of P frozen). An edge's
    # flow is the balance of the subtree it cuts off, so between y0 and y* it moves by at most the change of that
    # subtree's demands (``change``), and its rounding is at most gamma_k times the subtree's absolute sums
    cells = np.flatnonzero(N0 > 0)
    kc = np.abs(fo.kf[A + cells]) if active else np.zeros(len(cells))
    demand = NX0[cells // m] * np.exp(om[row_class[cells // m]] - np.log(W0[row_class[cells // m]]) - u_agg[cells])
    frozen = ~fo.tree
    out_frozen = np.bincount(src[frozen], gam[frozen], minlength=A)
    in_frozen = np.bincount(tgt[frozen], gam[frozen], minlength=n * m)
    residual = np.zeros(A + n * m)
    residual[:A] = moves.atom_mass - out_frozen
    residual[A + cells] = demand
    residual[A:] -= in_frozen
    change = np.zeros(A + n * m)
    change[A + cells] = demand * np.expm1(np.minimum(r * (2 + kc), 50.0))
    sums = np.concatenate([moves.atom_mass + out_frozen, in_frozen])
    sums[A + cells] += demand
    flow, need = gam.copy(), np.zeros(len(P))
    rounding = 4 * gamma_k(len(fo.order) + 4)
    for v in reversed(fo.order):
        i = fo.up[v]
        if i < 0:
            continue
        flow[i] = residual[v]  # an atom sends its remaining supply up; a cell draws its remaining demand
        need[i] = change[v] + rounding * sums[v]
        parent = A + int(tgt[i]) if v < A else int(src[i])
        residual[parent] -= flow[i]
        change[parent] += change[v]
        sums[parent] += sums[v]
    loose = np.isin(P, np.asarray(relaxed, dtype=int))
    small = fo.tree & ~loose & (flow <= 1.01 * need)
    if np.any(small):
        return _fail("a tree flow of the support is too small to absorb the change", q, la, t_agg, psi,
                     degenerate=P[small], leave=P[small & (flow < -1.01 * need)])
    signs = bool(np.all(flow[loose] >= 0))
    gam = flow
    if moves.budget and not active:
        spent = math.fsum(gam * moves.cost[P]) * (1 + gamma_k(len(P) + 2)) \
            + 1.01 * float(np.dot(need[fo.tree], moves.cost[P][fo.tree]))
        if not spent < eps and not boundary:
            return _fail("the budget is not provably unspent", q, la, t_agg, psi, boundary=True)
    # pricing every move off the support into a filled row
    inP = np.zeros(len(moves.cost), bool)
    inP[P] = True
    skip = np.zeros(len(moves.cost), bool)
    skip[np.asarray(unpriced, dtype=int)] = True
    e = np.flatnonzero(~inP & ~skip & filled[moves.target // m])
    a, c, ce = moves.source[e], moves.target[e], moves.cost[e]
    same = fo.comp[a] == cell_comp[c]
    Kf = (fo.kf[A + c] - fo.kf[a] - ce) if active else np.zeros(len(e))
    s0 = u_agg[c] - la * ce - t_agg[a]
    ds = 2 * r + (r * np.abs(Kf) if active else 0.0)
    safe = s0 + ds + 16 * UNIT * (1 + np.abs(u_agg[c]) + np.abs(t_agg[a]) + la * ce) < 0
    for i in np.flatnonzero(same & ~safe):
        if active and fo.kx[A + int(c[i])] - fo.kx[int(a[i])] - fo.exact(ce[i]) > 0:
            return _fail(f"move {e[i]} prices in (exactly)", q, la, t_agg, psi)
    if np.any(~same & ~safe):
        bad = np.flatnonzero(~same & ~safe)
        i = bad[np.argmax(s0[bad])]
        # a slack within the proof's own uncertainty is a tie (0 in the reals, unsignable in floats), not an entry
        unsure = ds + 16 * UNIT * (1 + np.abs(u_agg[c]) + np.abs(t_agg[a]) + la * ce)
        ties = bad[np.abs(s0[bad]) <= 2 * unsure[bad]]
        return _fail(f"move {e[i]} is not provably slack (slack {s0[i]:.3g})", q, la, t_agg, psi,
                     (int(e[i]),) if s0[i] > 2 * unsure[i] else (), degenerate=e[ties] if len(ties) == len(bad) else ())
    if len(unpriced):
        us = np.asarray(unpriced, dtype=int)
        slack_u = u_agg[moves.target[us]] - la * moves.cost[us] - t_agg[moves.source[us]]
        signs = signs and bool(np.all(~filled[moves.target[us] // m] | ~(slack_u > 0)))
    # empty rows: strictly slack (free) or exactly a class's row function (unique)
    spread = np.zeros(n * m)
    np.maximum.at(spread, moves.target, np.abs(kap_atoms[moves.source] + moves.cost) if active else 0.0)
    free, unique_empty, delta_empty = [], [], 0.0
    for x in np.flatnonzero(~filled):
        row = np.arange(x * m, x * m + m)
        rc = row[reachable[row]]
        if not len(rc):
            if m > 1:
                free.append(int(x))
            continue
        dpsi = r * (1 + float(spread[rc].max()))
        fx = float(logsumexp(-psi[rc]))
        allowance = 16 * UNIT * (1 + float(np.abs(psi[rc]).max()))
        if fx + dpsi + allowance < 0:
            if m > 1:
                free.append(int(x))
        elif _identity_row(moves, fo, list(patterns), rc, x, active, t_agg, la, r):
            unique_empty.append(int(x))
        else:
            return _fail(f"row {x + 1} is empty but neither provably slack nor exactly tight ({fx:.3g})",
                         q, la, t_agg, psi)
        delta_empty = max(delta_empty, 2 * dpsi + 4 * allowance)
    fin = np.isfinite(u_agg) & filled[np.arange(n * m) // m]
    kcell = np.abs(fo.kf[A:][fin]) if active else 0.0
    delta_filled = float(np.max(r * (1 + kcell) + 16 * UNIT * (1 + np.abs(u_agg[fin])), initial=0.0))
    return Proof(q, max(delta_filled, delta_empty), tuple(free), tuple(unique_empty), la, t_agg, psi, "", gam,
                 signs=signs, support=P, active=bool(active))


def _entry_order(entry):
    """Sort key of a row pattern's entries: the unreachable cells (None) last, the others by (component, kappa)."""
    return (1, 0, 0) if entry is None else (0, *entry)


def _rule(n, m, filled, u, psi, reachable):
    """exp(-u) normalised on the filled rows (0 on their unreachable cells), exp(-psi) normalised on the empty
    rows with a reachable cell, uniform on the rows no move reaches (the dual of (13): docs/design.md, "The dual
    program")."""
    U = np.where(filled[:, None], u.reshape(n, m), psi.reshape(n, m))
    q = np.full((n, m), 1.0 / m)
    has = np.isfinite(U).any(axis=1)
    low = np.where(has, np.min(np.where(np.isfinite(U), U, np.inf), axis=1, initial=np.inf), 0.0)
    w = np.where(np.isfinite(U), np.exp(-(U - low[:, None])), 0.0)
    q[has] = w[has] / w[has].sum(axis=1, keepdims=True)
    return q


def _identity_row(moves, fo, sigs, rc, x, active, t_agg, la, r):
    """Is the empty row x exactly some class's row function? For each of its cells c an atom of the class cell's
    component with kappa(a) + cost == kappa(class cell) exactly (any, when lambda = 0), and every atom into c either
    the same function or more (exactly) or provably more expensive."""
    m = moves.m
    pattern = tuple(bool(np.isin(x * m + y, rc)) for y in range(m))
    for sig in sigs:
        if tuple(e is not None for e in sig) != pattern:
            continue
        good = True
        for c in rc:
            k_s, kap_s = sig[c % m]
            into = np.flatnonzero(moves.target == c)
            exact = [(not active) or fo.kx[int(moves.source[e])] + fo.exact(moves.cost[e]) - kap_s
                     for e in into]
            match = [i for i, e in enumerate(into) if fo.comp[moves.source[e]] == k_s and
                     ((not active) or exact[i] == 0)]
            if not match:
                good = False
                break
            e0 = into[match[0]]
            v0 = t_agg[moves.source[e0]] + la * moves.cost[e0]
            for i, e in enumerate(into):
                a = int(moves.source[e])
                if fo.comp[a] == k_s and ((not active) or exact[i] >= 0):
                    continue
                v = t_agg[a] + la * moves.cost[e]
                dv = 2 * r + (r * (abs(fo.kf[a] + moves.cost[e]) + abs(fo.to_float(kap_s))) if active else 0.0)
                if not v - v0 - dv > 16 * UNIT * (1 + abs(v) + abs(v0)):
                    good = False
                    break
            if not good:
                break
        if good:
            return True
    return False
