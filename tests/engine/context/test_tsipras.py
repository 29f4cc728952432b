"""Tsipras et al. (ICLR 2019): closed forms, the frontier, the theorem's bound and the Monte Carlo simulator.

Independent checks use scipy.stats.norm (not the engine's ndtr) and the model's definition directly.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from strategies import examples

from engine.context.tsipras import (
    MAX_DRAWS,
    MAX_SAMPLES,
    accuracy_curve,
    accuracy_frontier,
    adversarial_accuracy,
    natural_rule_accuracy,
    pareto_mask,
    robust_rule_accuracy,
    rule_accuracy,
    rule_curves,
    simulate_accuracy,
    standard_accuracy,
    tradeoff_bound,
    tradeoff_factor,
)
from engine.errors import ProblemError

DIMENSIONS = (1, 4, 25, 100, 1000, 10_000)
probabilities = st.floats(0.5, 0.999)
dimensions = st.integers(1, 10_000)
etas = st.floats(1e-3, 3.0)


# -- the paper's two rules -------------------------------------------------------------------------
@pytest.mark.parametrize("d", DIMENSIONS)
@pytest.mark.parametrize("p", [0.5, 0.9, 0.975])
def test_natural_rule_is_accurate_but_not_robust_when_eta_is_3_over_sqrt_d(p, d):
    eta = 3 / math.sqrt(d)
    natural = natural_rule_accuracy(p, eta, d, 2 * eta)
    assert natural.standard > 0.99 and natural.adversarial < 0.01
    assert natural.standard == pytest.approx(norm.cdf(3.0), rel=1e-12)  # Phi(eta sqrt(d))
    assert natural.adversarial == pytest.approx(norm.cdf(-3.0), rel=1e-9)  # Phi(-eta sqrt(d))


@settings(max_examples=examples(60))
@given(p=st.floats(0.0, 1.0), eta=etas, d=dimensions, eps=st.floats(0.0, 1.0, exclude_max=True))
def test_robust_rule_accuracy_is_p_for_every_eps_below_1(p, eta, d, eps):
    robust = robust_rule_accuracy(p, eta, d, eps)
    assert robust.standard == p and robust.adversarial == p


@pytest.mark.parametrize("eps", [1.0, 1.5, 10.0])
def test_robust_rule_fails_from_eps_1_on_ties_count_as_errors(eps):
    assert robust_rule_accuracy(0.9, 0.1, 10, eps).adversarial == 0.0


def test_zero_rule_is_always_a_tie_so_always_wrong():
    assert rule_accuracy(0.9, 0.5, 10, 0.0, 0.0, 0.0).standard == 0.0


# -- the closed form against the model's definition -------------------------------------------------
@settings(max_examples=examples(60))
@given(p=st.floats(0.0, 1.0), eta=etas, d=dimensions, eps=st.floats(0.0, 3.0),
       theta=st.floats(1e-6, math.pi / 2))
def test_closed_form_is_the_gaussian_margin(p, eta, d, eps, theta):
    """y w.x - eps ||w||_1 given y x_1 = +-1 is normal: mean +-a + b eta - eps (a + b), sd b / sqrt(d)."""
    a, b = math.cos(theta), math.sin(theta)
    sd = b / math.sqrt(d)
    expected = (p * norm.sf(0, loc=a + b * eta - eps * (a + b), scale=sd)
                + (1 - p) * norm.sf(0, loc=-a + b * eta - eps * (a + b), scale=sd))
    assert adversarial_accuracy(p, eta, d, eps, a, b) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_accuracy_is_vectorised_over_rules_and_scale_free():
    a, b = np.array([0.0, 0.3, 1.0, 2.0]), np.array([1.0, 0.7, 0.0, 0.5])
    acc = adversarial_accuracy(0.8, 0.2, 50, 0.1, a, b)
    assert acc.shape == (4,)
    assert np.allclose(acc, [adversarial_accuracy(0.8, 0.2, 50, 0.1, x, y) for x, y in zip(a, b, strict=True)])
    assert np.allclose(acc, adversarial_accuracy(0.8, 0.2, 50, 0.1, 3 * a, 3 * b), rtol=1e-12)  # sign(w.x)



def test_standard_accuracy_is_the_gaussian_margin_without_an_attacker():
    """y w.x given y x_1 = +-1 is normal: mean +-a + b eta, sd b / sqrt(d) (scipy's norm, not the engine's ndtr)."""
    p, eta, d, a, b = 0.8, 0.2, 50, 0.3, 0.7
    sd = b / math.sqrt(d)
    expected = p * norm.sf(0, loc=a + b * eta, scale=sd) + (1 - p) * norm.sf(0, loc=-a + b * eta, scale=sd)
    assert standard_accuracy(p, eta, d, a, b) == pytest.approx(expected, rel=1e-12)
    assert standard_accuracy(p, eta, d, 0.0, 1.0) == pytest.approx(norm.cdf(eta * math.sqrt(d)), rel=1e-12)


@pytest.mark.parametrize(("a", "b"), [(0.0, 1.0), (1.0, 0.0), (0.3, 0.7), (2.0, 1e-12)])
def test_accuracy_curve_is_the_scalar_form_at_every_radius(a, b):
    eps = np.linspace(0.0, 1.5, 151)
    curve = accuracy_curve(0.9, 0.3, 100, eps, a, b)
    assert curve.shape == eps.shape
    np.testing.assert_array_equal(curve, [adversarial_accuracy(0.9, 0.3, 100, e, a, b) for e in eps])


@pytest.mark.parametrize(("eps", "a", "b", "words"), [
    ([0.1, -0.2], 1.0, 0.0, "non-negative"), ([0.1, float("nan")], 1.0, 0.0, "finite"),
    ([0.1], [1.0, 2.0], [0.0, 1.0], "one rule"), ([0.1], -1.0, 0.0, "non-negative"),
])
def test_accuracy_curve_refuses_bad_input_with_a_sentence(eps, a, b, words):
    with pytest.raises(ProblemError, match=words):
        accuracy_curve(0.9, 0.3, 100, eps, a, b)


def test_small_b_approaches_the_robust_rule_below_eps_1_and_is_stable_at_eps_1():
    assert adversarial_accuracy(0.8, 0.2, 50, 0.5, 1.0, 1e-9) == pytest.approx(0.8, abs=1e-12)
    at_one = 0.8 * norm.cdf(math.sqrt(50) * (0.2 - 1.0))  # margin a (y x_1 - 1) + b (weak - 1): x_1's part is 0
    for b in (1e-3, 1e-9, 1e-17):
        assert adversarial_accuracy(0.8, 0.2, 50, 1.0, 1.0, b) == pytest.approx(at_one, rel=1e-9)


# -- the frontier and the theorem ------------------------------------------------------------------
def test_frontier_ends_and_order():
    f = accuracy_frontier(0.9, 0.3, 100, 0.6, points=401)
    assert (f.a[0], f.b[0], f.a[-1], f.b[-1]) == (1.0, 0.0, 0.0, 1.0)
    assert f.standard[0] == 0.9 and f.adversarial[0] == 0.9  # the robust rule
    assert f.adversarial[-1] == natural_rule_accuracy(0.9, 0.3, 100, 0.6).adversarial
    assert f.on_frontier[0]
    assert np.all(np.diff(f.frontier_standard) > 0) and np.all(np.diff(f.frontier_adversarial) < 0)
    assert f.value.shape == (int(f.on_frontier.sum()), 2)
    assert f.bound_applies


def test_frontier_keeps_exactly_the_non_dominated_points():
    f = accuracy_frontier(0.7, 0.1, 30, 0.25, points=151)
    s, v = f.standard, f.adversarial
    dominated = ((s[None, :] >= s[:, None]) & (v[None, :] >= v[:, None])
                 & ((s[None, :] > s[:, None]) | (v[None, :] > v[:, None]))).any(axis=1)
    kept = set(zip(s[f.on_frontier], v[f.on_frontier], strict=True))
    assert not dominated[f.on_frontier].any() and len(kept) == f.on_frontier.sum()  # one of equal points
    assert kept == set(zip(s[~dominated], v[~dominated], strict=True))
    assert (~dominated).sum() > f.on_frontier.sum()  # the rules near theta = 0 tie with the robust rule here


def test_pareto_mask_keeps_one_of_equal_points():
    mask = pareto_mask(np.array([1.0, 1.0, 0.5, 0.2]), np.array([0.2, 0.2, 0.5, 0.4]))
    assert mask.tolist() == [True, False, True, False]


@settings(max_examples=examples(80))
@given(p=probabilities, d=dimensions, eta=etas, factor=st.floats(1.0, 4.0))
def test_every_rule_obeys_the_tradeoff_bound_when_eps_is_at_least_2_eta(p, d, eta, factor):
    eps = 2 * eta * factor
    f = accuracy_frontier(p, eta, d, eps, points=201)
    assert f.bound_applies
    assert f.bound_factor == pytest.approx(p / (1 - p), rel=1e-15)
    assert np.all(f.adversarial <= p / (1 - p) * (1 - f.standard) + 1e-12)  # the theorem covers every rule


def test_bound_is_tight_at_the_robust_rule():
    robust = robust_rule_accuracy(0.8, 0.2, 10, 0.4)
    assert robust.adversarial == pytest.approx(tradeoff_bound(0.8, 1 - robust.standard))


def test_bound_does_not_apply_below_2_eta_or_for_p_below_one_half():
    for f in (accuracy_frontier(0.9, 0.3, 10, 0.59, points=11), accuracy_frontier(0.4, 0.3, 10, 0.6, points=11),
              accuracy_frontier(1.0, 0.3, 10, 0.6, points=11)):
        assert not f.bound_applies and f.bound_factor is None
    assert accuracy_frontier(0.5, 0.3, 10, 0.6, points=11).bound_factor == 1.0  # eps = 2 eta, p = 1/2: both ends
    with pytest.raises(ProblemError, match="1/2 <= p < 1"):
        tradeoff_bound(1.0, 0.1)


@pytest.mark.parametrize(("p", "factor"), [(0.5, 1.0), (0.75, 3.0), (0.9, 9.0), (0.4999, None), (1.0, None),
                                           (0.0, None)])
def test_tradeoff_factor_is_p_over_1_minus_p_where_the_theorem_holds(p, factor):
    assert tradeoff_factor(p) == (None if factor is None else pytest.approx(factor, rel=1e-12))
    if factor is not None:
        assert tradeoff_factor(p) == tradeoff_bound(p, 1.0)
    with pytest.raises(ProblemError, match="p must be a probability"):
        tradeoff_factor(1.5)


# -- both rules against eps ------------------------------------------------------------------------
def test_rule_curves_are_both_rules_on_the_grid_and_the_natural_rules_bound():
    c = rule_curves(0.9, 0.3, 100, 1.5, 151)
    np.testing.assert_array_equal(c.eps, np.linspace(0.0, 1.5, 151))
    np.testing.assert_allclose(c.natural, norm.cdf(10 * (0.3 - c.eps)), rtol=1e-9, atol=1e-15)  # sqrt(d) = 10
    np.testing.assert_array_equal(c.robust, np.where(c.eps < 1.0, 0.9, 0.0))
    assert c.bound == pytest.approx(9.0 * norm.sf(3.0), rel=1e-9)  # p/(1-p) (1 - Phi(eta sqrt(d)))
    assert c.natural[0] == natural_rule_accuracy(0.9, 0.3, 100, 0.0).standard
    assert c.value.shape == (151, 3) and c.status == "exact"
    assert rule_curves(0.4, 0.3, 100, 1.5, 11).bound is None  # p < 1/2: the theorem says nothing
    assert rule_curves(0.95, 0.05, 1, 1.5, 11).bound > 1  # vacuous, but given


@pytest.mark.parametrize(("args", "words"), [
    ((0.9, 0.3, 100, 0.0, 11), "eps_max must be positive"), ((0.9, 0.3, 100, 1.5, 1), "points must be between 2"),
    ((0.9, 0.3, 100, 1.5, 2.5), "points must be a whole number"), ((1.2, 0.3, 100, 1.5, 11), "p must be a prob"),
])
def test_rule_curves_refuse_bad_input_with_a_sentence(args, words):
    with pytest.raises(ProblemError, match=words):
        rule_curves(*args)


def test_results_say_whether_they_are_exact_or_estimated():
    assert natural_rule_accuracy(0.9, 0.3, 100, 0.6).status == "exact"
    assert accuracy_frontier(0.9, 0.3, 100, 0.6, points=11).status == "exact"
    assert simulate_accuracy(0.9, 0.3, 100, 0.6, 0.0, 1.0, samples=100).status == "estimate"


# -- Monte Carlo -----------------------------------------------------------------------------------
SIMULATED = [  # p, eta, d, eps, a, b
    (0.9, 0.3, 100, 0.0, 0.0, 1.0),
    (0.9, 0.3, 100, 0.3, 0.0, 1.0),
    (0.9, 0.3, 100, 0.6, 0.0, 1.0),
    (0.8, 0.5, 4, 0.7, 1.0, 0.0),
    (0.7, 0.2, 20, 0.15, 0.4, 0.9),
    (0.95, 1.0, 1, 0.5, 0.3, 0.5),
    (0.6, 0.05, 400, 0.1, 0.2, 1.0),
]


@pytest.mark.parametrize(("p", "eta", "d", "eps", "a", "b"), SIMULATED)
def test_closed_form_agrees_with_the_simulator(p, eta, d, eps, a, b):
    sim = simulate_accuracy(p, eta, d, eps, a, b, samples=20_000, seed=7)
    exact = adversarial_accuracy(p, eta, d, eps, a, b)
    assert sim.standard_error > 0
    assert abs(sim.accuracy - exact) <= 4 * sim.standard_error, (sim, exact)


def test_simulator_gap_counts_standard_errors_of_the_exact_binomial():
    sim = simulate_accuracy(0.7, 0.2, 20, 0.15, 0.4, 0.9, samples=2_000, seed=3)
    exact = 0.6
    assert sim.gap(exact) == pytest.approx(abs(sim.accuracy - exact) / math.sqrt(exact * (1 - exact) / 2_000))
    assert sim.gap(sim.accuracy) == 0.0
    robust = simulate_accuracy(0.9, 0.3, 100, 1.2, 1.0, 0.0, samples=500)  # accuracy 0 at eps >= 1
    assert robust.accuracy == 0.0 and robust.gap(0.0) == 0.0
    assert robust.gap(0.002) == pytest.approx(1.0)  # se floored at one draw in 500: sqrt(0.002 0.998 / 500) is less
    with pytest.raises(ProblemError, match="exact must be a probability"):
        sim.gap(1.5)


def test_simulator_is_seeded():
    one = simulate_accuracy(0.7, 0.2, 20, 0.15, 0.4, 0.9, samples=2_000, seed=3)
    assert one == simulate_accuracy(0.7, 0.2, 20, 0.15, 0.4, 0.9, samples=2_000, seed=3)
    assert one != simulate_accuracy(0.7, 0.2, 20, 0.15, 0.4, 0.9, samples=2_000, seed=4)


# -- validation ------------------------------------------------------------------------------------
BAD = {
    "p above 1": (dict(p=1.2), "p must be a probability"),
    "p not a number": (dict(p="x"), "p must be a number"),
    "eta zero": (dict(eta=0.0), "eta must be positive"),
    "eta infinite": (dict(eta=math.inf), "eta must be finite"),
    "d fractional": (dict(d=2.5), "d must be a whole number"),
    "d zero": (dict(d=0), "d must be at least 1"),
    "eps negative": (dict(eps=-0.1), "eps must be non-negative"),
    "eps nan": (dict(eps=math.nan), "eps must be finite"),
    "a negative": (dict(a=-1.0), "weight a must be non-negative"),
    "b infinite": (dict(b=math.inf), "weight b must be finite"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_value_in_one_sentence(case):
    change, message = BAD[case]
    args = dict(p=0.9, eta=0.3, d=10, eps=0.1, a=0.5, b=0.5) | change
    with pytest.raises(ProblemError, match=message) as info:
        adversarial_accuracy(**args)
    text = str(info.value)
    assert text.endswith(".") and "\n" not in text


def test_simulator_rejects_bad_samples_and_seed():
    with pytest.raises(ProblemError, match="samples"):
        simulate_accuracy(0.9, 0.3, 10, 0.1, 0.5, 0.5, samples=0)
    with pytest.raises(ProblemError, match="seed"):
        simulate_accuracy(0.9, 0.3, 10, 0.1, 0.5, 0.5, seed=-1)


@pytest.mark.parametrize(("d", "samples", "words"), [
    (1, 1e12, f"samples must be at most {MAX_SAMPLES}; got 1000000000000."),
    (1, MAX_SAMPLES + 1, f"samples must be at most {MAX_SAMPLES}; got {MAX_SAMPLES + 1}."),
    (10_000, 10**6, f"samples x (d + 1) = 10001000000 numbers, more than its limit of {MAX_DRAWS}"),
])
def test_simulator_refuses_runs_beyond_its_stated_limits_at_once(d, samples, words):
    with pytest.raises(ProblemError, match=re.escape(words)) as info:
        simulate_accuracy(0.9, 0.3, d, 0.1, 0.5, 0.5, samples=samples)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


@pytest.mark.parametrize("call", [
    lambda: rule_accuracy(0.9, 0.3, 10, 0.1, [0.5, 1.0], [0.5, 0.0]),
    lambda: simulate_accuracy(0.9, 0.3, 10, 0.1, [0.5, 1.0], 0.5, samples=10),
    lambda: accuracy_curve(0.9, 0.3, 10, [0.1], 0.5, [0.5, 1.0]),
])
def test_single_rule_functions_refuse_arrays_of_rules(call):
    with pytest.raises(ProblemError, match="takes one rule: a and b must be numbers, not arrays."):
        call()
