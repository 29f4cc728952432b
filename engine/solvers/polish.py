"""Polish a certified saddle point into a rule exact entry by entry, and prove how exact (issue 13).

The chain's rule is certified at its own budget (its exact loss is within 1e-6 of h*), but an interior-point
solver's multipliers are accurate only in absolute terms: where q* is 1e-10 the returned q may be off by a factor
of 2, and a loss at another budget, where the attack reaches that cell, by nats. Polishing solves the optimality
conditions of (15) on the support of an optimal plan (docs/design.md, "The dual program"),

    u(c) - lambda cost(a -> c) = t(a) on the support (u = -log nu(y'|x'), Corollary 1),   marginals,
    sum gamma cost = eps when lambda > 0,   every other move and every empty row priced slack,

in log coordinates, through ``engine.bounds.rule_accuracy.prove``: it reduces them to a small square system in
the components' potentials, the rows' masses and lambda, solves it by Newton's method and proves a bound delta >=
max |log q - log q*| (or says why it cannot). The support comes from

1. the solver's own plan: the moves carrying at least ``DIRECT_FLOORS`` of their atom's mass (for atoms below
   ``TINY_ATOM`` of the largest, whose plan the solver does not resolve, the move its rule prices best), then
   also those spending ``SPEND_FLOOR`` of the budget; a move that prices in enters and the proof runs again
   (``DIRECT_ROUNDS`` times at most);
2. else the central path on the candidate moves (``engine.solvers.barrier``), then the same proof and entries.

A move that prices in enters; a forest move whose exact flow comes out clearly negative leaves (the support's
demands need it to carry less than nothing: at budgets like 1e-12 the solver's plan is noise there). Whatever the
path, what is claimed is ``prove``'s on the final support, every condition checked there.

The rule is the aggregated solution's: on filled rows exp(-(T + lambda kappa)), on the rows no optimal plan
fills (where (13) alone does not fix q*) exp(-psi) normalised, psi the c-transform of the potentials: the
minimax rule there is any pmf with q >= exp(-psi*) (``floor``), and the engine chooses this one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.bounds.rule_accuracy import Proof
from engine.core.moves import Moves
from engine.solvers.barrier import Barrier
from engine.solvers.ties import cases

TINY_ATOM = 1e-6            # atoms below this fraction of the largest: their share of the solver's plan is noise
DIRECT_FLOORS = (1e-5, 1e-3)  # the solver's plan names the support: moves carrying this fraction of their atom
SPEND_FLOOR = 1e-3          # ... or, tried last, this share of the budget (at eps = 1e-6 every costly flow is
                            # below 1e-6 of a heavy atom, and the first two supports spend nothing)
DIRECT_ROUNDS = 8           # moves that price in enter one by one, this many times at most
CANDIDATE_GAP = 2.0         # the central path runs on the moves the solver's rule prices within this of tight
BARRIER_MAX_MOVES = 600     # ... while there are at most this many (its Newton steps are dense)
LOOSE = 1e-9                # a proven rule_error above this is polished once more from its own saddle point


@dataclass(frozen=True, eq=False)
class Polished:
    """A polished saddle point: the rule, its proven accuracy and where the minimax rule is not unique."""

    q: np.ndarray          # n-by-m rule
    plan: np.ndarray       # a mass per move (the exact plan's flows when the proof holds)
    multiplier: float      # lambda
    rule_error: float      # proven max |log q - log q*| (inf when not proven)
    free_rows: tuple       # rows x where the minimax rule is not unique
    floor: np.ndarray      # n-by-m: every minimax rule has q >= floor on the free rows (nan on the others)
    note: str              # how the support was found, or why the proof failed

    @property
    def proven(self) -> bool:
        """Is ``rule_error`` a proven bound?"""
        return math.isfinite(self.rule_error)


def _activity(moves: Moves, eps: float, gam, cost, lam: float) -> bool:
    """Does the budget bind? lambda eps against the unspent budget (both tend to 0 at the boundary)."""
    return bool(moves.budget) and lam * eps > eps - float(np.dot(gam, cost))


def _floor(moves: Moves, proof: Proof) -> np.ndarray:
    """exp(-(psi + delta)) on the free rows (a lower envelope of every minimax rule there), nan elsewhere."""
    n, m = moves.n, moves.m
    floor = np.full((n, m), np.nan)
    if proof.psi is not None and proof.free_rows:
        rows = list(proof.free_rows)
        psi = proof.psi.reshape(n, m)[rows]
        floor[rows] = np.where(np.isfinite(psi), np.exp(-(psi + proof.delta)), 0.0)
    return floor


def _polished(moves: Moves, P, gam, proof: Proof, how: str) -> Polished:
    plan = np.zeros(len(moves.cost))
    if proof.flows is None:
        plan[P] = gam
    else:  # the proof's own support (a case of ``cases`` may hold a tied move at 0); a relaxed flow may be < 0
        plan[proof.support] = np.maximum(proof.flows, 0.0)
    note = how if math.isfinite(proof.delta) else f"{how}: not proven ({proof.note})"
    return Polished(proof.q, plan, proof.lam, proof.delta, proof.free_rows, _floor(moves, proof), note)


def _prove_growing(moves: Moves, eps: float, P, gam_of, lam: float, active: bool) -> tuple[np.ndarray, Proof]:
    """``cases`` on P, letting the move that prices in enter (column generation), DIRECT_ROUNDS times at most."""
    proof = None
    for _ in range(DIRECT_ROUNDS):
        proof = cases(moves, eps, P, gam_of, lam, active)
        if math.isfinite(proof.delta):
            break
        if proof.empty_cell >= 0:  # a reachable cell of a filled row must carry mass: its cheapest move enters, and
            # so do those of every other such cell at once (the flows as ``cases`` gave them to the proof)
            enter = _into_empty_cells(moves, P, np.maximum(gam_of(P), 1e-300))
        elif proof.enter:
            enter = proof.enter
        elif proof.leave:
            P = np.setdiff1d(P, np.array(proof.leave, dtype=int))
            continue
        else:
            break
        P = np.union1d(P, np.array(enter, dtype=int))
    return P, proof


def _into_empty_cells(moves: Moves, P, gam) -> tuple:
    """The cheapest move into each reachable cell that the flows ``gam`` on P leave empty in a row they fill."""
    n, m = moves.n, moves.m
    N = np.bincount(moves.target[P], np.asarray(gam, float), minlength=n * m)
    filled = np.repeat(N.reshape(n, m).sum(axis=1) > 0, m)
    order = np.lexsort((moves.cost, moves.target))  # by cell, cheapest first
    first = order[np.r_[True, moves.target[order][1:] != moves.target[order][:-1]]]
    cells = moves.target[first]
    return tuple(int(e) for e in first[filled[cells] & (N[cells] <= 0)])


def candidates(moves: Moves, plan: np.ndarray, q: np.ndarray, lam: float) -> np.ndarray:
    """The stays, the moves the solver's plan uses and those its rule prices within CANDIDATE_GAP of tight."""
    heavy = np.asarray(plan) > 1e-7 * moves.atom_mass[moves.source]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = -np.log(np.asarray(q, float).ravel())[moves.target] - lam * moves.cost
        t = np.full(len(moves.atom_mass), -np.inf)
        np.maximum.at(t, moves.source, z)
        tight = z >= t[moves.source] - CANDIDATE_GAP
    return np.flatnonzero(heavy | tight | moves.is_stay)


def polish(moves: Moves, eps: float, plan: np.ndarray, q: np.ndarray, lam) -> Polished:
    """Polish a solver's (plan, q, lambda) at budget eps (module docstring); never raises on bad solver output.

    A proof looser than ``LOOSE`` is polished once more from its own plan, rule and lambda, and the tighter of the
    two kept: at a tie the cases of ``cases`` may each hold, delta then spans their rules (0.045 on one Hypothesis
    draw, joint kind, eps 1e-9), while the polished plan names the support of the right case (4.5e-12 there)."""
    first = _polish_once(moves, eps, plan, q, lam)
    if not first.proven or first.rule_error <= LOOSE:
        return first
    again = _polish_once(moves, eps, first.plan, first.q, first.multiplier)
    return again if again.rule_error < first.rule_error else first


def _polish_once(moves: Moves, eps: float, plan: np.ndarray, q: np.ndarray, lam) -> Polished:
    budget = bool(moves.budget)
    lam = float(lam or 0.0) if budget and np.isfinite(lam or 0.0) else 0.0
    raw = np.where(np.isfinite(plan), np.maximum(plan, 0.0), 0.0)
    mass = moves.atom_mass[moves.source]
    with np.errstate(divide="ignore", invalid="ignore"):
        bracket = -np.log(np.asarray(q, float).ravel())[moves.target] - lam * moves.cost
    best = np.lexsort((-bracket, moves.source))  # each atom's best-priced move first
    top = np.zeros(len(moves.cost), bool)
    top[best[np.searchsorted(moves.source[best], np.arange(len(moves.atom_mass)))]] = True
    tiny = (moves.atom_mass < TINY_ATOM * moves.atom_mass.max())[moves.source]
    first = None
    spent = raw * moves.cost if budget and eps > 0 else np.zeros(len(raw))
    for floor, share in [(f, np.inf) for f in DIRECT_FLOORS] + [(DIRECT_FLOORS[0], SPEND_FLOOR)]:
        P = np.flatnonzero(np.where(tiny, top, (raw > floor * mass) | (spent > share * eps)))
        P, proof = _prove_growing(moves, eps, P, lambda P: raw[P], lam,
                                  _activity(moves, eps, raw[P], moves.cost[P], lam))
        if proof.q is not None and math.isfinite(proof.delta):
            return _polished(moves, P, raw[P], proof, "the solver's support")
        first = first if first is not None and first.q is not None else proof
    C = candidates(moves, raw, q, lam)
    if len(C) <= BARRIER_MAX_MOVES:
        S, gam, lam_b, active, _ = Barrier(moves, eps, C).solve(raw, q, lam)
        flows = np.zeros(len(moves.cost))
        flows[S] = gam
        P, proof = _prove_growing(moves, eps, S, lambda P: flows[P], lam_b, active)
        if proof.q is not None and (math.isfinite(proof.delta) or first.q is None):
            return _polished(moves, P, flows[P], proof, "the central path's support")
    if first.q is None:
        return Polished(np.asarray(q, float), raw, lam, math.inf, (), np.full((moves.n, moves.m), np.nan),
                        f"not polished ({first.note})")
    P = np.flatnonzero(raw > DIRECT_FLOORS[0] * mass)
    return _polished(moves, P, raw[P], first, "the solver's support")
