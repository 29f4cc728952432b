"""Binned data: h*(eps) certified along a whole grid of budgets, warm-started, on the moves near each atom.

A d-dimensional histogram of samples is a problem with many feature values (a 20 x 20 grid has 400) and few
occupied ones; its cost grows with the distance between bin centres. The optimal plan of (15) is local while
the budget is small (lambda large: a move costing c is tight only if l(c') - lambda c >= l(stay), so its cost is
at most (max l - l(stay)) / lambda), and it changes little from one budget to the next. ``sweep`` uses both:

1. **Local start, warm start.** At the first budget K = the stays and each atom's ``NEIGHBOURS`` cheapest moves;
   at each next budget K = the moves the previous plan used and the kept moves near tight there (the support
   grows with eps, as lambda falls), and the moves the previous rule's best response uses at the new budget
   (at the slope of its exact loss curve there: a guess of the new plan before any solve).
2. **Reduced solve** of (15) on K (``engine.solvers.conic``): a plan, feasible for the full problem, and the
   multipliers of the cells K reaches, with the budget's lambda.
3. **The rule on every cell** by the c-transform (docs/design.md, "The dual program"): with
   t(a) = max over a's kept moves of [u(c) - lambda cost(a -> c)], a cell no kept move reaches gets
   u(c) = min over all atoms of [t(a) + lambda cost(a -> c)], the largest loss no atom would move to. No cell
   needs a move into it (``engine.solvers.reduced`` adds one per cell: 400 to 9,000 cones here), so the conic
   problems stay as small as the data.
4. **Pricing** over every move (column generation, ``entering``): each violating atom's most violating moves
   enter, few per atom while many atoms violate and more once few do (an atom far from the other classes
   spreads its mass over many far cells); atoms whose violations together are worth less than a quarter of the
   certificate's precision are left. Until the Lagrangian bound meets the plan's value; if no move prices in but
   a gap is left, the rule's exact loss decides and the moves its best response mixes enter
   (``engine.solvers.reduced.entering_moves``); if none does, a more careful solver setting.

Each budget is then certified as the chain certifies any solver (``engine.solvers.chain``): lower = H(Y|X') of the
repaired plan, upper = the exact loss of the rule at eps, here by ``engine.bounds.local`` (exact, from the moves
near the optimal multiplier). A budget whose certificate does not close to 1e-6 nats is solved again by the
default chain (``saddle_at``) and the better bounds are kept, so a result is never less sure than the chain's.
Budget 0 and the ``max`` kind (whose moves change with eps) go to the chain directly; a budget that the best plan
and the last rule so far already certify (past saturation) is reported ``carried`` and costs no solve.

BLAS runs on one thread during a sweep: its solves are many small factorisations, and OpenBLAS threads that
spin on a busy two-core machine were measured to make a 0.3 s solve take 2 s.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from engine.bounds.local import grouped, local_loss_at, local_loss_slope
from engine.bounds.loss import log_losses
from engine.bounds.plan import plan_value, repair_plan, stay_plan
from engine.bounds.result import VERIFIED_GAP, Certificate, Status
from engine.core.moves import Moves, every_move
from engine.core.problem import Problem
from engine.core.rules import rule_from_potentials
from engine.solvers.chain import Saddle, saddle_at
from engine.solvers.reduced import (
    SETTINGS,
    Table,
    brackets,
    entering_moves,
    first_per_group,
    lagrangian_bound,
    solve_subset,
    table_of,
)

NEIGHBOURS = 2          # each atom's cheapest moves in the first budget's start
MAX_ROUNDS = 30         # reduced solves per budget at most
NEAR = 0.05             # nats: kept moves this close to tight are carried to the next budget
CARRY_MASS = 1e-6       # a move carrying at least this fraction of its atom's mass is carried to the next budget
IGNORED_SHARE = 0.25    # pricing may ignore violations worth this share of the certificate's 1e-6 nats
ENTERING = 2.0          # entering moves per round, at most this many per atom of the problem on average ...
PER_ATOM = (2, 32)      # ... and per violating atom at least and at most these many (its most violating ones)
RULES_KEPT = 1          # the last solved budget's rule is tried as the upper bound at the next budget
METHOD = "grid"


def sweep(problem: Problem, eps: np.ndarray) -> tuple[Saddle, ...]:
    """The certified saddle point at each budget of ``eps`` (checked, any order), in that order."""
    eps = np.asarray(eps, dtype=float)
    grid = np.unique(eps)
    if problem.constraint == "max":
        solved = {float(e): saddle_at(problem, float(e)) for e in grid}
    else:
        with threadpool_limits(limits=1, user_api="blas"):
            solved = _sweep_budget_kind(problem, grid)
    return tuple(solved[float(e)] for e in eps)


def _sweep_budget_kind(problem: Problem, grid: np.ndarray) -> dict[float, Saddle]:
    out: dict[float, Saddle] = {}
    moves = table = keep = None
    best: Saddle | None = None        # the solved budget whose plan has the largest value so far
    rules: list[Saddle] = []          # the last RULES_KEPT solved budgets
    seed = saddle_at(problem, 0.0)  # cheap (no move costs anything at eps = 0): its rule guides the first budget
    for e in map(float, grid):
        if e == 0.0:
            out[e] = seed
            continue
        if moves is None:
            moves, table = every_move(problem), None
            keep = local_start(moves)
        saddle = _carried(moves, e, best, rules)
        if saddle is None:
            table = table if table is not None else table_of(moves)
            guide = rules[-1] if rules else seed
            keep = keep | predicted(moves, table, keep, guide.q, e, guide.multiplier)
            saddle, keep = solve_budget(problem, moves, table, e, keep)
            keep = carried(moves, saddle.plan, saddle.q, saddle.multiplier, keep)
            rules = (rules + [saddle])[-RULES_KEPT:]
        if best is None or saddle.certificate.lower > best.certificate.lower:
            best = saddle
        out[e] = saddle
    return out


def _carried(moves: Moves, eps: float, best: Saddle | None, rules: list[Saddle]) -> Saddle | None:
    """Bounds carried from smaller budgets, when they already meet: D(eps) grows with eps, so an earlier feasible
    plan is feasible here (lower bound), and an earlier rule's exact loss at eps is an upper bound. Past
    saturation (the budget no longer binds) this costs no solve at all."""
    if best is None:
        return None
    lower = best.certificate.lower
    for s in reversed(rules):
        upper = local_loss_at(moves, log_losses(s.q), eps, s.multiplier)
        if Certificate(lower, upper).verified:
            return Saddle(eps=eps, certificate=Certificate(lower, upper), status=Status.VERIFIED, method="carried",
                          message=f"plan from eps = {best.eps:g}, rule from eps = {s.eps:g}", moves=moves,
                          plan=best.plan, q=s.q, multiplier=s.multiplier)
    return None


def local_start(moves: Moves) -> np.ndarray:
    """The stays and each atom's NEIGHBOURS cheapest moves, as a mask over the moves."""
    keep = moves.is_stay.copy()
    keep[first_per_group(moves.source, moves.cost, NEIGHBOURS + 1)] = True
    return keep


def carried(moves: Moves, plan: np.ndarray, q, lam, keep: np.ndarray, near: float = None) -> np.ndarray:
    """The moves worth keeping after a solve: the stays, the moves the plan uses (at least CARRY_MASS of their atom's
    mass), and the kept moves whose bracket at the rule q and lambda is within ``near`` (default NEAR) of their
    atom's best (the next plan moves among them as lambda falls). The others matter less than the certificate's
    precision, and enter again if they price in."""
    out = moves.is_stay | (plan >= CARRY_MASS * moves.atom_mass[moves.source])
    if q is None:
        return out
    with np.errstate(divide="ignore"):
        z = -np.log(q).ravel()[moves.target] - (lam or 0.0) * moves.cost
    slack = NEAR if near is None else near
    return out | (keep & (z >= grouped(moves, z, np.maximum)[moves.source] - slack))


def predicted(moves: Moves, table: Table, keep: np.ndarray, q: np.ndarray, eps: float, hint) -> np.ndarray:
    """The moves an earlier budget's rule prices in at this budget, at the multiplier of its best response here
    (the slope of its exact loss curve at eps): a guess of where the new plan goes, before any solve."""
    _, slope = local_loss_slope(moves, log_losses(q), eps, hint)
    if not np.isfinite(slope):
        return np.zeros(len(moves.cost), bool)
    out = np.zeros(len(moves.cost), bool)
    out[entering(table, keep, q, slope)] = True
    return out


def completed_rule(moves: Moves, sub: Moves, q_sub: np.ndarray, lam: float) -> np.ndarray:
    """Step 3 of the module docstring: the reduced solve's rule on the cells its moves reach, the c-transform on
    the others, each row normalised (``rule_from_potentials``)."""
    cells = moves.n * moves.m
    reached = sub.reachable
    u = np.full(cells, np.inf)
    with np.errstate(divide="ignore"):
        u[reached] = -np.log(q_sub.ravel()[reached])
    t = grouped(sub, u[sub.target] - lam * sub.cost, np.maximum)
    cap = np.full(cells, np.inf)
    np.minimum.at(cap, moves.target, t[moves.source] + lam * moves.cost)
    u = np.where(np.isfinite(u), u, cap)
    reach = moves.reachable
    return rule_from_potentials(moves, reach, u[reach])


def entering(table: Table, keep: np.ndarray, q: np.ndarray, lam: float) -> np.ndarray:
    """Column generation's entering moves at (q, lambda): for each atom whose best bracket over all its moves beats
    its best kept one, its PER_ATOM most violating moves; atoms whose violations together are worth at most
    IGNORED_SHARE of the certificate's gap (mass times excess: what they add to the Lagrangian bound) are left."""
    with np.errstate(divide="ignore"):
        z = brackets(table, -np.log(q).ravel(), lam)
    kept = keep[np.where(table.valid, table.index, 0)] & table.valid
    best_kept = np.where(kept, z, -np.inf).max(axis=1)
    with np.errstate(invalid="ignore"):
        excess = np.where(table.valid & ~kept, z - best_kept[:, None], -np.inf)
    top = excess.max(axis=1)
    weight = table.mass * np.where(np.isfinite(top), np.maximum(top, 0.0), np.where(top > 0, np.inf, 0.0))
    order = np.argsort(weight, kind="stable")
    ignored = order[np.cumsum(weight[order]) <= IGNORED_SHARE * VERIFIED_GAP]
    chosen = np.flatnonzero(weight > 0)
    chosen = chosen[~np.isin(chosen, ignored)]
    if not len(chosen):
        return np.zeros(0, dtype=np.intp)
    e = excess[chosen]
    share = int(ENTERING * len(table.mass) / len(chosen))
    width = min(max(PER_ATOM[0], min(PER_ATOM[1], share)), e.shape[1])
    cols = np.argpartition(-e, width - 1, axis=1)[:, :width]
    picked = np.take_along_axis(e, cols, axis=1) > 0
    return np.unique(table.index[chosen[:, None], cols][picked])


def solve_budget(problem: Problem, moves: Moves, table: Table, eps: float,
                 start: np.ndarray) -> tuple[Saddle, np.ndarray]:
    """Steps 2-4 at one budget from the kept moves ``start``; the certified saddle point and the moves kept."""
    keep = start.copy()
    plan = stay_plan(moves)
    lower = plan_value(moves, plan)
    q, upper, lam_best, level, notes = None, np.inf, None, 0, []
    for _ in range(MAX_ROUNDS):
        sub_moves = moves.subset(keep)
        raw, level = solve_subset(sub_moves, eps, METHOD, level)
        if raw.plan is None or raw.q is None:
            notes.append(f"the reduced solve returned status {raw.status}")
            break
        candidate = repair_plan(sub_moves, raw.plan, eps)  # feasible on K, so on every move (zeros elsewhere)
        value = plan_value(sub_moves, candidate)
        current = np.zeros(len(moves.cost))
        current[keep] = candidate
        if value > lower:
            plan, lower = current, value
        lam = float(raw.multiplier) if raw.multiplier is not None and np.isfinite(raw.multiplier) else 0.0
        rule = completed_rule(moves, sub_moves, raw.q, lam)
        bound = lagrangian_bound(table, rule, lam, eps, True)
        if bound < upper:
            q, upper, lam_best = rule, bound, lam
        if upper - lower <= VERIFIED_GAP:
            break
        new = entering(table, keep, rule, lam)
        if not len(new):
            exact = local_loss_at(moves, log_losses(rule), eps, lam)
            if exact < upper:
                q, upper, lam_best = rule, exact, lam
            if upper - lower <= VERIFIED_GAP:
                break
            new = entering_moves(table, keep, rule, lam, ties=True)
        if not len(new):
            if level + 1 == len(SETTINGS):
                break
            level += 1
            continue
        keep[new] = True
    saddle = _certify(problem, moves, eps, plan, lower, q, lam_best, notes)
    return saddle, keep


def _certify(problem: Problem, moves: Moves, eps: float, plan: np.ndarray, lower: float, q, lam,
             notes: list[str]) -> Saddle:
    """The bounds as the chain states them (upper = the rule's exact loss); the chain's own solve when they leave a
    gap, keeping the better of each bound."""
    upper = np.inf
    if q is not None:
        upper = local_loss_at(moves, log_losses(q), eps, lam)
    method = METHOD
    if not Certificate(lower, upper).verified:
        notes.append(f"{METHOD} left a gap of {upper - lower:.2g} nats; the default chain solved it")
        chained = saddle_at(problem, eps)
        if chained.certificate.lower > lower:
            plan, lower = chained.plan, chained.certificate.lower
        if chained.certificate.upper < upper:
            q, upper, lam, method = chained.q, chained.certificate.upper, chained.multiplier, chained.method
    certificate = Certificate(lower, upper)
    status = Status.VERIFIED if certificate.verified else Status.APPROXIMATE
    return Saddle(eps=eps, certificate=certificate, status=status, method=method, message="; ".join(notes),
                  moves=moves, plan=plan, q=q, multiplier=lam)
