"""Certified radii: PixelDP (Lecuyer et al. 2019) against randomized smoothing (Cohen et al. 2019), and
Cohen et al.'s Monte Carlo CERTIFY on toy 2-D classifiers.

Independent checks use scipy.stats.norm and the definitions (the DP condition, the Gaussian mechanism's
calibration) directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from strategies import examples

from engine.certify import (
    ABSTAIN,
    DiscClassifier,
    LinearClassifier,
    certify_smoothed,
    pixeldp_gaussian,
    pixeldp_laplace,
    smoothed_radius,
    smoothing_radius,
)
from engine.errors import ProblemError


@st.composite
def scores(draw):
    """(p_A, p_B) with p_A + p_B <= 1, often p_B = 1 - p_A (two labels), sometimes p_A <= p_B."""
    p_a = draw(st.floats(0.0, 1.0))
    if draw(st.booleans()):
        return p_a, 1.0 - p_a
    return p_a, draw(st.floats(0.0, 1.0 - p_a))


sigmas = st.floats(1e-3, 10.0)
deltas = st.floats(-12.0, math.log10(0.5)).map(lambda t: 10.0**t)


def condition(p_a, p_b, eps, delta):
    """Lecuyer et al., Proposition 1."""
    return p_a > math.exp(2 * eps) * p_b + (1 + math.exp(eps)) * delta


# -- randomized smoothing --------------------------------------------------------------------------
def test_smoothing_radius_formulas():
    assert smoothing_radius(0.9, 0.05, 0.5) == pytest.approx(0.25 * (norm.ppf(0.9) - norm.ppf(0.05)))
    assert smoothing_radius(0.9, None, 0.5) == pytest.approx(0.5 * norm.ppf(0.9))
    assert smoothing_radius(0.9, 0.1, 0.5) == pytest.approx(smoothing_radius(0.9, None, 0.5))
    assert smoothing_radius(0.4, 0.4, 1.0) == 0.0 and smoothing_radius(0.3, None, 1.0) == 0.0
    assert smoothing_radius(1.0, 0.0, 1.0) == math.inf


# -- PixelDP ---------------------------------------------------------------------------------------
@settings(max_examples=examples(200))
@given(pair=scores(), sigma=sigmas, delta=deltas)
def test_pixeldp_never_beats_smoothing_for_the_same_scores_and_noise(pair, sigma, delta):
    """Cohen et al.'s radius is tight for p_A + p_B <= 1 (their Theorem 2), so no sound certificate exceeds it."""
    p_a, p_b = pair
    pixeldp = pixeldp_gaussian(p_a, p_b, sigma, delta=delta)
    assert 0.0 <= pixeldp.radius <= smoothing_radius(p_a, p_b, sigma) * (1 + 1e-12) + 1e-15


@settings(max_examples=examples(100))
@given(pair=scores(), sigma=sigmas, delta=deltas, sensitivity=st.floats(0.1, 10.0))
def test_pixeldp_gaussian_radius_is_the_largest_admissible_eps(pair, sigma, delta, sensitivity):
    p_a, p_b = pair
    c = pixeldp_gaussian(p_a, p_b, sigma, sensitivity=sensitivity, delta=delta)
    assert c.radius == pytest.approx(sigma * c.eps / (math.sqrt(2 * math.log(1.25 / delta)) * sensitivity))
    assert 0.0 <= c.eps <= 1.0
    if c.eps == 0.0:
        assert not condition(p_a, p_b, 1e-12, delta) and not c.certified
        return
    assert condition(p_a, p_b, c.eps * (1 - 1e-6), delta)
    if c.eps < 1.0:
        assert not condition(p_a, p_b, c.eps * (1 + 1e-6), delta)


@settings(max_examples=examples(100))
@given(pair=scores(), scale=sigmas)
def test_pixeldp_laplace_radius_is_the_largest_admissible_eps(pair, scale):
    p_a, p_b = pair
    assume(p_b > 0)
    c = pixeldp_laplace(p_a, p_b, scale)
    assert (c.delta, c.norm) == (0.0, "l1") and c.radius == pytest.approx(scale * c.eps)
    if c.eps > 0:  # p_A > e^{2 eps} p_B in logs (e^{2 eps} overflows for a tiny p_B)
        holds = lambda eps: math.log(p_a) > 2 * eps + math.log(p_b)  # noqa: E731
        assert holds(c.eps * (1 - 1e-6)) and not holds(c.eps * (1 + 1e-6))
    else:
        assert p_a <= p_b


def test_pixeldp_edges():
    assert pixeldp_gaussian(0.5, 0.5, 1.0).radius == 0.0
    assert pixeldp_gaussian(0.99, 0.01, 1.0).eps == 1.0  # capped: the mechanism's calibration needs eps <= 1
    assert pixeldp_laplace(0.7, 0.0, 2.0).radius == math.inf
    assert pixeldp_laplace(0.7, 0.0, 2.0, sensitivity=2.0).eps == math.inf


# -- the toy 2-D problem ---------------------------------------------------------------------------
LINE = LinearClassifier(weights=(1.0, -2.0), offset=0.3)
SIGMA = 0.5
RNG = np.random.default_rng(11)


def _between(radius, p_a, n, sigma):
    """Cohen's CERTIFY returns sigma Phi^{-1}(p_lower); p_lower sits about 3 standard errors below p_A (alpha
    = 0.001): accept anything from 8 below to 4 above."""
    se = math.sqrt(p_a * (1 - p_a) / n)
    return sigma * norm.ppf(p_a - 8 * se) <= radius <= sigma * norm.ppf(min(p_a + 4 * se, 1.0))


def test_smoothing_a_linear_classifier_certifies_the_distance_to_its_boundary():
    distance = np.array([0.1, 0.25, 0.5, 0.8, 1.25])  # in units of sigma: 0.2 to 2.5
    direction = np.array([1.0, -2.0]) / math.sqrt(5)
    base = np.array([-0.3, 0.0])  # on the boundary
    sides = np.array([1, -1, 1, -1, 1])
    points = base + (sides * distance)[:, None] * direction
    c = certify_smoothed(LINE, points, SIGMA, n=100_000, seed=1)
    assert np.allclose(LINE.boundary_distance(points), distance)
    assert np.allclose(smoothed_radius(LINE, points, SIGMA), distance, rtol=1e-12)  # exact: tight
    assert np.array_equal(c.prediction, LINE(points))
    for r, p_a, d in zip(c.radius, LINE.smoothed_probabilities(points, SIGMA).max(axis=1), distance, strict=True):
        assert p_a == pytest.approx(norm.cdf(d / SIGMA))
        assert _between(r, p_a, c.n, SIGMA), (r, d)
        assert r <= d


def test_certify_abstains_on_the_boundary_and_is_seeded():
    points = [[-0.3, 0.0], [1.0, 0.0]]
    c = certify_smoothed(LINE, points, SIGMA, n=10_000, seed=5)
    assert c.prediction[0] == ABSTAIN and c.radius[0] == 0.0 and c.abstained.tolist() == [True, False]
    again = certify_smoothed(LINE, points, SIGMA, n=10_000, seed=5)
    assert np.array_equal(c.counts, again.counts) and np.array_equal(c.radius, again.radius)


def test_smoothing_a_disc_matches_its_exact_smoothed_probabilities():
    disc = DiscClassifier(center=(0.0, 0.0), radius=1.0)
    points = np.array([[0.0, 0.0], [0.3, 0.2], [1.8, 0.0], [0.0, -2.5], [1.0, 1.0], [1.2, 0.2]])  # p_A <= 0.9992
    probs = disc.smoothed_probabilities(points, SIGMA)
    assert np.allclose(probs.sum(axis=1), 1.0)
    inside = RNG.standard_normal((200_000, 2)) * SIGMA
    assert probs[0, 1] == pytest.approx(np.mean(np.linalg.norm(inside, axis=1) <= 1.0), abs=5e-3)
    c = certify_smoothed(disc, points, SIGMA, n=100_000, seed=2)
    exact = smoothed_radius(disc, points, SIGMA)
    assert np.array_equal(c.prediction, probs.argmax(axis=1))
    for r, p_a in zip(c.radius, probs.max(axis=1), strict=True):
        assert _between(r, p_a, c.n, SIGMA)
    assert np.all(c.radius <= exact)


def test_the_disc_certificate_is_sound():
    """Within the exact radius the smoothed disc keeps its label (Cohen et al., Theorem 1)."""
    disc = DiscClassifier(center=(0.5, -0.5), radius=0.8)
    points = np.array([[0.5, -0.5], [1.5, -0.5], [0.5, 0.6], [2.0, 1.0]])
    radius = smoothed_radius(disc, points, SIGMA)
    label = disc.smoothed_probabilities(points, SIGMA).argmax(axis=1)
    for x, r, c in zip(points, radius, label, strict=True):
        angles = RNG.uniform(0, 2 * math.pi, 64)
        moved = x + 0.999 * r * np.column_stack([np.cos(angles), np.sin(angles)])
        assert np.all(disc.smoothed_probabilities(moved, SIGMA).argmax(axis=1) == c)


# -- validation ------------------------------------------------------------------------------------
BAD = {
    "scores above 1 together": (lambda: smoothing_radius(0.7, 0.4, 1.0), "exceeds 1"),
    "p_A above 1": (lambda: pixeldp_gaussian(1.5, 0.1, 1.0), "p_A must be a probability"),
    "sigma zero": (lambda: smoothing_radius(0.7, 0.2, 0.0), "sigma must be positive"),
    "delta zero": (lambda: pixeldp_gaussian(0.7, 0.2, 1.0, delta=0.0), "delta must be strictly between"),
    "sensitivity negative": (lambda: pixeldp_laplace(0.7, 0.2, 1.0, sensitivity=-1), "sensitivity must be positive"),
    "zero weights": (lambda: LinearClassifier(weights=(0.0, 0.0)), "not both 0"),
    "disc radius": (lambda: DiscClassifier(radius=-1.0), "radius must be positive"),
    "points shape": (lambda: certify_smoothed(LINE, [[1.0, 2.0, 3.0]], 1.0), "pairs"),
    "alpha": (lambda: certify_smoothed(LINE, [[1.0, 2.0]], 1.0, alpha=0.0), "alpha must be strictly between"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_sentence(case):
    call, message = BAD[case]
    with pytest.raises(ProblemError, match=message) as info:
        call()
    assert str(info.value).endswith(".") and "\n" not in str(info.value)
