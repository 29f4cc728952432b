"""The saddle point in one conic solve: problem (15), canonicalised for Clarabel by hand.

Definition (docs/design.md, "Computing (15)"): over plans gamma >= 0 on the allowed moves,

.. math::
    h^* = \\max_{\\gamma} \\sum_{x', y'} -N(x', y') \\log \\frac{N(x', y')}{N_X(x')}
    \\quad \\text{s.t.} \\quad \\sum_{c} \\gamma(a \\to c) = \\mu(a), \\quad
    N(c) = \\sum_{a} \\gamma(a \\to c), \\quad N_X(x') = \\sum_{y'} N(x', y'), \\quad
    \\sum \\gamma \\, \\text{cost} \\le \\varepsilon,

with the budget only for the ``expected`` and ``joint`` kinds. Each term is an exponential cone
(tau_c, N(c), N_X(x')) in K_exp = cl{(r, s, t): s e^{r/s} <= t}, i.e. tau_c <= -N log(N / N_X). N and N_X are
explicit variables tied by equalities (measured 6x faster than substituting them).

The robust rule comes from the same solve. Stationarity of the Lagrangian in N(c) and in each move gives,
with alpha_c the multiplier of the equality N(c) = sum gamma and t_a that of atom a's marginal,

    alpha_c - lambda cost(a -> c) <= t_a for every move, with equality where gamma > 0,

which is the dual program (13) of docs/design.md with u = -log q = alpha: q(c) = exp(-alpha_c), normalised on
each row x' (Corollary 1 where N_X(x') > 0; the dual fixes it on the other rows too). Each half is then
certified on its own (``engine.bounds``), so a solver's inaccuracy can never pass silently.

Clarabel's form is min c'z s.t. A z + s = b, s in K, with z = [gamma, N, N_X, tau].
"""

from __future__ import annotations

from dataclasses import dataclass

import clarabel
import numpy as np
import scipy.sparse as sp

from engine.core.moves import Moves
from engine.core.rules import rule_from_potentials

# Feasibility tolerance 1e-9 (Clarabel's default is 1e-8): the certificate needs the plan and the rule's
# potentials accurate to about 1e-7 nats, and at the default the first attempt often stopped at a gap of
# 2e-6 and paid for a second and third solve. Iterative refinement costs more than it gains on the first try.
FAST = {"direct_solve_method": "qdldl", "iterative_refinement_enable": False,
        "tol_feas": 1e-9, "tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9}
STEADY = {"direct_solve_method": "qdldl", "max_step_fraction": 0.9, "max_iter": 400,
          "tol_feas": 1e-9, "tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9}
CAREFUL = {
    "direct_solve_method": "faer", "max_step_fraction": 0.8, "max_iter": 600, "tol_gap_abs": 1e-10,
    "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "iterative_refinement_max_iter": 20,
}
TIME_LIMIT_SECONDS = 120.0
SCALE_FLOOR = 1e-10
GOOD_STATUSES = ("Solved", "AlmostSolved")


@dataclass(frozen=True, eq=False)
class RawSaddle:
    """A solver's answer before certification: plan mass per move, rule q, multiplier, status."""

    plan: np.ndarray | None
    q: np.ndarray | None
    multiplier: float | None
    status: str
    method: str


def budget_scale(moves: Moves, eps: float) -> float:
    """The budget row is divided by eps, so that the solver's tolerances are relative to the budget, but
    never by less than SCALE_FLOOR times the largest cost: a tiny eps must not wreck the matrix's scaling."""
    largest = float(moves.cost.max()) if len(moves.cost) else 0.0
    return 1.0 / max(eps, SCALE_FLOOR * largest, 1e-300)


class _Rows:
    """Accumulates the triplets of a sparse matrix row block by row block."""

    def __init__(self):
        self.count, self.rows, self.cols, self.vals = 0, [], [], []

    def block(self, size: int) -> int:
        start, self.count = self.count, self.count + size
        return start

    def put(self, rows, cols, vals):
        rows, cols = np.atleast_1d(rows), np.atleast_1d(cols)
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape))

    def matrix(self, ncols: int) -> sp.csc_matrix:
        data = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return sp.csc_matrix(data, shape=(self.count, ncols))


def build_program(moves: Moves, eps: float):
    """The data (c, A, b, cones) of (15) in Clarabel's form, and where each variable and row sits."""
    reach = moves.reachable
    r_of_move = np.searchsorted(reach, moves.target)
    rows_x, k_of_r = np.unique(reach // moves.m, return_inverse=True)
    M, R, K, n_atoms = len(moves.cost), len(reach), len(rows_x), len(moves.atom_mass)
    g, N, NX, tau = 0, M, M + R, M + R + K
    moves_idx, r_idx = np.arange(M), np.arange(R)

    A = _Rows()
    marg = A.block(n_atoms)  # zero cone: each atom's moves carry its mass
    A.put(marg + moves.source, g + moves_idx, 1.0)
    ndef = A.block(R)  # zero cone: N(c) - sum gamma = 0
    A.put(ndef + r_idx, N + r_idx, 1.0)
    A.put(ndef + r_of_move, g + moves_idx, -1.0)
    xdef = A.block(K)  # zero cone: N_X(x') - sum_c N(c) = 0
    A.put(xdef + np.arange(K), NX + np.arange(K), 1.0)
    A.put(xdef + k_of_r, N + r_idx, -1.0)
    n_zero = A.count
    sign = A.block(M)  # non-negative: gamma >= 0
    A.put(sign + moves_idx, g + moves_idx, -1.0)
    if moves.budget:
        budget = A.block(1)  # non-negative: (eps - sum gamma cost) * scale >= 0
        A.put(np.full(M, budget), g + moves_idx, moves.cost * budget_scale(moves, eps))
    n_nonneg = A.count - n_zero
    cone = A.block(3 * R) + 3 * r_idx  # (tau, N, N_X) in K_exp
    A.put(cone, tau + r_idx, -1.0)
    A.put(cone + 1, N + r_idx, -1.0)
    A.put(cone + 2, NX + k_of_r, -1.0)

    b = np.zeros(A.count)
    b[marg:marg + n_atoms] = moves.atom_mass
    if moves.budget:
        b[budget] = eps * budget_scale(moves, eps)
    c = np.zeros(tau + R)
    c[tau:] = -1.0
    cones = [clarabel.ZeroConeT(n_zero), clarabel.NonnegativeConeT(n_nonneg)] + [clarabel.ExponentialConeT()] * R
    layout = {
        "reach": reach, "plan": slice(g, g + M), "alpha": slice(ndef, ndef + R),
        "budget": budget if moves.budget else None,
    }
    return c, A.matrix(tau + R), b, cones, layout


def solve_saddle_clarabel(moves: Moves, eps: float, options: dict = FAST, method: str = "clarabel") -> RawSaddle:
    """Solve (15) with Clarabel; the rule is read off the multipliers of N = sum gamma."""
    c, A, b, cones, layout = build_program(moves, eps)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.time_limit = TIME_LIMIT_SECONDS
    for name, value in options.items():
        setattr(settings, name, value)
    solution = clarabel.DefaultSolver(sp.csc_matrix((len(c), len(c))), c, A, b, cones, settings).solve()
    status = str(solution.status)
    if status not in GOOD_STATUSES:
        return RawSaddle(None, None, None, status, method)
    x, z = np.asarray(solution.x), np.asarray(solution.z)
    q = rule_from_potentials(moves, layout["reach"], z[layout["alpha"]])
    lam = None if layout["budget"] is None else max(float(z[layout["budget"]]), 0.0) * budget_scale(moves, eps)
    return RawSaddle(x[layout["plan"]], q, lam, status, method)
