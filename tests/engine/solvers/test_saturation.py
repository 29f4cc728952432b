"""engine.solvers.saturation: h* at its ceiling log m, proven in rational arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import engine
from engine.analyses.tradeoff import tradeoff_grid
from engine.core.moves import allowed_moves
from engine.solvers.chain import saddle_at
from engine.solvers.saturation import saturated


def balanced(extra_row: bool = False):
    """Two rows, one label each; at eps = 1 (max kind) each row can send half its mass to the other: every row
    uniform, h* = log 2 exactly. With ``extra_row`` an empty row at x = 10 that no move reaches."""
    mu = np.array([[0.5, 0.0], [0.0, 0.5]] + ([[0.0, 0.0]] if extra_row else []))
    return engine.Problem.from_arrays(mu, positions=[0.0, 1.0] + ([10.0] if extra_row else []), metric="abs",
                                      constraint="max")


def test_an_exactly_saturated_problem_has_the_uniform_rule_proven_to_rounding():
    p = balanced()
    s = saddle_at(p, 1.0)
    assert s.status == "verified" and s.rule_error <= 1e-14
    assert np.all(s.q == 0.5) and s.free_rows == ()
    assert s.certificate.lower == pytest.approx(math.log(2), abs=1e-15)


def test_a_row_no_move_reaches_is_free():
    p = balanced(extra_row=True)
    s = saddle_at(p, 1.0)
    assert s.rule_error <= 1e-14 and s.free_rows == (2,)
    assert np.all(s.rule_floor[2] == 0.0) and np.all(np.isnan(s.rule_floor[:2]))


def test_masses_that_miss_balance_by_1e_19_are_still_proven():
    """Two Gaussians, max kind, eps 1 to 2: the float masses of the two labels differ by 4.9e-19 exactly, so no
    plan makes every row exactly uniform and h* falls short of log 2 by ~1e-30; the Newton proof had no
    nondegenerate vertex (11 rules unproven). The deficit bound proves the uniform rule to 1e-14."""
    p = engine.load_preset("two-gaussians", constraint="max")
    totals = [sum(Fraction(float(v)) for v in p.mu[:, y]) for y in range(2)]
    assert totals[0] != totals[1] and abs(float(totals[0] - totals[1])) < 1e-18
    for eps in (1.0, 1.5, 2.0):
        s = saddle_at(p, eps)
        assert s.status == "verified" and s.rule_error < 1e-13, (eps, s.message)
        assert np.all(s.q == 0.5)


def test_off_budget_losses_of_a_saturated_rule_are_exact():
    """The uniform rule loses exactly log 2 under any attack: every grid entry of its column is log 2 within its
    (proven, tiny) bounds."""
    p = engine.load_preset("two-gaussians", constraint="max")
    g = tradeoff_grid(p, [1.5], [0.0, 0.5, 1.5, 3.0])
    assert np.all(np.abs(g.loss[:, 0] - math.log(2)) < 1e-12)
    assert np.all(g.loss_status[:, 0] == "verified")
    assert np.all(g.loss_upper[:, 0] - g.loss_lower[:, 0] < 1e-12)


def test_it_declines_below_the_ceiling():
    """Figure 2 at 0.5 is far from log 2: no uniform plan within the budget, no claim."""
    p = engine.load_preset("figure2")
    assert saturated(allowed_moves(p, 0.5), 0.5) is None
