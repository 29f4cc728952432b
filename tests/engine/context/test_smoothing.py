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

from engine.context.pixeldp import gaussian_mechanism_radius, pixeldp_gaussian, pixeldp_laplace
from engine.context.smoothing import (
    certify_smoothed,
    compare_radii,
    lower_confidence_bound,
    smoothed_radius,
    smoothing_radius,
)
from engine.context.toy_classifiers import ABSTAIN, DiscClassifier, LinearClassifier
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
    assert 0.0 <= c.eps <= 1.0
    if c.eps > 0:  # the DP definition: a shift of Delta L has privacy loss N(mu, 2 mu), P[loss > eps] <= delta
        mu = (sensitivity * c.radius / sigma) ** 2 / 2
        assert norm.sf(c.eps, loc=mu, scale=math.sqrt(2 * mu)) <= delta * (1 + 1e-9)
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


def test_gaussian_mechanism_calibration_by_the_privacy_loss():
    """Independent of the formula: Gaussian noise of scale sigma on a shift of L (sensitivity 1) has privacy loss
    N(mu, 2 mu) with mu = L^2 / (2 sigma^2); at the calibrated L the tail P[loss > eps] is at most delta
    (the sufficient condition in Dwork and Roth 2014, Thm A.1), for eps = 1."""
    for sigma, delta in ((0.5, 1e-5), (2.0, 1e-3), (1.0, 1e-10)):
        L = gaussian_mechanism_radius(sigma, 1.0, delta=delta)
        mu = L * L / (2 * sigma * sigma)
        assert norm.sf(1.0, loc=mu, scale=math.sqrt(2 * mu)) <= delta
        assert pixeldp_gaussian(0.999, 0.0, sigma, delta=delta).radius == pytest.approx(L)  # eps capped at 1
        assert compare_radii(0.999, 0.0, sigma, delta=delta).pixeldp_cap == pytest.approx(L)


def test_radius_comparison():
    c = compare_radii(0.8, 0.2, 0.5)
    assert c.smoothing == smoothing_radius(0.8, 0.2, 0.5) and c.gaussian == pixeldp_gaussian(0.8, 0.2, 0.5)
    assert c.laplace == pixeldp_laplace(0.8, 0.2, 0.5)
    assert c.pixeldp_within_smoothing and c.pixeldp_share == pytest.approx(c.gaussian.radius / c.smoothing)
    assert math.isnan(compare_radii(0.4, 0.4, 1.0).pixeldp_share)


def test_clopper_pearson_lower_bound():
    """Clopper and Pearson (1934): the bound is the p at which P[Binomial(n, p) >= k] = alpha."""
    from scipy.stats import binom

    for k, n, alpha in ((7, 10, 0.05), (950, 1000, 0.001), (1000, 1000, 0.001)):
        p = lower_confidence_bound(k, n, alpha)
        assert binom.sf(k - 1, n, p) == pytest.approx(alpha, rel=1e-6)
    assert lower_confidence_bound(1000, 1000, 0.001) == pytest.approx(0.001 ** (1 / 1000))
    assert lower_confidence_bound(0, 10, 0.05) == 0.0


# -- the toy 2-D problem ---------------------------------------------------------------------------
LINE = LinearClassifier(weights=(1.0, -2.0), offset=0.3)
SIGMA = 0.5


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


def test_far_from_a_linear_boundary_the_radius_is_finite_and_exact():
    """sigma = 0.05, distance 2.5 = 50 sigma: p_B = Phi(-50) rounds 1 - p_B to 1; the radius is still 2.5."""
    line = LinearClassifier(weights=(1.0, 1.0), offset=0.0)
    points = np.array([[2.5 / math.sqrt(2), 2.5 / math.sqrt(2)], [-2.5 / math.sqrt(2), -2.5 / math.sqrt(2)],
                       [1e3, 0.0]])
    radius = smoothed_radius(line, points, 0.05)
    assert np.all(np.isfinite(radius))
    np.testing.assert_allclose(radius, [2.5, 2.5, 1e3 / math.sqrt(2)], rtol=0, atol=1e-9)


def test_far_from_the_disc_the_radius_is_a_finite_lower_bound():
    """scipy rounds p_B to 0 far outside the disc: the radius is then the distance to the circle (a proven lower
    bound), never inf; where p_B is representable it is Cohen's radius, at least that bound."""
    disc = DiscClassifier()
    points = np.array([[1.5, 0.0], [2.0, 0.0], [3.5, 0.0], [0.0, -40.0], [0.0, 0.0], [0.3, 0.2]])
    radius = smoothed_radius(disc, points, 0.05)
    assert np.all(np.isfinite(radius))
    bound = disc.radius_lower_bound(points, 0.05)
    assert np.all(radius >= bound) and radius[2] == pytest.approx(2.5) and radius[3] == pytest.approx(39.0)
    p_b = disc.smoothed_probabilities(points, 0.05).min(axis=1)
    where = p_b > 0
    np.testing.assert_allclose(radius[where], -0.05 * norm.ppf(p_b[where]), rtol=1e-9)
    # near the circle Cohen's radius of the smoothed disc exceeds the distance to it only slightly
    assert bound[0] == 0.5 and radius[0] == pytest.approx(0.5, rel=1e-2)


def test_checks_against_reference_radii_refuse_inf_and_nan():
    c = certify_smoothed(LINE, [[1.0, 0.0], [0.0, 1.0]], SIGMA, n=1000, seed=0)
    exact = smoothed_radius(LINE, c.points, SIGMA)
    assert c.at_most(exact).all() and c.certified_count == 2 and 0 < c.share_of(exact) < 1
    for bad in ([np.inf, 1.0], [np.nan, 1.0], [1.0]):
        with pytest.raises(ProblemError, match="reference radii"):
            c.at_most(bad)


def test_certify_draws_in_chunks_with_the_same_stream(monkeypatch):
    import engine.context.smoothing as certify

    points = [[0.2, 0.1], [-0.4, 0.3]]
    whole = certify_smoothed(LINE, points, SIGMA, n=5000, seed=3)
    monkeypatch.setattr(certify, "CHUNK", 333)
    chunked = certify_smoothed(LINE, points, SIGMA, n=5000, seed=3)
    assert np.array_equal(whole.counts, chunked.counts) and np.array_equal(whole.radius, chunked.radius)


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
    inside = np.random.default_rng(11).standard_normal((200_000, 2)) * SIGMA
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
    rng = np.random.default_rng(12)
    for x, r, c in zip(points, radius, label, strict=True):
        angles = rng.uniform(0, 2 * math.pi, 64)
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
    "offset string": (lambda: LinearClassifier(offset="half"), "offset must be a number"),
    "offset bool": (lambda: LinearClassifier(offset=True), "offset must be a number"),
    "weights bool": (lambda: LinearClassifier(weights=(True, 1.0)), "weights must be two finite numbers"),
    "weights string": (lambda: LinearClassifier(weights="12"), "weights must be two finite numbers"),
    "weights three": (lambda: LinearClassifier(weights=[1, 2, 3]), "weights must be two finite numbers"),
    "weights nan": (lambda: LinearClassifier(weights=(1.0, math.nan)), "weights must be two finite numbers"),
    "center string": (lambda: DiscClassifier(center="00"), "center must be two finite numbers"),
    "center nested": (lambda: DiscClassifier(center=[[0, 0], 1]), "center must be two finite numbers"),
    "disc radius bool": (lambda: DiscClassifier(radius=True), "radius must be a number"),
    "disc radius string": (lambda: DiscClassifier(radius="big"), "radius must be a number"),
    "eps above 1": (lambda: gaussian_mechanism_radius(1.0, 1.5), "eps must be between 0 and 1"),
}


def test_classifiers_store_checked_floats_and_are_hashable():
    line = LinearClassifier(weights=[1, 2], offset="0.5")
    assert line.weights == (1.0, 2.0) and line.offset == 0.5
    assert all(type(v) is float for v in (*line.weights, line.offset))
    assert line == LinearClassifier(weights=(1.0, 2.0), offset=0.5)
    disc = DiscClassifier(center=np.array([1, -1]), radius="2")
    assert disc.center == (1.0, -1.0) and disc.radius == 2.0
    assert all(type(v) is float for v in (*disc.center, disc.radius))
    assert len({line, disc, LinearClassifier(weights=(1.0, 2.0), offset=0.5)}) == 2
    assert repr(LinearClassifier()) == "LinearClassifier(weights=(1.0, 1.0), offset=0.0)"
    assert line([[1.0, 0.0], [-1.0, 0.0]]).tolist() == [1, 0]


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_sentence(case):
    call, message = BAD[case]
    with pytest.raises(ProblemError, match=message) as info:
        call()
    assert str(info.value).endswith(".") and "\n" not in str(info.value)
