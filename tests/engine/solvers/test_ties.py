"""engine.solvers.ties: proofs at degenerate saddle points, checked against the 50-digit reference."""

from __future__ import annotations

import math

import numpy as np
from mp_reference import AGREE, max_log_error, reference

import engine
from engine.bounds.rule_accuracy import prove
from engine.solvers.chain import polish_override, saddle_at
from engine.solvers.ties import cases


def test_a_tied_move_is_split_on_and_both_cases_are_proven():
    """Label noise, max kind, eps 1.5: two stays carry flow 0 and are priced exactly tight (a tie). The solver's
    support fails the flow test, the support without them fails the pricing (slack 0 in floats); with both cases
    proven the rule is exact to 1e-13, and the 50-digit reference agrees."""
    p, eps = engine.load_preset("label-noise", constraint="max"), 1.5
    with polish_override(False):
        raw = saddle_at(p, eps)
    moves = raw.moves
    P = np.flatnonzero(raw.plan > 1e-5 * moves.atom_mass[moves.source])
    first = prove(moves, eps, P, raw.plan[P], 0.0, False)
    assert not math.isfinite(first.delta) and "tree flow" in first.note and len(first.degenerate) >= 1
    without = np.setdiff1d(P, first.degenerate)
    assert not math.isfinite(prove(moves, eps, without, raw.plan[without], 0.0, False).delta)
    proof = cases(moves, eps, P, lambda S: raw.plan[S], 0.0, False)
    assert math.isfinite(proof.delta) and proof.delta < 1e-12
    s, ref = reference(p, eps)
    assert s.rule_error < AGREE
    assert ref["verified"], ref["why"]
    assert float(max_log_error(s.q, ref["q"])) <= s.rule_error


def test_a_tree_flow_near_zero_is_proven_strictly_once_the_tied_move_leaves():
    """Figure 2 at 0.6: a tree flow near 0. Both cases hold, their rules differ by 8.7e-3 (the bound it first
    gave), and the case without the move also holds with nothing relaxed: the rule is exact to 1e-9."""
    p = engine.load_preset("figure2")
    s, ref = reference(p, 0.6)
    assert s.rule_error < AGREE
    assert ref["verified"], ref["why"]
    assert float(max_log_error(s.q, ref["q"])) <= s.rule_error


def test_at_the_budget_boundary_both_cases_are_proven_and_the_reference_agrees():
    """Label noise, expected kind, eps 1.2, where lambda meets 0: the solver's lambda is 1.5e-5, the budget is
    spent exactly, and neither lambda > 0 nor the unspent budget can be signed. The engine proves both cases (the
    budget as an equality, or dropped). The 50-digit reference solves the same conditions and agrees to 1e-50; it
    verifies from the support the engine hands it now (components rooted at their heaviest atoms), and before that
    its only open check was that same sign (lambda < 0 with the budget, 'budget binds' without it)."""
    p = engine.load_preset("label-noise", constraint="expected")
    s, ref = reference(p, 1.2)
    assert s.rule_error < AGREE
    assert ref["verified"] or ref["why"] in ("budget binds", "lambda < 0", "over budget")
    assert float(max_log_error(s.q, ref["q"])) <= s.rule_error


def test_presets_leave_no_rule_unproven():
    """Every preset, kind and cost (default, hamming) on its 21-budget grid: 882 rules, all proven (1 unproven
    before the 200-bit ball of engine.bounds.precise: two Gaussians, joint kind, eps 0.3; 6 before the ceiling
    H(mu_Y) and the filling plan, 30 before the ties and the saturation proofs, 130 before rows were pooled by
    pattern)."""
    unproven = []
    for name in engine.preset_names():
        info = engine.preset_info(name)
        for kind in ("expected", "max", "joint"):
            for metric in (None, "hamming"):
                p = engine.load_preset(name, constraint=kind, **({"metric": metric} if metric else {}))
                for e in np.linspace(info.eps_min, info.eps_max, 21):
                    if not math.isfinite(saddle_at(p, float(e)).rule_error):
                        unproven.append((name, kind, metric, round(float(e), 3)))
    assert not unproven, unproven
