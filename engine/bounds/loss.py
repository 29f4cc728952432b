"""The upper half of a certificate: the exact worst-case loss of a fixed rule, for many budgets at once.

For a rule q(y|x) with losses l(x', y') = -log q(y'|x'), the attacker's best response is the LP

.. math::
    L(\\varepsilon, q) = \\max_{\\nu \\in D(\\varepsilon)} L(\\nu, q)
      = \\max_{\\gamma \\ge 0} \\sum_{\\text{moves}} \\gamma \\, l(\\text{target})
        \\quad \\text{s.t. each atom's moves carry } \\mu(x, y), \\ \\sum \\gamma\\,\\text{cost} \\le \\varepsilon,

whose dual is min_{lam >= 0} lam eps + sum_{x,y} mu(x,y) max_{x'} [l(x', y) - lam d(x, x')]
(Gao & Kleywegt, arXiv 1604.02199, Thm 1; docs/design.md, "The exact loss of a rule"). It is a fractional
multiple-choice knapsack: each atom's best value as a function of the cost it spends is the upper concave hull
of its points (cost, l) (``engine.bounds.hulls``), and the optimum spends the budget on hull segments in
decreasing order of slope. One sort gives the whole concave, piecewise-linear curve eps -> L(eps, q); no LP per
point is needed. Under the ``max`` kind there is no budget: each atom takes the largest loss within cost eps.

Losses are infinite where q = 0 on a reachable cell; the curve is then inf from the first eps that
reaches it (every eps > 0 for a budget kind, since an arbitrarily small mass may go anywhere).

These are kernels: they take checked rules and budgets (``engine.core.checks``) and the moves already built.
The public, validating door is ``engine.rule_loss`` (``engine.analyses.rule_loss``).
"""

from __future__ import annotations

import numpy as np

from engine.bounds.hulls import hull_segments
from engine.core.cache import bounded_cache
from engine.core.moves import LIMIT_SLACK, Moves, allowed_moves, dense_size, every_move
from engine.core.problem import Problem

# The curve eps -> L(eps, q) of a rule is kept for reuse (a rule's certificate and its row of Figure 2's grid
# need the same curve) while the problem has at most CURVE_CACHE_MOVES moves: each kept curve holds up to
# two floats per move, so the cache stays under ~40 MB.
CURVE_CACHE_SIZE = 128
CURVE_CACHE_BYTES = 128_000_000
CURVE_CACHE_MOVES = 20_000


def log_losses(q: np.ndarray) -> np.ndarray:
    """l = -log q of a rule, flattened cell by cell (inf where q = 0)."""
    with np.errstate(divide="ignore"):
        return -np.log(np.asarray(q, dtype=float)).ravel()


def exact_loss(problem: Problem, ell: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """L(eps, q) at each budget of the 1-D array ``eps`` for the per-cell losses ``ell`` (checked inputs)."""
    if problem.constraint == "max":
        return max_kind_loss(problem, ell, eps)
    if dense_size(problem) <= CURVE_CACHE_MOVES:
        return _cached_curve(problem, np.ascontiguousarray(ell, dtype=float).tobytes())(eps)
    return budget_curve(every_move(problem), ell)(eps)


def loss_at(problem: Problem, moves: Moves, ell: np.ndarray, eps: float) -> float:
    """L(eps, q) at one budget, with the moves of that budget already built (a solve's own moves): the same
    number, to the last bit, as ``exact_loss`` at that budget."""
    if problem.constraint == "max":  # the best reply within the radius: exactly these moves
        return best_response_loss(moves, ell)
    return float(exact_loss(problem, ell, np.array([eps]))[0])


@bounded_cache(CURVE_CACHE_SIZE, CURVE_CACHE_BYTES)
def _cached_curve(problem: Problem, losses: bytes):
    """``budget_curve`` of the losses (given as bytes, so that they can be a key), kept for reuse."""
    return budget_curve(every_move(problem), np.frombuffer(losses))


def clear_curves() -> None:
    """Forget the kept loss curves."""
    _cached_curve.cache_clear()


def max_kind_loss(problem: Problem, ell: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """sum_{x,y} mu(x,y) max_{x': d(x,x') <= eps} l(x', y), for each eps (one build of the widest moves)."""
    widest = allowed_moves(problem, float(eps.max()))
    return np.array([
        best_response_loss(widest.subset(widest.is_stay | (widest.cost <= e * (1 + LIMIT_SLACK))), ell) for e in eps
    ])


def best_response_loss(moves: Moves, ell: np.ndarray) -> float:
    """sum over atoms of mu(a) max over a's moves of l(target): the attacker's best reply with no budget."""
    best = np.full(len(moves.atom_mass), -np.inf)
    np.maximum.at(best, moves.source, ell[moves.target])
    return float(np.sum(moves.atom_mass * best))


def budget_curve(moves: Moves, ell: np.ndarray):
    """The function eps -> L(eps, q) for a budget kind, as base + a concave piecewise-linear curve."""
    v = ell[moves.target]
    finite = np.isfinite(v)
    inf_at_zero = bool(np.any(~finite & (moves.cost <= 0)))
    inf_beyond_zero = bool(np.any(~finite & (moves.cost > 0)))
    # An atom whose every move (the stay included) reaches q = 0 has no finite point: its loss is infinite at
    # every eps (inf_at_zero says so) and it adds nothing to the finite part.
    atom, start, segment_atom, width, rise = hull_segments(
        moves.source[finite], moves.cost[finite], v[finite], len(moves.atom_mass))
    base = float(np.dot(moves.atom_mass[atom], start))
    if len(width):  # spend the budget on the segments in decreasing order of slope
        mass = moves.atom_mass[segment_atom]
        rank = np.argsort(-(rise / width), kind="stable")
        breaks = np.concatenate(([0.0], np.cumsum((mass * width)[rank])))
        values = np.concatenate(([0.0], np.cumsum((mass * rise)[rank])))
    else:
        breaks, values = np.zeros(1), np.zeros(1)

    def curve(eps: np.ndarray) -> np.ndarray:
        out = base + np.interp(eps, breaks, values)
        if inf_at_zero:
            out[:] = np.inf
        elif inf_beyond_zero:
            out[eps > 0] = np.inf
        return out

    return curve
