"""Find and certify the saddle point of Theorem 1 at one budget, whatever the solvers do.

The attempts, in order, stop as soon as the certificate closes to 1e-6 nats:

0. for large alphabets (at least ``REDUCED_MIN_MOVES`` allowed moves), the conic form of (15) on a few of
   the moves, grown by column generation and a smoothed dual of (13) (``engine.reduced``): its plan is
   feasible for the full problem and its rule is priced against every move;
1. the hand-built conic form of (15) (``engine.conic``) over all moves, tolerances 1e-9;
2. the same with shorter interior-point steps (it rescues stalls: InsufficientProgress);
3. the same with another factorisation, shorter steps still and tighter tolerances;
4. the plain cvxpy programs of (15) and (13) (``engine.reference``) with Clarabel;
5. the same with SCS.

Attempts 4 and 5 build dense plans, so they run only while the plans have at most ``DENSE_LIMIT`` entries.

Every attempt may fail (an exception, a bad status, None values): the failure is recorded, not raised.
The best lower bound (a repaired feasible plan) and the best upper bound (a rule's exact loss) are kept
across attempts, starting from ones that need no solver: the plan that moves nothing and the uniform
rule. So a result always carries an honest certificate; its status is ``verified`` (gap <= 1e-6),
``approximate`` (a solver answered but the gap is larger) or ``failed`` (no solver answered; the
bounds are the trivial ones).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from engine.certificate import Certificate, perturbed_table, plan_value, repair_plan, stay_plan
from engine.conic import CAREFUL, FAST, STEADY, RawSaddle, solve_saddle_clarabel
from engine.loss import clear_curves, rule_loss
from engine.moves import Moves, allowed_moves, dense_size
from engine.problem import Problem, check_eps
from engine.reduced import solve_saddle_reduced

CACHE_SIZE = 512
DENSE_LIMIT = 20_000  # the cvxpy fallbacks build dense plans: skip them above this many plan entries
# From this many allowed moves on, the solve over a few moves (engine.reduced) goes first. Measured on binned
# features (squared cost, budgets from a quarter of a squared bin width to past saturation): at 1,000-2,250
# moves the conic form over all moves is 2-6x faster except at the smallest budgets; at 5,000 the two are
# within 0.7-1.2x at wide budgets and the reduced solve is 4-10x faster at small ones; from 9,000 on it is
# faster at every budget tried (1.1-40x), and the gap grows with the alphabet.
REDUCED_MIN_MOVES = 5_000


@dataclass(frozen=True, eq=False)
class Saddle:
    """The certified saddle point at one budget: the plan (lower bound) and the rule (upper bound)."""

    eps: float
    moves: Moves
    plan: np.ndarray
    q: np.ndarray
    multiplier: float | None
    certificate: Certificate
    status: str
    method: str
    message: str


def _attempts(problem: Problem, moves: Moves):
    from engine.reference import solve_saddle_cvxpy

    attempts = []
    if len(moves.cost) >= REDUCED_MIN_MOVES:  # large alphabets: screen the moves first (engine.reduced)
        attempts.append(("reduced", lambda moves, eps: solve_saddle_reduced(problem, moves, eps)))
    attempts += [
        ("clarabel", lambda moves, eps: solve_saddle_clarabel(moves, eps, FAST, "clarabel")),
        ("clarabel-steady", lambda moves, eps: solve_saddle_clarabel(moves, eps, STEADY, "clarabel-steady")),
        ("clarabel-careful", lambda moves, eps: solve_saddle_clarabel(moves, eps, CAREFUL, "clarabel-careful")),
    ]
    if dense_size(problem) <= DENSE_LIMIT:  # beyond it they take minutes and rarely beat Clarabel's answer
        attempts += [
            ("cvxpy-clarabel", lambda moves, eps: solve_saddle_cvxpy(problem, moves, eps, "CLARABEL")),
            ("cvxpy-scs", lambda moves, eps: solve_saddle_cvxpy(problem, moves, eps, "SCS")),
        ]
    return attempts


def solve_saddle(problem: Problem, eps) -> Saddle:
    """The certified saddle point of (13)-(15) at budget eps (cached per problem and eps)."""
    return _solve_cached(problem, check_eps(eps))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _solve_cached(problem: Problem, eps: float) -> Saddle:
    moves = allowed_moves(problem, eps)
    plan = stay_plan(moves)
    lower = plan_value(moves, plan)
    q, upper = None, np.inf  # the uniform rule's bound is computed only if no solver gives a rule
    multiplier, method, notes, answered = None, "none", [], False
    for name, attempt in _attempts(problem, moves):
        if Certificate(lower, upper).verified:
            break
        try:
            raw: RawSaddle = attempt(moves, eps)
        except Exception as error:  # noqa: BLE001 - a solver's failure is reported, never raised
            notes.append(f"{name} failed ({type(error).__name__}: {error})")
            continue
        if raw.plan is None and raw.q is None:
            notes.append(f"{name} returned status {raw.status}")
            continue
        answered = True
        if raw.plan is not None:
            candidate = repair_plan(moves, raw.plan, eps)
            value = plan_value(moves, candidate)
            if value > lower:
                plan, lower = candidate, value
        rule = sane_rule(raw.q, problem.n, problem.m)
        # The solver's rule first; Corollary 1's posterior of the best plan only when that leaves a gap.
        for posterior in (False, True):
            if rule is None or Certificate(lower, upper).verified:
                break
            candidate = sane_rule(posterior_rule(moves, plan, rule), problem.n, problem.m) if posterior else rule
            if candidate is None:
                continue
            value = float(rule_loss(problem, candidate, eps))
            if value < upper:
                q, upper, multiplier, method = candidate, value, raw.multiplier, name
        if not Certificate(lower, upper).verified:
            notes.append(f"{name} left a gap of {upper - lower:.2g} nats")
    if q is None:
        q = np.full((problem.n, problem.m), 1.0 / problem.m)
        upper = float(rule_loss(problem, q, eps))
    certificate = Certificate(lower, upper)
    status = "verified" if certificate.verified else ("approximate" if answered else "failed")
    return Saddle(eps, moves, plan, q, multiplier, certificate, status, method, "; ".join(notes))


def sane_rule(q, n: int, m: int) -> np.ndarray | None:
    """A solver's rule as a valid n-by-m table (rows renormalised), or None when it cannot be one.

    None when q is missing, of the wrong shape, not finite, negative, or has a row with no positive mass:
    such output is a failed attempt, never an error raised to the caller.
    """
    if q is None:
        return None
    a = np.asarray(q, dtype=float)
    if a.shape != (n, m) or not np.all(np.isfinite(a)) or np.any(a < 0):
        return None
    sums = a.sum(axis=1, keepdims=True)
    if np.any(sums <= 0):
        return None
    return a / sums


def posterior_rule(moves: Moves, plan: np.ndarray, q: np.ndarray, floor: float = 1e-9) -> np.ndarray:
    """Corollary 1's rule: nu*(y|x) on the rows where nu*(x) > floor, ``q`` on the others."""
    nu = perturbed_table(moves, plan)
    nu_x = nu.sum(axis=1, keepdims=True)
    return np.where(nu_x > floor, nu / np.where(nu_x > floor, nu_x, 1.0), q)


def clear_cache() -> None:
    """Forget every cached saddle point (and the rules' loss curves, ``engine.loss``)."""
    _solve_cached.cache_clear()
    clear_curves()
