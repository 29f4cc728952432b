"""The lower half of a certificate: a feasible plan and the value it attains.

For any plan gamma in D(eps) and any rule q, weak duality and Theorem 1 give

.. math::
    H_{\\nu_\\gamma}(Y|X) \\le h^*(\\varepsilon) \\le L(\\varepsilon, q)
    = \\max_{\\nu \\in D(\\varepsilon)} L(\\nu, q),

so ``gap = upper - lower`` bounds the error of both. A solver's plan is first *repaired* so that it is
feasible in floating point: negatives clipped, each atom's moves rescaled to carry exactly mu(x, y)
(the last rounding residue goes to the atom's largest move), and, if the cost exceeds eps, every move
shrunk towards staying put until it does not. The rule's loss is computed exactly by
``engine.bounds.loss`` (the upper half). A result is ``verified`` when gap <= 1e-6 nats (``engine.bounds.result``).
"""

from __future__ import annotations

import math

import numpy as np

from engine.core.information import conditional_entropy
from engine.core.moves import Moves, perturbed_table


def stay_plan(moves: Moves) -> np.ndarray:
    """The plan that moves nothing (nu = mu): always feasible."""
    plan = np.zeros(len(moves.cost))
    plan[moves.is_stay] = moves.atom_mass[moves.source[moves.is_stay]]
    return plan


def repair_plan(moves: Moves, plan: np.ndarray, eps: float) -> np.ndarray:
    """A feasible plan close to ``plan``: exact marginals and, for budget kinds, cost <= eps."""
    n_atoms = len(moves.atom_mass)
    g = np.where(np.isfinite(plan), np.maximum(plan, 0.0), 0.0)
    carried = np.bincount(moves.source, g, minlength=n_atoms)
    empty = carried <= 0
    scale = np.where(empty, 0.0, moves.atom_mass / np.where(empty, 1.0, carried))
    g = g * scale[moves.source]
    g = np.where(moves.is_stay & empty[moves.source], moves.atom_mass[moves.source], g)
    g = _settle_marginals(moves, g)
    if moves.budget:
        g = _within_budget(moves, g, eps)
    return g


def plan_violation(moves: Moves, plan: np.ndarray, eps: float) -> tuple[float, float]:
    """(largest marginal residual, budget excess) of a plan; both 0 for an exactly feasible plan."""
    carried = np.array([math.fsum(plan[moves.source == a]) for a in range(len(moves.atom_mass))])
    residual = float(np.max(np.abs(carried - moves.atom_mass))) if len(carried) else 0.0
    excess = max(math.fsum(plan * moves.cost) - eps, 0.0) if moves.budget else 0.0
    return residual, excess


def plan_value(moves: Moves, plan: np.ndarray) -> float:
    """H_nu(Y|X) of the table the plan produces: the plan's lower bound on h*."""
    return conditional_entropy(perturbed_table(moves, plan))


def _settle_marginals(moves: Moves, g: np.ndarray) -> np.ndarray:
    """Put each atom's rounding residue on its largest move, so it carries mu(x, y) exactly."""
    order = np.lexsort((g, moves.source))
    last = np.searchsorted(moves.source[order], np.arange(len(moves.atom_mass)), side="right") - 1
    g[order[last]] += moves.atom_mass - np.bincount(moves.source, g, minlength=len(moves.atom_mass))
    return g


def _within_budget(moves: Moves, g: np.ndarray, eps: float) -> np.ndarray:
    """Shrink the costly moves towards staying put until sum(gamma * cost) <= eps in floating point."""
    spent = math.fsum(g * moves.cost)
    if spent <= eps:
        return g
    costly = moves.cost > 0
    moved = np.bincount(moves.source, np.where(costly, g, 0.0), minlength=len(moves.atom_mass))
    stay_index = np.flatnonzero(moves.is_stay)
    shrink = eps / spent
    while True:
        out = np.where(costly, g * shrink, g)
        out[stay_index] += (1.0 - shrink) * moved[moves.source[stay_index]]
        if math.fsum(out * moves.cost) <= eps:
            return out
        shrink *= 1.0 - 1e-12
