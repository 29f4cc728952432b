"""The exact loss of a rule at one budget from the moves that matter there: the upper half of a certificate on
large alphabets (binned data), without the hull of every move.

``engine.bounds.loss`` computes the whole curve eps -> L(eps, q) from every atom's upper concave hull over all of
its moves (docs/design.md, "The exact loss of a rule"). At one budget only the hull segments whose slope is
near the optimal multiplier matter, and a far move is never on them. Precisely, with v = l(target) per move,
v_0(a) the atom's best value at cost 0 (its stay, or a free move) and

.. math::
    g(\\lambda) = \\lambda \\varepsilon + \\sum_a \\mu(a) \\max_{a \\to c} [v(c) - \\lambda\\,\\text{cost}(a \\to c)],
    \\qquad L(\\varepsilon, q) = \\min_{\\lambda \\ge 0} g(\\lambda)

(Gao & Kleywegt, arXiv 1604.02199, Thm 1), a move with v - lambda_0 cost < v_0(a) is beaten by the atom's free
move at every lambda >= lambda_0. So on the kept moves K(lambda_0) = {v - lambda_0 cost >= v_0(a)} the function
g_K equals g on [lambda_0, inf), and g_K <= g everywhere. If the minimiser of g_K (the left slope of the exact
curve L_K(., q) at eps, from the hull sweep on K alone) is at least lambda_0, then

    L(eps, q) <= g(s) = g_K(s) = L_K(eps, q) <= L(eps, q),

so the sweep on K gives L(eps, q) exactly. Otherwise lambda_0 shrinks (K grows) and the test is repeated; after
``TRIES`` tries the sweep over every move decides. Past saturation (every atom can afford its best move:
sum_a mu(a) c_best(a) <= eps, c_best the cheapest cost of the atom's largest value) L = sum_a mu(a) max v.

With the solver's multiplier as the hint (lambda_0 = half of it) the first try nearly always passes: at small
budgets on fine bins lambda is large and K holds a few moves per atom.
"""

from __future__ import annotations

import numpy as np

from engine.bounds.hulls import HULL_TABLE_WIDTH, hull_segments
from engine.bounds.loss import budget_curve
from engine.core.moves import Moves

TRIES = 4        # halvings of lambda_0 by SHRINK before the sweep over every move
SHRINK = 8.0


def grouped(moves: Moves, values: np.ndarray, reduce) -> np.ndarray:
    """``reduce`` (np.maximum or np.minimum) of ``values`` over each atom's moves (every atom has a stay)."""
    atoms = len(moves.atom_mass)
    if _sorted(moves):
        starts = np.flatnonzero(np.r_[True, moves.source[1:] != moves.source[:-1]])
        return reduce.reduceat(values, starts)
    out = np.full(atoms, -np.inf if reduce is np.maximum else np.inf)
    reduce.at(out, moves.source, values)
    return out


def _sorted(moves: Moves) -> bool:
    """Are the moves laid out atom after atom (as ``every_move`` builds them), every atom present?"""
    s = moves.source
    return len(s) > 0 and s[0] == 0 and s[-1] == len(moves.atom_mass) - 1 and bool(np.all(np.diff(s) >= 0))


def local_loss_at(moves: Moves, ell: np.ndarray, eps: float, hint: float | None) -> float:
    """L(eps, q) at one budget eps > 0 of a budget kind, exactly (module docstring); ``ell`` = -log q per cell,
    ``hint`` a guess of the optimal multiplier (the solver's lambda), or None for the sweep over every move."""
    return local_loss_slope(moves, ell, eps, hint)[0]


def local_loss_slope(moves: Moves, ell: np.ndarray, eps: float, hint: float | None) -> tuple[float, float]:
    """``local_loss_at`` and the left slope of eps -> L(eps, q) there: the multiplier of the rule's best response
    (0 past saturation, nan where the loss is infinite)."""
    v = ell[moves.target]
    if not np.all(np.isfinite(v)):  # a reachable q = 0: inf, as the sweep over every move says
        return float(budget_curve(moves, ell)(np.array([eps]))[0]), np.nan
    mass = moves.atom_mass
    free = np.where(moves.cost <= 0, v, -np.inf)
    v0 = grouped(moves, free, np.maximum)
    best = grouped(moves, v, np.maximum)
    c_best = grouped(moves, np.where(v >= best[moves.source], moves.cost, np.inf), np.minimum)
    if float(np.dot(mass, c_best)) <= eps:
        return float(np.dot(mass, best)), 0.0
    lam0 = 0.5 * float(hint) if hint is not None and np.isfinite(hint) and hint > 0 else 0.0
    for _ in range(TRIES if lam0 > 0 else 0):
        keep = v - lam0 * moves.cost >= v0[moves.source]
        value, slope = _sweep(moves.source[keep], moves.cost[keep], v[keep], mass, eps)
        if slope >= lam0:
            return value, slope
        lam0 /= SHRINK
    return _sweep(moves.source, moves.cost, v, mass, eps)


def _sweep(source, cost, v, mass, eps: float) -> tuple[float, float]:
    """The hull sweep of ``engine.bounds.loss`` on the given moves: L(eps) and the curve's left slope at eps."""
    atom, start, segment_atom, width, rise = segments(source, cost, v, len(mass))
    base = float(np.dot(mass[atom], start))
    if not len(width):
        return base, 0.0
    slope = rise / width
    rank = np.argsort(-slope, kind="stable")
    w = (mass[segment_atom] * width)[rank]
    breaks = np.concatenate(([0.0], np.cumsum(w)))
    values = np.concatenate(([0.0], np.cumsum((mass[segment_atom] * rise)[rank])))
    k = int(np.searchsorted(breaks, eps, side="left"))  # eps in (breaks[k-1], breaks[k]]
    left = float(slope[rank][k - 1]) if 0 < k <= len(w) else 0.0
    return base + float(np.interp(eps, breaks, values)), left


def segments(source, cost, v, atoms: int):
    """``hull_segments`` on the points that can be hull vertices at all: each atom's points whose value beats every
    cheaper one (the staircase's corners, found for every atom at once), so that the hulls are almost always built
    by the vectorised table (few corners per atom), not by the one-by-one scan of wide atoms."""
    order = np.lexsort((-v, cost, source))
    s, c, val = source[order], cost[order], v[order]
    counts = np.bincount(s, minlength=atoms)
    width = int(counts.max(initial=0))
    if width > HULL_TABLE_WIDTH:
        slot = np.arange(len(s)) - np.concatenate(([0], np.cumsum(counts)[:-1]))[s]
        table = np.full((atoms, width), -np.inf)
        table[s, slot] = val
        before = np.concatenate((np.full((atoms, 1), -np.inf), np.maximum.accumulate(table, axis=1)[:, :-1]), axis=1)
        corner = val > before[s, slot]
        s, c, val = s[corner], c[corner], val[corner]
        if int(np.bincount(s, minlength=atoms).max(initial=0)) > HULL_TABLE_WIDTH:
            return _split(s, c, val, atoms)
    return hull_segments(s, c, val, atoms)


def _split(source, cost, v, atoms: int):
    """``hull_segments`` for the atoms with at most HULL_TABLE_WIDTH corners, ``wide_segments`` for the others."""
    wide = np.bincount(source, minlength=atoms) > HULL_TABLE_WIDTH
    narrow = ~wide[source]
    parts = [hull_segments(source[narrow], cost[narrow], v[narrow], atoms),
             wide_segments(source[~narrow], cost[~narrow], v[~narrow], atoms)]
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(5))


def wide_segments(source, cost, v, atoms: int, chunk: int = 1 << 22):
    """The upper hulls of staircase corners (strictly increasing cost and value within each atom, sorted), all
    compared pairwise at once as ``engine.bounds.hulls.upper_hulls`` does for narrow atoms: a corner j is a vertex
    iff min over i < j of slope(i, j) > max over l > j of slope(j, l). Same output as ``hull_segments``."""
    ids, first = np.unique(source, return_index=True)
    counts = np.diff(np.r_[first, len(source)])
    width = int(counts.max(initial=1))
    slot = np.arange(len(source)) - np.repeat(first, counts)
    row = np.repeat(np.arange(len(ids)), counts)
    C = np.full((len(ids), width), np.nan)
    V = np.full((len(ids), width), np.nan)
    C[row, slot], V[row, slot] = cost, v
    vertex = np.zeros(C.shape, bool)
    later = np.triu(np.ones((width, width), bool), 1)
    step = max(1, chunk // (width * width))
    for lo in range(0, len(ids), step):
        c_, v_ = C[lo:lo + step], V[lo:lo + step]
        valid = ~np.isnan(c_)
        both = valid[:, :, None] & valid[:, None, :] & later
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (v_[:, None, :] - v_[:, :, None]) / (c_[:, None, :] - c_[:, :, None])
        into = np.where(both, slope, np.inf).min(axis=1)
        out = np.where(both, slope, -np.inf).max(axis=2)
        vertex[lo:lo + step] = valid & (into > out)
    idx = np.flatnonzero(vertex)
    r = idx // width
    pair = np.flatnonzero(r[1:] == r[:-1])
    left, right = idx[pair], idx[pair + 1]
    return ids, V[:, 0], ids[r[pair]], C.flat[right] - C.flat[left], V.flat[right] - V.flat[left]
