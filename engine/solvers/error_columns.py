"""The robust 0-1 error LP by column generation: the LP of ``engine.solvers.error_lp`` on a few of its move columns,
grown by pricing, for large alphabets (binned data: a 20 x 20 grid with 3 labels has up to 480,000 moves).

``error_lp.ErrorLP`` keeps every move as a column. But an optimal plan uses few moves, and on a grid the cheap
moves are local. With the duals of the restricted LP, q(c) >= 0 on every cell row (a randomised rule: every cell
has its row, so the duals are defined on all of X), phi_a on atom a's row and lambda >= 0 on the budget row, a
move a -> c that is not a column has the reduced cost q(c) + lambda cost(a -> c) - phi_a; the restricted optimum is
optimal for the full LP when no move has a negative one, i.e. when (q, lambda) is feasible for the dual

.. math::
    \\max_{q, \\lambda \\ge 0, \\phi} \\sum_a \\mu(a) \\phi_a - \\lambda \\varepsilon \\quad \\text{s.t.} \\quad
    \\phi_a \\le q(c) + \\lambda\\,\\text{cost}(a \\to c) \\text{ on every move}, \\quad \\sum_y q(y|x') = 1.

Pricing is one vectorised pass over every move (the c-transform of q + lambda cost per atom); each atom's
``PER_ATOM`` most negative moves enter, the restricted LP is re-solved from its last basis (new columns start at 0,
so the basis stays primal feasible), and so on until nothing prices in. Along an increasing eps grid only the
budget's right-hand side changes (the basis stays dual feasible) and the columns are kept: each budget starts
where the last one stopped. Nothing here decides correctness: ``engine.analyses.robust_error`` repairs the plan and
prices the rule exactly on every move, as for the full LP.
"""

from __future__ import annotations

import numpy as np

from engine.core.moves import Moves
from engine.solvers.error_lp import RawError, new_highs

NEIGHBOURS = 3        # each atom's cheapest moves (besides its stay) are columns from the start
PER_ATOM = 4          # entering columns per atom and pricing round
TOLERANCE = 1e-10     # a reduced cost below -TOLERANCE prices in
MAX_ROUNDS = 200


class ColumnLP:
    """``ErrorLP``'s interface (``solve(eps, open_moves=None) -> RawError``) by column generation, for a budget
    kind's widest moves (every move open)."""

    def __init__(self, moves: Moves):
        import highspy

        if not moves.budget:
            raise ValueError("column generation is for a budget kind (the max kind opens columns with eps)")
        self.moves, self.highspy = moves, highspy
        atoms, cells = len(moves.atom_mass), moves.n * moves.m
        self.atoms, self.cells = atoms, cells
        order = np.lexsort((moves.cost, moves.source))
        first = np.searchsorted(moves.source[order], np.arange(atoms))
        rank = np.arange(len(order)) - first[moves.source[order]]
        self.columns = np.zeros(len(moves.cost), bool)
        self.columns[order[rank <= NEIGHBOURS]] = True
        self.columns |= moves.is_stay
        self.index = np.full(len(moves.cost), -1)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = moves.n, atoms + cells + 1
        lp.col_cost_ = np.ones(moves.n)
        lp.col_lower_, lp.col_upper_ = np.full(moves.n, -inf), np.full(moves.n, inf)
        lp.row_lower_ = np.concatenate((moves.atom_mass, np.full(cells + 1, -inf)))
        lp.row_upper_ = np.concatenate((moves.atom_mass, np.zeros(cells + 1)))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.arange(0, moves.m * moves.n + 1, moves.m)  # t_x' sits in its m cell rows
        lp.a_matrix_.index_ = atoms + np.arange(cells)
        lp.a_matrix_.value_ = -np.ones(cells)
        self.h = new_highs()
        self.h.passModel(lp)
        self.count = moves.n
        self._add(np.flatnonzero(self.columns))

    def _add(self, moves_idx: np.ndarray) -> None:
        """Append the moves as columns: rows atom, cell and budget, objective 0, bounds [0, inf)."""
        mv, k = self.moves, len(moves_idx)
        if not k:
            return
        rows = np.stack((mv.source[moves_idx], self.atoms + mv.target[moves_idx],
                         np.full(k, self.atoms + self.cells)), axis=1).ravel()
        values = np.stack((np.ones(k), np.ones(k), mv.cost[moves_idx]), axis=1).ravel()
        self.h.addCols(k, np.zeros(k), np.zeros(k), np.full(k, self.highspy.kHighsInf), 3 * k,
                       np.arange(0, 3 * k, 3, dtype=np.int32), rows.astype(np.int32), values)
        self.index[moves_idx] = self.count + np.arange(k)
        self.count += k
        self.columns[moves_idx] = True

    def solve(self, eps: float, open_moves=None) -> RawError:
        """The full LP's optimum at budget eps (module docstring)."""
        hs, mv = self.highspy, self.moves
        self.h.changeRowBounds(self.atoms + self.cells, -hs.kHighsInf, float(eps))
        for _ in range(MAX_ROUNDS):
            self.h.run()
            status = self.h.getModelStatus()
            if status != hs.HighsModelStatus.kOptimal:
                return RawError(None, None, None, self.h.modelStatusToString(status))
            y = np.asarray(self.h.getSolution().row_dual)
            phi = y[:self.atoms]
            q = -y[self.atoms:self.atoms + self.cells]
            lam = max(-float(y[-1]), 0.0)
            reduced = q[mv.target] + lam * mv.cost - phi[mv.source]
            entering = self._entering(reduced)
            if not len(entering):
                break
            self._add(entering)
        x = np.asarray(self.h.getSolution().col_value)
        plan = np.zeros(len(mv.cost))
        plan[self.columns] = x[self.index[self.columns]]
        return RawError(plan, q.reshape(mv.n, mv.m), lam, "optimal")

    def _entering(self, reduced: np.ndarray) -> np.ndarray:
        """Each atom's PER_ATOM most negative reduced costs among the moves not yet columns."""
        candidate = np.flatnonzero((reduced < -TOLERANCE) & ~self.columns)
        if not len(candidate):
            return candidate
        order = np.lexsort((reduced[candidate], self.moves.source[candidate]))
        c = candidate[order]
        src = self.moves.source[c]
        first = np.searchsorted(src, src, side="left")
        return c[np.arange(len(c)) - first < PER_ATOM]
