"""figures.privacy: the leakage curve is H(Y) - h*(eps) from the engine's PrivacyCurve, with R(D) overlaid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from strategies import h2, label_entropy

import engine
from engine.analyses.privacy import closed_form_leakage
from figures.privacy import leakage_curve
from figures.style import H_STAR_STYLE, OKABE_ITO

LN2 = math.log(2.0)
CERT = 1e-6
EPS = np.linspace(0.0, 0.5, 6)  # past D = 0.3, where the binary source's leakage reaches 0


@pytest.fixture(scope="module")
def binary():
    return engine.load_preset("binary-source")


@pytest.fixture(scope="module")
def curve(binary):
    return engine.privacy_curve(binary, EPS)


@pytest.fixture(scope="module")
def closed(binary, curve):
    return closed_form_leakage(binary, curve.eps)


def _f(values):
    return np.asarray(values, dtype=float)


def _named(fig, start):
    (trace,) = [t for t in fig.data if t.name.startswith(start)]
    return trace


def test_leakage_trace_is_h_y_minus_h_star(binary, curve):
    fig = leakage_curve(curve, 0.2)
    leak = fig.data[0]
    assert leak.name == "least leakage I(Y;Z) (certified)"
    np.testing.assert_array_equal(_f(leak.x), curve.eps)
    np.testing.assert_array_equal(_f(leak.y), curve.leakage)
    np.testing.assert_allclose(_f(leak.y), label_entropy(binary.mu) - curve.h_star, atol=1e-12)
    assert leak.line.color == OKABE_ITO[0]
    assert leak.y[0] == pytest.approx(h2(0.3), abs=CERT)  # no distortion: the release is X = Y itself


def test_closed_form_overlay_matches_the_engine(curve, closed):
    """Rate-distortion: R(D) = h(0.3) - h(D) up to D = 0.3, then 0 (Cover & Thomas 10.3.1)."""
    assert closed is not None
    fig = leakage_curve(curve, 0.2, closed_form=closed)
    rd = _named(fig, "closed form R(D)")
    np.testing.assert_array_equal(_f(rd.x), curve.eps)
    np.testing.assert_array_equal(_f(rd.y), closed)
    np.testing.assert_allclose(_f(rd.y), _f(fig.data[0].y), atol=CERT)
    assert rd.line.dash == H_STAR_STYLE["dash"] and rd.line.color == H_STAR_STYLE["color"]
    expected = [h2(0.3) - h2(d) if d < 0.3 else 0.0 for d in EPS]
    np.testing.assert_allclose(_f(rd.y), expected, atol=1e-12)


def test_no_closed_form_no_overlay(figure2):
    c = engine.privacy_curve(figure2, [0.0, 0.5, 1.0])
    assert closed_form_leakage(figure2, c.eps) is None
    fig = leakage_curve(c, 0.5, closed_form=None)
    assert not any(t.name.startswith("closed form") for t in fig.data)
    np.testing.assert_allclose(_f(fig.data[0].y), c.h_y - c.h_star, atol=1e-12)


@pytest.mark.parametrize("eps_now, k", [(0.0, 0), (0.2, 2), (0.23, 2), (0.27, 3), (0.5, 5), (9.0, 5)])
def test_current_eps_marker_snaps_to_the_grid(curve, eps_now, k):
    fig = leakage_curve(curve, eps_now)
    mark = fig.data[-1]
    assert mark.mode == "markers" and mark.marker.symbol == "diamond" and mark.marker.color == OKABE_ITO[5]
    assert (mark.x[0], mark.y[0]) == (curve.eps[k], curve.leakage[k])
    assert mark.name == f"eps = {curve.eps[k]:.3g}"


def test_certificate_band_only_when_the_bounds_differ(curve):
    """The dashed trace is H(Y) minus the certificate's upper bound; it is drawn only when it differs."""
    fig = leakage_curve(curve, 0.2)
    other = [t for t in fig.data if t.name == "certificate's other bound"]
    lower = curve.h_y - curve.h_star_upper
    assert np.all(lower <= curve.leakage + 1e-12)  # the shown curve is the larger (certified) leakage
    if np.max(np.abs(curve.leakage - lower)) > 1e-9:
        (band,) = other
        np.testing.assert_allclose(_f(band.y), lower, atol=0)
        assert band.line.dash == "dash"
    else:
        assert other == []


def test_certificate_band_drawn_for_a_loose_certificate(curve):
    """The same curve with a visibly loose certificate: the band appears at H(Y) - upper bound."""
    loose = engine.PrivacyCurve(eps=curve.eps, h_star=curve.h_star, h_star_upper=curve.h_star + 0.01,
                                leakage=curve.leakage, h_y=curve.h_y, mechanisms=curve.mechanisms,
                                statuses=curve.statuses, status="approximate")
    band = _named(leakage_curve(loose, 0.2), "certificate's other bound")
    np.testing.assert_allclose(_f(band.y), curve.leakage - 0.01, atol=1e-12)


def test_axis_range_and_titles(curve):
    fig = leakage_curve(curve, 0.2)
    lo, hi = fig.layout.yaxis.range
    assert lo == 0 and hi == pytest.approx(1.1 * curve.leakage.max())
    assert fig.layout.xaxis.title.text == "distortion budget eps (less utility ->)"
    assert fig.layout.yaxis.title.text == "leakage I(Y; Z) [nats]"  # short enough for a phone's chart
    assert "lower: more private" in fig.layout.title.text


def test_zero_leakage_keeps_a_positive_range():
    p = engine.load_preset("binary-source")
    c = engine.privacy_curve(p, [0.35, 0.4])  # past D = 0.3: nothing leaks
    hi = leakage_curve(c, 0.4).layout.yaxis.range[1]
    assert hi > 0


def test_bits_are_nats_over_ln_2(curve, closed):
    nats, bits = leakage_curve(curve, 0.2, "nats", closed), leakage_curve(curve, 0.2, "bits", closed)
    assert bits.layout.yaxis.title.text == nats.layout.yaxis.title.text.replace("[nats]", "[bits]")
    for a, b in zip(nats.data, bits.data, strict=True):
        assert a.name == b.name
        np.testing.assert_array_equal(_f(a.x), _f(b.x))
        np.testing.assert_allclose(_f(b.y), _f(a.y) / LN2, rtol=1e-12)
    assert bits.layout.yaxis.range[1] == pytest.approx(nats.layout.yaxis.range[1] / LN2)
    assert bits.data[0].y[0] == pytest.approx((h2(0.3) / LN2), abs=CERT)  # h(0.3) = 0.881 bits
