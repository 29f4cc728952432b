"""engine.bounds.precise: the aggregated system at 200 bits, where floats give no Krawczyk ball (issue 13).

A system whose zero is known in closed form (evaluated by mpmath at 100 digits, apart from the module's own
arithmetic); a singular one gets no ball; and two Hypothesis draws, and the two-Gaussian preset, that floats could
not prove: with the 200-bit ball the rule is proven and agrees with the 50-digit reference.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from mp_reference import AGREE, max_log_error, reference

import engine
from engine.bounds import rule_accuracy
from engine.bounds.precise import PreciseSystem
from engine.solvers.chain import clear_cache, saddle_at


def flat(r, B=None, centre=None):
    """A Lipschitz bound for the small systems below: their Jacobians move by at most 8 r e^{8 r} / B on the ball."""
    return 8 * r * math.exp(8 * r) / (B or 1.0)


@pytest.mark.parametrize("eps", [1e-3, 1e-9])
def test_the_ball_holds_the_closed_form_zero(eps):
    """One component (an atom of mass 1 at kappa 0), one class of two cells at kappas 0 and 1, the budget active:
    e^-T (1 + e^-lambda) = 1, W = 1, e^-(T + lambda) = eps, so T = -log(1 - eps), lambda = log((1 - eps) / eps)."""
    system = PreciseSystem(K=1, S=1, active=True, eps=eps, tk=[0, 0], ts=[0, 0], kx=[0, 1], shift=0,
                           mass=[1.0], comp=[0], akx=[0])
    mp.mp.dps = 100
    exact = [-mp.log(1 - mp.mpf(eps)), mp.mpf(0), mp.log((1 - mp.mpf(eps)) / mp.mpf(eps))]
    start = np.array([float(v) for v in exact]) * (1 + 1e-6)  # a float zero, a little off
    found = system.ball(start, flat)
    assert found is not None
    centre, r = found
    assert r < 1e-14
    assert max(abs(mp.mpf(float(c)) - e) for c, e in zip(centre, exact, strict=True)) <= r


def test_a_singular_system_gets_no_ball():
    """Two classes with the same single cell: their equations coincide and the masses W_0, W_1 split freely."""
    system = PreciseSystem(K=1, S=2, active=False, eps=0.0, tk=[0, 0], ts=[0, 1], kx=[0, 0], shift=0,
                           mass=[1.0], comp=[0], akx=[0])
    assert system.ball(np.array([0.0, math.log(0.5), math.log(0.5)]), flat) is None


def cancelling():
    """Hypothesis (expected kind, squared cost, eps 1e-6): two heavy atoms of one label in one component at kappas
    0 and 0.25, so the budget's numerator is a difference of O(1) terms; floats left 1e-10 of the equation."""
    mu = np.array([[0.3980627362187159, 0.3990247897878302, 7.256863347395328e-13],
                   [7.256863347395328e-10, 0.0, 0.20291102116868612],
                   [7.256863347395328e-07, 7.256863347395328e-07, 7.256863347395328e-10]])
    return engine.Problem.from_arrays(mu, positions=[1.0, 1.5, 2.0], labels=["1", "2", "3"], metric="squared",
                                      constraint="expected")


def test_floats_alone_do_not_prove_the_cancelling_budget(monkeypatch):
    monkeypatch.setattr(rule_accuracy.PreciseSystem, "ball", lambda self, y, lipschitz: None)
    clear_cache()
    try:
        assert not math.isfinite(saddle_at(cancelling(), 1e-6).rule_error)
    finally:
        clear_cache()


def test_the_precise_ball_proves_the_cancelling_budget():
    clear_cache()
    s, ref = reference(cancelling(), 1e-6)
    assert ref["verified"], ref["why"]
    assert s.free_rows == ref["free"] == ()
    assert float(max_log_error(s.q, ref["q"])) <= s.rule_error < AGREE


def test_the_two_gaussian_preset_is_proven_at_every_budget_of_the_joint_kind():
    """Two classes of rows whose exact kappas differ in the last bits of the float costs: a Jacobian singular to
    rounding at eps 0.3 (the one preset rule of 882 left unproven before). Every rule of the 21-budget grid is
    proven now; the grid's off-budget entries carry intervals of at most 2e-9."""
    p = engine.load_preset("two-gaussians", constraint="joint")
    info = engine.preset_info("two-gaussians")
    eps = np.linspace(info.eps_min, info.eps_max, 21)
    assert 0.3 in np.round(eps, 12)
    errors = np.array([saddle_at(p, float(e)).rule_error for e in eps])
    assert np.all(errors < AGREE), errors
    g = engine.tradeoff_grid(p, eps, eps)
    assert np.all(g.loss_status == "verified")
    with np.errstate(invalid="ignore"):
        assert np.all((g.loss_upper == g.loss_lower) | (g.loss_upper - g.loss_lower <= 2 * AGREE))
