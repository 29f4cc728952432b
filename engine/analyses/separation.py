"""How far apart the classes of a sample are, and the radius at which the binned problem stops being separable.

**The separation of the samples** (Yang, Rashtchian, Zhang, Salakhutdinov and Chaudhuri, "A Closer Look at
Accuracy vs. Robustness", NeurIPS 2020; seed 003's table): for points x_i with labels y_i and a norm,

    rho = min over pairs with y_i != y_j of ||x_i - x_j||.

For every radius r < rho / 2 the balls of radius r around differently labelled points are disjoint, so the
classifier that gives each ball its point's label (and anything elsewhere) is correct on every sample under every
perturbation of size at most r: a robust memorising classifier exists, and the samples' robust error at radius r
is 0. (At r >= rho / 2 the two closest points can be moved to a common point: no classifier is right on both.)
``separation`` finds rho in l2 and l_inf with a k-d tree per class (scipy.spatial.cKDTree: the nearest point of
every other class to each point), never by comparing all pairs.

**The binned problem's zero-error radius.** Under the ``max`` kind with cost d on the grid (each point moves at
most eps), the optimal robust error e*(eps) of ``engine.robust_error`` is 0 exactly when no cell can receive
mass of two labels: for labels a != b with occupied cells A and B,

    r* = min over a != b, min over cells z of max(d_A(z), d_B(z)),   d_A(z) = min over x in A of d(x, z),

and e*(eps) = 0 for eps < r*, e*(eps) > 0 for eps >= r* (moving both atoms onto the z that attains r* leaves a
cell with two labels). ``zero_error_radius`` computes r* from the cost matrix; with a squared cost the radius
in distance units is its square root.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from engine.errors import ProblemError


@dataclass(frozen=True)
class Separation:
    """The smallest distance between two samples with different labels, in l2 and l_inf, and which pair
    (indices into the points) attains each; 0 when two differently labelled samples coincide."""

    l2: float
    linf: float
    pair_l2: tuple[int, int]
    pair_linf: tuple[int, int]

    @property
    def value(self) -> tuple[float, float]:
        """(rho in l2, rho in l_inf)."""
        return self.l2, self.linf

    @property
    def memorising_radius(self) -> tuple[float, float]:
        """rho / 2 in each norm: below it a robust memorising classifier exists (module docstring)."""
        return self.l2 / 2, self.linf / 2

    def consequence(self, units: str = "standardised units") -> str:
        """The statement, in words."""
        if self.l2 == 0:
            return ("Two samples with different labels coincide, so no classifier is right on both: even without "
                    "an attacker the samples cannot all be classified correctly.")
        return (f"A robust memorising classifier exists for every radius below half the separation: "
                f"{self.l2 / 2:.4g} in l2 and {self.linf / 2:.4g} in l_inf ({units}); it is right on every sample "
                f"under every such perturbation.")


def separation(points, labels) -> Separation:
    """rho in l2 and l_inf of points (N-by-d) with labels (N); at least two labels are needed."""
    x = np.asarray(points, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(labels)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ProblemError("The separation needs samples of at least two labels.")
    best = {2: (np.inf, (-1, -1)), np.inf: (np.inf, (-1, -1))}
    for c in classes[:-1]:  # each unordered pair of classes once: class c against every later one
        inside = np.flatnonzero(y == c)
        others = np.flatnonzero(np.isin(y, classes[classes > c]))
        tree = cKDTree(x[inside])
        for p in best:
            d, k = tree.query(x[others], k=1, p=p)
            j = int(np.argmin(d))
            if d[j] < best[p][0]:
                best[p] = (float(d[j]), tuple(sorted((int(inside[k[j]]), int(others[j])))))
    return Separation(l2=best[2][0], linf=best[np.inf][0], pair_l2=best[2][1], pair_linf=best[np.inf][1])


def zero_error_radius(cost: np.ndarray, mu: np.ndarray) -> float:
    """r* of the module docstring: the smallest max-kind radius at which two labels can meet in one cell
    (0 when a cell already holds two labels)."""
    d = np.asarray(cost, dtype=float)
    occupied = np.asarray(mu) > 0
    labels = np.flatnonzero(occupied.any(axis=0))
    if len(labels) < 2:
        return np.inf
    reach = np.stack([d[occupied[:, a]].min(axis=0) for a in labels])  # d_A(z) for each label, each cell
    best = np.inf
    for i in range(len(labels) - 1):
        best = min(best, float(np.maximum(reach[i][None, :], reach[i + 1:]).min()))
    return best
