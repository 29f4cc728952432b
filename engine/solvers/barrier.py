"""The central path of (15) on a few candidate moves, to find the support of an optimal plan (issue 13).

An interior-point solver's plan is accurate to its tolerance in absolute terms, so for an atom of mass 1e-12 it
does not say which moves carry mass. The central path does: for mu > 0 it solves, on the candidate moves C,

.. math::
    u(c) - \\lambda\\,\\text{cost}(a \\to c) - t(a) + \\mu\\,\\frac{\\mu(a)}{\\gamma(a \\to c)} = 0, \\qquad
    \\sum_c \\gamma(a \\to c) = \\mu(a), \\qquad B + s = \\varepsilon, \\quad \\lambda s = \\mu \\varepsilon

(u = -log nu(y'|x'), B = sum gamma cost, s the unspent budget; the last two only for budget kinds), the
optimality conditions of (15) with a barrier mu mu(a) log gamma on every move, weighted by its atom's mass so
that it acts on relative masses. The unknowns are logs (log gamma, t, log lambda, log s), so every mass and both
of lambda and s stay positive. As mu -> 0 the moves off the support carry gamma ~ mu mu(a) / |their slack|
(docs/design.md, "The dual program"), and one of lambda, s vanishes: the support and the budget's activity
separate from the rest by orders of magnitude. ``engine.solvers.polish`` then solves the support's equations
exactly and proves the result (``engine.bounds.rule_accuracy``).

**The Newton step** (``newton_step``). The Jacobian's block in log gamma is dense wherever moves share a target
row or cell: with R (move -> its target row x'), T (move -> its target cell (x', y')) and Gamma = diag(gamma),

.. math::
    J_{gg} = R\\,\\mathrm{diag}(1/N_X)\\,R^\\top\\Gamma - T\\,\\mathrm{diag}(1/N)\\,T^\\top\\Gamma
             - \\mathrm{diag}(\\text{bar}),

a diagonal plus a term of rank rows + cells. The step solves the equivalent sparse system with w_1 =
diag(1/N_X) R^T Gamma dg and w_2 = diag(1/N) T^T Gamma dg as unknowns (entries gamma/N_X and gamma/N in (0, 1],
so no mass scale enters), O(k) non-zeros instead of k^2 (SuperLU, ``ORDERING``). A singular sparse system falls
back to the dense least-squares step. ``benchmarks/bench_barrier.py`` times both ways side by side.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from engine.core.moves import Moves

MU_WARM, MU_COLD, MU_END, MU_FACTOR = 1e-8, 1e-1, 1e-22, 1e-2  # the path: warm start, cold start, end, step
MAX_STEP = 8.0   # largest change of any unknown in one Newton step
CENTRED = 1e-11  # Newton stops when max |F| is below this
LOST = 1e-9      # ... and the path is lost when it cannot get below this
# SuperLU's column ordering for the step's system, whose pattern is symmetric: on figure 2's joint table (622
# unknowns) it left 11,706 non-zeros in L + U and took 1.3 ms, against 142,170 and 9.4 ms for the default COLAMD.
ORDERING = "MMD_AT_PLUS_A"


class Barrier:
    """The central path's equations (module docstring) on the candidate moves C of ``moves``."""

    def __init__(self, moves: Moves, eps: float, C):
        self.moves, self.eps, self.C = moves, eps, np.asarray(C)
        self.src, self.tgt, self.cost = moves.source[self.C], moves.target[self.C], moves.cost[self.C]
        self.row = self.tgt // moves.m
        self.A, self.k = len(moves.atom_mass), len(self.C)
        self.budget = bool(moves.budget)
        self.size = self.k + self.A + 2 * int(self.budget)
        self.logmass = np.log(moves.atom_mass[self.src])
        # the target rows and cells the candidates reach, numbered 0.. (the unknowns w_1, w_2 of the step)
        self.rows, self.row_of = np.unique(self.row, return_inverse=True)
        self.cells, self.cell_of = np.unique(self.tgt, return_inverse=True)

    def evaluate(self, z: np.ndarray, mu: float, jacobian: bool = True):
        """F(z) and, if asked, its Jacobian; z = (log gamma on C, t, log lambda, log s)."""
        mv, k, A = self.moves, self.k, self.A
        g, t = z[:k], z[k:k + A]
        lam = float(np.exp(z[k + A])) if self.budget else 0.0
        gam = np.exp(g)
        N = np.bincount(self.tgt, gam, minlength=mv.n * mv.m)
        NX = np.bincount(self.row, gam, minlength=mv.n)
        carried = np.bincount(self.src, gam, minlength=A)
        bar = mu * np.exp(self.logmass - g)
        u = np.log(NX[self.row]) - np.log(N[self.tgt])
        parts = [u - lam * self.cost - t[self.src] + bar, np.log(carried) - np.log(mv.atom_mass)]
        if self.budget:
            B = float(np.dot(gam, self.cost))
            slack = float(np.exp(z[k + A + 1]))
            parts.append(np.array([np.log(B + slack) - np.log(self.eps),
                                   z[k + A] + z[k + A + 1] - np.log(mu) - np.log(self.eps)]))
        F = np.concatenate(parts)
        if not jacobian:
            return F
        J = np.zeros((self.size, self.size))
        J[:k, :k] = (self.row[:, None] == self.row[None, :]) * (gam[None, :] / NX[self.row][:, None]) \
            - (self.tgt[:, None] == self.tgt[None, :]) * (gam[None, :] / N[self.tgt][:, None])
        J[np.arange(k), np.arange(k)] -= bar
        J[np.arange(k), k + self.src] = -1.0
        J[k + self.src, np.arange(k)] = gam / carried[self.src]
        if self.budget:
            J[:k, k + A] = -lam * self.cost
            J[k + A, :k] = gam * self.cost / (B + slack)
            J[k + A, k + A + 1] = slack / (B + slack)
            J[k + A + 1, k + A] = 1.0
            J[k + A + 1, k + A + 1] = 1.0
        return F, J

    def newton_step(self, z: np.ndarray, mu: float, F: np.ndarray) -> np.ndarray:
        """dz with J(z) dz = -F, from the sparse system of the module docstring (the dense J's least-squares step
        when that system is singular)."""
        k, A = self.k, self.A
        g = z[:k]
        gam = np.exp(g)
        NX = np.bincount(self.row_of, gam, minlength=len(self.rows))
        N = np.bincount(self.cell_of, gam, minlength=len(self.cells))
        carried = np.bincount(self.src, gam, minlength=A)
        bar = mu * np.exp(self.logmass - g)
        nr, nc = len(self.rows), len(self.cells)
        ow, oc = self.size, self.size + nr  # where w_1 and w_2 start, after z's own unknowns
        size = oc + nc
        i = np.arange(k)
        rows = [i, i, i, i, k + self.src, ow + self.row_of, oc + self.cell_of, ow + np.arange(nr), oc + np.arange(nc)]
        cols = [i, ow + self.row_of, oc + self.cell_of, k + self.src, i, i, i, ow + np.arange(nr), oc + np.arange(nc)]
        vals = [-bar, np.ones(k), -np.ones(k), -np.ones(k), gam / carried[self.src], gam / NX[self.row_of],
                gam / N[self.cell_of], -np.ones(nr), -np.ones(nc)]
        if self.budget:
            lam = float(np.exp(z[k + A]))
            B = float(np.dot(gam, self.cost))
            slack = float(np.exp(z[k + A + 1]))
            rows += [i, np.full(k, k + A), np.array([k + A, k + A + 1, k + A + 1])]
            cols += [np.full(k, k + A), i, np.array([k + A + 1, k + A, k + A + 1])]
            vals += [-lam * self.cost, gam * self.cost / (B + slack), np.array([slack / (B + slack), 1.0, 1.0])]
        M = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))
        rhs = np.concatenate([-F, np.zeros(nr + nc)])
        with warnings.catch_warnings():
            warnings.simplefilter("error", MatrixRankWarning)
            try:
                dz = spsolve(M, rhs, permc_spec=ORDERING)[:self.size]
                if np.all(np.isfinite(dz)):
                    return dz
            except MatrixRankWarning:
                pass
        _, J = self.evaluate(z, mu)
        return np.linalg.lstsq(J, -F, rcond=None)[0]

    def start(self, plan: np.ndarray, q: np.ndarray, lam: float, mu: float) -> np.ndarray:
        """A start from a solver's plan (floored at 1e-6 of each atom's mass, exact marginals) and rule (t from its
        brackets), with lambda s = mu eps."""
        mv = self.moves
        mass = mv.atom_mass[self.src]
        gam = np.maximum(np.asarray(plan, float)[self.C], 1e-6 * mass)
        gam = gam * mass / np.bincount(self.src, gam, minlength=self.A)[self.src]
        with np.errstate(divide="ignore"):
            u = -np.log(np.asarray(q, float).ravel())
        lam0 = max(float(lam or 0.0), 1e-9) if self.budget else 0.0
        t = np.full(self.A, -np.inf)
        np.maximum.at(t, self.src, u[self.tgt] - lam0 * self.cost)
        t = np.where(np.isfinite(t), t, 0.0)
        extra = []
        if self.budget:
            slack = max(self.eps - float(np.dot(gam, self.cost)), 1e-3 * self.eps)
            extra = [np.array([np.log(mu) + np.log(self.eps) - np.log(slack), np.log(slack)])]
        return np.concatenate([np.log(gam), t] + extra)

    def centre(self, z: np.ndarray, mu: float):
        """Damped Newton on the path's equations at one mu; returns (z, steps, max |F|)."""
        norm, steps = np.inf, 0
        for _ in range(25):
            F = self.evaluate(z, mu, jacobian=False)
            norm = float(np.max(np.abs(F)))
            if norm < CENTRED:
                break
            dz = self.newton_step(z, mu, F)
            big = float(np.max(np.abs(dz)))
            if big > MAX_STEP:
                dz *= MAX_STEP / big
            step, merit = 1.0, float(np.dot(F, F))
            for _ in range(40):
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    Ft = self.evaluate(z + step * dz, mu, jacobian=False)
                if np.all(np.isfinite(Ft)) and float(np.dot(Ft, Ft)) < merit:
                    break
                step /= 2
            else:
                break
            z = z + step * dz
            steps += 1
        return z, steps, norm

    def follow(self, z: np.ndarray, mu_start: float):
        """The path from mu_start to MU_END, shrinking mu by MU_FACTOR while Newton keeps up and by less when it
        does not; returns (z, Newton steps, whether it got to the end)."""
        z, steps, norm = self.centre(z, mu_start)
        if not norm <= LOST:
            return z, steps, False
        mu, factor = mu_start, MU_FACTOR
        while mu > MU_END:
            trial = max(mu * factor, MU_END)
            zt, k, norm = self.centre(z, trial)
            steps += k
            if norm <= LOST:
                z, mu, factor = zt, trial, max(factor * factor, MU_FACTOR)
            else:
                factor = np.sqrt(factor)
                if factor > 0.7:
                    return z, steps, False
        return z, steps, True

    def solve(self, plan: np.ndarray, q: np.ndarray, lam: float):
        """(support move indices, their flows, lambda, budget binds?, Newton steps): warm from the solver's answer,
        or cold from a wide barrier when the warm path is lost."""
        z, steps = None, 0
        for mu0 in (MU_WARM, MU_COLD):
            z, k, ok = self.follow(self.start(plan, q, lam, mu0), mu0)
            steps += k
            if ok:
                break
        g = z[:self.k]
        lam_b = float(np.exp(z[self.k + self.A])) if self.budget else 0.0
        active = self.budget and lam_b * self.eps > float(np.exp(z[-1]))
        keep = g - self.logmass > np.log(SUPPORT_FLOOR)
        return self.C[keep], np.exp(g[keep]), (lam_b if active else 0.0), active, steps


SUPPORT_FLOOR = 1e-14  # at the path's end a move is in the support when it carries this fraction of its atom's mass
