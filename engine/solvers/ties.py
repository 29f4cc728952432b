"""Proofs at degenerate saddle points: ties of the support and the budget's boundary (issue 13).

``engine.bounds.rule_accuracy.prove`` needs every tree flow of the support provably positive, every move off it
provably slack, and either lambda provably positive or the budget provably unspent. At a degenerate saddle point
floats sign none of these: a move may carry flow 0 and be priced exactly tight (a tie), and where h* saturates
lambda meets 0 with the budget exactly spent. The remedy:

**Every case.** For a set E of tied moves the optimum of (15) is, for some D in E, the optimum of (15) with the
moves of E - D held at 0 and those of D free in sign: the optimal plan's own D satisfies that program's optimality
conditions. At the boundary it is the optimum with the budget as an equality (lambda >= 0) or dropped: on a fixed
support the budget spent by the restricted optimum falls as lambda rises (concavity), so a negative lambda* on the
equality means the unconstrained optimum spends less than eps. ``prove`` proves each case with those constraints
relaxed; when every case holds, q* is one of their rules, and delta is the largest distance from the returned rule
(a case whose ties are signed right in floats) plus that case's own delta.

(An interior plan, the LP that maximises the smallest flow of the support, was tried before the cases until issue
13's last pass: on the presets and 700 Hypothesis draws it never decided one, so it went.)
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from engine.bounds.rule_accuracy import Proof, prove
from engine.bounds.support import UNIT
from engine.core.moves import Moves

MAX_TIES = 3         # the cases split on at most this many tied moves (2^3 cases, twice at the boundary)
MAX_ENTER = 4        # moves that price in clearly for a case enter the support this many times at most


def cases(moves: Moves, eps: float, P, gam_of, lam: float, active: bool) -> Proof:
    """``prove`` on P (flows ``gam_of(P)``), then at a degenerate point the other activity and every case of the
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
    split = _split(moves, eps, P, gam_of, lam, active, first.degenerate, first.boundary)
    return first if split is None else split


def _split(moves, eps, P, gam_of, lam, active, ties, boundary) -> Proof | None:
    """Every case of the tied moves ``ties`` (and of the budget at the ``boundary``) proven, combined; or None."""
    ties = set(int(e) for e in ties)
    if len(ties) > MAX_TIES:
        return None
    entered = 0
    for _ in range(MAX_TIES + MAX_ENTER + 1):
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
                    if proof.enter and entered < MAX_ENTER:
                        # a move prices in clearly for this case's program: its optimum's support holds it, and
                        # adding a move to the support (signed, priced like the rest) changes no case's program;
                        # on the larger support the tie may be gone: tried strictly first, both activities
                        P, entered, grew = np.union1d(P, np.array(proof.enter, dtype=int)), entered + 1, True
                        for strict_act in ((act, not act) if moves.budget else (act,)):
                            strict = prove(moves, eps, P, np.maximum(gam_of(P), 1e-300), lam, strict_act)
                            if math.isfinite(strict.delta):
                                return strict
                    elif new and len(ties | new) <= MAX_TIES:
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
                    strict = prove(moves, eps, case.support, np.maximum(case.flows, 1e-300), lam, case.active)
                    if math.isfinite(strict.delta):
                        return strict
            return _combined(proofs)
    return None


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
