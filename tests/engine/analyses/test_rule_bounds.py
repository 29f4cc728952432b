"""engine.analyses.rule_bounds: non-uniqueness detected on a constructed example, and the range of the off-budget
loss over every minimax rule checked against minimax rules built here.

The example: two feature values with mass at positions 0 and 1 and an empty one at 3 (squared cost). For small
budgets no worst case moves mass to x = 3, so (13) leaves q*(.|3) free above a floor: every pmf q >= floor there is
minimax (its exact loss is h*), one below it is not.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.analyses.tradeoff import tradeoff_grid

EPS_RULE = 0.1
ATTACKS = np.array([0.0, 0.1, 0.5, 2.0, 8.0])


@pytest.fixture(scope="module")
def far_row():
    mu = np.array([[0.4, 0.1], [0.1, 0.4], [0.0, 0.0]])
    return engine.Problem.from_arrays(mu, positions=[0.0, 1.0, 3.0], metric="squared", constraint="expected")


def test_the_rule_is_not_unique_where_no_worst_case_reaches(far_row):
    r = engine.robust_rule(far_row, EPS_RULE)
    w = engine.worst_case(far_row, EPS_RULE)
    assert w.nu[2].sum() == 0 and r.free_rows == (2,) and not r.unique
    assert r.uniqueness.startswith("The robust rule is not unique at x = 3")
    assert "c-transform" in r.uniqueness
    assert np.all(r.rule_floor[2] > 0) and r.rule_floor[2].sum() < 1 and np.all(r.q[2] >= r.rule_floor[2])
    assert np.all(np.isnan(r.rule_floor[:2]))
    assert engine.clean_vs_robust(far_row, EPS_RULE).uniqueness == r.uniqueness


def test_a_unique_rule_says_nothing():
    r = engine.robust_rule(engine.load_preset("figure2"), 0.5)
    assert r.unique and r.uniqueness == ""
    assert r.rule_floor is None or np.all(np.isnan(r.rule_floor))


def minimax_alternative(r, label):
    """The minimax rule that puts all of row 2's spare mass on ``label``."""
    q = r.q.copy()
    q[2] = r.rule_floor[2].copy()
    q[2, label] += 1.0 - q[2].sum()
    return q


@pytest.mark.parametrize("label", [0, 1])
def test_every_minimax_rule_stays_in_the_range(far_row, label):
    r = engine.robust_rule(far_row, EPS_RULE)
    h = engine.worst_case(far_row, EPS_RULE).certificate
    q = minimax_alternative(r, label)
    assert engine.rule_loss(far_row, q, EPS_RULE) <= h.upper + 1e-9  # it is minimax too
    g = tradeoff_grid(far_row, [EPS_RULE], ATTACKS)
    low, high = g.minimax_lower[:, 0], g.minimax_upper[:, 0]
    for loss in (engine.rule_loss(far_row, q, ATTACKS), g.loss[:, 0]):
        assert np.all(low - 1e-9 <= loss) and np.all(loss <= high + 1e-9)
    assert np.ptp(engine.rule_loss(far_row, minimax_alternative(r, 0), ATTACKS)
                  - engine.rule_loss(far_row, minimax_alternative(r, 1), ATTACKS)) > 0.1  # the choice matters
    assert "not unique at x = 3" in g.notes[0]


def test_below_the_floor_a_rule_is_not_minimax(far_row):
    r = engine.robust_rule(far_row, EPS_RULE)
    h = engine.worst_case(far_row, EPS_RULE).certificate
    q = r.q.copy()
    q[2] = [0.5 * r.rule_floor[2, 0], 1.0 - 0.5 * r.rule_floor[2, 0]]
    assert engine.rule_loss(far_row, q, EPS_RULE) > h.upper + 1e-6


def test_unproven_rules_give_honest_open_intervals():
    """Where nothing is proven the losses lie in [h*(eps_attack), inf), never in a made-up interval. Every preset
    rule is proven now (test_ties.py; the last, two Gaussians, joint kind, eps 0.3, by the 200-bit ball), so the
    example is a Hypothesis draw (benchmarks/survey_rules.py): masses of 8e-13 and 8e-10 beside 0.78 at eps 1e-12,
    where the central path's support gives a system floats cannot prove and its float Newton does not converge.
    (The binary source's kink at exactly 0.3 is proven since the ceiling's second-rule certificate: its row 2 is
    free, test_saturation.py.)"""
    mu = np.array([[8.081116643126669e-10, 0.7819440493325507], [0.21805594985852952, 8.081116643126668e-13]])
    p = engine.Problem.from_arrays(mu, positions=[0.0, 0.5], labels=["1", "2"], metric="abs", constraint="expected")
    g = tradeoff_grid(p, [1e-12], ATTACKS)
    assert not np.isfinite(g.rule_error[0])
    np.testing.assert_allclose(g.loss_lower[:, 0], g.h_star)
    assert np.all(np.isinf(g.loss_upper[:, 0])) and np.all(g.loss_status[:, 0] == "approximate")
