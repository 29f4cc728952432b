"""Tukey (halfspace) depth and the Tukey median in the plane: the notes' "all 1-d projections" estimator (seeds/004,
"Data Poisoning"; Tukey 1975; Rousseeuw and Ruts, "Bivariate location depth", Appl. Stat. 1996).

**Depth.** For a point x and a sample S of n points in R^2,

.. math::
    \\mathrm{depth}(x; S) = \\min_{|v| = 1}\\; \\#\\{y \\in S : v \\cdot y \\ge v \\cdot x\\},

the fewest sample points in a closed halfplane containing x (the notes: "the worst case over all 1-d projections of
the fewest points to the left or right"). Exactly: the points equal to x are in every such halfplane; the others,
seen from x at angles a_i, fill a closed half-circle of directions iff they miss the open opposite one, so depth =
#{y = x} + N - (the most angles in an open half-circle), and that maximum is max_i #{j : (a_j - a_i) mod 2 pi in
[0, pi)}: one sort per point, O(n log n). Exact for points in general position (no two sample points on a line
through x on opposite sides, where the float angles decide).

**Depth regions.** D_k = {x : depth(x) >= k} is the convex polygon where every closed halfplane bounded by a line
through two sample points and holding at least n - k + 1 of them (the two on the line counted) meets (Rousseeuw and
Ruts' ISODEPTH), computed exactly with scipy.spatial.HalfspaceIntersection from an interior point found by linear
programming (scipy.optimize.linprog, the largest inscribed disc). D_1 is the convex hull; the deepest non-empty one
holds the **Tukey median**, its centroid. Its breakdown point is at least 1/3 in the plane (every sample has a point
of depth >= n/3, the centerpoint theorem), while the mean breaks down with one point. The pairs make it O(n^2)
halfplanes per level: small samples only (MAX_POINTS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.spatial import HalfspaceIntersection

from engine.context.robust_statistics import check_fraction, check_samples, corrupted_count
from engine.core.checks import check_real, check_seed
from engine.errors import ProblemError

MAX_POINTS = 200  # sample size for the exact regions: 2 n (n - 1) halfplanes per level
MAX_QUERIES = 1_000_000
EXACT = "exact"


def check_points(points, what: str = "points", most: int | None = None) -> np.ndarray:
    """An m-by-2 array of finite numbers (m >= 1, and <= ``most``)."""
    try:
        x = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(f"{what} must be an array of (x, y) pairs of numbers.") from None
    if x.ndim == 1 and x.size == 2:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ProblemError(f"{what} must be an m-by-2 array of (x, y) pairs; got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ProblemError(f"{what} must be finite numbers.")
    if most is not None and len(x) > most:
        raise ProblemError(f"{what} may hold at most {most} points; got {len(x)}.")
    return x


def tukey_depth(queries, sample) -> np.ndarray:
    """The exact halfspace depth of each query point (rows) in the sample (rows), as integers."""
    q = check_points(queries, "queries", most=MAX_QUERIES)
    s = check_points(sample, "sample", most=MAX_POINTS)
    out = np.empty(len(q), dtype=int)
    rows = max(1, 4_000_000 // (len(s) ** 2))
    for start in range(0, len(q), rows):
        out[start:start + rows] = _depth(q[start:start + rows], s)
    return out


def _depth(q: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``tukey_depth`` on a block of queries: n - the most directions in an open half-circle (module docstring)."""
    diff = s[None, :, :] - q[:, None, :]
    same = np.all(diff == 0, axis=2)  # m x n: sample points equal to the query, in every halfplane
    angle = np.arctan2(diff[..., 1], diff[..., 0])
    gap = np.mod(angle[:, None, :] - angle[:, :, None], 2 * math.pi)  # [m, i, j]: from direction i to j, turning left
    inside = (gap < math.pi) & ~same[:, None, :]
    count = np.where(same, 0, inside.sum(axis=2))  # the half-open half-circle [a_i, a_i + pi), for real directions
    return len(s) - count.max(axis=1)


@dataclass(frozen=True, eq=False)
class DepthRegions:
    """The exact depth regions D_1 (the convex hull) ... D_kmax of a sample, as polygons (vertices in order, counter-
    clockwise; a region with no interior is its inscribed-disc centre alone), the Tukey median (the centroid of the
    deepest region) and its depth."""

    sample: np.ndarray
    depths: tuple[int, ...]
    polygons: tuple[np.ndarray, ...]
    median: np.ndarray
    max_depth: int

    @property
    def value(self) -> np.ndarray:
        return self.median

    @property
    def status(self) -> str:
        return EXACT


def _halfplanes(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every line through two sample points, both sides: rows (a, b, c) meaning a x + b y + c <= 0, and how many
    sample points each closed halfplane holds."""
    n = len(s)
    i, j = np.triu_indices(n, k=1)
    p, r = s[i], s[j]
    normal = np.column_stack([r[:, 1] - p[:, 1], p[:, 0] - r[:, 0]])  # perpendicular to r - p
    keep = np.any(normal != 0, axis=1)  # two equal points span no line
    normal, p = normal[keep], p[keep]
    side = (s @ normal.T) - np.sum(normal * p, axis=1)  # n x lines: > 0 on the normal's side
    scale = np.abs(normal).sum(axis=1) * (np.abs(s).max() + 1.0)
    on = np.abs(side) <= 1e-12 * scale
    below = ((side < 0) | on).sum(axis=0)
    above = ((side > 0) | on).sum(axis=0)
    c = -np.sum(normal * p, axis=1)
    rows = np.concatenate([np.column_stack([normal, c]), np.column_stack([-normal, -c])])  # {n.x + c <= 0}, {>= 0}
    return rows, np.concatenate([below, above])


def _polygon(rows: np.ndarray) -> np.ndarray | None:
    """The intersection of the halfplanes a x + b y + c <= 0 (rows): its vertices counter-clockwise, the centre of
    its largest inscribed disc when it has no interior, None when it is empty."""
    norm = np.linalg.norm(rows[:, :2], axis=1)
    a = np.column_stack([rows[:, :2], norm])  # a.x + |a| r <= -c: the disc of radius r around x inside
    res = linprog(c=[0, 0, -1], A_ub=a, b_ub=-rows[:, 2], bounds=[(None, None), (None, None), (0, None)],
                  method="highs")
    if res.status != 0:
        return None
    centre, radius = res.x[:2], res.x[2]
    if radius <= 1e-9 * (1 + np.abs(centre).max()):
        return centre[None, :]
    hull = HalfspaceIntersection(rows, centre)
    v = hull.intersections
    order = np.argsort(np.arctan2(v[:, 1] - centre[1], v[:, 0] - centre[0]))
    return _dedupe(v[order])


def _dedupe(v: np.ndarray) -> np.ndarray:
    """Drop repeated vertices (qhull reports a vertex once per pair of its lines)."""
    keep = [0]
    for i in range(1, len(v)):
        if np.linalg.norm(v[i] - v[keep[-1]]) > 1e-12 * (1 + np.abs(v).max()):
            keep.append(i)
    if len(keep) > 1 and np.linalg.norm(v[keep[0]] - v[keep[-1]]) <= 1e-12 * (1 + np.abs(v).max()):
        keep.pop()
    return v[keep]


def _centroid(v: np.ndarray) -> np.ndarray:
    """The centroid of a polygon (shoelace), of a segment or of a point."""
    if len(v) < 3:
        return v.mean(axis=0)
    x, y = v[:, 0], v[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2
    if abs(area) <= 1e-15 * (1 + np.abs(v).max()) ** 2:
        return v.mean(axis=0)
    return np.array([((x + xn) * cross).sum(), ((y + yn) * cross).sum()]) / (6 * area)


def depth_regions(sample) -> DepthRegions:
    """The exact depth regions and the Tukey median of a small sample in the plane (module docstring)."""
    s = check_points(sample, "sample", most=MAX_POINTS)
    n = len(s)
    if n < 3 or np.linalg.matrix_rank(s - s.mean(axis=0)) < 2:
        raise ProblemError(f"The depth regions need at least 3 points not all on one line; got {n} points.")
    rows, counts = _halfplanes(s)
    depths, polygons = [], []
    for k in range(1, n // 2 + 2):
        poly = _polygon(rows[counts >= n - k + 1])
        if poly is None:
            break
        depths.append(k)
        polygons.append(poly)
    median = _centroid(polygons[-1])
    return DepthRegions(sample=s, depths=tuple(depths), polygons=tuple(polygons), median=median,
                        max_depth=depths[-1])


@dataclass(frozen=True, eq=False)
class PlaneStudy:
    """n draws of N(0, I_2) (numpy.random.default_rng(seed)), the first k = floor(eps n) replaced by a bump at distance
    ``shift`` along (1, 1) / sqrt(2): the sample, its depth regions and Tukey median, its mean and coordinate-wise
    median, and each one's distance from the true centre 0."""

    n: int
    eps: float
    k: int
    shift: float
    seed: int
    sample: np.ndarray
    regions: DepthRegions
    mean: np.ndarray
    coordinate_median: np.ndarray

    @property
    def errors(self) -> dict:
        """{"tukey", "mean", "median"}: |estimate|_2."""
        return {"tukey": float(np.linalg.norm(self.regions.median)), "mean": float(np.linalg.norm(self.mean)),
                "median": float(np.linalg.norm(self.coordinate_median))}

    @property
    def value(self) -> np.ndarray:
        return self.regions.median

    @property
    def status(self) -> str:
        return EXACT


def plane_study(n, eps, shift, *, seed: int = 0) -> PlaneStudy:
    """The Tukey median against the mean in the plane, under a bump (``PlaneStudy``); n from 3 to MAX_POINTS."""
    n = check_samples(n)
    if not 3 <= n <= MAX_POINTS:
        raise ProblemError(f"n must be between 3 and {MAX_POINTS} for the exact depth regions; got {n}.")
    eps, shift, seed = check_fraction(eps), check_real(shift, "shift"), check_seed(seed)
    x = np.random.default_rng(seed).standard_normal((n, 2))
    k = corrupted_count(n, eps)
    x[:k] = shift / math.sqrt(2)
    return PlaneStudy(n=n, eps=eps, k=k, shift=shift, seed=seed, sample=x, regions=depth_regions(x),
                      mean=x.mean(axis=0), coordinate_median=np.median(x, axis=0))
