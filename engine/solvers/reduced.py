"""Large alphabets: solve (15) on a few of its moves, found by column generation and a smoothed dual (13).

The conic form of (15) (``engine.solvers.conic``) has one variable per move: n^2 m of them for the label-fixed kinds,
(n m)^2 for ``joint``, and each interior-point step factorises a matrix over all of them. Yet an optimal plan
needs few moves (a basic optimal transport plan per label has at most ~2n of them): only moves that are
*tight* in the dual (13) (docs/design.md, "The dual program"),

.. math::
    \\min_{q, \\lambda \\ge 0} \\; \\lambda \\varepsilon + \\sum_{a} \\mu(a)
        \\max_{c \\in M(a)} \\big[ l(c) - \\lambda \\, \\text{cost}(a \\to c) \\big], \\qquad l = -\\log q,
    \\qquad (13)

carry mass (complementary slackness), with a an atom (x, y) of mu, M(a) its allowed moves and c = (x', y') a
cell; the bracket is a's *bracket* for c. So we solve (15) on a kept subset K of the moves:

1. **Local start.** K = the stays, each atom's ``NEAREST`` cheapest moves and each cell's cheapest incoming
   move (every cell the full problem reaches stays reachable, so the reduced rule is finite on it).
2. **Reduced solve.** ``engine.solvers.conic`` on K. Its plan is feasible for the full problem (the same marginals and
   budget on a subset of moves): a lower bound. Its multipliers give a rule q on all of X and a lambda.
3. **Pricing** (column generation). lambda eps + sum_a mu(a) max over *all* of M(a) of the bracket bounds the
   rule's exact loss L(eps, q) from above (Gao & Kleywegt's dual at one lambda); within ``VERIFIED_GAP`` of
   the plan's value we stop. Otherwise the moves whose bracket beats their atom's best kept one enter K (for
   each atom its most violating move, and for each cell the most violating move into it) and step 2
   repeats. When none does, the rule's exact loss (``engine.bounds.loss``) decides; if it leaves a gap, the moves its
   best response wants at the optimal lambda (the slope of L(., q) at eps) enter instead; if none does,
   the next round re-solves K with more careful solver settings.
4. **Smoothed dual**, once, when the first plan looks far from local (it leaves budget unspent, or more
   moves price in than there are atoms): each max in (13) becomes a soft-max at temperature tau,

   .. math::
       f_\\tau(\\theta, \\lambda) = \\lambda \\varepsilon + \\sum_a \\mu(a) \\, \\tau \\log \\sum_{c \\in M(a)}
           \\exp\\big( (l(c) - \\lambda \\, \\text{cost}(a \\to c)) / \\tau \\big),
       \\qquad l(x', y') = \\log \\sum_{y''} e^{\\theta(x', y'')} - \\theta(x', y'),

   so q(.|x') = softmax(theta(x', .)) is a rule for any theta; f_tau >= (13) and exceeds it by at most
   tau log |M(a)|. It is convex and smooth, the dual of (15) with an entropy bonus tau H(gamma | atom) on the
   plan; its gradient is that of the Gibbs plan gamma_tau(a -> c) proportional to
   mu(a) exp((l(c) - lambda cost) / tau): d f / d theta(c) = q(c) N_X(x') - N(c) and
   d f / d lambda = eps - sum gamma_tau cost, N being that plan's perturbed table. L-BFGS-B minimises it
   (continuation in tau, a capped number of evaluations: it only has to find where the mass goes), and the
   moves carrying at least ``MASS_FLOOR`` of the smoothed plan (at most ``MOVES_PER_ATOM`` per atom on
   average, the heaviest first) enter K, with each cell's incoming move closest to tight.

When lambda is large (small budgets on fine bins, the interesting range) the optimal plan is local and steps
1-3 finish in two to four small solves; for wider budgets the smoothed dual finds the far moves.

Nothing here decides correctness: ``engine.solvers.chain`` certifies the returned plan and rule on the full problem
as for any other solver (lower = the repaired plan's H(Y|X'), upper = the exact loss of the rule) and falls
back to the conic form over all moves when the gap stays above 1e-6 nats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from engine.bounds.loss import exact_loss, log_losses, loss_at
from engine.bounds.plan import plan_value, repair_plan
from engine.bounds.result import VERIFIED_GAP
from engine.core.moves import Moves, perturbed_table
from engine.core.problem import Problem
from engine.core.rules import rule_from_potentials, sane_rule
from engine.solvers.conic import CAREFUL, FAST, STEADY, RawSaddle, solve_saddle_clarabel

TEMPERATURES = (0.1, 0.01)  # tau in nats, coarse to fine (continuation); the last one screens the moves
EVALUATIONS = 150           # L-BFGS-B evaluations per temperature at most (each is one pass over the moves)
MASS_FLOOR = 1e-9           # keep a move when the smoothed plan carries at least this mass on it
MOVES_PER_ATOM = 3.0        # ... but at most this many per atom on average (the heaviest first)
NEAREST = 2                 # each atom's cheapest moves are always candidates (they matter when lambda is large)
MAX_ROUNDS = 20             # reduced solves at most (random 30 x 6 problems needed up to 12, most 1-4)
SMOOTH_FRACTION = 1.0       # smooth when more moves than this many per atom price in after the local solve
TIE = 1e-9                  # a move prices in when its bracket is within this of its atom's best kept one
SLOPE_STEP = 1e-6           # relative step in eps for the slope of L(., q) (the best response's multiplier)
MEMORY = 10                 # L-BFGS-B correction pairs (its own cost per step grows with this times the unknowns)


@dataclass(frozen=True, eq=False)
class Table:
    """The moves as a padded atoms-by-width table (``index`` -1 marks padding), for vectorised per-atom maxima."""

    index: np.ndarray   # (atoms, width) move index, -1 where padded
    valid: np.ndarray   # index >= 0
    target: np.ndarray  # target cell per entry (0 where padded)
    cost: np.ndarray    # cost per entry (0 where padded)
    mass: np.ndarray    # mu per atom
    reach: np.ndarray   # sorted reachable cells
    row: np.ndarray     # feature row x' of each reachable cell
    n: int
    m: int


def table_of(moves: Moves) -> Table:
    """Lay the flat moves out per atom (the order within an atom is the moves' order)."""
    atoms = len(moves.atom_mass)
    order = np.argsort(moves.source, kind="stable")
    counts = np.bincount(moves.source, minlength=atoms)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    slot = np.arange(len(order)) - starts[moves.source[order]]
    index = np.full((atoms, max(int(counts.max(initial=0)), 1)), -1)
    index[moves.source[order], slot] = order
    valid = index >= 0
    safe = np.where(valid, index, 0)
    reach = moves.reachable
    return Table(
        index=index, valid=valid, target=np.where(valid, moves.target[safe], 0),
        cost=np.where(valid, moves.cost[safe], 0.0), mass=moves.atom_mass, reach=reach, row=reach // moves.m,
        n=moves.n, m=moves.m,
    )


def losses(table: Table, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """u = -log q on every cell (inf off the reachable ones) and q on the reachable ones, q = softmax(theta)."""
    scores = np.full(table.n * table.m, -np.inf)
    scores[table.reach] = theta
    norm = logsumexp(scores.reshape(table.n, table.m), axis=1)[table.row]
    u = np.full(table.n * table.m, np.inf)
    u[table.reach] = norm - theta
    return u, np.exp(theta - norm)


def brackets(table: Table, u: np.ndarray, lam: float) -> np.ndarray:
    """u(c) - lambda cost(a -> c) per table entry, -inf where padded."""
    return np.where(table.valid, u[table.target] - lam * table.cost, -np.inf)


def smoothed_dual(x: np.ndarray, table: Table, eps: float, budget: bool, tau: float) -> tuple[float, np.ndarray]:
    """f_tau(theta, lambda) and its gradient (module docstring, step 4); x = [theta, lambda]."""
    theta, lam = x[:-1], (x[-1] if budget else 0.0)
    u, q = losses(table, theta)
    z = brackets(table, u, lam) / tau
    top = z.max(axis=1)
    weights = np.exp(z - top[:, None])
    total = weights.sum(axis=1)
    value = lam * eps + tau * float(np.dot(table.mass, np.log(total) + top))
    gamma = (table.mass / total)[:, None] * weights
    N = np.bincount(table.target.ravel(), gamma.ravel(), minlength=table.n * table.m)
    NX = N.reshape(table.n, table.m).sum(axis=1)
    grad = np.empty_like(x)
    grad[:-1] = q * NX[table.row] - N[table.reach]
    grad[-1] = eps - float(np.sum(gamma * table.cost)) if budget else 0.0
    return value, grad


def smoothed_potentials(table: Table, eps: float, budget: bool, start: np.ndarray | None = None,
                        temperatures=TEMPERATURES, evaluations: int = EVALUATIONS) -> np.ndarray:
    """Approximate minimiser [theta, lambda] of f_tau at the last temperature (continuation from the first)."""
    if start is None:  # cold: the uniform rule and lambda = 1
        start = np.zeros(len(table.reach) + 1)
        start[-1] = 1.0 if budget else 0.0
    x = start
    bounds = [(None, None)] * len(table.reach) + [(0.0, None) if budget else (0.0, 0.0)]
    for tau in temperatures:
        result = minimize(
            smoothed_dual, x, args=(table, eps, budget, tau), jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxfun": evaluations, "maxiter": evaluations, "maxcor": MEMORY, "ftol": 1e-12,
                     "gtol": 1e-3 * tau / max(len(table.reach), 1)},
        )
        if np.all(np.isfinite(result.x)):
            x = result.x
    return x


def screen(moves: Moves, table: Table, x: np.ndarray, tau: float) -> np.ndarray:
    """The moves the smoothed plan uses (step 4 of the module docstring) and, for each cell, the incoming move
    closest to tight, as a mask over the moves."""
    u, _ = losses(table, x[:-1])
    z = brackets(table, u, x[-1] if moves.budget else 0.0)
    w = z / tau
    gamma = table.mass[:, None] * np.exp(w - logsumexp(w, axis=1, keepdims=True))  # the smoothed plan
    heavy = table.valid & (gamma >= MASS_FLOOR)
    cap = int(MOVES_PER_ATOM * len(table.mass))
    if heavy.sum() > cap:
        heavy &= gamma > np.partition(gamma[heavy], -cap - 1)[-cap - 1]
    keep = np.zeros(len(moves.cost), bool)
    keep[table.index[heavy]] = True
    slack = np.full(len(moves.cost), np.inf)
    slack[table.index[table.valid]] = (z.max(axis=1)[:, None] - z)[table.valid]
    keep[_first_per_group(moves.target, slack)] = True  # each cell's move closest to tight
    return keep


def _first_per_group(group: np.ndarray, key: np.ndarray, count: int = 1) -> np.ndarray:
    """Indices of the ``count`` smallest ``key`` within each value of ``group``."""
    order = np.lexsort((key, group))
    g = group[order]
    start = np.searchsorted(g, g, side="left")
    return order[np.arange(len(order)) - start < count]


def completed_posterior(moves: Moves, table: Table, plan: np.ndarray, lam: float, floor: float = 1e-9):
    """Corollary 1's rule nu(y|x') on the cells the plan fills, completed by the c-transform elsewhere.

    With t(a) = max over a's moves into filled cells of [l(c) - lambda cost] (l = -log nu(y|x')), a cell c the
    plan leaves (nearly) empty gets the largest loss no atom would move to: min_a [t(a) + lambda cost(a -> c)];
    each row is then normalised. At the optimum this is a dual solution of (13) wherever one exists.
    """
    nu = perturbed_table(moves, plan).ravel()
    nu_x = nu.reshape(moves.n, moves.m).sum(axis=1)
    filled = (nu_x[np.arange(nu.size) // moves.m] > floor) & (nu > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(filled, -np.log(nu / nu_x[np.arange(nu.size) // moves.m]), np.inf)
    z = np.where(np.isfinite(u[table.target]) & table.valid, u[table.target] - lam * table.cost, -np.inf)
    t = z.max(axis=1)
    reach = np.where(table.valid, t[:, None] + lam * table.cost, np.inf)
    cap = np.full(nu.size, np.inf)
    np.minimum.at(cap, table.target[table.valid], reach[table.valid])
    u = np.where(filled, u, cap)
    finite = np.flatnonzero(np.isfinite(u))
    return rule_from_potentials(moves, finite, u[finite])  # uniform on rows with no finite loss


def lagrangian_bound(table: Table, q: np.ndarray, lam: float, eps: float, budget: bool) -> float:
    """lambda eps + sum_a mu(a) max_c [l(c) - lambda cost(a -> c)] >= L(eps, q), the pricing bound of step 3."""
    with np.errstate(divide="ignore"):
        z = brackets(table, -np.log(q).ravel(), lam)
    return lam * eps * budget + float(np.dot(table.mass, z.max(axis=1)))


def best_response(problem: Problem, moves: Moves, table: Table, q: np.ndarray, lam: float,
                  eps: float) -> tuple[float, float]:
    """The rule's exact loss L(eps, q) and a multiplier lambda at which its best response prices moves.

    The exact loss is ``engine.bounds.loss``'s. For a budget kind, L(., q) is concave and piecewise linear in
    eps and the optimal lambda is its slope at eps (Gao & Kleywegt): the one-sided slopes over a relative step of 1e-6
    and the solver's lambda are the candidates, and the one with the smallest Lagrangian bound is used.
    """
    ell = log_losses(q)
    if not moves.budget:
        return loss_at(problem, moves, ell, eps), 0.0
    step = SLOPE_STEP * eps
    below, at, above = exact_loss(problem, ell, np.array([eps - step, eps, eps + step]))
    candidates = [lam] + [s for s in ((at - below) / step, (above - at) / step) if np.isfinite(s)]
    bounds = [lagrangian_bound(table, q, max(c, 0.0), eps, True) for c in candidates]
    return float(at), max(candidates[int(np.argmin(bounds))], 0.0)


def entering_moves(table: Table, keep: np.ndarray, q: np.ndarray, lam: float, ties: bool) -> np.ndarray:
    """Moves not yet kept whose bracket exceeds their atom's best kept one at (q, lambda) (``ties``: or comes
    within TIE of it, as the moves a best response at the optimal lambda mixes); the most exceeding one of
    each atom, and for each cell the most exceeding one into it."""
    with np.errstate(divide="ignore"):
        z = brackets(table, -np.log(q).ravel(), lam)
    kept = keep[np.where(table.valid, table.index, 0)] & table.valid
    best_kept = np.where(kept, z, -np.inf).max(axis=1)[:, None]
    with np.errstate(invalid="ignore"):
        excess = z - best_kept
    beyond = (excess >= -TIE) if ties else (excess > TIE)
    wanted = table.valid & ~kept & (beyond | np.isposinf(z) & ~np.isposinf(best_kept))
    excess = np.where(wanted, np.nan_to_num(excess, posinf=np.finfo(float).max), -np.inf)
    atoms = np.flatnonzero(wanted.any(axis=1))
    per_atom = table.index[atoms, np.argmax(excess[atoms], axis=1)]
    flat = np.flatnonzero(wanted)
    per_cell = table.index.ravel()[flat[_first_per_group(table.target.ravel()[flat], -excess.ravel()[flat])]]
    return np.union1d(per_atom, per_cell)


# Clarabel settings, from the fastest to the most careful. The reduced problems first get Clarabel's default
# tolerances (1e-8): measured at 200 x 10, 1e-9 stalls there for 200 iterations (AlmostSolved, reduced gap
# 2e-8) where 1e-8 stops after ~25 with a gap of ~2e-7, well inside the certificate's 1e-6. When a round
# leaves a gap that no move prices in, the next round re-solves with the next settings (the chain's, in
# engine.solvers.chain).
SETTINGS = ({**FAST, "tol_feas": 1e-8, "tol_gap_abs": 1e-8, "tol_gap_rel": 1e-8}, FAST, STEADY, CAREFUL)


def _solve_subset(moves: Moves, eps: float, method: str, level: int = 0) -> tuple[RawSaddle, int]:
    """Clarabel on the kept moves with SETTINGS[level], moving on to more careful settings when a solve
    stalls; returns the answer and the level that gave it."""
    for tried in range(level, len(SETTINGS)):
        raw = solve_saddle_clarabel(moves, eps, SETTINGS[tried], method)
        if raw.plan is not None and raw.q is not None:
            break
    return raw, tried


def _restart(table: Table, eps: float, budget: bool, lam: float) -> np.ndarray:
    """The smoothed dual from the uniform rule and the reduced solve's lambda, through every temperature.

    (Starting from the reduced rule itself was measured to mislead it: where few kept moves reach a cell, that
    rule's losses are extreme.)"""
    start = np.zeros(len(table.reach) + 1)
    start[-1] = lam
    return smoothed_potentials(table, eps, budget, start)


def _best_rule(problem: Problem, moves: Moves, table: Table, plan: np.ndarray, lower: float, rule: np.ndarray,
               lam: float, eps: float) -> tuple[np.ndarray, float, float]:
    """The better of the solver's rule and ``completed_posterior`` of the plan, as (rule, upper bound on its
    loss, lambda of its best response); the second is tried only when the first leaves a gap."""
    best = (rule, np.inf, lam)
    for i in range(2):
        q = rule if i == 0 else sane_rule(completed_posterior(moves, table, plan, lam), moves.n, moves.m)
        if q is None:
            continue
        bound, at = lagrangian_bound(table, q, lam, eps, moves.budget), lam
        if bound - lower > VERIFIED_GAP:  # the solver's lambda may be off; the exact loss minimises over it
            exact, at = best_response(problem, moves, table, q, lam, eps)
            bound = min(bound, exact)
        if bound < best[1]:
            best = (q, bound, at)
        if best[1] - lower <= VERIFIED_GAP:
            break
    return best


def _far(moves: Moves, plan: np.ndarray, eps: float, entering: int) -> bool:
    """Does the optimal plan look far from local after the first (local) solve? Yes when the local plan leaves
    part of the budget unspent (lambda = 0 on the local moves: only farther moves can use it), or when more
    moves price in than there are atoms."""
    unspent = moves.budget and float(np.dot(plan, moves.cost)) < (1 - 1e-3) * eps
    return unspent or entering > SMOOTH_FRACTION * len(moves.atom_mass)


def local_moves(moves: Moves) -> np.ndarray:
    """Stays, each atom's NEAREST cheapest moves and each cell's cheapest incoming move, as a mask."""
    keep = moves.is_stay.copy()
    keep[_first_per_group(moves.source, moves.cost, NEAREST)] = True
    keep[_first_per_group(moves.target, moves.cost)] = True
    return keep


def solve_saddle_reduced(problem: Problem, moves: Moves, eps: float, rounds: int = MAX_ROUNDS,
                         local_first: bool = True) -> RawSaddle:
    """Steps 1-4 of the module docstring: a plan over all ``moves`` and a rule, ready to be certified.

    ``local_first=False`` runs the smoothed dual (step 4) before the first reduced solve instead of when that
    solve looks far from local (the tests use it to exercise every step on small problems). ``rounds`` caps
    the reduced solves.
    """
    method = "reduced"
    table = table_of(moves)
    keep = local_moves(moves)
    smoothed = not local_first
    if smoothed:
        keep |= screen(moves, table, smoothed_potentials(table, eps, moves.budget), TEMPERATURES[-1])
    raw, level = None, 0
    for _ in range(rounds):
        sub, level = _solve_subset(moves.subset(keep), eps, method, level)
        rule = sane_rule(sub.q, moves.n, moves.m)
        if sub.plan is None or rule is None:
            return raw or RawSaddle(None, None, None, sub.status, method)
        plan = np.zeros(len(moves.cost))
        plan[keep] = sub.plan
        lam = float(sub.multiplier) if moves.budget and sub.multiplier is not None else 0.0
        lam = lam if np.isfinite(lam) else 0.0
        feasible = repair_plan(moves, plan, eps)
        lower = plan_value(moves, feasible)
        raw = RawSaddle(plan, rule, sub.multiplier, sub.status, method)
        if lagrangian_bound(table, rule, lam, eps, moves.budget) - lower <= VERIFIED_GAP:
            break
        entering = entering_moves(table, keep, rule, lam, ties=False)  # column generation: the reduced dual's
        if not len(entering):  # no violation: bound the rules exactly, and ask what their best response wants
            q, upper, at = _best_rule(problem, moves, table, feasible, lower, rule, lam, eps)
            raw = RawSaddle(plan, q, sub.multiplier, sub.status, method)
            if upper - lower <= VERIFIED_GAP:
                break
            entering = entering_moves(table, keep, q, at, ties=True)
        if not len(entering):  # nothing prices in: the gap is the reduced solve's own inaccuracy
            if level + 1 == len(SETTINGS):
                break
            level += 1
            continue
        keep[entering] = True
        if not smoothed and _far(moves, plan, eps, len(entering)):
            smoothed = True
            x = _restart(table, eps, moves.budget, lam)
            keep |= screen(moves, table, x, TEMPERATURES[-1])
    return raw
