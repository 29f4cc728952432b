"""Find and certify the saddle point of Theorem 1 at one budget, whatever the solvers do.

A *chain* is a tuple of :class:`Attempt`s tried in order until the certificate closes to 1e-6 nats. The
default chain (``DEFAULT_CHAIN``):

0. ``reduced``, for large alphabets (at least ``REDUCED_MIN_MOVES`` allowed moves): the conic form of (15) on a
   few of the moves, grown by column generation and a smoothed dual of (13) (``engine.solvers.reduced``); its
   plan is feasible for the full problem and its rule is priced against every move;
1. ``clarabel``: the hand-built conic form of (15) (``engine.solvers.conic``) over all moves, tolerances 1e-9;
2. ``clarabel-steady``: the same with shorter interior-point steps (it rescues stalls: InsufficientProgress);
3. ``clarabel-careful``: another factorisation, shorter steps still and tighter tolerances;
4. ``cvxpy-clarabel``: the plain cvxpy programs of (15) and (13) (``engine.solvers.reference``) with Clarabel;
5. ``cvxpy-scs``: the same with SCS.

Attempts 4 and 5 build dense plans, so they apply only while the plans have at most ``DENSE_LIMIT`` entries.

Every attempt may fail (an exception, a bad status, None values): the failure is recorded, not raised.
The best lower bound (a repaired feasible plan) and the best upper bound (a rule's exact loss) are kept
across attempts, starting from ones that need no solver: the plan that moves nothing and the uniform
rule. So a result always carries an honest certificate; its status is ``verified`` (gap <= 1e-6),
``approximate`` (a solver answered but the gap is larger) or ``failed`` (no solver answered; the
bounds are the trivial ones).

**Injecting a chain.** ``solve_saddle(problem, eps, attempts=chain)`` solves with another chain (part of the
cache key); ``chain_override(chain)`` makes a chain the default for everything that solves, the app's pages
included, while its ``with`` block lasts (tests and benchmarks use it; nothing else should).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.bounds.loss import log_losses, loss_at
from engine.bounds.plan import plan_value, repair_plan, stay_plan
from engine.bounds.result import Certificate, Certified, Status
from engine.core import cache
from engine.core.cache import bounded_cache
from engine.core.checks import check_eps
from engine.core.moves import Moves, allowed_moves, dense_size
from engine.core.problem import Problem
from engine.core.rules import posterior_rule, sane_rule
from engine.solvers.capture import solver_output
from engine.solvers.conic import CAREFUL, FAST, STEADY, RawSaddle, solve_saddle_clarabel
from engine.solvers.polish import polish
from engine.solvers.posterior import posterior_at_zero
from engine.solvers.reduced import solve_saddle_reduced
from engine.solvers.saturation import GOOD as SATURATION_GOOD
from engine.solvers.saturation import NEAR as SATURATION_NEAR
from engine.solvers.saturation import ceiling, ceiling_rows, saturated

CACHE_SIZE = 512
ROUNDING = 1e-12  # relative: a lower bound above the upper by less than this is rounding, and is set to the upper
CACHE_BYTES = 256_000_000  # and at most this much of plans, rules and moves (engine.core.cache)
DENSE_LIMIT = 20_000  # the cvxpy fallbacks build dense plans: skip them above this many plan entries
# From this many allowed moves on, the solve over a few moves (engine.solvers.reduced) goes first. Measured on
# binned features (squared cost, budgets from a quarter of a squared bin width to past saturation): at
# 1,000-2,250 moves the conic form over all moves is 2-6x faster except at the smallest budgets; at 5,000 the
# two are within 0.7-1.2x at wide budgets and the reduced solve is 4-10x faster at small ones; from 9,000 on it
# is faster at every budget tried (1.1-40x), and the gap grows with the alphabet.
REDUCED_MIN_MOVES = 5_000
PRUNE_RATIO = 1e8  # solvers are not given moves dearer than this many budgets (``affordable``)


def _always(problem: Problem, moves: Moves) -> bool:
    return True


@dataclass(frozen=True)
class Attempt:
    """One solver of a chain: ``solve(problem, moves, eps) -> RawSaddle``, tried when ``applies(problem, moves)``."""

    name: str
    solve: Callable[[Problem, Moves, float], RawSaddle]
    applies: Callable[[Problem, Moves], bool] = _always


def conic_attempt(name: str, options: dict) -> Attempt:
    """The conic form of (15) over all moves with Clarabel ``options``."""
    return Attempt(name, lambda problem, moves, eps: solve_saddle_clarabel(moves, eps, options, name))


def reduced_attempt(min_moves: float = REDUCED_MIN_MOVES, **options) -> Attempt:
    """The solve over a few moves (``engine.solvers.reduced``) from ``min_moves`` allowed moves on; ``options``
    go to ``solve_saddle_reduced`` (``rounds``, ``local_first``)."""
    return Attempt("reduced", lambda problem, moves, eps: solve_saddle_reduced(problem, moves, eps, **options),
                   lambda problem, moves: len(moves.cost) >= min_moves)


def cvxpy_attempt(solver: str) -> Attempt:
    """The plain cvxpy programs of (15) and (13) with ``solver``, while dense plans stay small."""

    def solve(problem: Problem, moves: Moves, eps: float) -> RawSaddle:
        from engine.solvers.reference import solve_saddle_cvxpy  # cvxpy is slow to import: only when needed

        return solve_saddle_cvxpy(problem, moves, eps, solver)

    return Attempt(f"cvxpy-{solver.lower()}", solve, lambda problem, moves: dense_size(problem) <= DENSE_LIMIT)


DEFAULT_CHAIN: tuple[Attempt, ...] = (
    reduced_attempt(),
    conic_attempt("clarabel", FAST),
    conic_attempt("clarabel-steady", STEADY),
    conic_attempt("clarabel-careful", CAREFUL),
    cvxpy_attempt("CLARABEL"),
    cvxpy_attempt("SCS"),
)
_default = [DEFAULT_CHAIN]
_polishing = [True]


def default_chain() -> tuple[Attempt, ...]:
    """The chain solves use when none is given."""
    return _default[0]


@contextlib.contextmanager
def chain_override(attempts):
    """Make ``attempts`` the default chain inside a ``with`` block (module docstring)."""
    previous, _default[0] = _default[0], tuple(attempts)
    try:
        yield _default[0]
    finally:
        _default[0] = previous


@contextlib.contextmanager
def polish_override(enabled: bool):
    """Turn the polish of the rule (``engine.solvers.polish``) on or off inside a ``with`` block (benchmarks compare
    the two; the setting is part of the cache key)."""
    previous, _polishing[0] = _polishing[0], bool(enabled)
    try:
        yield
    finally:
        _polishing[0] = previous


@dataclass(frozen=True, eq=False, kw_only=True)
class Saddle(Certified):
    """The certified saddle point at one budget: the plan (lower bound) and the rule (upper bound).

    ``rule_error`` is a proven bound on max |log q - log q*| over every entry (inf when none could be proven);
    ``free_rows`` are the rows x where the minimax rule is not unique (no optimal plan puts mass there and (13)
    leaves a choice); every minimax rule has q >= ``rule_floor`` there (and where no move reaches the row, or the
    dual fixes the floor, every pmf above it is minimax); ``rule_choice`` says which one ``q`` is.
    """

    moves: Moves
    plan: np.ndarray
    q: np.ndarray
    multiplier: float | None
    rule_error: float = np.inf
    free_rows: tuple = ()
    rule_floor: np.ndarray | None = None
    rule_choice: str = ""


def solve_saddle(problem: Problem, eps, attempts=None) -> Saddle:
    """The certified saddle point of (13)-(15) at budget eps (cached per problem, eps and chain)."""
    return saddle_at(problem, check_eps(eps), attempts)


def saddle_at(problem: Problem, eps: float, attempts=None) -> Saddle:
    """``solve_saddle`` for a checked budget (the kernel the analyses call)."""
    chain = tuple(attempts) if attempts is not None else default_chain()
    return _solve_cached(problem, float(eps), chain, _polishing[0])


def affordable(moves: Moves, eps: float) -> tuple[Moves, np.ndarray | None]:
    """The moves a solver is given: those costing at most ``PRUNE_RATIO`` * eps (every one when none is dearer).

    A move dearer than that can carry at most 1/PRUNE_RATIO of the mass (the budget pays for it), so it cannot
    matter to 1e-6 nats unless a rule's loss rises by more than 100 nats along it; but its cost makes the conic
    form ill-conditioned (a label-change price kappa of 1e12 left a gap of 0.13 nats after 13 s, 1e308 took minutes).
    The solvers see the rest; their plan is feasible for all moves (mass 0 on the dear ones) and their rule is
    priced against all moves, so the certificate is as exact as ever, and when it does not close the chain goes on.
    Returns the moves and the indices kept (None: all of them)."""
    if not moves.budget:
        return moves, None
    keep = moves.cost <= eps * PRUNE_RATIO
    if keep.all():
        return moves, None
    return moves.subset(keep), np.flatnonzero(keep)


@bounded_cache(CACHE_SIZE, CACHE_BYTES)
def _solve_cached(problem: Problem, eps: float, attempts: tuple[Attempt, ...], polishing: bool = True) -> Saddle:
    moves = allowed_moves(problem, eps)
    given, kept = affordable(moves, eps)
    plan = stay_plan(moves)
    lower = plan_value(moves, plan)
    q, upper = None, np.inf  # the uniform rule's bound is computed only if no solver gives a rule
    multiplier, method, notes, answered = None, "none", [], False
    # Without the dear moves first (``affordable``), up to the first solver that answers; then, if the certificate is
    # still open (e.g. a budget so small that only staying is affordable), every attempt again on all the moves.
    phase = {"pruned answered": False}

    def schedule():
        for attempt in attempts if kept is not None else ():
            if phase["pruned answered"]:
                break
            yield attempt, given, kept
        for attempt in attempts:
            yield attempt, moves, None

    for attempt, solver_moves, kept_moves in schedule():
        if Certificate(lower, upper).verified:
            break
        if not attempt.applies(problem, solver_moves):
            continue
        name = attempt.name
        try:
            with solver_output(name):  # C solvers print on fd 1, cvxpy warns on fd 2: logged, never shown
                raw: RawSaddle = attempt.solve(problem, solver_moves, eps)
        except Exception as error:  # noqa: BLE001 - a solver's failure is reported, never raised
            notes.append(f"{name} failed ({type(error).__name__}: {error})")
            continue
        if raw.plan is None and raw.q is None:
            notes.append(f"{name} returned status {raw.status}")
            continue
        answered = True
        phase["pruned answered"] = kept_moves is not None
        if raw.plan is not None:
            raw_plan = raw.plan
            if kept_moves is not None:  # back onto every move: the dear ones carry nothing
                raw_plan = np.zeros(len(moves.cost))
                raw_plan[kept_moves] = raw.plan
            candidate = repair_plan(moves, raw_plan, eps)
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
            value = loss_at(problem, moves, log_losses(candidate), eps)
            if value < upper:
                q, upper, multiplier, method = candidate, value, raw.multiplier, name
        if not Certificate(lower, upper).verified:
            notes.append(f"{name} left a gap of {upper - lower:.2g} nats"
                         + (" (without the dear moves)" if kept_moves is not None else ""))
    if q is None:
        q = np.full((problem.n, problem.m), 1.0 / problem.m)
        upper = loss_at(problem, moves, log_losses(q), eps)
    exact = _exact_rule(problem, moves, eps, plan, q, multiplier, lower) if polishing and answered else None
    error, free, floor, choice = np.inf, (), None, ""
    if exact is not None:
        rule, value, better_plan, error, free, floor, choice, note = exact
        if np.isfinite(error) or value < upper:  # a proven rule replaces the solver's; else only a better one
            q, upper = rule, value
        else:
            error, choice = np.inf, ""
        if better_plan is not None:
            value = plan_value(moves, better_plan)
            if value > lower:
                plan, lower = better_plan, value
        if note:
            notes.append(note)
        if not np.isfinite(error):
            free, floor = (), None
    if upper < lower <= upper + ROUNDING * max(1.0, abs(upper)):
        lower = upper  # the plan's entropy and the rule's loss, both exact in reals, cross only by rounding
    certificate = Certificate(lower, upper)
    status = Status.VERIFIED if certificate.verified else (Status.APPROXIMATE if answered else Status.FAILED)
    return Saddle(eps=eps, certificate=certificate, status=status, method=method, message="; ".join(notes),
                  moves=moves, plan=plan, q=q, multiplier=multiplier, rule_error=error, free_rows=free,
                  rule_floor=floor, rule_choice=choice)


def _exact_rule(problem: Problem, moves: Moves, eps: float, plan, q, multiplier, lower: float = -np.inf):
    """(rule, its exact loss, a plan or None, rule_error, free rows, floor, choice, note): the closed form at
    eps = 0 (``engine.solvers.posterior``), the ceiling's rule where h* reaches H(mu_Y) (label-fixed kinds) or
    log m (joint), proven exactly (``engine.solvers.saturation``, tried when the certified lower bound is that close),
    else the polished saddle point (``engine.solvers.polish``); the better proof of the two when both run."""
    n, m = problem.n, problem.m
    if m == 1:
        one = np.ones((n, 1))
        return one, loss_at(problem, moves, log_losses(one), eps), None, 0.0, (), None, "one label", ""
    if eps == 0:
        closed = posterior_at_zero(problem, moves)
        if closed is not None:
            rule, error, free, lam0 = closed
            floor = np.full((n, m), np.nan)
            floor[list(free)] = 0.0  # any pmf is minimax on a row mu_X leaves empty
            choice = f"the limit of the robust rules as eps -> 0+ (lambda0 = {lam0:.6g})" if free else "the posterior"
            return rule, loss_at(problem, moves, log_losses(rule), eps), None, error, free, floor, choice, ""
    near = eps > 0 and lower >= ceiling(problem) - SATURATION_NEAR
    sat = saturated(moves, eps, ceiling_rows(problem)) if near else None
    if sat is not None:
        rule, free, floor, ceiling_plan, error, kinks = sat
        choice = _ceiling_choice(problem, free, kinks)
        value = loss_at(problem, moves, log_losses(rule), eps)
        found = rule, value, repair_plan(moves, ceiling_plan, eps), error, free, floor, choice, ""
        if error <= SATURATION_GOOD:
            return found
    try:
        p = polish(moves, eps, plan, q, multiplier)
    except Exception:  # noqa: BLE001 - polishing only improves a certified answer: its failure keeps that answer
        return found if sat is not None else None
    if sat is not None and not p.rule_error < error:
        return found
    rule = sane_rule(p.q, n, m)
    if rule is None:
        return None
    choice = "the c-transform of the dual (q proportional to exp(-psi))" if p.free_rows else ""
    better_plan = repair_plan(moves, p.plan, eps) if p.proven else None
    note = "" if p.proven else f"the rule's entries are not proven ({p.note})"
    return (rule, loss_at(problem, moves, log_losses(rule), eps), better_plan, p.rule_error, p.free_rows, p.floor,
            choice, note)


def _ceiling_choice(problem: Problem, free: tuple, kinks: tuple) -> str:
    """Which rule a saturated saddle point chose on its free rows (``engine.solvers.saturation``): uniform where no
    move reaches a row, the ceiling's rule p on the kinks' reached rows."""
    unreached = "the uniform pmf (no move reaches the row: any pmf is minimax there)" if len(free) > len(kinks) else ""
    if not kinks:
        return unreached
    joint = problem.constraint == "joint"
    return (f"the ceiling: {'the uniform pmf' if joint else 'mu_Y'} on every row a move reaches (h* = "
            f"{'log m' if joint else 'H(Y)'} exactly, so that rule is minimax)"
            + ("; the uniform pmf on the rows no move reaches" if unreached else ""))


def cached_solves() -> int:
    """How many saddle points the cache holds (a test checks that a refused problem solved nothing)."""
    return _solve_cached.cache_info().currsize


def clear_cache() -> None:
    """Forget every cache of the engine: saddle points, the rules' loss curves (``engine.bounds.loss``), the
    problems' moves, and the caches of the layers above (``engine.core.cache``)."""
    cache.clear_all()
