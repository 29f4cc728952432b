"""The aggregated optimality system of ``engine.bounds.rule_accuracy`` at 200 bits, for a Krawczyk ball that floats
cannot give (issue 13).

The system (module docstring of ``rule_accuracy``), in y = (T, log W, lambda), with the exact kappas of the forest:

    class s:      log sum_{j in s} exp(-(T_k(j) + lambda kappa_j)) = 0
    component k:  log sum_{j in k} W_s(j) exp(-(T_k + lambda kappa_j)) = log mu(k)
    budget:       log( sum_j W_s(j) exp(-(T_k(j) + lambda kappa_j)) kappa_j - sum_a mu(a) kappa(a) ) = log eps

Floats fail it in two ways that are not the problem's. The budget's left side is a difference of O(1) terms when a
component holds two heavy atoms at different kappas, so that at eps = 1e-6 its rounding alone is 1e-10 of the
equation; and where two classes of rows differ only in the last bits of their kappas (the two-Gaussian preset,
joint kind, eps 0.3) the Jacobian has a condition number near 1/u, so the float inverse does not contract. Here
every term is evaluated with mpmath at ``PREC`` bits (masses and kappas enter exactly: both are floats or integers
over a power of two), Newton refines the float zero, and the Krawczyk test runs with the 200-bit inverse, its
rounding bounded by ``SLACK`` units in the last place of each term's magnitude. The ball is then moved back to the
float point nearest its centre: the radius grows by that rounding.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from engine.bounds.support import contracting_radius

PREC = 200          # bits (about 60 digits)
SLACK = 2.0 ** -150  # relative rounding allowed per term (2^50 units in the last place at PREC bits)
STEPS = 8           # Newton steps at PREC bits at most
# mpmath's LU says "numerically singular" (ZeroDivisionError) or, for some exactly singular matrices, fails inside
# its pivoting (TypeError on a missing pivot row)
SINGULAR = (ZeroDivisionError, TypeError, ValueError)
MAX_DIM = 40        # larger systems are not tried (a 25-unknown system takes about 0.2 s, growing as its cube)


class PreciseSystem:
    """The system above for ``rule_accuracy.prove``: terms j with component ``tk``, class ``ts`` and exact kappa
    ``kx[j] / 2^shift``; atoms with masses ``mass``, components ``comp`` and exact kappas ``akx``."""

    def __init__(self, K, S, active, eps, tk, ts, kx, shift, mass, comp, akx):
        self.K, self.S, self.active = K, S, bool(active)
        self.dim = K + S + int(self.active)
        self.tk, self.ts = [int(v) for v in tk], [int(v) for v in ts]
        with mp.workprec(PREC):
            unit = mp.mpf(2) ** -shift
            self.kap = [mp.mpf(int(v)) * unit for v in kx]
            self.mass_k = [mp.mpf(0)] * K
            for w, k in zip(mass, comp, strict=True):
                self.mass_k[int(k)] += mp.mpf(float(w))
            atom_terms = [mp.mpf(float(w)) * mp.mpf(int(x)) * unit for w, x in zip(mass, akx, strict=True)]
            self.const_B = sum(atom_terms, mp.mpf(0))  # sum_a mu(a) kappa(a), exact (0 when inactive: akx = 0)
            self.abs_B = sum((abs(v) for v in atom_terms), mp.mpf(0))
            self.log_eps = mp.log(mp.mpf(float(eps))) if self.active else mp.mpf(0)

    def evaluate(self, y):
        """F(y), J(y), the rounding allowance of each equation and the budget's numerator (None if it is <= 0)."""
        K, S, dim = self.K, self.S, self.dim
        T, om = y[:K], y[K:K + S]
        la = y[K + S] if self.active else mp.mpf(0)
        eR = [-T[k] - la * c for k, c in zip(self.tk, self.kap, strict=True)]
        eM = [om[s] + e for s, e in zip(self.ts, eR, strict=True)]
        xR, xM = [mp.exp(e) for e in eR], [mp.exp(e) for e in eM]
        sR, sM = [mp.mpf(0)] * S, [mp.mpf(0)] * K
        for j, (k, s) in enumerate(zip(self.tk, self.ts, strict=True)):
            sR[s] += xR[j]
            sM[k] += xM[j]
        F = [mp.log(v) for v in sR] + [mp.log(sM[k]) - mp.log(self.mass_k[k]) for k in range(K)]
        J = mp.zeros(dim, dim)
        terms = len(self.tk) + 4
        big = max([abs(e) for e in eR + eM] + [mp.mpf(1)])
        rho = [SLACK * terms * big] * S + [SLACK * terms * (big + abs(mp.log(self.mass_k[k]))) for k in range(K)]
        for j, (k, s) in enumerate(zip(self.tk, self.ts, strict=True)):
            wR, wM = xR[j] / sR[s], xM[j] / sM[k]
            J[s, k] -= wR
            J[S + k, k] -= wM
            J[S + k, K + s] += wM
            if self.active:
                J[s, K + S] -= wR * self.kap[j]
                J[S + k, K + S] -= wM * self.kap[j]
        B = None
        if self.active:
            B = sum(v * c for v, c in zip(xM, self.kap, strict=True)) - self.const_B
            if not B > 0:
                return None
            F.append(mp.log(B) - self.log_eps)
            scale = sum(abs(v * c) for v, c in zip(xM, self.kap, strict=True)) + self.abs_B
            rho.append(SLACK * terms * (1 + big) * (1 + scale / B + abs(self.log_eps)))
            for j, (k, s) in enumerate(zip(self.tk, self.ts, strict=True)):
                g = xM[j] * self.kap[j] / B
                J[S + K, k] -= g
                J[S + K, K + s] += g
                J[S + K, K + S] -= g * self.kap[j]
        return mp.matrix(F), J, rho, B

    def ball(self, y_float, lipschitz):
        """(y, r): the float point nearest the zero and a radius r (max norm) of a ball around it holding exactly one
        zero; None when Newton or the test fails. ``lipschitz(r, B, centre)`` bounds sup ||J(y) - J(y0)|| on a
        ball of radius r (B: the budget's numerator at the centre, a float; centre: its float point)."""
        if self.dim > MAX_DIM:
            return None
        try:
            return self._ball(y_float, lipschitz)
        except SINGULAR:
            return None

    def _ball(self, y_float, lipschitz):
        with mp.workprec(PREC):
            y = mp.matrix([mp.mpf(float(v)) for v in y_float])
            for _ in range(STEPS):
                out = self.evaluate(y)
                if out is None:
                    return None
                F, J, rho, B = out
                if max(abs(v) for v in F) <= max(rho):
                    break
                y = y - mp.lu_solve(J, F)
            out = self.evaluate(y)
            if out is None:
                return None
            F, J, rho, B = out
            X = mp.inverse(J)
            n = self.dim
            absX = [[abs(X[i, j]) for j in range(n)] for i in range(n)]
            normX = max(sum(row) for row in absX)
            R = mp.eye(n) - X * J
            Jmax = max(abs(J[i, j]) for i in range(n) for j in range(n))
            # J itself is computed: the true J(y0) is within SLACK n max|J| of it entry by entry
            E = max(sum(abs(R[i, j]) for j in range(n)) for i in range(n)) + normX * SLACK * n * n * Jmax
            XF = X * F
            xf = max(abs(XF[i]) + sum(absX[i][j] * (abs(F[j]) * SLACK + rho[j]) for j in range(n)) for i in range(n))
            E, normX, xf = float(E) * (1 + 1e-12) + 1e-300, float(normX) * (1 + 1e-12), float(xf) * (1 + 1e-12)
            centre = np.array([float(v) for v in y])
            moved = max(float(abs(y[i] - mp.mpf(centre[i]))) for i in range(n))
            Bf = float(B) if B is not None else None
        if not (math.isfinite(normX) and math.isfinite(xf)):
            return None
        r = contracting_radius(E, normX, xf, lambda r: lipschitz(r, Bf, centre))
        return None if r is None else (centre, (r + moved) * (1 + 1e-9) + 1e-300)
