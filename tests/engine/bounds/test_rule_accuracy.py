"""engine.bounds.rule_accuracy and engine.bounds.support: the proof of a rule's accuracy never claims too much.

Krawczyk's test on systems whose zeros are known; the proof on a wrong support (a needed move dropped, a spurious
one added) must fail or still bound the true error (the 50-digit reference, ``mp_reference``); degenerate optima
(saturation, where every move is tight and the plan is far from unique; the max kind's pooled rows) are proven
through the aggregated system; a rounding residue in a cost decides the exact tie identity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mp_reference import hint_from, max_log_error, solve, start_from

import engine
from engine.bounds.rule_accuracy import prove
from engine.bounds.support import Forest, krawczyk
from engine.solvers.chain import saddle_at
from engine.solvers.polish import polish


def test_krawczyk_encloses_a_known_root():
    """F(y) = (y0^2 - 2, y1 - y0): the ball around an approximation holds (sqrt 2, sqrt 2) and is tiny."""
    y = np.array([1.41421356, 1.41421356])
    F = np.array([y[0] ** 2 - 2, y[1] - y[0]])
    J = np.array([[2 * y[0], 0.0], [-1.0, 1.0]])
    r = krawczyk(F, J, np.full(2, 1e-16), lipschitz=lambda r: 2 * r)  # ||J(y') - J(y)|| <= 2 |y' - y|
    assert r is not None and abs(y[0] - math.sqrt(2)) <= r < 1e-8


def test_krawczyk_refuses_a_singular_system():
    F, J = np.array([1e-3, 1e-3]), np.array([[1.0, 1.0], [1.0, 1.0]])
    assert krawczyk(F, J, np.zeros(2), lipschitz=lambda r: 0.0) is None


def test_krawczyk_refuses_when_there_is_no_root_nearby():
    """y^2 + 1 = 0 has no real root: no ball is proven however the test point is chosen."""
    y = np.array([0.1])
    assert krawczyk(np.array([y[0] ** 2 + 1]), np.array([[2 * y[0]]]), np.zeros(1), lambda r: 2 * r) is None


def _support(p, eps):
    s = saddle_at(p, eps)
    pol = polish(s.moves, eps, s.plan, s.q, s.multiplier)
    return s, pol, np.flatnonzero(pol.plan > 0)


def test_a_wrong_support_is_refused_or_still_bounded():
    """Drop each non-stay move of a proven support in turn: the proof must fail, or hold with the true error."""
    p, eps = engine.load_preset("figure2"), 0.5
    s, pol, P = _support(p, eps)
    ref = solve(p, eps, hint_from(s.moves, P), start_from(s.moves, pol.plan, s.q, pol.multiplier))
    assert ref["verified"]
    refused = 0
    for e in P[~s.moves.is_stay[P]]:
        keep = P[P != e]
        proof = prove(s.moves, eps, keep, pol.plan[keep], pol.multiplier, True)
        if math.isfinite(proof.delta):
            assert float(max_log_error(proof.q, ref["q"])) <= proof.delta
        else:
            refused += 1
    assert refused == len(P[~s.moves.is_stay[P]])  # every move of this support is needed


def test_a_spurious_move_is_refused():
    """A move that carries nothing at the optimum, forced into the support, breaks the exact tie identity."""
    p, eps = engine.load_preset("figure2"), 0.5
    s, pol, P = _support(p, eps)
    outside = np.setdiff1d(np.arange(len(s.moves.cost)), P)
    far = outside[np.argmax(s.moves.cost[outside])]
    proof = prove(s.moves, eps, np.union1d(P, [far]), np.maximum(np.r_[pol.plan, 0.0][np.union1d(P, [far])], 1e-12),
                  pol.multiplier, True)
    assert not math.isfinite(proof.delta)


def test_saturation_is_proven_through_classes():
    """At eps = 2 on the figure2 preset every move is tight and the plan is far from unique; the rule is the prior
    on every row (h* = H(Y)) and it is proven."""
    p = engine.load_preset("figure2")
    r = engine.robust_rule(p, 2.0)
    prior = p.mu.sum(axis=0)
    assert r.rule_error < 1e-12 and r.unique
    assert np.max(np.abs(np.log(r.q) - np.log(prior)[None, :])) <= r.rule_error


def test_the_max_kind_pools_rows_and_is_proven():
    """Sec. V-A's example: nu* sends 2 to 1 and 3 with alpha = 1/2; rows 1 and 3 are pooled, rows 0, 2, 4 empty."""
    p = engine.load_preset("stochastic-vs-deterministic")
    r = engine.robust_rule(p, 1.0)
    s, pol, P = _support(p, 1.0)
    ref = solve(p, 1.0, hint_from(s.moves, P), start_from(s.moves, pol.plan, s.q, pol.multiplier))
    assert ref["verified"], ref["why"]
    assert math.isfinite(r.rule_error)
    determined = [x for x in range(p.n) if x not in ref["free"]]
    assert float(max_log_error(r.q, ref["q"], rows=determined)) <= r.rule_error < 1e-9
    assert set(r.free_rows) == set(ref["free"])


@pytest.mark.parametrize("residue", [0.0, 2.0 ** -40])
def test_an_exact_tie_is_decided_in_rational_arithmetic(residue):
    """abs costs on a line make cycles of equal cost; a residue of 2^-40 in one distance breaks the tie, and the
    proof must see the difference exactly rather than within rounding."""
    d = np.abs(np.subtract.outer([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]))
    d[0, 2] += residue
    mu = np.array([[0.3, 0.05], [0.1, 0.1], [0.05, 0.4]])
    p = engine.Problem.from_arrays(mu, metric=d, constraint="expected")
    s, pol, P = _support(p, 0.3)
    fo = Forest(s.moves, P, pol.plan[P])
    assert all(fo.kx[v] is not None for v in range(len(s.moves.atom_mass)))
    r = engine.robust_rule(p, 0.3)
    ref = solve(p, 0.3, hint_from(s.moves, P), start_from(s.moves, pol.plan, s.q, pol.multiplier))
    assert ref["verified"], ref["why"]
    assert float(max_log_error(r.q, ref["q"])) <= r.rule_error < 1e-9


def test_a_rule_entry_below_the_smallest_normal_float_is_not_claimed():
    """Two atoms of 1/2 one apart, each sending eps / 2 to the other's row: q*(y'|x') = eps off the diagonal. At
    eps = 1e-300 that is a normal float and the rule is proven; at 1e-310 it is subnormal (relative precision
    lost, and e^{-u} of a larger u would be 0 outright while q* > 0), so the proof declines instead of bounding
    |log q - log q*| by the ulps of normal floats."""
    mu = np.array([[0.5, 0.0], [0.0, 0.5]])
    p = engine.Problem.from_arrays(mu, positions=[0.0, 1.0], metric="abs", constraint="expected")
    s = saddle_at(p, 1e-300)
    assert s.rule_error < 1e-10
    np.testing.assert_allclose(s.q[0, 1], 1e-300, rtol=1e-10)
    s = saddle_at(p, 1e-310)
    assert not math.isfinite(s.rule_error) and "smallest normal float" in s.message
