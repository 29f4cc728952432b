"""The robust 0-1 error as one sparse linear program, built once per problem and re-solved along an eps grid.

docs/design.md, "Robust accuracy": over randomised rules q the expected 0-1 loss E_nu[1 - q(Y|X')] is bilinear
in (q, nu) on convex compact sets, so the minimax argument of Theorem 1 applies and

.. math::
    e^*(\\varepsilon) = \\min_q \\max_{\\nu \\in D(\\varepsilon)} E_\\nu[1 - q(Y|X')]
      = \\max_{\\nu \\in D(\\varepsilon)} \\Big(1 - \\sum_{x'} \\max_y \\nu(x', y)\\Big).

Over the plan gamma on the allowed moves a -> c (``engine.moves``: atom a = (x, y) with mu(a) > 0, cell
c = (x', y')) and epigraph variables t_{x'} (free), the LP solved here is

.. math::
    \\min_{\\gamma \\ge 0,\\ t} \\sum_{x'} t_{x'} \\quad \\text{s.t.} \\quad
      \\sum_{c} \\gamma_{a \\to c} = \\mu(a) \\ (\\phi_a), \\qquad
      \\sum_{a} \\gamma_{a \\to (x', y)} - t_{x'} \\le 0 \\ (q(y|x') \\ge 0), \\qquad
      \\sum \\gamma \\cdot \\text{cost} \\le \\varepsilon \\ (\\lambda \\ge 0),

and e* = 1 - its value. There is an epigraph row for every cell of X x Y, reachable or not, so that the
stationarity of the free t_{x'} reads sum_y q(y|x') = 1 on every x': the row duals *are* a randomised rule on
all of X, and the dual program is

.. math::
    \\min_{q, \\lambda \\ge 0} \\lambda \\varepsilon
      + \\sum_{a} \\mu(a) \\max_{a \\to c} [1 - q(c) - \\lambda\\,\\text{cost}],

the Gao-Kleywegt dual (arXiv 1604.02199, Thm 1) of the rule's worst-case error with the loss l = 1 - q. The
``max`` kind has no budget row; its eps only opens columns (moves with d(x, x') <= eps).

Along the grid only bounds change (the budget row's right-hand side; the columns a ``max`` ball or a zero
budget closes get upper bound 0), so HiGHS's dual simplex restarts from the previous basis (``highspy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.core.moves import Moves
from engine.solvers.capture import solver_output

TOLERANCE = 1e-10  # HiGHS's primal and dual feasibility tolerances (its defaults are 1e-7)
SIMPLEX_CHOOSE, SIMPLEX_DUAL = 0, 1  # HiGHS's simplex_strategy values


@dataclass(frozen=True, eq=False)
class RawError:
    """One LP answer: the plan on the widest moves, the rule from the duals, the budget's lambda."""

    plan: np.ndarray | None
    q: np.ndarray | None
    multiplier: float | None
    status: str


def error_matrix(moves: Moves) -> sp.csc_array:
    """The constraint matrix: atom rows, then the n*m epigraph rows, then (budget kinds) the budget row.

    Columns: one per move, then t_{x'} for each x'.
    """
    k, atoms, cells = len(moves.cost), len(moves.atom_mass), moves.n * moves.m
    cols = np.arange(k)
    rows = [moves.source, atoms + moves.target, atoms + np.arange(cells)]
    cols_ = [cols, cols, k + np.arange(cells) // moves.m]
    vals = [np.ones(k), np.ones(k), -np.ones(cells)]
    if moves.budget:
        rows.append(np.full(k, atoms + cells))
        cols_.append(cols)
        vals.append(moves.cost)
    shape = (atoms + cells + int(moves.budget), k + moves.n)
    return sp.coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols_))), shape=shape).tocsc()


def _new_highs():
    """A silent highspy.Highs. HiGHS prints its copyright banner to stdout from the constructor, before any option
    can be set: constructing it inside ``solver_output`` logs the banner instead (``engine.solvers.capture``), so
    that ``--json`` output stays JSON."""
    import highspy

    with solver_output("HiGHS"):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", TOLERANCE)
    h.setOptionValue("dual_feasibility_tolerance", TOLERANCE)
    h.setOptionValue("presolve", "off")  # re-solves start from the last basis; presolve would discard it
    h.setOptionValue("threads", 1)
    return h


class ErrorLP:
    """The LP of the module docstring over ``moves`` (the widest move set of a grid), kept in one HiGHS
    instance; ``solve(eps, open_moves)`` re-solves it from the last basis. Not thread-safe: one per call."""

    def __init__(self, moves: Moves):
        import highspy

        self.moves = moves
        self.k = len(moves.cost)
        A = error_matrix(moves)
        atoms, cells = len(moves.atom_mass), moves.n * moves.m
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
        lp.col_cost_ = np.concatenate((np.zeros(self.k), np.ones(moves.n)))
        lp.col_lower_ = np.concatenate((np.zeros(self.k), np.full(moves.n, -inf)))
        lp.col_upper_ = np.full(A.shape[1], inf)
        lower = np.concatenate((moves.atom_mass, np.full(cells, -inf), [-inf] * moves.budget))
        upper = np.concatenate((moves.atom_mass, np.zeros(cells), [0.0] * moves.budget))
        lp.row_lower_, lp.row_upper_ = lower, upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
        self.h = _new_highs()
        self.h.setOptionValue("simplex_strategy", SIMPLEX_DUAL if moves.budget else SIMPLEX_CHOOSE)
        self.h.passModel(lp)
        self._cells = atoms + np.arange(cells)
        self._budget_row = atoms + cells if moves.budget else None
        self._open = np.ones(self.k, bool)
        self._inf = inf

    def solve(self, eps: float, open_moves: np.ndarray | None = None) -> RawError:
        """Re-solve at budget eps with only ``open_moves`` (a mask over the widest moves; None: all) allowed.

        A budget kind keeps every column open, even at eps = 0 (where the budget row alone stops the costly
        moves): along the grid only its right-hand side grows, which keeps the last basis dual feasible, the
        case for the dual simplex. The ``max`` kind opens columns instead, which keeps the last basis primal
        feasible: HiGHS then chooses its simplex variant itself (measured 6x faster than forcing the dual
        simplex, 2x faster than forcing the primal one, on a 50x10 problem over 41 budgets).
        """
        import highspy

        changed = np.flatnonzero(open_moves != self._open) if open_moves is not None else ()
        if len(changed):
            upper = np.where(open_moves[changed], self._inf, 0.0)
            self.h.changeColsBounds(len(changed), changed.astype(np.int32), np.zeros(len(changed)), upper)
            self._open = open_moves.copy()
        if self._budget_row is not None:
            self.h.changeRowBounds(self._budget_row, -self._inf, float(eps))
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return RawError(None, None, None, self.h.modelStatusToString(status))
        solution = self.h.getSolution()
        x = np.asarray(solution.col_value)
        y = np.asarray(solution.row_dual)
        # HiGHS's row duals are d(objective)/d(right-hand side): <= 0 on the active <= rows of a minimisation.
        q = -y[self._cells].reshape(self.moves.n, self.moves.m)
        lam = None if self._budget_row is None else max(-float(y[self._budget_row]), 0.0)
        return RawError(x[: self.k], q, lam, "optimal")


def solve_error_linprog(moves: Moves, eps: float) -> RawError:
    """The same LP on ``moves`` alone, built afresh for scipy's HiGHS (interior point, then crossover); the
    budget row is divided by eps so that HiGHS's absolute tolerances are relative to it."""
    from scipy.optimize import linprog

    A = error_matrix(moves).tocsr()
    atoms, cells = len(moves.atom_mass), moves.n * moves.m
    c = np.concatenate((np.zeros(len(moves.cost)), np.ones(moves.n)))
    A_eq, b_eq = A[:atoms], moves.atom_mass
    A_ub, b_ub = A[atoms:], np.zeros(cells + int(moves.budget))
    if moves.budget:
        scale = 1.0 / eps if eps > 0 else 1.0
        A_ub = sp.vstack((A_ub[:cells], A_ub[cells:] * scale)).tocsr()
        b_ub[cells] = eps * scale
    bounds = np.column_stack((np.concatenate((np.zeros(len(moves.cost)), np.full(moves.n, -np.inf))),
                              np.full(len(c), np.inf)))
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs-ipm",
                  options={"primal_feasibility_tolerance": TOLERANCE, "dual_feasibility_tolerance": TOLERANCE})
    if res.status != 0 or res.x is None:
        return RawError(None, None, None, res.message)
    marginals = np.asarray(res.ineqlin.marginals)
    q = -marginals[:cells].reshape(moves.n, moves.m)
    lam = max(-float(marginals[cells]) * (1.0 / eps if eps > 0 else 1.0), 0.0) if moves.budget else None
    return RawError(res.x[: len(moves.cost)], q, lam, "optimal")


new_highs = _new_highs  # the public name (engine.solvers.error_columns builds its own LP on it)
