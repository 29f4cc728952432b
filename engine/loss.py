"""The exact worst-case loss of a fixed decision rule, for many budgets at once.

For a rule q(y|x) with losses l(x', y') = -log q(y'|x'), the attacker's best response is the LP

.. math::
    L(\\varepsilon, q) = \\max_{\\nu \\in D(\\varepsilon)} L(\\nu, q)
      = \\max_{\\gamma \\ge 0} \\sum_{\\text{moves}} \\gamma \\, l(\\text{target})
        \\quad \\text{s.t. each atom's moves carry } \\mu(x, y), \\ \\sum \\gamma\\,\\text{cost} \\le \\varepsilon,

whose dual is min_{lam >= 0} lam eps + sum_{x,y} mu(x,y) max_{x'} [l(x', y) - lam d(x, x')]
(Gao & Kleywegt, arXiv 1604.02199, Thm 1). It is a fractional multiple-choice knapsack: each atom's
best value as a function of the cost it spends is the upper concave hull of its points (cost, l), and
the optimum spends the budget on hull segments in decreasing order of slope. One sort gives the
whole concave, piecewise-linear curve eps -> L(eps, q); no LP per point is needed. Under the ``max``
kind there is no budget: each atom takes the largest loss within cost eps.

Losses are infinite where q = 0 on a reachable cell; the curve is then inf from the first eps that
reaches it (every eps > 0 for a budget kind, since an arbitrarily small mass may go anywhere).
"""

from __future__ import annotations

import functools

import numpy as np

from engine.errors import ProblemError
from engine.moves import LIMIT_SLACK, Moves, allowed_moves, dense_size
from engine.problem import Problem, check_eps_values

RULE_SUM_TOLERANCE = 1e-9
# The curve eps -> L(eps, q) of a rule is kept for reuse (a rule's certificate and its row of Figure 2's grid
# need the same curve) while the problem has at most CURVE_CACHE_MOVES moves: each kept curve holds up to
# two floats per move, so the cache stays under ~40 MB.
CURVE_CACHE_SIZE = 128
CURVE_CACHE_MOVES = 20_000


def rule_loss(problem: Problem, q, eps_values):
    """L(eps, q) for each eps in ``eps_values`` (a float for a scalar eps, else an array), in nats."""
    q = check_rule(q, problem.n, problem.m)
    eps = check_eps_values(eps_values)
    with np.errstate(divide="ignore"):
        ell = -np.log(q).ravel()
    if problem.constraint == "max":
        out = _max_kind_loss(problem, ell, eps)
    elif dense_size(problem) <= CURVE_CACHE_MOVES:
        out = _cached_curve(problem, ell.tobytes())(eps)
    else:
        out = _budget_curve(allowed_moves(problem, np.inf), ell)(eps)
    return out if np.ndim(eps_values) else float(out[0])


@functools.lru_cache(maxsize=CURVE_CACHE_SIZE)
def _cached_curve(problem: Problem, losses: bytes):
    """``_budget_curve`` of the losses (given as bytes, so that they can be a key), kept for reuse."""
    return _budget_curve(allowed_moves(problem, np.inf), np.frombuffer(losses))


def clear_curves() -> None:
    """Forget the kept loss curves."""
    _cached_curve.cache_clear()


def check_rule(q, n: int, m: int) -> np.ndarray:
    """A rule is an n-by-m table of finite non-negative rows summing to 1 (within 1e-9)."""
    try:
        a = np.array(q, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError("The rule q must be a table of numbers.") from None
    if a.shape != (n, m):
        raise ProblemError(f"The rule q must be {n}-by-{m} (feature values by labels); it is {a.shape}.")
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():  # the first bad cell in reading order
        i, j = np.argwhere(bad)[0]
        raise ProblemError(f"Row {i + 1}, column {j + 1} of the rule q is {a[i, j]:g}; it must be in [0, 1].")
    sums = a.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1) > RULE_SUM_TOLERANCE)
    if len(off):
        raise ProblemError(f"Row {off[0] + 1} of the rule q sums to {sums[off[0]]:.12g}, not 1.")
    return a


def _max_kind_loss(problem: Problem, ell: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """sum_{x,y} mu(x,y) max_{x': d(x,x') <= eps} l(x', y), for each eps."""
    widest = allowed_moves(problem, float(eps.max()))
    return np.array([
        best_response_loss(widest.subset(widest.is_stay | (widest.cost <= e * (1 + LIMIT_SLACK))), ell) for e in eps
    ])


def best_response_loss(moves: Moves, ell: np.ndarray) -> float:
    """sum over atoms of mu(a) max over a's moves of l(target): the attacker's best reply with no budget."""
    best = np.full(len(moves.atom_mass), -np.inf)
    np.maximum.at(best, moves.source, ell[moves.target])
    return float(np.sum(moves.atom_mass * best))


def _budget_curve(moves: Moves, ell: np.ndarray):
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


# upper_hulls compares all pairs of an atom's points at once while atoms have at most HULL_TABLE_WIDTH points
# (measured: 3.5x faster than a scan per atom at 5 points, 3x at 6 x 30, slower from ~50 on), HULL_CHUNK
# pairs at a time; wider atoms are scanned one by one (Andrew's monotone chain).
HULL_TABLE_WIDTH = 32
HULL_CHUNK = 1 << 22


def upper_hull(c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the least concave majorant of max{v_j : c_j <= c}, from c = min c_j to argmax v.

    Points are (cost, value) pairs; the result starts at the best value among the cheapest points,
    has strictly increasing costs and values, and strictly decreasing slopes.
    """
    C, V, vertex = upper_hulls(np.zeros(len(c), dtype=np.intp), np.asarray(c, float), np.asarray(v, float), 1)
    return C[vertex], V[vertex]


def hull_segments(source, c, v, atoms: int):
    """Every atom's upper hull (``upper_hulls``) as its start and its segments.

    Returns the atoms that have points, the value at each one's first vertex (its cheapest best point), and
    the hulls' segments as three arrays: each segment's atom, width (cost) and rise (value).
    """
    C, V, vertex = upper_hulls(source, c, v, atoms)
    has = vertex.any(axis=1)
    first = np.argmax(vertex, axis=1)
    rows = np.flatnonzero(has)
    idx = np.flatnonzero(vertex)  # row-major: each atom's vertices in increasing cost
    row = idx // vertex.shape[1]
    pair = np.flatnonzero(row[1:] == row[:-1])
    left, right = idx[pair], idx[pair + 1]
    return rows, V[rows, first[rows]], row[pair], C.flat[right] - C.flat[left], V.flat[right] - V.flat[left]


def upper_hulls(source, c, v, atoms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``upper_hull`` for every atom at once, on an atoms-by-points table.

    Each atom's points are sorted by cost (the best value first among equal costs) into a row, padded with
    (inf, -inf). A point is *kept* when its value beats every cheaper one (the others lie under the
    staircase max{v_j : c_j <= c}); a kept point j is a vertex of the concave majorant when some line
    through it has every kept point below it and the others strictly: min over kept i < j of slope(i, j) >
    max over kept l > j of slope(j, l) (an empty min is inf, an empty max -inf). Returns the sorted table's
    costs and values and the vertex mask. Atoms with more than HULL_TABLE_WIDTH points are scanned one by
    one instead (``_chain``).
    """
    order = np.lexsort((-v, c, source))
    src = source[order]
    counts = np.bincount(src, minlength=atoms)
    width = max(int(counts.max(initial=0)), 1)
    slot = np.arange(len(order)) - np.concatenate(([0], np.cumsum(counts)[:-1]))[src]
    C = np.full((atoms, width), np.inf)
    V = np.full((atoms, width), -np.inf)
    C[src, slot], V[src, slot] = c[order], v[order]
    best_before = np.concatenate((np.full((atoms, 1), -np.inf), np.maximum.accumulate(V, axis=1)[:, :-1]), axis=1)
    kept = V > best_before
    if width > HULL_TABLE_WIDTH:
        vertex = np.zeros_like(kept)
        for a in range(atoms):
            j = np.flatnonzero(kept[a])
            vertex[a, j[_chain(C[a, j], V[a, j])]] = True
        return C, V, vertex
    vertex = kept.copy()
    step = max(1, HULL_CHUNK // (width * width))
    later = np.triu(np.ones((width, width), bool), 1)  # later[i, j]: i < j
    for lo in range(0, atoms, step):
        k, c_, v_ = kept[lo:lo + step], C[lo:lo + step], V[lo:lo + step]
        both = k[:, :, None] & k[:, None, :] & later  # [a, i, j]: kept i < kept j
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            slope = (v_[:, None, :] - v_[:, :, None]) / (c_[:, None, :] - c_[:, :, None])  # slope(i, j)
        into = np.where(both, slope, np.inf).min(axis=1)     # min over i < j of slope(i, j), per j
        out = np.where(both, slope, -np.inf).max(axis=2)     # max over l > j of slope(j, l), per j
        vertex[lo:lo + step] &= into > out
    return C, V, vertex


def _chain(c: np.ndarray, v: np.ndarray) -> list[int]:
    """Indices of the upper concave hull's vertices of points with strictly increasing c and v (a scan that
    drops every point on or under the chord of its neighbours)."""
    hull: list[int] = []
    for k in range(len(c)):
        while len(hull) >= 2 and (
            (c[hull[-1]] - c[hull[-2]]) * (v[k] - v[hull[-2]]) - (v[hull[-1]] - v[hull[-2]]) * (c[k] - c[hull[-2]]) >= 0
        ):
            hull.pop()
        hull.append(k)
    return hull
