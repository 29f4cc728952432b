"""engine.core.moves: what "within the budget" means (LIMIT_SLACK, a relative 1e-12), tested at the boundary.

Two feature values, one label each, at a custom distance d; under the max kind at eps = 1 the attacker may pool
them (h* = log 2) exactly when the move is allowed, i.e. when d <= 1 + 1e-12; otherwise nothing moves (h* = 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine
from engine.core.moves import LIMIT_SLACK, allowed_moves


def two_points(d: float, constraint: str = "max"):
    mu = np.array([[0.5, 0.0], [0.0, 0.5]])
    return engine.Problem.from_arrays(mu, metric=np.array([[0.0, d], [d, 0.0]]), constraint=constraint)


def test_the_slack_is_a_relative_1e_12():
    assert LIMIT_SLACK == 1e-12


@pytest.mark.parametrize("d, inside", [(1.0, True), (1 + 4e-13, True), (1 + 1e-12, True), (1 + 2e-12, False),
                                       (1 - 1e-15, True)])
def test_a_move_is_within_eps_up_to_the_slack(d, inside):
    p = two_points(d)
    moves = allowed_moves(p, 1.0)
    assert (len(moves.cost) == 4) == inside  # two stays, and the two cross moves when inside
    h = engine.worst_case(p, 1.0)
    assert h.status == "verified"
    assert h.value == pytest.approx(math.log(2) if inside else 0.0, abs=1e-7)


def test_the_slack_scales_with_eps():
    """The slack is relative: at eps = 1e-6 a distance of 1e-6 (1 + 4e-13) is inside, 1e-6 (1 + 2e-12) is not."""
    assert len(allowed_moves(two_points(1e-6 * (1 + 4e-13)), 1e-6).cost) == 4
    assert len(allowed_moves(two_points(1e-6 * (1 + 2e-12)), 1e-6).cost) == 2


def test_budget_kinds_charge_the_cost_instead():
    """The expected kind allows every move at eps > 0 and charges its cost to the budget: no boundary there."""
    for d in (1 + 4e-13, 1 + 2e-12):
        assert len(allowed_moves(two_points(d, "expected"), 1.0).cost) == 4
