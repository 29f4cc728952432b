"""Concentration of measure on the sphere (engine.context.concentration): cap measures against closed forms (d = 2,
3) and against Monte Carlo drawn here; the chordal expansion against brute force; the exact expansion never below
the notes' bound (Hypothesis); the average distance against Monte Carlo, a closed form and its Gaussian limit.

Independent checks draw their own points (numpy's normals, normalised) and integrate with the angle's density
directly (scipy.integrate.quad), not through the engine's betainc route.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import gammaln, ndtri
from strategies import examples

from engine.context.concentration import (
    DISTANCE,
    cap_angle,
    cap_distance_curve,
    cap_expansion,
    cap_expansion_curve,
    cap_measure,
    chord_angle,
    covering_radius,
    distance_bound,
    gaussian_limit,
    mean_distance_to_cap,
    notes_bound,
    notes_scale,
    shifted_bound,
    simulate_sphere,
)
from engine.errors import ProblemError

SE = 4.0  # Monte Carlo agreement: within 4 standard errors
dims = st.integers(2, 5000)
measures = st.floats(0.0, 1.0)
deltas = st.floats(0.0, 3.0)


def uniform_sphere(rng, n: int, d: int) -> np.ndarray:
    """n uniform points on S^{d-1}: normalised standard normals."""
    g = rng.standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def angle_density(d: int):
    """The density of the angle between a uniform point of S^{d-1} and a pole: sin^{d-2} / B((d-1)/2, 1/2)."""
    log_norm = gammaln((d - 1) / 2) + gammaln(0.5) - gammaln(d / 2)
    return lambda a: math.exp((d - 2) * math.log(max(math.sin(a), 1e-300)) - log_norm)


# -- caps -----------------------------------------------------------------------------------------------
THETAS = np.linspace(0.0, math.pi, 13)


def test_cap_measure_closed_forms_in_d_2_and_3():
    """A circle's arc of half-angle theta has measure theta / pi; a sphere's cap (1 - cos theta) / 2 (Archimedes)."""
    np.testing.assert_allclose(cap_measure(2, THETAS), THETAS / math.pi, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cap_measure(3, THETAS), (1 - np.cos(THETAS)) / 2, rtol=1e-13, atol=1e-15)
    for d, form in ((2, lambda p: math.pi * p), (3, lambda p: math.acos(1 - 2 * p))):
        for p in (0.0, 0.01, 0.3, 0.5, 0.77, 1.0):
            assert cap_angle(d, p) == pytest.approx(form(p), abs=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5, 12, 60, 400])
def test_cap_measure_against_monte_carlo(d):
    rng = np.random.default_rng(d)
    x = uniform_sphere(rng, 40_000, d)
    angle = np.arccos(np.clip(x[:, 0], -1, 1))
    for theta in (0.3, 1.2, math.pi / 2, 1.7, 2.9):
        exact = cap_measure(d, theta)
        hit = float(np.mean(angle <= theta))
        se = max(math.sqrt(exact * (1 - exact) / len(x)), 1 / len(x))
        assert abs(hit - exact) <= SE * se, (d, theta, hit, exact)


@pytest.mark.parametrize("d", [2, 3, 7, 50])
def test_cap_measure_against_the_angle_density(d):
    f = angle_density(d)
    for theta in (0.2, 1.0, 2.0, 3.0):
        assert cap_measure(d, theta) == pytest.approx(quad(f, 0, theta)[0], rel=1e-8, abs=1e-12)


@settings(max_examples=examples(80))
@given(d=dims, p=measures)
def test_cap_angle_inverts_cap_measure(d, p):
    theta = cap_angle(d, p)
    assert 0 <= theta <= math.pi
    assert cap_measure(d, theta) == pytest.approx(p, abs=1e-9)


# -- the expansion -------------------------------------------------------------------------------------------
def test_expansion_of_a_cap_is_a_cap_closed_form_in_d_3():
    """E_delta of the cap C(theta) is C(theta + 2 arcsin(delta/2)), so in d = 3 its measure is (1 - cos)/2 of that."""
    for p in (0.1, 0.5, 0.9):
        theta = math.acos(1 - 2 * p)
        for delta in (0.0, 0.1, 0.5, 1.0, 1.9, 2.0, 5.0):
            e = cap_expansion(3, p, delta)
            angle = min(math.pi, theta + 2 * math.asin(min(delta, 2) / 2))
            assert e.expansion == pytest.approx((1 - math.cos(angle)) / 2, abs=1e-12)
            assert e.complement == pytest.approx((1 + math.cos(angle)) / 2, abs=1e-12)
            assert e.value == e.expansion and e.status == "exact"


def test_chordal_distance_to_a_cap_by_brute_force():
    """The distance the engine uses, 2 sin((angle - theta)_+ / 2), is the least Euclidean distance to a dense sample
    of the cap's own points (d = 3)."""
    rng = np.random.default_rng(3)
    theta = 0.9
    pool = uniform_sphere(rng, 400_000, 3)
    cap = pool[np.arccos(np.clip(pool[:, 0], -1, 1)) <= theta]
    for x in uniform_sphere(rng, 20, 3):
        brute = float(np.min(np.linalg.norm(cap - x, axis=1)))
        angle = math.acos(max(-1.0, min(1.0, x[0])))
        formula = 2 * math.sin(max(angle - theta, 0.0) / 2)
        assert brute == pytest.approx(formula, abs=0.01)
        assert brute >= formula - 1e-12  # the sample lies inside the cap: never nearer than the exact distance


def test_expansion_ends_and_monotone():
    c = cap_expansion_curve(50, 0.3, np.linspace(0, 2.5, 101))
    assert c.expansion[0] == pytest.approx(0.3, abs=1e-12)
    assert np.all(np.diff(c.expansion) >= -1e-15)
    assert np.all(c.expansion[c.delta >= 2] == 1.0) and np.all(c.complement[c.delta >= 2] == 0.0)
    np.testing.assert_allclose(c.expansion + c.complement, 1.0, atol=1e-13)
    assert c.bound is None  # measure < 1/2: the notes' bound does not apply
    single = cap_expansion(50, 0.3, c.delta[40])
    assert single.expansion == c.expansion[40] and single.bound is None and not single.bound_applies


@settings(max_examples=examples(200))
@given(d=dims, p=st.floats(0.5, 1.0), delta=deltas)
def test_expansion_is_never_below_the_notes_bound(d, p, delta):
    """sigma(E_delta) >= 1 - 2 exp(-d delta^2 / 2) when sigma(E) >= 1/2, compared on the complements (both tiny in
    high dimension: 1 - sigma(E_delta) <= 2 exp(-d delta^2 / 2))."""
    e = cap_expansion(d, p, delta)
    assert e.bound_applies and e.bound == pytest.approx(1 - 2 * math.exp(-d * delta**2 / 2), abs=1e-15)
    assert e.expansion >= e.bound - 1e-12
    assert e.complement <= 2 * math.exp(-d * delta**2 / 2) * (1 + 1e-9) + 1e-300


@settings(max_examples=examples(200))
@given(d=dims, p=st.floats(1e-6, 0.5), delta=deltas)
def test_expansion_is_never_below_the_shifted_bound(d, p, delta):
    """For sigma(E) = p < 1/2: sigma(E_delta) >= 1 - 2 exp(-d (delta - t0)^2 / 2), t0 = sqrt(2 ln(2/p) / d)."""
    e = cap_expansion(d, p, delta)
    t0 = math.sqrt(2 * math.log(2 / p) / d) if p < 0.5 else 0.0
    expected = 1 - 2 * math.exp(-d * max(delta - t0, 0.0) ** 2 / 2)
    assert e.shifted_bound == pytest.approx(expected, abs=1e-12)
    assert e.complement <= 2 * math.exp(-d * max(delta - t0, 0.0) ** 2 / 2) * (1 + 1e-9) + 1e-300


def test_the_bound_needs_half_the_sphere():
    """Below measure 1/2 the notes' bound fails for the cap: a small cap barely grows at a delta where the bound
    promises almost everything."""
    d, delta = 1000, 0.08
    assert notes_bound(d, delta) > 0.9
    assert cap_expansion(d, 0.001, delta).expansion < 0.3


@pytest.mark.parametrize("d", [2, 10, 100, 10_000])
@pytest.mark.parametrize("p", [0.001, 0.3, 0.5, 0.9])
def test_covering_radius_covers_the_level(d, p):
    """At covering_radius the shifted bound proves 99.9 % for every set of measure p (or the cap covers all)."""
    r = covering_radius(d, p)
    e = cap_expansion(d, p, r)
    assert e.expansion >= 0.999 - 1e-12
    assert e.shifted_bound >= 0.999 - 1e-9 or e.expansion == 1.0
    assert r <= 2.0


# -- the average distance ----------------------------------------------------------------------------------------
def test_mean_distance_closed_form_on_the_circle():
    """d = 2: E an arc of half-angle theta; a uniform point's angle alpha from its centre is uniform on [0, pi], so
    d(E) = (1/pi) int_theta^pi 2 sin((alpha - theta)/2) d alpha = (4/pi)(1 - sin(theta/2))."""
    for p in (0.01, 0.25, 0.5, 0.9):
        theta = math.pi * p
        assert mean_distance_to_cap(2, p) == pytest.approx(4 / math.pi * (1 - math.sin(theta / 2)), rel=1e-9)


@pytest.mark.parametrize("d", [3, 10, 100, 2000])
@pytest.mark.parametrize("p", [0.01, 0.5, 0.95])
def test_mean_distance_against_the_angle_density(d, p):
    """The layer-cake integral agrees with E[2 sin((alpha - theta)_+ / 2)] over the angle's own density."""
    theta = cap_angle(d, p)
    f = angle_density(d)
    direct = quad(lambda a: 2 * math.sin((a - theta) / 2) * f(a), theta, math.pi, limit=400,
                  points=[math.pi / 2] if theta < math.pi / 2 else None, epsabs=1e-14)[0]
    assert mean_distance_to_cap(d, p) == pytest.approx(direct, rel=1e-7, abs=1e-12)


@pytest.mark.parametrize(("d", "p", "delta"), [(2, 0.5, 0.3), (3, 0.1, 0.5), (20, 0.5, 0.2), (500, 0.01, 0.1)])
def test_simulator_agrees_with_the_exact_values(d, p, delta):
    s = simulate_sphere(d, p, delta, samples=20_000, seed=7)
    e = cap_expansion(d, p, delta)
    assert s.cap_gap(p) <= SE and s.expansion_gap(e.expansion) <= SE
    assert s.distance_gap(mean_distance_to_cap(d, p)) <= SE
    assert s.status == "estimate" and s.value == s.in_expansion
    again = simulate_sphere(d, p, delta, samples=20_000, seed=7)
    assert again == s  # seeded


def test_gaussian_limit_and_the_notes_scale():
    """sqrt(d) d(E) -> a Phi(a) + phi(a), a = Phi^{-1}(1 - p); its leading term Phi^{-1}(1 - p) for small p."""
    for p in (0.01, 0.2, 0.5):
        exact = mean_distance_to_cap(10**6, p)
        assert exact == pytest.approx(gaussian_limit(10**6, p), rel=2e-3)
        a = float(ndtri(1 - p))
        assert notes_scale(10**6, p) == pytest.approx(a / 1000)
    assert notes_scale(100, 0.6) is None  # accuracy below 1/2: outside the theorem
    # the leading term: within 0.1 % of the limit at accuracy 0.999, 4 % at 0.9; at 1/2 it is 0, the limit phi(0)
    ratio = [notes_scale(100, p) / gaussian_limit(100, p) for p in (0.001, 0.1)]
    assert 0.999 < ratio[0] < 1 and 0.95 < ratio[1] < 0.97
    assert notes_scale(100, 0.5) == 0 and gaussian_limit(100, 0.5) == pytest.approx(1 / math.sqrt(2 * math.pi) / 10)


@settings(max_examples=examples(100))
@given(d=dims, p=st.floats(0.0, 1.0))
def test_the_cap_distance_is_below_the_ceiling_for_every_set(d, p):
    assert mean_distance_to_cap(d, p) <= distance_bound(d, p) + 1e-12
    assert 0 <= mean_distance_to_cap(d, p) <= 2


def test_distance_curve_falls_like_one_over_sqrt_d():
    dims_ = [10, 100, 1000, 10_000, 100_000]
    c = cap_distance_curve(0.01, dims_)
    scaled = c.exact * np.sqrt(c.dims)
    assert np.all(np.diff(c.exact) < 0)
    assert np.ptp(scaled[2:]) < 0.01 * scaled[-1]  # sqrt(d) d(E) settles
    assert np.all(c.quad_error < 1e-9) and c.status == "exact"
    assert c.scale is not None and np.all(c.bound >= c.exact)


# -- input ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "words"), [
    (lambda: cap_expansion(1, 0.5, 0.1), "d must be at least 2"),
    (lambda: cap_expansion(2.5, 0.5, 0.1), "d must be a whole number; got 2.5"),
    (lambda: cap_expansion(10, 1.5, 0.1), "measure must be a probability in [0, 1]; got 1.5"),
    (lambda: cap_expansion(10, 0.5, -0.1), "delta must be non-negative; got -0.1"),
    (lambda: cap_expansion(10, 0.5, float("nan")), "delta must be finite"),
    (lambda: cap_expansion(True, 0.5, 0.1), "d must be a number; got True"),
    (lambda: cap_measure(3, 4.0), "The cap angle must lie in [0, pi]"),
    (lambda: simulate_sphere(10**5, 0.5, 0.1, samples=10**4), "more than its limit"),
    (lambda: simulate_sphere(10, 0.5, 0.1, seed=-1), "seed must be a whole number >= 0"),
])
def test_bad_input_gets_a_sentence(call, words):
    with pytest.raises(ProblemError, match=None) as err:
        call()
    assert words in str(err.value)


def test_chord_angle_and_the_stated_distance():
    assert DISTANCE == "euclidean (chordal)"
    assert chord_angle(2.0) == pytest.approx(math.pi) and chord_angle(5.0) == pytest.approx(math.pi)
    assert chord_angle(math.sqrt(2)) == pytest.approx(math.pi / 2)
    assert shifted_bound(10, 0.5, 0.3) == notes_bound(10, 0.3)
