"""Robust accuracy: the least worst-case 0-1 error any randomised classifier can reach, certified.

docs/design.md, "Robust accuracy". For a randomised rule q(y|x) on all of X and a perturbed
law nu in D(eps) (the paper's constraint sets (3), (4)/(6) with cost (7), or the joint Wasserstein ball), the
0-1 loss E_nu[1 - q(Y|X')] is bilinear, so as in Theorem 1 ((13) = (14)) the order of play does not matter:

.. math::
    e^*(\\varepsilon) = \\min_{q} \\max_{\\nu \\in D(\\varepsilon)} E_\\nu[1 - q(Y|X')]
      = \\max_{\\nu \\in D(\\varepsilon)} \\Big(1 - \\sum_{x'} \\max_y \\nu(x', y)\\Big),

a linear program (``engine.solvers.error_lp``); its duals give the optimal rule on all of X. Each point
carries a certificate of the same kind as h*'s (``engine.bounds``), in probability instead of nats:

- lower: 1 - sum_x' max_y nu(x', y) of a *repaired* plan, feasible in floating point, so it is attained;
- upper: the exact worst-case error of the returned rule, e(eps, q) = max_{nu in D(eps)} E_nu[1 - q], by the
  hull sweep of ``engine.bounds.loss`` with the loss l = 1 - q instead of -log q (Gao & Kleywegt's dual).

Status: ``verified`` when upper - lower <= VERIFIED_GAP (1e-6; the LP usually closes it below 1e-9),
``approximate`` when a solver answered but left a larger gap, ``failed`` when none answered (then the
bounds are those of the plan that moves nothing, the Bayes error, and of the better of the uniform rule and
the constant guess of the likeliest label). e* is non-decreasing in eps and lies between the Bayes error
1 - sum_x max_y mu(x, y) and, for the label-fixed kinds, 1 - max_y mu(y).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from engine.bounds.loss import best_response_loss, budget_curve, exact_loss
from engine.bounds.plan import repair_plan, stay_plan
from engine.bounds.result import VERIFIED_GAP, Certificate, Certified, Status
from engine.core import cache
from engine.core.checks import check_eps_values, check_rule
from engine.core.moves import LIMIT_SLACK, Moves, allowed_moves, every_move, perturbed_table
from engine.core.problem import Problem
from engine.solvers.error_columns import ColumnLP
from engine.solvers.error_lp import ErrorLP, RawError, solve_error_linprog

COLUMNS_MIN_MOVES = 20_000  # from this many moves on, a budget kind's LP is solved by column generation (binned data)
TARGET_GAP = 1e-9  # the attempts stop once the certificate closes this far
CACHE_SIZE = 64
REUSE_MULTIPLIER = 1e-12  # a budget multiplier this small counts as a budget that does not bind


@dataclass(frozen=True, eq=False, kw_only=True)
class RobustError(Certified):
    """e*(eps) at one budget: the worst-case nu (and its plan), the optimal randomised rule q, a certificate.

    ``value`` is the lower bound: the error of a plan that satisfies the constraints exactly, so it is
    attained; ``certificate.upper`` is the exact worst-case error of ``q``. ``multiplier`` is the budget's
    lambda (None for the ``max`` kind and at eps = 0). ``moves`` and ``mass``: the plan as a mass per move.
    """

    value: float
    q: np.ndarray
    nu: np.ndarray
    multiplier: float | None
    moves: Moves
    mass: np.ndarray

    @property
    def accuracy(self) -> float:
        """The robust accuracy 1 - e*."""
        return 1.0 - self.value

    @property
    def argmax(self) -> np.ndarray:
        """nu*, the worst-case perturbed joint table."""
        return self.nu

    @property
    def argmin(self) -> np.ndarray:
        """q*, the optimal randomised robust rule (every row a pmf)."""
        return self.q

    @property
    def plan(self) -> np.ndarray:
        """The transport plan as a dense array gamma[x, y, x', y'] (mass moved from (x, y) to (x', y'))."""
        mv = self.moves
        out = np.zeros((mv.n, mv.m, mv.n * mv.m))
        out[mv.atom_x[mv.source], mv.atom_y[mv.source], mv.target] = self.mass
        return out.reshape(mv.n, mv.m, mv.n, mv.m)


@dataclass(frozen=True, eq=False)
class RobustErrorCurve:
    """e*(eps) along a grid of budgets (in the order given): one certified ``RobustError`` per eps."""

    eps: np.ndarray
    points: tuple[RobustError, ...]

    @property
    def value(self) -> np.ndarray:
        """The certified lower bounds, attained by feasible plans (the curve's main number)."""
        return np.array([p.value for p in self.points])

    @property
    def lower(self) -> np.ndarray:
        """The same as ``value``: each feasible plan's error."""
        return self.value

    @property
    def upper(self) -> np.ndarray:
        """The exact worst-case error of each returned rule."""
        return np.array([p.certificate.upper for p in self.points])

    @property
    def gap(self) -> np.ndarray:
        """upper - lower at each eps, never below 0 (each point's ``Certificate.gap``: bounds cross only by
        rounding)."""
        return np.array([p.certificate.gap for p in self.points])

    @property
    def accuracy(self) -> np.ndarray:
        """The robust accuracy 1 - e*."""
        return 1.0 - self.value

    @property
    def certificates(self) -> tuple[Certificate, ...]:
        """Each point's certificate."""
        return tuple(p.certificate for p in self.points)

    @property
    def statuses(self) -> tuple[Status, ...]:
        """Each point's status."""
        return tuple(p.status for p in self.points)

    @property
    def status(self) -> Status:
        """The least certain status along the grid."""
        return Status.worst(self.statuses)

    @property
    def rules(self) -> np.ndarray:
        """The optimal rules, rules[i] at eps[i] (len(eps)-by-n-by-m)."""
        return np.stack([p.q for p in self.points])

    @property
    def rule(self) -> np.ndarray:
        """The rule at the last eps."""
        return self.points[-1].q


def robust_error(problem: Problem, eps_values):
    """e*(eps) with its certificate: a ``RobustError`` for a scalar eps, a ``RobustErrorCurve`` for a list.

    The LP is built once for the whole grid and re-solved from the last basis at each budget, in increasing
    order (see ``engine.solvers.error_lp``); results are kept per problem and grid.
    """
    eps = check_eps_values(eps_values)
    curve = _robust_error_cached(problem, eps.tobytes())
    return curve if np.ndim(eps_values) else curve.points[0]


def rule_error(problem: Problem, q, eps_values):
    """e(eps, q) = max_{nu in D(eps)} E_nu[1 - q(Y|X')], the exact worst-case error of any randomised rule q
    (a deterministic classifier is a 0/1 table), for each eps: a float for a scalar eps, else an array.

    The hull sweep of ``engine.bounds.loss`` with l = 1 - q (docs/design.md, "The exact loss of a rule"):
    concave and piecewise linear in eps for the budget kinds, a step function for the ``max`` kind.
    """
    q = check_rule(q, problem.n, problem.m)
    eps = check_eps_values(eps_values)
    out = exact_loss(problem, 1.0 - q.ravel(), eps)
    return out if np.ndim(eps_values) else float(out[0])


def table_error(nu: np.ndarray) -> float:
    """1 - sum_x' max_y nu(x', y): the least error of any rule against a fixed table nu (the Bayes error)."""
    return 1.0 - math.fsum(np.max(nu, axis=1))


def clear_cache() -> None:
    """Forget the kept robust-error curves (``engine.clear_cache()`` does too)."""
    _robust_error_cached.cache_clear()


# -- the grid -------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=CACHE_SIZE)
def _robust_error_cached(problem: Problem, eps_bytes: bytes) -> RobustErrorCurve:
    eps = np.frombuffer(eps_bytes)
    grid = np.unique(eps)  # sorted: each re-solve starts from the basis of a nearby budget
    kind = problem.constraint
    widest = allowed_moves(problem, float(grid[-1])) if kind == "max" else every_move(problem)
    ctx = _Grid(widest)
    solved, last, last_open = {}, None, None
    for e in map(float, grid):
        moves, open_moves = _moves_at(widest, e, kind)
        if last is not None and not moves.budget and np.array_equal(open_moves, last_open):
            point = dataclasses.replace(last, eps=e)  # the same moves and no budget: the same LP, the same answer
        else:
            point = _certified(problem, ctx, moves, open_moves, e, _reusable(last, moves))
        solved[e], last, last_open = point, point, open_moves
    return RobustErrorCurve(eps=eps.copy(), points=tuple(solved[float(e)] for e in eps))


class _Grid:
    """What the points of one grid share: the widest moves, their ErrorLP (built on first use) and the error
    curves of the rules met so far (a rule reused at a larger budget is swept once)."""

    def __init__(self, widest: Moves):
        self.widest, self.lp, self.error, self.curves = widest, None, None, {}

    def solve(self, eps: float, open_moves: np.ndarray) -> RawError:
        """The LP at eps (a budget kind keeps every column open), restricted to the open moves."""
        if self.error is not None:
            raise self.error
        if self.lp is None:
            try:
                large = self.widest.budget and len(self.widest.cost) >= COLUMNS_MIN_MOVES
                self.lp = (ColumnLP if large else ErrorLP)(self.widest)
            except Exception as error:  # noqa: BLE001 - reported by the caller as a failed attempt
                self.error = error
                raise
        raw = self.lp.solve(eps, None if self.widest.budget else open_moves)
        return raw if raw.plan is None else dataclasses.replace(raw, plan=raw.plan[open_moves])

    def exact_error(self, moves: Moves, q: np.ndarray, eps: float) -> float:
        """e(eps, q): the hull sweep over every move (budget kinds; at eps = 0 it uses the free moves only), or
        the best reply within the ball (``max`` kind)."""
        ell = 1.0 - q.ravel()
        if not self.widest.budget:
            return best_response_loss(moves, ell)
        key = ell.tobytes()
        if key not in self.curves:
            self.curves[key] = budget_curve(self.widest, ell)
        return float(self.curves[key](np.array([eps]))[0])


def _moves_at(widest: Moves, eps: float, kind: str) -> tuple[Moves, np.ndarray]:
    """The moves ``allowed_moves(problem, eps)`` gives, as a subset of the grid's widest moves, and its mask.

    ``max`` kind: d(x, x') <= eps (1 + LIMIT_SLACK) or staying; a budget kind at eps = 0: the free moves only,
    and no budget row; a budget kind at eps > 0: every move.
    """
    if kind != "max" and eps > 0:
        return widest, np.ones(len(widest.cost), bool)
    open_moves = widest.is_stay | (widest.cost <= eps * (1 + LIMIT_SLACK))
    return dataclasses.replace(widest.subset(open_moves), budget=False), open_moves


def _reusable(last: RobustError | None, moves: Moves) -> RawError | None:
    """The last (smaller) budget's answer, worth trying first when its budget did not bind (lambda = 0): its
    plan stays feasible and its rule then stays optimal as eps grows, so the LP is skipped if they still close."""
    if last is None or not (moves.budget and last.moves is moves) or last.multiplier is None:
        return None
    return RawError(last.mass, last.q, last.multiplier, "optimal") if last.multiplier <= REUSE_MULTIPLIER else None


def _certified(problem: Problem, ctx: _Grid, moves: Moves, open_moves: np.ndarray, eps: float,
               hint: RawError | None = None) -> RobustError:
    """Run the attempts at one budget, keep the best plan and the best rule, and certify them."""
    plan = stay_plan(moves)
    lower = table_error(perturbed_table(moves, plan))
    q, upper, multiplier, method, notes, answered = None, np.inf, None, "none", [], False
    attempts = (("reused", lambda: hint),) if hint is not None else ()
    attempts += (
        ("highs-simplex", lambda: ctx.solve(eps, open_moves)),
        ("highs-ipm", lambda: solve_error_linprog(moves, eps)),
    )
    for name, attempt in attempts:
        if upper - lower <= TARGET_GAP:
            break
        try:
            raw = attempt()
        except Exception as error:  # noqa: BLE001 - a solver's failure is reported, never raised
            notes.append(f"{name} failed ({type(error).__name__}: {error})")
            continue
        if raw.plan is None:
            notes.append(f"{name} returned status {raw.status}")
            continue
        answered = True
        candidate = repair_plan(moves, raw.plan, eps)
        value = table_error(perturbed_table(moves, candidate))
        if value > lower:
            plan, lower = candidate, value
        rule = dual_rule(raw.q)
        value = ctx.exact_error(moves, rule, eps)
        if value < upper:
            q, upper, multiplier, method = rule, value, raw.multiplier, name
        if upper - lower > TARGET_GAP and name != "reused":
            notes.append(f"{name} left a gap of {upper - lower:.2g}")
    if q is None:
        q, upper = _trivial_rule(problem, ctx, moves, eps)
    certificate = Certificate(lower, upper)
    if certificate.gap <= VERIFIED_GAP:
        status = Status.VERIFIED
    else:
        status = Status.APPROXIMATE if answered else Status.FAILED
    return RobustError(
        eps=eps, value=lower, q=q, nu=perturbed_table(moves, plan), multiplier=multiplier,
        certificate=certificate, status=status, method=method, message="; ".join(notes), moves=moves, mass=plan,
    )


def dual_rule(q: np.ndarray) -> np.ndarray:
    """The epigraph rows' duals as a rule: negatives (rounding) clipped, rows renormalised, a row with no
    positive mass made uniform. Any rule is honest here: its error is computed exactly afterwards."""
    a = np.where(np.isfinite(q), np.maximum(q, 0.0), 0.0)
    sums = a.sum(axis=1, keepdims=True)
    return np.where(sums > 0, a / np.where(sums > 0, sums, 1.0), 1.0 / a.shape[1])


def _trivial_rule(problem: Problem, ctx: _Grid, moves: Moves, eps: float) -> tuple[np.ndarray, float]:
    """The better of the uniform rule and the constant guess of the likeliest label, with its exact error."""
    guess = np.zeros((problem.n, problem.m))
    guess[:, int(np.argmax(problem.mu.sum(axis=0)))] = 1.0
    rules = (np.full((problem.n, problem.m), 1.0 / problem.m), guess)
    errors = [ctx.exact_error(moves, r, eps) for r in rules]
    best = int(np.argmin(errors))
    return rules[best], errors[best]


cache.register(clear_cache)
