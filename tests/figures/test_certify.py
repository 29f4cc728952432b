"""figures.certify: certified radius against the noise scale, and certified balls on the 2-D toy, on
engine.context.smoothing's radii and seeded CERTIFY runs (fewer noise scales and samples than the page)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from engine.context.pixeldp import pixeldp_gaussian, pixeldp_laplace
from engine.context.smoothing import certify_smoothed, radius_curves, smoothed_radius, smoothing_radius
from engine.context.toy_classifiers import ABSTAIN, DiscClassifier, LinearClassifier
from figures.certify import (
    ABSTAIN_COLOUR,
    GAUSSIAN_COLOUR,
    LABEL_COLOURS,
    LAPLACE_COLOUR,
    REGION_TINTS,
    SMOOTHING_COLOUR,
    _half_plane,
    _rgba,
    describe_radius,
    describe_toy,
    radius_against_noise,
    toy_figure,
)
from figures.style import OKABE_ITO

P_A, P_B, SIGMA_NOW, DELTA = 0.8, 0.2, 0.5, 1e-5
SIGMA = np.linspace(0.05, 2.0, 12)
EXTENT, VIEW = 2.0, 2.5
NAMES = ("smoothing", "gaussian", "laplace")


def make_curves(p_a: float, p_b: float, sigma=SIGMA, delta: float = DELTA) -> dict:
    """engine.context.smoothing.radius_curves on ``sigma`` (the page's cached builder calls it on its own grid)."""
    return radius_curves(p_a, p_b, sigma, delta=delta)


def make_now(p_a: float, p_b: float, sigma: float, delta: float = DELTA) -> dict:
    return {"smoothing": smoothing_radius(p_a, p_b, sigma),
            "gaussian": pixeldp_gaussian(p_a, p_b, sigma, delta=delta).radius,
            "laplace": pixeldp_laplace(p_a, p_b, sigma).radius}


@pytest.fixture(scope="module")
def curves():
    return make_curves(P_A, P_B)


@pytest.fixture(scope="module")
def now():
    return make_now(P_A, P_B, SIGMA_NOW)


@pytest.fixture(scope="module", params=["linear", "disc"])
def toy(request):
    """The page's toy: 12 uniform points on [-2, 2]^2 (seed 0), CERTIFY with 2000 samples, exact radii."""
    classifier = {"linear": LinearClassifier(weights=(1.0, 1.0), offset=0.0),
                  "disc": DiscClassifier(center=(0.0, 0.0), radius=1.0)}[request.param]
    points = np.random.default_rng(0).uniform(-EXTENT, EXTENT, (12, 2))
    certificate = certify_smoothed(classifier, points, SIGMA_NOW, n0=100, n=2000, alpha=0.001, seed=0)
    return classifier, certificate, smoothed_radius(classifier, points, SIGMA_NOW)


def _f(values):
    return np.asarray(values, dtype=float)


def _circles(fig, dash=None):
    return [s for s in fig.layout.shapes if s.type == "circle" and s.line.dash == dash
            and s.fillcolor != REGION_TINTS[1]]


# -- radius_against_noise ---------------------------------------------------------------------------
def test_palette():
    """Distinct Okabe-Ito colours within each chart; abstentions grey, outside the palette."""
    lines = (SMOOTHING_COLOUR, GAUSSIAN_COLOUR, LAPLACE_COLOUR)
    assert set(lines) <= set(OKABE_ITO) and len(set(lines)) == 3
    assert set(LABEL_COLOURS) <= set(OKABE_ITO) and len(set(LABEL_COLOURS)) == 2
    assert ABSTAIN_COLOUR not in OKABE_ITO and ABSTAIN_COLOUR not in REGION_TINTS
    assert _rgba("#0072B2", 0.15) == "rgba(0,114,178,0.15)"


def test_radius_curves_carry_the_engine_radii(curves, now):
    fig = radius_against_noise(curves, SIGMA_NOW, now)
    assert len(fig.data) == 6
    for k, (name, col) in enumerate(zip(NAMES, (SMOOTHING_COLOUR, GAUSSIAN_COLOUR, LAPLACE_COLOUR), strict=True)):
        line, mark = fig.data[2 * k], fig.data[2 * k + 1]
        np.testing.assert_array_equal(_f(line.x), SIGMA)
        np.testing.assert_array_equal(_f(line.y), curves[name])
        assert (mark.x[0], mark.y[0]) == (SIGMA_NOW, now[name])
        assert line.line.color == mark.marker.color == col
    assert fig.data[4].line.dash == "dash"  # Laplace: another norm, dashed
    # Cohen et al.'s radius in closed form: sigma/2 (Phi^-1(p_A) - Phi^-1(p_B))
    np.testing.assert_allclose(curves["smoothing"], SIGMA / 2 * (norm.ppf(P_A) - norm.ppf(P_B)), rtol=1e-12)
    assert np.all(curves["gaussian"] <= curves["smoothing"] * (1 + 1e-12))  # PixelDP never beats smoothing


def test_radius_axes(curves, now):
    """Both axes start at 0 and contain every trace, markers included."""
    fig = radius_against_noise(curves, SIGMA_NOW, now)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert x0 == 0.0 and y0 == 0.0
    for trace in fig.data:
        assert np.all((x0 <= _f(trace.x)) & (_f(trace.x) <= x1)), trace.name
        assert np.all((y0 <= _f(trace.y)) & (_f(trace.y) <= y1)), trace.name
    assert max(float(np.max(_f(t.y))) for t in fig.data) >= 0.5 * y1  # not squashed into a corner
    assert fig.layout.xaxis.title.text == "noise scale sigma (more noise ->)"


def test_radius_axes_when_nothing_is_certified():
    """p_A <= p_B: every radius is 0 and the y range is still a proper interval from 0."""
    c, n = make_curves(0.4, 0.4), make_now(0.4, 0.4, SIGMA_NOW)
    assert all(np.all(c[k] == 0) for k in NAMES)
    y0, y1 = radius_against_noise(c, SIGMA_NOW, n).layout.yaxis.range
    assert y0 == 0.0 and y1 > 0


def test_describe_radius(curves, now):
    text = describe_radius(curves, SIGMA_NOW, now)
    assert f"from {SIGMA[0]:.3g} to {SIGMA[-1]:.3g}" in text
    assert f"at sigma = {SIGMA_NOW:.3g} randomized smoothing certifies {now['smoothing']:.4f}" in text
    assert f"Gaussian noise {now['gaussian']:.4f}" in text and f"Laplace noise {now['laplace']:.4f} (l1)" in text


# -- toy_figure -------------------------------------------------------------------------------------
def test_points_grouped_by_certified_label(toy):
    classifier, certificate, exact = toy
    fig = toy_figure(classifier, certificate, exact, VIEW, "toy")
    boundary, *groups = fig.data
    assert boundary.name == "base classifier's boundary"
    assert [g.name for g in groups] == ["certified label 0", "certified label 1", "abstains"]
    seen = 0
    for trace, label in zip(groups, (0, 1, ABSTAIN), strict=True):
        idx = np.flatnonzero(certificate.prediction == label)
        seen += idx.size
        np.testing.assert_array_equal(_f(trace.x), certificate.points[idx, 0])
        np.testing.assert_array_equal(_f(trace.y), certificate.points[idx, 1])
        data = _f(trace.customdata).reshape(-1, 4)
        np.testing.assert_array_equal(data[:, 0], certificate.p_lower[idx])
        np.testing.assert_array_equal(data[:, 1], certificate.radius[idx])
        np.testing.assert_array_equal(data[:, 2], exact[idx])
        np.testing.assert_array_equal(data[:, 3], certificate.counts[idx])
        expected = ABSTAIN_COLOUR if label == ABSTAIN else LABEL_COLOURS[label]
        assert trace.marker.color == expected
        assert trace.marker.symbol == ("x" if label == ABSTAIN else "circle")
        assert f"of {certificate.n}" in trace.hovertemplate
    assert seen == len(certificate.points)
    # the certified label is the smoothed classifier's (for the disc not always the base classifier's: the
    # smoothed disc is smaller)
    certified = certificate.prediction != ABSTAIN
    smoothed = classifier.smoothed_probabilities(certificate.points, SIGMA_NOW).argmax(axis=1)
    np.testing.assert_array_equal(certificate.prediction[certified], smoothed[certified])


def test_certified_balls(toy):
    """A filled circle of the certified radius around every certified point, a dotted one of the exact radius."""
    classifier, certificate, exact = toy
    fig = toy_figure(classifier, certificate, exact, VIEW, "toy")
    filled, dotted = _circles(fig), _circles(fig, "dot")
    order = np.concatenate([np.flatnonzero(certificate.prediction == label) for label in (0, 1, ABSTAIN)])
    certified = [i for i in order if certificate.radius[i] > 0]  # drawn group by group, as the legend
    assert len(filled) == len(certified) > 0
    for shape, i in zip(filled, certified, strict=True):
        (cx, cy), r = certificate.points[i], certificate.radius[i]
        assert (shape.x0 + shape.x1) / 2 == pytest.approx(cx) and (shape.y0 + shape.y1) / 2 == pytest.approx(cy)
        assert shape.x1 - shape.x0 == pytest.approx(2 * r) and shape.y1 - shape.y0 == pytest.approx(2 * r)
        col = LABEL_COLOURS[certificate.prediction[i]]
        assert shape.line.color == col and shape.fillcolor == _rgba(col, 0.15)
        assert shape.layer == "below"
    with_exact = [i for i in order if certificate.prediction[i] != ABSTAIN and exact[i] > 0]
    assert len(dotted) == len(with_exact)
    for shape, i in zip(dotted, with_exact, strict=True):
        assert shape.x1 - shape.x0 == pytest.approx(2 * exact[i])
    # Monte Carlo radii are below the exact ones (each may fail with probability alpha = 0.001)
    assert np.all(certificate.radius <= exact * (1 + 1e-12)) and certificate.at_most(exact).all()


def test_toy_axes_are_fixed_and_square(toy):
    classifier, certificate, exact = toy
    fig = toy_figure(classifier, certificate, exact, VIEW, "Certified balls")
    assert list(fig.layout.xaxis.range) == [-VIEW, VIEW] and list(fig.layout.yaxis.range) == [-VIEW, VIEW]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.plot_bgcolor == REGION_TINTS[0]
    assert fig.layout.title.text == "Certified balls"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("x1", "x2")


def test_linear_boundary_and_region():
    """For w.x + c = x1 + x2: the boundary is on the line, the tinted region is the half-plane w.x + c >= 0."""
    classifier = LinearClassifier(weights=(1.0, 1.0), offset=0.0)
    points = np.array([[1.0, 1.0], [-1.0, -1.0]])
    certificate = certify_smoothed(classifier, points, SIGMA_NOW, n=500, seed=0)
    fig = toy_figure(classifier, certificate, smoothed_radius(classifier, points, SIGMA_NOW), VIEW, "t")
    boundary = fig.data[0]
    np.testing.assert_allclose(_f(boundary.x) + _f(boundary.y), 0.0, atol=1e-12)
    (region,) = [s for s in fig.layout.shapes if s.type == "path"]
    assert region.fillcolor == REGION_TINTS[1]
    vertices = [tuple(map(float, v.split(","))) for v in region.path.strip("M Z").split(" L ")]
    assert all(x + y >= -1e-9 for x, y in vertices)
    # exactness of the linear case: the exact smoothed radius is the distance to the line
    np.testing.assert_allclose(smoothed_radius(classifier, points, SIGMA_NOW),
                               classifier.boundary_distance(points), rtol=1e-6)


def test_disc_boundary_and_region():
    classifier = DiscClassifier(center=(0.5, -0.5), radius=1.0)
    points = np.array([[0.5, -0.5], [2.0, 2.0]])
    certificate = certify_smoothed(classifier, points, SIGMA_NOW, n=500, seed=0)
    fig = toy_figure(classifier, certificate, smoothed_radius(classifier, points, SIGMA_NOW), VIEW, "t")
    boundary = fig.data[0]
    np.testing.assert_allclose(np.hypot(_f(boundary.x) - 0.5, _f(boundary.y) + 0.5), 1.0, atol=1e-12)
    (region,) = [s for s in fig.layout.shapes if s.fillcolor == REGION_TINTS[1]]
    assert (region.type, region.x0, region.x1, region.y0, region.y1) == ("circle", -0.5, 1.5, -1.5, 0.5)


def test_vertical_linear_boundary():
    """w = (1, 0): the boundary is the vertical line x1 = -c (the branch for |w1| > |w2|)."""
    classifier = LinearClassifier(weights=(1.0, 0.0), offset=-0.5)
    points = np.array([[2.0, 0.0]])
    certificate = certify_smoothed(classifier, points, SIGMA_NOW, n=500, seed=0)
    boundary = toy_figure(classifier, certificate, smoothed_radius(classifier, points, SIGMA_NOW), VIEW, "t").data[0]
    np.testing.assert_allclose(_f(boundary.x), 0.5)
    assert list(boundary.y) == [-2 * VIEW, 2 * VIEW]


def _area(polygon) -> float:
    xs, ys = np.array(polygon).T
    return 0.5 * abs(float(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1))))


@pytest.mark.parametrize("weights, offset, area", [
    ((1.0, 1.0), 0.0, 2.0),      # the diagonal halves [-1, 1]^2
    ((1.0, 0.0), 0.0, 2.0),      # x >= 0
    ((0.0, 1.0), 0.5, 3.0),      # y >= -0.5
    ((1.0, 1.0), 1.0, 3.5),      # x + y >= -1: all but a corner triangle of area 1/2
    ((1.0, 1.0), 5.0, 4.0),      # the whole square
])
def test_half_plane_clips_the_square(weights, offset, area):
    polygon = _half_plane(weights, offset, -1.0, 1.0)
    assert _area(polygon) == pytest.approx(area)
    assert all(weights[0] * x + weights[1] * y + offset >= -1e-12 for x, y in polygon)


def test_half_plane_outside_the_square_is_empty():
    assert _half_plane((1.0, 1.0), -5.0, -1.0, 1.0) == []


def test_describe_toy(toy):
    classifier, certificate, _ = toy
    text = describe_toy(certificate, "linear: x1 + x2 > 0")
    certified = int(np.count_nonzero(certificate.prediction != ABSTAIN))
    assert certificate.certified_count == certified
    assert text.startswith("Scatter of 12 points around the linear: x1 + x2 > 0: ")
    assert f"{certified} certified with l2 balls of radius up to {certificate.radius.max():.3f}" in text
    assert f"{12 - certified} abstain (sigma = {SIGMA_NOW:.3g}, {certificate.n} noisy samples a point)." in text
