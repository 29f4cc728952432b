"""Upper concave hulls of many small point sets at once: the geometry of the exact-loss sweep.

For an atom a with points (cost(a -> c), l(c)) over its moves, its best loss as a function of the cost it may
spend is the staircase max{l_j : c_j <= c}, and the knapsack of ``engine.bounds.loss`` needs the least concave
majorant of that staircase: the upper concave hull from the cheapest best point to the overall best one.
"""

from __future__ import annotations

import numpy as np

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
