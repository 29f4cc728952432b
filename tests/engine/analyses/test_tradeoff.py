"""engine.analyses.tradeoff: Figure 2, the grid against independent solvers, clean versus robust, privacy curves.

Independent checks: every grid entry is recomputed by a dense HiGHS LP (``dense_lp``), every robust
rule by the plain cvxpy program of (13) (``engine.solvers.reference.rule_program``), entropies with scipy, and
the rate-distortion closed forms of Cover & Thomas (Thm 10.3.1 and the m-ary Hamming problem).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from dense_lp import dense_rule_loss
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cond_entropy, examples, feature_cost, h2, instances, label_entropy, problems

import engine
from engine.analyses.privacy import binary_rate_distortion, privacy_curve, uniform_rate_distortion
from engine.analyses.tradeoff import clean_vs_robust, tradeoff_grid
from engine.core.moves import allowed_moves
from engine.solvers.reference import rule_program

TOL = 1e-6


# -- Figure 2 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def figure2():
    """The 21 x 21 grid on [0, 2] for both axes, on the figure2 preset."""
    eps = np.linspace(0.0, 2.0, 21)
    return tradeoff_grid(engine.load_preset("figure2"), eps, eps)


def test_figure2_is_verified_and_shaped(figure2):
    g = figure2
    assert g.status == "verified"
    assert g.loss.shape == (21, 21) and g.h_star.shape == (21,) and g.clean.shape == (21,)
    assert np.all(g.h_star_upper - g.h_star <= TOL)
    mu = engine.load_preset("figure2").mu
    assert g.h_y == pytest.approx(label_entropy(mu), abs=1e-12)
    assert g.h_y_given_x == pytest.approx(cond_entropy(mu), abs=1e-12)


def test_figure2_left_panel_minimum_on_the_diagonal(figure2):
    """For each attack, the best rule is the one built for it (ties only where h* has saturated at H(Y))."""
    g = figure2
    for i in range(len(g.eps_attack)):
        j = int(np.argmin(g.loss[i]))
        if j != i:
            assert g.h_star[i] >= g.h_y - TOL, f"eps_attack={g.eps_attack[i]}: argmin at eps_rule={g.eps_rule[j]}"
            assert g.loss[i, i] <= g.loss[i, j] + TOL


def test_figure2_h_star_is_the_lower_envelope_touched_on_the_diagonal(figure2):
    g = figure2
    assert np.all(np.abs(np.diag(g.loss) - g.h_star) <= TOL)
    assert np.all(g.loss >= g.h_star[:, None] - TOL)
    assert g.h_star[0] == pytest.approx(g.h_y_given_x, abs=TOL)  # no attack: H_mu(Y|X)
    assert np.all(np.diff(g.h_star) >= -TOL)  # h* grows with the budget
    assert np.all(g.h_star <= g.h_y + TOL)


def test_figure2_clean_loss_rises_with_eps_rule(figure2):
    g = figure2
    assert np.allclose(g.loss[0], g.clean, atol=1e-9)
    assert np.all(np.diff(g.clean) >= -1e-7)
    assert g.clean[-1] - g.clean[0] > 1.0  # and by a lot: from H(Y|X) ~ 0.33 to H(Y) ~ 1.6


def test_figure2_most_robust_rule_only_guesses_the_prior(figure2):
    """The rule for eps_rule = 2 sits flat at H_mu(Y) whatever the attack."""
    g = figure2
    assert np.all(np.abs(g.loss[:, -1] - g.h_y) <= TOL)
    prior = engine.load_preset("figure2").mu.sum(axis=0)
    assert np.allclose(g.rules[-1], prior[None, :], atol=1e-4)


# -- the grid against independent solvers ----------------------------------------------------------
def clean_loss(mu: np.ndarray, q: np.ndarray) -> float:
    """L(mu, q) = E_mu[-log q(Y|X)] (8), summed over the support of mu."""
    with np.errstate(divide="ignore"):
        return float(np.sum(mu[mu > 0] * -np.log(q[mu > 0])))


def cvxpy_rule(problem, eps: float) -> tuple[np.ndarray, bool]:
    """The robust rule from the plain cvxpy program of (13) solved with Clarabel, and whether it is optimal
    (rather than ``optimal_inaccurate``, when cvxpy's answer is only good for a one-sided check)."""
    program, read_rule = rule_program(problem, allowed_moves(problem, eps), eps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Solution may be inaccurate": reported by the flag
        program.solve(solver="CLARABEL")
    assert program.status in ("optimal", "optimal_inaccurate"), program.status
    return read_rule()[0], program.status == "optimal"


@settings(max_examples=examples(30))
@given(st.data())
def test_grid_matches_per_point_lp_and_cvxpy(data):
    p = data.draw(problems(max_n=4, max_m=3), label="problem")
    top = float(p.cost.max()) + (p.label_cost if p.constraint == "joint" else 0.0)
    budget = st.sampled_from([0.0, 0.1 * top, 0.5 * top, top, 1.5 * top + 0.1])
    eps_rule = data.draw(st.lists(budget, min_size=1, max_size=3, unique=True), label="eps_rule")
    eps_attack = data.draw(st.lists(budget, min_size=1, max_size=3, unique=True), label="eps_attack")
    g = tradeoff_grid(p, eps_rule, eps_attack)
    assert g.status == "verified"
    assert g.loss.shape == (len(eps_attack), len(eps_rule)) and g.rules.shape == (len(eps_rule), p.n, p.m)
    for j, r in enumerate(eps_rule):
        assert g.clean[j] == pytest.approx(clean_loss(p.mu, g.rules[j]), abs=1e-9, rel=1e-12)
        for i, a in enumerate(eps_attack):  # every entry: the engine's rule, its loss by HiGHS
            assert g.loss[i, j] == pytest.approx(dense_rule_loss(p, g.rules[j], a), abs=TOL, rel=1e-9)
            if a == r:
                assert g.loss[i, j] == pytest.approx(g.h_star[i], abs=TOL)
    for i, a in enumerate(eps_attack):
        q, accurate = cvxpy_rule(p, a)
        independent = dense_rule_loss(p, q, a)  # an upper bound on h*, from cvxpy + HiGHS alone
        assert g.h_star[i] <= independent + 1e-9
        if accurate:
            assert g.h_star[i] == pytest.approx(independent, abs=TOL)
        assert g.h_star_upper[i] - g.h_star[i] <= TOL


# -- clean versus robust (Sec. V-B) ----------------------------------------------------------------
@settings(max_examples=examples(25))
@given(instances(max_n=5, max_m=3))
def test_clean_robust_chain(instance):
    """(1) H_mu(Y|X) <= (2) L(mu, q*) <= (3) h*."""
    p, eps = instance
    c = clean_vs_robust(p, eps)
    one, two, three = c.value
    assert one == pytest.approx(cond_entropy(p.mu), abs=1e-12)
    assert two == pytest.approx(clean_loss(p.mu, engine.robust_rule(p, eps).q), abs=1e-9, rel=1e-12)
    assert c.kl_penalty >= 0 and two - one == pytest.approx(c.kl_penalty, abs=1e-9)
    assert one <= two + 1e-12
    assert two <= three + TOL
    assert c.certificate.gap <= TOL and c.status == "verified"


@settings(max_examples=examples(12))
@given(problems(kinds=("expected", "max"), max_n=5, max_m=3))
def test_clean_robust_chain_collapses_at_zero_budget(p):
    """With eps = 0 and labels fixed nothing moves: (1) = (2) = (3)."""
    one, two, three = clean_vs_robust(p, 0.0).value
    assert two == pytest.approx(one, abs=TOL)
    assert three == pytest.approx(one, abs=TOL)


# -- privacy-utility = rate-distortion when X = Y --------------------------------------------------
def r_binary(p: float, D: np.ndarray) -> np.ndarray:
    """R(D) = h(p) - h(D) for D <= min(p, 1 - p), else 0 (Cover & Thomas Thm 10.3.1)."""
    return np.array([h2(p) - h2(d) if d < min(p, 1 - p) else 0.0 for d in D])


def r_uniform(m: int, D: np.ndarray) -> np.ndarray:
    """R(D) = log m - h(D) - D log(m - 1) for D <= 1 - 1/m, else 0 (uniform m-ary source, Hamming)."""
    return np.array([np.log(m) - h2(d) - d * np.log(m - 1) if d < 1 - 1 / m else 0.0 for d in D])


@pytest.mark.parametrize(
    ("name", "eps", "closed_form"),
    [
        ("binary-source", np.linspace(0.0, 0.5, 11), lambda D: r_binary(0.3, D)),
        ("uniform-5ary", np.linspace(0.0, 1.0, 11), lambda D: r_uniform(5, D)),
    ],
)
def test_privacy_curve_is_the_rate_distortion_function(name, eps, closed_form):
    p = engine.load_preset(name)
    c = privacy_curve(p, eps)
    assert c.status == "verified"
    assert np.all(np.abs(c.leakage - closed_form(eps)) <= TOL)
    assert np.allclose(c.leakage, c.h_y - c.h_star, atol=1e-12)
    assert np.all(c.h_star_upper - c.h_star <= TOL)
    # the certified bracket on the leakage holds the closed form
    assert np.all(c.leakage_lower <= closed_form(eps) + 1e-9) and np.all(closed_form(eps) <= c.leakage + 1e-9)
    cost = feature_cost(p)
    for e, h, P in zip(c.eps, c.h_star, c.mechanisms, strict=True):
        assert P.shape == (p.n, p.m, p.n, p.m) and np.all(P >= 0)
        rows = P.reshape(p.n, p.m, -1).sum(axis=2)
        assert np.allclose(rows[p.mu > 0], 1.0, atol=1e-12)
        labels_kept = np.einsum("xyzw->xyw", P)[:, np.arange(p.m), np.arange(p.m)]
        assert np.allclose(labels_kept[p.mu > 0], 1.0, atol=1e-12)  # Y is never changed
        spent = np.einsum("xy,xyzy,xz->", p.mu, P, cost)
        assert spent <= e + 1e-9
        released = np.einsum("xy,xyzw->zw", p.mu, P)  # law of (Z, Y)
        assert cond_entropy(released) == pytest.approx(h, abs=1e-9)  # the mechanism attains h*


def test_closed_form_helpers_agree_with_scipy():
    D = np.linspace(0.0, 1.0, 41)
    assert np.allclose(binary_rate_distortion(0.3, D), r_binary(0.3, D), atol=1e-12)
    assert np.allclose(uniform_rate_distortion(5, D), r_uniform(5, D), atol=1e-12)
