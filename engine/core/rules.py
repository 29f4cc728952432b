"""Rule tables q(y|x): turning a solver's output into a rule on all of X (docs/design.md, "The dual program").

A rule is an n-by-m table whose rows are pmfs. Solvers hand back potentials u = -log q (the multipliers of
the dual (13)) or a plan; these helpers make a rule of either, and ``sane_rule`` decides whether a solver's
table can be one at all.
"""

from __future__ import annotations

import numpy as np

from engine.core.moves import Moves, perturbed_table


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


def rule_from_potentials(moves: Moves, reach: np.ndarray, u: np.ndarray) -> np.ndarray:
    """q(y|x) proportional to exp(-u) on each row's reachable cells; uniform on unreachable rows."""
    n, m = moves.n, moves.m
    rows = reach // m
    lowest = np.full(n, np.inf)
    np.minimum.at(lowest, rows, u)
    weights = np.zeros(n * m)
    weights[reach] = np.exp(-(u - lowest[rows]))  # shifted per row: no overflow, same ratios
    weights = weights.reshape(n, m)
    sums = weights.sum(axis=1, keepdims=True)
    return np.where(sums > 0, weights / np.where(sums > 0, sums, 1.0), 1.0 / m)
