"""engine.solvers.error_columns: the robust 0-1 error LP by column generation gives the full LP's optimum (HiGHS on
every move, engine.solvers.error_lp) at every budget of a grid, on binned data."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.analyses import robust_error as module
from engine.core.moves import every_move
from engine.solvers.error_columns import ColumnLP
from engine.solvers.error_lp import ErrorLP


@pytest.mark.parametrize("cost", ["l2", "sql2"])
def test_column_generation_equals_the_full_lp(cost):
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=12, cost=cost)
    moves = every_move(p)
    columns, full = ColumnLP(moves), ErrorLP(moves)
    for eps in (0.0, 0.01, 0.1, 0.4, 2.0):
        a, b = columns.solve(eps), full.solve(eps)
        value_a, value_b = error(moves, a.plan), error(moves, b.plan)
        assert value_a == pytest.approx(value_b, abs=1e-9)
        assert a.plan.shape == b.plan.shape and np.all(a.plan >= -1e-12)
    assert columns.columns.sum() < len(moves.cost) / 2  # it needed a fraction of the columns


def error(moves, plan) -> float:
    """1 - sum_x' max_y nu(x', y) of a plan's table."""
    nu = np.bincount(moves.target, plan, minlength=moves.n * moves.m).reshape(moves.n, moves.m)
    return 1.0 - float(nu.max(axis=1).sum())


def test_robust_error_uses_it_on_large_alphabets_with_the_same_answer(monkeypatch):
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=20, cost="l2")
    eps = [0.0, 0.05, 0.3]
    module.clear_cache()
    fast = engine.robust_error(p, eps)
    monkeypatch.setattr(module, "COLUMNS_MIN_MOVES", 10**9)
    module.clear_cache()
    slow = engine.robust_error(p, eps)
    module.clear_cache()
    assert fast.status == slow.status == "verified"
    np.testing.assert_allclose(fast.value, slow.value, atol=1e-9)
