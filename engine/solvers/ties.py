"""Proofs at degenerate saddle points: ties of the support and the budget's boundary (issue 13).

``engine.bounds.rule_accuracy.prove`` needs every tree flow of the support provably positive, every move off it
provably slack, and either lambda provably positive or the budget provably unspent. At a degenerate saddle point
floats sign none of these: a move may carry flow 0 and be priced exactly tight (a tie), and where h* saturates
lambda meets 0 with the budget exactly spent. Two remedies, in this order:

1. **An interior plan.** The optimal plans on a support form a polytope; the solver's plan may sit on its
   boundary (a flow near 0) while another optimal plan carries every move of the support and its ties. Given the
   demands the aggregated solution fixes (row masses free within the rows' totals), the LP (HiGHS)

       max s   subject to   gamma >= s mu(source),   N_X(x') >= s,   sum_c gamma(a -> c) = mu(a),
                            sum_a gamma(a -> c) = N_X(x') q(c | x')

   finds the plan farthest from that boundary; when s > 0 the proof runs again on it.
2. **Every case.** When the tie is real (every optimal plan leaves the move empty and its slack is 0), for a set
   E of tied moves the optimum of (15) is, for some D in E, the optimum of (15) with the moves of E - D held at 0
   and those of D free in sign: the optimal plan's own D satisfies that program's optimality conditions. At the
   boundary it is the optimum with the budget as an equality (lambda >= 0) or dropped: on a fixed support the
   budget spent by the restricted optimum falls as lambda rises (concavity), so a negative lambda* on the
   equality means the unconstrained optimum spends less than eps. ``prove`` proves each case with those
   constraints relaxed; when every case holds, q* is one of their rules, and delta is the largest distance from
   the returned rule (a case whose ties are signed right in floats) plus that case's own delta.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from engine.bounds.rule_accuracy import Proof, prove
from engine.bounds.support import UNIT
from engine.core.moves import Moves

MAX_TIES = 3         # the cases split on at most this many tied moves (2^3 cases, twice at the boundary)
INTERIOR_MIN = 1e-9  # an interior plan whose smallest flow is below this fraction of its atom is no better
ROUNDS = 3           # ties found by a proof join the support this many times at most


def cases(moves: Moves, eps: float, P, gam_of, lam: float, active: bool) -> Proof:
    """``prove`` on P (flows ``gam_of(P)``), then at a degenerate point the interior plan and every case of the
    ties (module docstring); the first proof when none of them holds."""
    P = np.asarray(P, dtype=int)
    first = prove(moves, eps, P, np.maximum(gam_of(P), 1e-300), lam, active)
    if math.isfinite(first.delta) or first.q is None:
        return first
    if first.boundary or "budget equation is degenerate" in first.note:
        other = prove(moves, eps, P, np.maximum(gam_of(P), 1e-300), lam, not active)
        if math.isfinite(other.delta):
            return other
    if (not first.degenerate and not first.boundary) or first.enter or first.empty_cell >= 0:
        return first  # a move that prices in, or a cell to fill: the support grows first (column generation)
    support, proof = P, first
    for _ in range(ROUNDS):  # the interior plan on the support and its ties
        if not proof.degenerate or proof.q is None:
            break
        support = np.union1d(support, np.asarray(proof.degenerate, dtype=int))
        flows = interior_flows(moves, support, proof.q, np.bincount(moves.target[P] // moves.m, gam_of(P),
                                                                    minlength=moves.n))
        if flows is None:
            break
        proof = prove(moves, eps, support, flows, lam, active)
        if math.isfinite(proof.delta):
            return proof
        if proof.boundary:
            split = _split(moves, eps, support, functools.partial(_on, flows, support), lam, active, (), True)
            if split is not None:
                return split
    split = _split(moves, eps, P, gam_of, lam, active, first.degenerate, first.boundary)
    return first if split is None else split


def _on(flows, support, S):
    """The flows of ``support`` on its subset S (0 on moves outside it)."""
    out = np.zeros(len(S))
    pos = np.searchsorted(support, S)
    ok = (pos < len(support)) & (support[np.minimum(pos, len(support) - 1)] == S)
    out[ok] = flows[pos[ok]]
    return out


def interior_flows(moves: Moves, P, q, row_mass) -> np.ndarray | None:
    """The plan on P farthest from the boundary of the optimal plans (module docstring), or None when its smallest
    relative flow is below INTERIOR_MIN (or HiGHS fails). ``q`` fixes each filled row's posterior and ``row_mass``
    its mass, which the LP may move between rows of equal posterior pattern."""
    m, A = moves.m, len(moves.atom_mass)
    P = np.asarray(P, dtype=int)
    src, tgt = moves.source[P], moves.target[P]
    rows = np.unique(tgt // m)
    if not np.all(row_mass[rows] > 0):
        return None
    cells = np.unique(tgt)
    cell_at = {int(c): i for i, c in enumerate(cells)}
    row_at = {int(x): i for i, x in enumerate(rows)}
    k, R = len(P), len(rows)
    # variables: flows (k), row masses (R), s; rows of A_eq: atoms, then cells
    ii, jj, vv = [], [], []
    ii += list(src)
    jj += list(range(k))
    vv += [1.0] * k
    ii += [A + cell_at[int(c)] for c in tgt]
    jj += list(range(k))
    vv += [1.0] * k
    for c in cells:
        ii.append(A + cell_at[int(c)])
        jj.append(k + row_at[int(c) // m])
        vv.append(-float(q.ravel()[c]))
    A_eq = coo_matrix((vv, (ii, jj)), shape=(A + len(cells), k + R + 1)).tocsr()
    b_eq = np.concatenate([moves.atom_mass, np.zeros(len(cells))])
    # gamma - s mu(source) >= 0, N_X - s (total) >= 0, written as -gamma + s mu <= 0
    scale = moves.atom_mass[src]
    ub = coo_matrix((np.concatenate([-np.ones(k), scale, -np.ones(R), np.full(R, row_mass.sum())]),
                     (np.concatenate([np.arange(k), np.arange(k), k + np.arange(R), k + np.arange(R)]),
                      np.concatenate([np.arange(k), np.full(k, k + R), k + np.arange(R), np.full(R, k + R)]))),
                    shape=(k + R, k + R + 1)).tocsr()
    cost = np.zeros(k + R + 1)
    cost[-1] = -1.0
    try:
        res = linprog(cost, A_ub=ub, b_ub=np.zeros(k + R), A_eq=A_eq, b_eq=b_eq,
                      bounds=[(0, None)] * (k + R) + [(0, 1)], method="highs")
    except ValueError:
        return None
    if res.status != 0 or not res.x[-1] > INTERIOR_MIN:
        return None
    return np.maximum(res.x[:k], 1e-300)


def _split(moves, eps, P, gam_of, lam, active, ties, boundary) -> Proof | None:
    """Every case of the tied moves ``ties`` (and of the budget at the ``boundary``) proven, combined; or None."""
    ties = set(int(e) for e in ties)
    if len(ties) > MAX_TIES:
        return None
    for _ in range(MAX_TIES + 1):
        proofs, grew = [], False
        tied = sorted(ties)
        base = np.setdiff1d(P, tied)
        for used in itertools.product((False, True), repeat=len(tied)):
            D = [e for e, u in zip(tied, used, strict=True) if u]
            PD = np.union1d(base, np.array(D, dtype=int))
            for act in ((True, False) if boundary and moves.budget else (active,)):
                proof = prove(moves, eps, PD, np.maximum(gam_of(PD), 1e-300), lam, act, relaxed=D,
                              unpriced=sorted(ties - set(D)), boundary=boundary)
                if not math.isfinite(proof.delta):
                    new = set(int(e) for e in proof.degenerate) - ties
                    if new and len(ties | new) <= MAX_TIES:
                        ties |= new
                        grew = True
                    elif proof.boundary and not boundary:
                        boundary = grew = True
                    else:
                        return None
                    break
                proofs.append(proof)
            if grew:
                break
        if not grew:
            for case in proofs:  # a case signed right in floats may hold without its relaxations: q* exactly
                if case.signs:
                    strict = prove(moves, eps, case.support, np.maximum(case.flows, 1e-300), lam,
                                   _active(case, moves))
                    if math.isfinite(strict.delta):
                        return strict
            return _combined(proofs)
    return None


def _active(proof: Proof, moves: Moves) -> bool:
    """Did this proof's case keep the budget equation? (lambda > 0 there, or a budget kind at lambda = 0 dropped it)"""
    return bool(moves.budget) and proof.lam != 0.0


def _combined(proofs: list[Proof]) -> Proof | None:
    """One proof from the proven cases: the rule of a case whose ties are signed right in floats, delta the largest
    of each case's delta plus its rule's distance from that rule (rounded up); None when the cases disagree on
    where the rule is unique or on which entries are 0."""
    if len({(p.free_rows, p.unique_empty) for p in proofs}) != 1:
        return None
    chosen = next((p for p in proofs if p.signs), proofs[0])
    with np.errstate(divide="ignore"):
        logq = np.log(chosen.q)
        delta = 0.0
        for p in proofs:
            other = np.log(p.q)
            if np.any(np.isfinite(logq) != np.isfinite(other)):
                return None
            both = np.isfinite(logq)
            gap = float(np.max(np.abs(logq[both] - other[both]), initial=0.0))
            top = float(np.max(np.abs(other[both]), initial=0.0))
            delta = max(delta, (gap + p.delta) * (1 + 4 * UNIT) + 4 * UNIT * top)
    return dataclasses.replace(chosen, delta=delta, note="")
