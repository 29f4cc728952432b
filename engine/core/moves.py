"""The moves a perturbation may make: which source atom may send mass to which target cell, at what cost.

An *atom* is a cell (x, y) of the clean table with mu(x, y) > 0; a *cell* of the perturbed table is
(x', y'), flattened as x' * m + y'. A transport plan gamma is a mass on each move; the constraint set
D(eps) of each kind is

- ``expected``: sum_move gamma * cost <= eps, moves (x, y) -> (x', y) at cost d(x, x')  ((4), (6), (7));
- ``max``: only moves with d(x, x') <= eps, no budget  ((3));
- ``joint``: moves (x, y) -> (x', y') at cost d(x, x') + kappa 1{y != y'}, budget eps.

With eps = 0 a budget kind keeps only the zero-cost moves (its dual multiplier would be unbounded).
A move is allowed by a cost limit when cost <= eps * (1 + LIMIT_SLACK), LIMIT_SLACK = 1e-12 relative: a
rounding residue in eps or in a squared distance between bin centres must not decide whether a point is in the
ball (docs/design.md, "The problem"). The flip side is documented and tested at the boundary: a custom distance of
1 + 4e-13 counts as within eps = 1 (the max kind may use it), 1 + 2e-12 does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.cache import bounded_cache
from engine.core.limits import check_moves
from engine.core.problem import Problem

LIMIT_SLACK = 1e-12


@dataclass(frozen=True, eq=False)
class Moves:
    """Flat arrays over the allowed moves; ``budget`` says whether a cost budget applies."""

    n: int
    m: int
    atom_x: np.ndarray      # per atom: source feature value x
    atom_y: np.ndarray      # per atom: source label y
    atom_mass: np.ndarray   # per atom: mu(x, y) > 0
    source: np.ndarray      # per move: atom index
    target: np.ndarray      # per move: target cell index x' * m + y'
    cost: np.ndarray        # per move: its cost
    is_stay: np.ndarray     # per move: True for (x, y) -> (x, y), cost 0, always allowed
    budget: bool

    @property
    def reachable(self) -> np.ndarray:
        """Sorted indices of the cells some move can reach."""
        return np.unique(self.target)

    def subset(self, keep: np.ndarray) -> Moves:
        """The same atoms with only the moves where ``keep`` is True (keep each atom at least one)."""
        return Moves(
            n=self.n, m=self.m, atom_x=self.atom_x, atom_y=self.atom_y, atom_mass=self.atom_mass,
            source=self.source[keep], target=self.target[keep], cost=self.cost[keep],
            is_stay=self.is_stay[keep], budget=self.budget,
        )


def dense_size(problem: Problem) -> int:
    """Entries of a dense plan, the most moves any budget allows: n*n per label, or (n*m)^2 for the joint kind
    (the cvxpy programs build such plans; the app and the loss-curve cache size problems by it)."""
    n, m = problem.n, problem.m
    return (n * m) ** 2 if problem.constraint == "joint" else n * n * m


def perturbed_table(moves: Moves, plan: np.ndarray) -> np.ndarray:
    """nu(x', y') = sum of the plan over the moves into each cell, an n-by-m table."""
    return np.bincount(moves.target, plan, minlength=moves.n * moves.m).reshape(moves.n, moves.m)


@bounded_cache(16, 128_000_000)  # entries and bytes (engine.core.cache)
def every_move(problem: Problem) -> Moves:
    """The moves of a budget kind at any eps > 0 (all of them; the cost is charged to the budget), built once per
    problem: every budget > 0 of a page's grid, and every rule's exact-loss curve, share them."""
    return _build(problem, np.inf)


def allowed_moves(problem: Problem, eps: float) -> Moves:
    """All moves of the problem's kind at budget eps (see the module docstring)."""
    if problem.constraint != "max" and eps > 0:
        return every_move(problem)
    return _build(problem, eps)


def _build(problem: Problem, eps: float) -> Moves:
    """The moves of ``allowed_moves``, built (after the product of sizes is checked: ``engine.core.limits``)."""
    n, m, d = problem.n, problem.m, problem.cost
    check_moves(n, m, problem.constraint)
    atom_x, atom_y = np.nonzero(problem.mu)
    if problem.constraint == "joint":
        tx, ty = np.divmod(np.arange(n * m), m)
        cost = d[atom_x][:, tx] + problem.label_cost * (atom_y[:, None] != ty[None, :])
        target = np.broadcast_to(np.arange(n * m), cost.shape)
    else:
        cost = d[atom_x]
        target = np.arange(n)[None, :] * m + atom_y[:, None]
    source = np.broadcast_to(np.arange(len(atom_x))[:, None], cost.shape)
    stay = target == (atom_x * m + atom_y)[:, None]
    budget = problem.constraint != "max" and eps > 0
    keep = np.ones(cost.shape, bool) if budget else (cost <= eps * (1 + LIMIT_SLACK)) | stay
    moves = Moves(
        n=n, m=m, atom_x=atom_x, atom_y=atom_y, atom_mass=problem.mu[atom_x, atom_y],
        source=source[keep], target=target[keep], cost=np.where(stay, 0.0, cost)[keep],
        is_stay=stay[keep], budget=budget,
    )
    for array in (moves.atom_x, moves.atom_y, moves.atom_mass, moves.source, moves.target, moves.cost, moves.is_stay):
        array.setflags(write=False)  # shared between solves and loss curves (every_move): nobody may change them
    return moves
