"""Stochastic versus deterministic adversaries (Sec. V-A), for the ``max`` kind.

.. math::
    (20)\\;\\; \\min_q E\\Big[\\max_{z: d(X,z) \\le \\varepsilon} -\\log q(Y|z)\\Big]
    \\;\\ge\\; (21)\\;\\; \\max_{g: d(x, g(x,y)) \\le \\varepsilon} H(Y \\mid g(X, Y)),

and (20) = h* (the attacker playing second loses nothing by being pure), while (21), a pure attacker
playing first, is often strictly below h*: the order of play matters unless the attacker may randomise.

(20) is solved by its own convex program (``engine.solvers.reference.rule_program``) and reported as the exact
loss of the rule it returns. (21) is combinatorial: a depth-first branch and bound over the maps
g(x, y), deciding heavy atoms first. A node's bound is the certified stochastic optimum of (15) with the
decided atoms pinned to their targets (a valid upper bound: the exact best-reply loss of a rule), and a
node is pruned when that bound cannot beat the best map found. Past ``node_limit`` nodes the search stops
and reports the best map as a lower bound with the largest open bound as its gap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from engine.bounds.loss import best_response_loss, log_losses, loss_at
from engine.bounds.result import VERIFIED_GAP, Status
from engine.core.checks import check_eps
from engine.core.information import conditional_entropy
from engine.core.moves import Moves
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.solvers.chain import saddle_at
from engine.solvers.conic import solve_saddle_clarabel

NODE_LIMIT = 4000
PRUNE_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class DeterministicGap:
    """h* (stochastic), (20), (21) with the best map, and how sure (21) is; values in nats.

    ``best_map[x, y]`` is the index of g(x, y) (-1 where mu(x, y) = 0). ``maximin_exact`` is True when
    the search finished; otherwise (21) lies in [pure_maximin, maximin_upper].
    """

    eps: float
    stochastic: float
    stochastic_upper: float
    pure_minimax: float
    minimax_rule: np.ndarray
    pure_maximin: float
    maximin_upper: float
    maximin_exact: bool
    best_map: np.ndarray
    nodes: int
    status: Status

    @property
    def value(self) -> tuple[float, float, float]:
        """(stochastic h*, (20), (21))."""
        return self.stochastic, self.pure_minimax, self.pure_maximin

    @property
    def minimax_verified(self) -> bool:
        """Is (20) known to within 1e-6 nats? Under the max kind the best reply to a rule may be pure, so (20)
        equals h*: it lies in [stochastic, pure_minimax] (a feasible plan below, a rule's exact loss above)."""
        return self.pure_minimax - self.stochastic <= VERIFIED_GAP

    @property
    def maximin_label(self) -> str:
        """'exact', or 'lower bound, gap <= ...' when the search hit its limit."""
        gap = self.maximin_upper - self.pure_maximin
        return "exact" if self.maximin_exact else f"lower bound, gap <= {gap:.3g} nats"


def deterministic_gap(problem: Problem, eps, node_limit: int = NODE_LIMIT) -> DeterministicGap:
    """The three values of Sec. V-A at budget eps, for a problem of the ``max`` kind."""
    if problem.constraint != "max":
        raise ProblemError(
            f"The stochastic-versus-deterministic comparison needs the max kind (each point moves at most eps); "
            f"this problem has the {problem.constraint} kind."
        )
    eps = check_eps(eps)
    stochastic = saddle_at(problem, eps)
    moves = stochastic.moves  # built once: (20), (21) and the stochastic solve share them
    minimax_value, minimax_rule = pure_minimax(problem, moves, eps)
    search = MapSearch(moves, node_limit)
    search.run(first_guess=stochastic.plan)
    best_map = np.full((problem.n, problem.m), -1)
    best_map[search.moves.atom_x, search.moves.atom_y] = search.best_targets // problem.m
    # A map is a feasible plan too, so the best one found is also a lower bound on h*: taking the larger keeps
    # the shown order (21) <= h* even where the two agree to within the certificate's gap.
    return DeterministicGap(
        eps=eps, stochastic=max(stochastic.certificate.lower, search.best_value),
        stochastic_upper=stochastic.certificate.upper,
        pure_minimax=minimax_value, minimax_rule=minimax_rule, pure_maximin=search.best_value,
        maximin_upper=max(search.best_value, search.open_bound), maximin_exact=search.finished,
        best_map=best_map, nodes=search.nodes, status=stochastic.status,
    )


def pure_minimax(problem: Problem, moves: Moves, eps: float) -> tuple[float, np.ndarray]:
    """(20) by its own convex program on the moves of budget eps: the exact worst-case loss of the rule it
    returns, and the rule."""
    from engine.solvers.reference import rule_program  # cvxpy is slow to import: only when needed

    program, read_rule = rule_program(problem, moves, eps)
    with warnings.catch_warnings():  # an inaccurate solve is harmless: the value is the rule's exact loss
        warnings.simplefilter("ignore", UserWarning)
        program.solve(solver="CLARABEL")
    if program.status not in ("optimal", "optimal_inaccurate"):
        raise ProblemError(f"The convex program (20) did not solve (status {program.status}).")
    q, _ = read_rule()
    return loss_at(problem, moves, log_losses(q), eps), q


def map_value(moves: Moves, targets: np.ndarray) -> float:
    """H(Y | g(X, Y)) of the map sending each atom to its target cell."""
    nu = np.bincount(targets, moves.atom_mass, minlength=moves.n * moves.m).reshape(moves.n, moves.m)
    return conditional_entropy(nu)


def map_segment(problem: Problem, map_a, map_b, alphas) -> np.ndarray:
    """H(Y|Z) for the attack that uses map_a with probability alpha and map_b otherwise (the paper's family)."""
    x, y = np.nonzero(problem.mu)
    mass, size = problem.mu[x, y], problem.n * problem.m
    a, b = (_cells(problem, g, x, y) for g in (map_a, map_b))
    out = []
    for alpha in np.atleast_1d(np.asarray(alphas, dtype=float)):
        nu = np.bincount(a, alpha * mass, minlength=size) + np.bincount(b, (1 - alpha) * mass, minlength=size)
        out.append(conditional_entropy(nu.reshape(problem.n, problem.m)))
    return np.array(out)


def rival_map(best_map: np.ndarray, mechanism: np.ndarray) -> np.ndarray:
    """The best map with its most-split atom sent to the stochastic attack's next favourite target.

    Mixing the two gives the paper's one-parameter family of attacks (Sec. V-A) for any problem: with
    the paper's example it is the map sending 2 to the other neighbour.
    """
    rival, widest = best_map.copy(), -1.0
    for x, y in zip(*np.nonzero(best_map >= 0), strict=True):
        row = mechanism[x, y, :, y].copy()
        row[best_map[x, y]] = 0.0
        if row.max() > widest:
            widest = row.max()
            rival = best_map.copy()
            rival[x, y] = int(np.argmax(row))
    return rival


def _cells(problem: Problem, g, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The target cell of each atom (x, y) under the map g."""
    g = np.asarray(g)
    if g.shape != (problem.n, problem.m):
        raise ProblemError(f"A map must be an {problem.n}-by-{problem.m} table of feature indices.")
    z = g[x, y]
    if np.any((z < 0) | (z >= problem.n)):
        raise ProblemError("A map sends a point with positive mass outside the feature values.")
    return z * problem.m + y


class MapSearch:
    """Depth-first branch and bound over deterministic maps (see the module docstring)."""

    def __init__(self, moves: Moves, node_limit: int):
        self.moves, self.node_limit = moves, node_limit
        self.order = np.argsort(-moves.atom_mass, kind="stable")  # decide heavy atoms first
        self.options = [np.flatnonzero(moves.source == a) for a in range(len(moves.atom_mass))]
        self.best_value, self.best_targets = -np.inf, None
        self.nodes, self.open_bound, self.finished = 0, -np.inf, False

    def run(self, first_guess: np.ndarray) -> None:
        """Search from the rounding of the stochastic plan ``first_guess``."""
        self._offer(self._round(first_guess, {}))
        stack = [{}]
        while stack:
            if self.nodes >= self.node_limit:
                self.open_bound = max(self._bound(node)[0] for node in stack)
                return
            node = stack.pop()
            self.nodes += 1
            bound, plan = self._bound(node)
            if bound <= self.best_value + PRUNE_SLACK:
                continue
            self._offer(self._round(plan, node))
            depth = len(node)
            if depth == len(self.order):
                continue
            a = self.order[depth]
            choices = sorted(self.options[a], key=lambda k: plan[k])  # the likeliest move is explored first
            stack.extend({**node, a: k} for k in choices)
        self.finished = True

    def _bound(self, pinned: dict) -> tuple[float, np.ndarray]:
        """Certified upper bound of (15) with the pinned atoms fixed, and its (unrepaired) plan."""
        if len(pinned) == len(self.order):  # a complete map: its exact value
            targets = self.moves.target[[pinned[a] for a in range(len(self.order))]]
            return map_value(self.moves, targets), np.zeros(len(self.moves.cost))
        keep = np.ones(len(self.moves.cost), bool)
        for a, k in pinned.items():
            keep[self.options[a]] = False
            keep[k] = True
        sub = self.moves.subset(keep)
        raw = solve_saddle_clarabel(sub, 0.0)
        plan = np.zeros(len(keep))
        if raw.plan is None:  # no usable answer: the trivial bound log m keeps the search honest
            return float(np.log(self.moves.m)), plan
        plan[keep] = raw.plan
        upper = best_response_loss(sub, log_losses(raw.q))
        return min(upper, float(np.log(self.moves.m))), plan

    def _round(self, plan: np.ndarray, pinned: dict) -> np.ndarray:
        """Each atom's target: its pinned move, else the move carrying the most of its mass."""
        targets = np.empty(len(self.order), dtype=int)
        for a, ks in enumerate(self.options):
            targets[a] = self.moves.target[pinned.get(a, ks[np.argmax(plan[ks])])]
        return targets

    def _offer(self, targets: np.ndarray) -> None:
        value = map_value(self.moves, targets)
        if value > self.best_value:
            self.best_value, self.best_targets = value, targets
