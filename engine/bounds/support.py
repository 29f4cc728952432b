"""The support of an optimal plan of (15) as a graph, and Krawczyk's existence test (issue 13).

The moves carrying mass in a saddle point form a bipartite graph between atoms (x, y) and cells (x', y'). On an
exact saddle point every such move is tight, u(c) - lambda cost(a -> c) = t(a) (docs/design.md, "The dual
program"), so along a spanning forest of the graph the potentials are, in each component k,

    t(a) = T_k + lambda kappa(a),   u(c) = T_k + lambda kappa(c),   kappa(c) - kappa(a) = cost(a -> c) on the forest,

with kappa a signed sum of the forest's costs from the component's root atom. ``Forest`` builds it heaviest moves
first and keeps kappa both in floats and exactly (as integers: every float cost is an integer multiple of one power
of two, 2^-K), so that a move closing a cycle, or any move between two nodes of one component, has the exact slack
lambda K with K = kappa(c) - kappa(a) - cost, decided without rounding.

``krawczyk`` proves that a square system has exactly one zero in a max-norm ball around a numerical solution.
"""

from __future__ import annotations

import numpy as np

UNIT = np.finfo(float).eps / 2


def gamma_k(k: int) -> float:
    """gamma_k = k u / (1 - k u), the classical bound on the rounding of a k-term sum or dot product (Higham)."""
    return k * UNIT / (1 - k * UNIT)


class Forest:
    """Heaviest-first spanning forest of the support (nodes: atoms 0..A-1, cells A + c), components rooted at atoms.

    ``tree[i]``: move P[i] is a forest edge; ``comp[v]``: v's component (-1 for cells off the support);
    ``kf[v]`` / ``kx[v]``: kappa in floats / exactly (an integer, in units of 2^-``shift``: ``exact(cost)``
    converts a cost, ``to_float`` converts back); ``order``: the nodes parents first; ``up[v]``: the index in P
    of the edge to v's parent (-1 at a root); ``K``: the number of components.
    """

    def __init__(self, moves, P, gam):
        A, nm = len(moves.atom_mass), moves.n * moves.m
        self.A = A
        parent = np.arange(A + nm)

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        src, tgt, cost = moves.source[P], moves.target[P], moves.cost[P]
        positive = moves.cost[moves.cost > 0]
        self.shift = max(0, 53 - int(np.frexp(positive)[1].min())) if len(positive) else 0
        self.tree = np.zeros(len(P), bool)
        adj = [[] for _ in range(A + nm)]
        for i in np.argsort(-gam, kind="stable"):
            a, c = int(src[i]), A + int(tgt[i])
            ra, rc = find(a), find(c)
            if ra != rc:
                parent[ra] = rc
                self.tree[i] = True
                adj[a].append((c, i, 1))
                adj[c].append((a, i, -1))
        self.comp = np.full(A + nm, -1)
        self.order, self.up = [], np.full(A + nm, -1)  # BFS order; the tree edge (index into P) to the parent
        self.kf = np.zeros(A + nm)
        self.kx: list = [None] * (A + nm)
        roots = []
        for a in np.argsort(-moves.atom_mass, kind="stable"):  # each component rooted at its heaviest atom
            a = int(a)
            if self.comp[a] >= 0:
                continue
            k = len(roots)
            roots.append(a)
            self.comp[a], self.kx[a] = k, 0
            stack = [a]
            while stack:
                v = stack.pop()
                self.order.append(v)
                for nb, i, sign in adj[v]:
                    if self.comp[nb] < 0:
                        self.comp[nb] = k
                        self.up[nb] = i
                        self.kf[nb] = self.kf[v] + sign * cost[i]
                        self.kx[nb] = self.kx[v] + sign * self.exact(cost[i])
                        stack.append(nb)
        self.K = len(roots)
        for v in self.order:  # the float kappa: the exact one, rounded once
            self.kf[v] = self.to_float(self.kx[v])

    def exact(self, cost) -> int:
        """A float cost as the exact integer cost * 2^shift (every move's cost of the problem is one)."""
        num, den = float(cost).as_integer_ratio()
        return num << (self.shift - den.bit_length() + 1)

    def to_float(self, value: int) -> float:
        """An exact kappa back in floats (rounded)."""
        return value / (1 << self.shift)


def krawczyk(F, J, rho, lipschitz):
    """Radius r of a max-norm ball around y0 holding exactly one zero of the map (None if none is found).

    F = F(y0) as computed, J = J(y0), rho >= |F_exact(y0) - F| (rounding), lipschitz(r) >= sup ||J(y) - J(y0)||
    on the ball. With X ~ J^-1, T(y) = y - X F(y) maps the ball into itself and contracts when
    ||X F|| + (||I - X J|| + ||X|| lipschitz(r)) r <= r and the bracket is < 1: T has one fixed point, and since
    ||I - X J|| < 1 makes X nonsingular, it is the only zero of F in the ball (Krawczyk; Moore 1977)."""
    k = len(F)
    try:
        X = np.linalg.inv(J)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(X)):
        return None
    absX = np.abs(X)
    normX = float(absX.sum(axis=1).max())
    E = float(np.abs(np.eye(k) - X @ J).sum(axis=1).max())
    E += gamma_k(k + 2) * float((absX @ np.abs(J)).sum(axis=1).max())
    XF = float(np.max(np.abs(X @ F) + absX @ (gamma_k(k + 2) * np.abs(F) + rho)))
    return contracting_radius(E, normX, XF, lipschitz)


def contracting_radius(E: float, normX: float, XF: float, lipschitz) -> float | None:
    """The radius r of ``krawczyk``'s test from its bounds E >= ||I - X J||, normX >= ||X|| and XF >= ||X F|| (plus
    their rounding): the least r it finds with XF + (E + normX lipschitz(r)) r <= r and the bracket < 1, or None."""
    if not E < 0.5:
        return None
    r = XF / (1 - E) + 1e-300
    for _ in range(5):
        kap = E + normX * lipschitz(r)
        if not kap < 1:
            return None
        r = XF / (1 - kap) * (1 + 1e-9) + 1e-300
    kap = E + normX * lipschitz(r)
    return r if kap < 1 and XF + kap * r <= r else None


