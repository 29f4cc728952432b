"""engine.solvers.barrier: the sparse Newton step equals the dense one (J dz = -F with the whole Jacobian), on
random tables of every constraint kind, masses down to 1e-12 and zeros included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from strategies import examples, instances

import engine
from engine.core.moves import allowed_moves
from engine.solvers.barrier import MU_COLD, MU_WARM, Barrier
from engine.solvers.chain import saddle_at
from engine.solvers.polish import candidates


def barrier_at(p: engine.Problem, eps: float):
    s = saddle_at(p, eps)
    moves = allowed_moves(p, eps)
    C = candidates(moves, s.plan, s.q, s.multiplier or 0.0)
    return Barrier(moves, eps, C), s


def assert_steps_agree(b: Barrier, z: np.ndarray, mu: float):
    """The sparse step solves the whole J dz = -F as well as numpy's dense solve does (residuals in J's scale)."""
    F, J = b.evaluate(z, mu)
    dense = np.linalg.solve(J, -F)
    sparse = b.newton_step(z, mu, F)
    scale = float(np.max(np.abs(J).sum(axis=1))) * max(1.0, float(np.max(np.abs(dense)))) + float(np.max(np.abs(F)))
    residual = float(np.max(np.abs(J @ sparse + F)))
    assert residual <= max(100 * float(np.max(np.abs(J @ dense + F))), 1e-12 * scale)
    assert np.allclose(sparse, dense, rtol=1e-5, atol=1e-6 * max(1.0, float(np.max(np.abs(dense)))))


@pytest.mark.parametrize("kind", ["expected", "joint"])
@pytest.mark.parametrize("mu_", [MU_WARM, MU_COLD])
def test_the_step_on_figure_2_equals_the_dense_solve(kind, mu_):
    p = engine.load_preset("figure2", constraint=kind, metric="hamming")
    b, s = barrier_at(p, 0.5)
    assert_steps_agree(b, b.start(s.plan, s.q, s.multiplier, mu_), mu_)


@given(instances())
@settings(max_examples=examples(25))
def test_the_step_on_random_tables_equals_the_dense_solve(case):
    p, eps = case  # every kind: the max kind's moves have no budget row, the others have one
    b, s = barrier_at(p, eps)
    z = b.start(s.plan, s.q, s.multiplier, MU_WARM)
    _, J = b.evaluate(z, MU_WARM)
    assume(np.linalg.cond(J) <= 1e10)  # else the dense solve itself is no reference (none of the ci draws)
    assert_steps_agree(b, z, MU_WARM)
