"""engine.solvers.saturation: h* at its ceiling log m, proven in rational arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from dense_lp import dense_rule_loss
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import engine
from engine.analyses.tradeoff import tradeoff_grid
from engine.core.moves import allowed_moves
from engine.solvers.chain import saddle_at
from engine.solvers.saturation import ceiling, ceiling_rows, saturated, second_rules


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


def test_the_label_fixed_ceiling_is_the_label_entropy():
    """The expected and max kinds keep nu_Y = mu_Y: the ceiling is H(mu_Y) with rows mu_Y (exact column sums), the
    joint kind's log m with uniform rows."""
    p = engine.load_preset("binary-source", constraint="expected")
    cols = [sum(Fraction(float(v)) for v in p.mu[:, y]) for y in range(2)]
    assert ceiling_rows(p) == tuple(c / sum(cols) for c in cols) and sum(ceiling_rows(p)) == 1
    assert ceiling(p) == pytest.approx(-(0.7 * math.log(0.7) + 0.3 * math.log(0.3)), abs=1e-15)
    joint = engine.load_preset("binary-source", constraint="joint")
    assert ceiling(joint) == pytest.approx(math.log(2)) and ceiling_rows(joint) == (Fraction(1, 2), Fraction(1, 2))


@pytest.mark.parametrize("eps", [0.35, 0.5])
def test_past_where_h_reaches_the_label_entropy_the_rule_is_the_label_distribution(eps):
    """Binary source (0.7 and 0.3 on two rows), expected kind: from eps = 0.3 on the attack can make X' independent
    of Y, h* = H(Y) < log 2, and the minimax rule is mu_Y on every row (the filling plan pins both)."""
    p = engine.load_preset("binary-source", constraint="expected")
    s = saddle_at(p, eps)
    assert s.status == "verified" and s.rule_error < 1e-12, s.message
    np.testing.assert_allclose(s.q, np.tile(p.mu.sum(axis=0), (p.n, 1)), rtol=1e-12)
    assert s.free_rows == ()


def test_where_h_first_reaches_log_m_the_filling_plan_pins_every_row():
    """Uniform 5-ary, expected kind, eps 0.8: the least-cost uniform-row plan sends every atom into one row and spends
    the whole budget, so the four other rows are neither filled nor priced; another plan of the same cost spreads each
    atom over all five rows and fills them (``fill``). Unproven before (the Newton proof has no vertex there)."""
    p = engine.load_preset("uniform-5ary", constraint="expected")
    s = saddle_at(p, 0.8)
    assert s.status == "verified" and s.rule_error < 1e-13 and s.free_rows == ()
    np.testing.assert_allclose(s.q, 0.2, rtol=1e-14)


def test_a_kink_row_is_proven_not_unique_and_keeps_mu_y():
    """Binary source, expected kind, at exactly eps = 0.3: the only independent plan empties row 2 and spends the
    budget; every q(.|2) with q(0|2) in [0.3, 0.7] is minimax (the attack's best reply is then to move label 1's mass,
    which costs H(Y) whatever q(.|2) is). The deficit is 0 exactly, so mu_Y is minimax on both rows; a dual
    certificate proves a second minimax row 2: the row is free, its necessary floor is (0, 0.3) (shifting label 1's
    flow back home costs nothing), and the page says the rule is not unique there. (Declined before: the floors
    alone give only 2.3 nats.)"""
    p = engine.load_preset("binary-source", constraint="expected")
    moves = allowed_moves(p, 0.3)
    q, free, floor, _, delta, kinks = saturated(moves, 0.3, ceiling_rows(p))
    np.testing.assert_allclose(q, [[0.7, 0.3], [0.7, 0.3]], rtol=1e-15)
    assert free == kinks == (1,) and delta < 1e-12
    np.testing.assert_allclose(floor[1], [0.0, 0.3], rtol=1e-12)
    r = second_rules(moves, 0.3, [1], ceiling_rows(p))[1]
    assert r is not None and abs(r[0] - 0.7) > 1e-9 and 0.3 <= r[0] <= 0.7
    # both rules lose at most H(Y) under every attack of the budget (HiGHS, independently of the certificate)
    assert engine.rule_loss(p, np.array([[0.7, 0.3], r]), [0.3])[0] <= ceiling(p) + 1e-12
    assert engine.rule_loss(p, np.array([[0.7, 0.3], [0.5, 0.5]]), [0.3])[0] <= ceiling(p) + 1e-12
    s = saddle_at(p, 0.3)
    assert s.free_rows == (1,) and s.rule_error < 1e-12
    assert "mu_Y on every row a move reaches (h* = H(Y) exactly" in s.rule_choice
    rr = engine.robust_rule(p, 0.3)
    assert not rr.unique and "not unique at x = 1" in rr.uniqueness


def test_no_second_rule_where_a_worst_case_fills_the_row():
    """Binary source at 0.5: an optimal attack fills row 2 with mu_Y, so the minimax rule is unique there
    (Corollary 1) and no certificate can exist; ``second_rules`` finds none (soundness on the other side)."""
    p = engine.load_preset("binary-source", constraint="expected")
    assert second_rules(allowed_moves(p, 0.5), 0.5, [1], ceiling_rows(p)) is None


def dyadic_two_rows(heavy, light):
    """Two rows 1 apart (Hamming), masses k / 2^j (exact in floats): row 1 ``heavy``, row 2 ``light`` counts."""
    counts = np.array([heavy, light], float)
    total = 1 << max(1, (int(counts.sum()) - 1).bit_length())
    counts[0, 0] += total - counts.sum()  # the masses sum to 1 exactly
    mu = counts / total
    return engine.Problem.from_arrays(mu, positions=[0.0, 1.0], metric="hamming", constraint="expected")


@settings(max_examples=examples(40))
@given(st.integers(2, 3).flatmap(lambda m: st.tuples(st.lists(st.integers(0, 30), min_size=m, max_size=m),
                                                     st.lists(st.integers(0, 6), min_size=m, max_size=m))))
def test_kinks_of_dyadic_problems_give_second_rules_that_are_minimax(rows):
    """Random kinks (random draws almost never land on one): two rows, exact dyadic masses, and eps = the light
    row's mass, the budget at which it can just move onto the heavy row and h* may first reach H(Y). Wherever
    saturation calls a reached row free, its second rule and mu_Y itself are minimax by an independent measure
    (HiGHS over the dense plan, ``dense_lp``: worst-case loss within 1e-9 of H(Y)), and the two differ. A diagonal
    table (the binary source's shape) always gives that kink: its light row is free."""
    p = dyadic_two_rows(*rows)
    eps = float(p.mu[1].sum())
    if eps <= 0 or np.any(p.mu.sum(axis=0) == 0):
        return
    moves, target = allowed_moves(p, eps), ceiling_rows(p)
    found = saturated(moves, eps, target)
    diagonal = p.m == 2 and p.mu[0, 1] == 0 and p.mu[1, 0] == 0 and p.mu[1, 1] < p.mu[0, 0]
    if diagonal:
        assert found is not None and found[1] == (1,)
    if found is None:
        return
    q, free = found[0], found[1]
    assert dense_rule_loss(p, q, eps) <= ceiling(p) + 1e-9
    if free:
        assert_second_rules_are_minimax(p, eps, moves, target, q, free)
    assert saddle_at(p, eps).free_rows == free


def assert_second_rules_are_minimax(p, eps, moves, target, q, free):
    """The second rules of the free rows (jointly, else one row at a time, as saturation proves them) differ from q
    there and are minimax by the dense HiGHS LP."""
    joint = second_rules(moves, eps, list(free), target)
    for group in [list(free)] if joint is not None else [[x] for x in free]:
        rules = joint if joint is not None else second_rules(moves, eps, group, target)
        assert rules is not None and set(rules) == set(group)
        q2 = q.copy()
        for x, r in rules.items():
            assert float(np.max(np.abs(np.log(r / q[x])))) > 1e-10
            q2[x] = r
        assert dense_rule_loss(p, q2, eps) <= ceiling(p) + 1e-9


def test_two_emptied_rows_are_not_unique_together():
    """Three rows, one label each, masses 1/2, 1/4, 1/4 (Hamming), at eps = 1/2 where both light atoms can just move
    onto the heavy row. Each emptied row alone has no second rule with the other held at mu_Y (an attack puts a
    little mass on it and pays by leaving as much of the other light atom at home), but the two move together: a
    certificate for both at once exists, and the joint rule is minimax by the dense LP."""
    p = engine.Problem.from_arrays(np.diag([0.5, 0.25, 0.25]), positions=[0.0, 1.0, 2.0], metric="hamming",
                                   constraint="expected")
    moves, target = allowed_moves(p, 0.5), ceiling_rows(p)
    assert second_rules(moves, 0.5, [1], target) is None and second_rules(moves, 0.5, [2], target) is None
    q, free = saturated(moves, 0.5, target)[:2]
    assert free == (1, 2)
    assert_second_rules_are_minimax(p, 0.5, moves, target, q, free)
    s = saddle_at(p, 0.5)
    assert s.free_rows == (1, 2) and s.rule_error < 1e-12


def test_atoms_of_1e_12_are_placed_within_tighter_tolerances(monkeypatch):
    """A Hypothesis draw: joint kind, label changes free (label_cost 0), so h* = log 4 at any budget, masses from
    1e-12 to 1. At HiGHS's default feasibility tolerance (1e-7) the 1e-12 atoms may sit in rows of one label and the
    deficit bound is nats wide (declined); at 1e-10 the uniform rule is proven."""
    mu = np.array([[1.0954216893039408e-09, 0.0, 1.0954216893039408e-09, 1.0954216893039407e-12],
                   [1.0954216893039408e-09, 9.9999890128985480e-01, 1.0954216893039406e-06, 1.0954216893039407e-12]])
    p = engine.Problem.from_arrays(mu, positions=[0.0, -4.0], metric="abs", constraint="joint", label_cost=0.0)
    moves, target = allowed_moves(p, 1e-12), ceiling_rows(p)
    found = saturated(moves, 1e-12, target)
    assert found is not None and found[4] < 1e-6
    np.testing.assert_array_equal(found[0], 0.25)
    s = saddle_at(p, 1e-12)
    assert s.rule_error == found[4] and np.all(s.q == 0.25)
    monkeypatch.setattr("engine.solvers.saturation.HIGHS_TOLERANCES", {})
    assert saturated(moves, 1e-12, target) is None


def test_a_row_no_move_reaches_keeps_the_uniform_choice_under_the_label_ceiling():
    """Hypothesis (max kind, eps 1e-12): one row holds 1e-12 and 1, the other is empty and 0.5 away, so h* =
    H(mu_Y) = 2.9e-11 (the ceiling, trivially) and the empty row is free. Its rule is the engine's choice there,
    uniform, not mu_Y: an attack of 0.5 reaches it, and the loss of mu_Y's row (2.9e-11) against the uniform
    row's (log 2) is the difference between two minimax rules, which the grid must not mix up."""
    p = engine.Problem.from_arrays(np.array([[0.0, 0.0], [1e-12, 1.0]]), positions=[0.0, 0.5], metric="abs",
                                   constraint="max")
    s = saddle_at(p, 1e-12)
    assert s.free_rows == (0,) and np.all(s.q[0] == 0.5) and s.rule_error < 1e-12
    g = tradeoff_grid(p, [1e-12], [0.0, 1.0])
    assert g.loss[1, 0] == pytest.approx(math.log(2), rel=1e-9)
