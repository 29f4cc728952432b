"""The robust rule (13): Corollary 1, clean versus robust (Sec. V-B) and the minimax inequality across
budgets (Figure 2), checked with entropies and cross-entropies computed here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.special import rel_entr
from strategies import KINDS, cond_entropy, examples, instances, label_entropy, problems

import engine

GAP = 1e-6


def cond_kl(nu, q) -> float:
    """KL(nu_{Y|X} || q | nu_X) = sum nu(x,y) log(nu(y|x) / q(y|x)), by scipy.special.rel_entr."""
    nu = np.asarray(nu, dtype=float)
    nu_x = nu.sum(axis=1, keepdims=True)
    post = np.divide(nu, nu_x, out=np.zeros_like(nu), where=nu_x > 0)
    return float(np.sum(nu_x * rel_entr(post, q)))


def clean_loss(mu, q) -> float:
    """L(mu, q) = E_mu[-log q(Y|X)] (8)."""
    mu = np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore"):
        return float(np.sum(mu[mu > 0] * -np.log(np.asarray(q)[mu > 0])))


@pytest.mark.parametrize("kind", KINDS)
def test_corollary_1_rule_matches_worst_case_posterior(kind):
    """L(nu*, q*) - H(nu*) = KL(nu*_{Y|X} || q*) <= upper - lower: q* = nu*(y|x) wherever nu*(x) > 0."""

    @settings(max_examples=examples(40))
    @given(instances(kinds=(kind,)))
    def run(instance):
        p, eps = instance
        w, r = engine.worst_case(p, eps), engine.robust_rule(p, eps)
        kl = cond_kl(w.nu, r.q)
        assert -1e-12 <= kl <= w.certificate.gap + 1e-12
        nu_x = w.nu.sum(axis=1)
        for x in np.flatnonzero(nu_x > 1e-3):
            tv_bound = math.sqrt(2 * (w.certificate.gap + 1e-12) / nu_x[x])  # Pinsker, row by row
            assert np.abs(r.q[x] - w.nu[x] / nu_x[x]).sum() <= tv_bound + 1e-9

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_clean_versus_robust_ordering(kind):
    """Sec. V-B: H_mu(Y|X) <= L(mu, q*) <= max_nu L(nu, q*) = h*, and the rule's value is its exact loss."""

    @settings(max_examples=examples(30))
    @given(instances(kinds=(kind,)))
    def run(instance):
        p, eps = instance
        r = engine.robust_rule(p, eps)
        clean = clean_loss(p.mu, r.q)
        assert cond_entropy(p.mu) <= clean + 1e-12
        assert clean <= r.value * (1 + 1e-12) + 1e-12
        assert r.value == engine.rule_loss(p, r.q, eps)
        assert r.value == r.certificate.upper
        assert r.argmin is r.q

    run()


@pytest.mark.parametrize("kind", KINDS)
def test_minimax_inequality_across_budgets(kind):
    """Figure 2: every rule loses at least h*(eps_attack) under attack eps_attack, with equality for its own
    budget, so each curve eps_attack -> L(eps_attack, q*_rule) touches h* at eps_rule."""

    @settings(max_examples=examples(10))
    @given(problems(kinds=(kind,), max_n=6))
    def run(p):
        top = float(p.cost.max()) + (p.label_cost if kind == "joint" else 0.0)
        grid = np.linspace(0.0, top + 0.1, 5)
        lower = np.array([engine.worst_case(p, e).certificate.lower for e in grid])
        for i, e_rule in enumerate(grid):
            r = engine.robust_rule(p, e_rule)
            losses = engine.rule_loss(p, r.q, grid)
            assert np.all(losses >= lower - 1e-12)
            assert losses[i] == pytest.approx(lower[i], abs=GAP)

    run()


@pytest.mark.parametrize("kind", ["expected", "max"])
def test_label_prior_rule_loses_label_entropy_and_is_robust_for_wide_budgets(kind):
    """Label-fixed kinds keep the label marginal, so the rule q(y|x) = mu(y) loses exactly H(Y) at every eps;
    once eps lets every atom reach one point (here eps = the squared diameter), h* = H(Y) and q* is optimal."""
    rng = np.random.default_rng(2)
    mu = rng.random((5, 3)) * (rng.random((5, 3)) < 0.7)
    mu[0] += 0.01
    mu /= mu.sum()
    p = engine.Problem.from_arrays(mu, positions=[0, 1, 2, 4, 5], metric="squared", constraint=kind)
    prior = np.broadcast_to(mu.sum(axis=0), mu.shape)
    h_y = label_entropy(mu)
    np.testing.assert_allclose(engine.rule_loss(p, prior, [0.0, 0.5, 3.0, 25.0, 100.0]), h_y, rtol=1e-14)
    wide = 25.0  # (5 - 0)^2: any plan is allowed
    r = engine.robust_rule(p, wide)
    assert r.value == pytest.approx(h_y, abs=GAP)
    assert engine.worst_case(p, wide).value == pytest.approx(h_y, abs=GAP)


def test_robust_rule_is_defined_where_the_worst_case_puts_no_mass():
    """The paper's example: nu*(x) = 0 at x = 0, 2, 4, where Corollary 1 says nothing; there the rule must
    still not lure the attacker back: q*(x|x) >= nu*(x|x +- 1) = 2/3, else staying put would pay more."""
    mu = np.zeros((5, 5))
    mu[[0, 2, 4], [0, 2, 4]] = 1 / 3
    p = engine.Problem.from_arrays(mu, positions=range(5), metric="abs", constraint="max", normalise=True)
    w, r = engine.worst_case(p, 1.0), engine.robust_rule(p, 1.0)
    assert np.all(w.nu.sum(axis=1)[[0, 2, 4]] <= 1e-6)
    np.testing.assert_allclose(r.q.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r.q[[1, 3]][:, [0, 2, 4]], [[2 / 3, 1 / 3, 0], [0, 1 / 3, 2 / 3]], atol=1e-3)
    assert r.q[0, 0] >= 2 / 3 - 1e-6 and r.q[4, 4] >= 2 / 3 - 1e-6
    assert r.q[2, 2] >= 1 / 3 - 1e-6
    assert engine.rule_loss(p, r.q, 1.0) == pytest.approx(w.value, abs=GAP)
    assert cond_entropy(mu) <= clean_loss(mu, r.q) <= r.value + 1e-12
