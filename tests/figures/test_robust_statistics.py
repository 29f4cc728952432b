"""figures.robust_statistics: the corrupted sample, the errors against the bump's location and against d, and the
Tukey median's plane, on engine.context's results (small versions of the page's calls)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.context.high_dimensional import dimension_sweep
from engine.context.robust_statistics import ESTIMATORS, breakdown_curve, corruption_study, shift_sweep
from engine.context.tukey import plane_study
from figures.robust_statistics import (
    BOX,
    BUMP_COLOUR,
    CLEAN_COLOUR,
    COLOURS,
    FLOOR,
    LABELS,
    breakdown_figure,
    describe_breakdown,
    describe_dimension,
    describe_sample,
    describe_shift,
    describe_tukey,
    dimension_figure,
    sample_figure,
    shift_figure,
    tukey_figure,
)
from figures.style import OKABE_ITO


def f(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def named(fig, name: str):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


@pytest.fixture(scope="module")
def study():
    return corruption_study(100, 0.1, 30.0, repeats=40, seed=3)


@pytest.fixture(scope="module")
def sweep():
    return shift_sweep(100, 0.1, np.linspace(0, 60, 13), repeats=40, seed=3)


@pytest.fixture(scope="module")
def high():
    return dimension_sweep(600, 0.1, (1, 4, 16, 64), repeats=3, seed=1)


def test_estimators_have_their_own_okabe_ito_colours():
    own = [COLOURS[name] for name in ESTIMATORS]
    assert all(c in OKABE_ITO for c in own) and len(set(own)) == len(own)


def test_sample_figure_splits_clean_draws_from_the_bump(study):
    fig = sample_figure(study)
    clean, bump = fig.data
    np.testing.assert_array_equal(f(clean.x), study.sample[study.k:])
    np.testing.assert_array_equal(f(bump.x), study.sample[:study.k])
    assert np.all(f(bump.x) == 30.0) and bump.marker.color == BUMP_COLOUR != COLOURS["mean"]
    assert clean.marker.color == CLEAN_COLOUR
    lines = {s.x0 for s in fig.layout.shapes}
    assert lines == {0.0, *(study.estimates[name] for name in ("mean", "median", "trimmed"))}
    texts = [a.text for a in fig.layout.annotations]
    assert f"sample mean = {study.estimates['mean']:.3f}" in texts and "truth mu = 0.000" in texts
    lo, hi = fig.layout.xaxis.range
    assert lo <= study.sample.min() and hi >= study.sample.max()
    assert f"{study.estimates['median']:.3f}" in describe_sample(study) and "10 points" in describe_sample(study)


def test_shift_figure_lines_bands_and_sups(sweep):
    fig = shift_figure(sweep, 20.0)
    for name in ESTIMATORS:
        line = named(fig, LABELS[name])
        np.testing.assert_array_equal(f(line.x), sweep.shifts)
        np.testing.assert_array_equal(f(line.y), np.maximum(sweep.mean[name], FLOOR))
        band = named(fig, f"{LABELS[name]} 95 % CI")
        assert band.fill == "toself" and len(band.x) == 2 * len(sweep.shifts)
        assert np.all(f(band.y)[: len(sweep.shifts)] >= f(line.y) - 1e-15)  # the upper edge first
    sups = {s.y0 for s in fig.layout.shapes if s.xref == "paper"}
    assert sups == {sweep.worst[name] for name in ("median", "trimmed", "mad")}  # finite: eps <= trim
    assert np.isinf(sweep.worst["mean"]) and np.isinf(sweep.worst["std"])
    assert fig.layout.yaxis.type == "log"
    lo, hi = fig.layout.yaxis.range
    assert hi >= np.log10(sweep.mean["mean"].max()) and hi >= np.log10(sweep.mean["std"].max())
    assert [s.x0 for s in fig.layout.shapes if s.xref == "x"] == [20.0]
    text = describe_shift(sweep)
    assert f"{sweep.worst['median']:.3g}" in text and f"{sweep.mean['mean'][-1]:.3g}" in text


def test_shift_figure_without_finite_sups():
    past = shift_sweep(50, 0.3, np.linspace(0, 60, 5), trim=0.1, repeats=10, seed=0)  # eps > trim
    fig = shift_figure(past, 0.0)
    assert {s.y0 for s in fig.layout.shapes if s.xref == "paper"} == {past.worst["median"], past.worst["mad"]}


def test_breakdown_figure():
    c = breakdown_curve(100, np.round(np.arange(0, 0.5, 0.05), 2), trim=0.2, repeats=10, seed=0)
    fig = breakdown_figure(c, 0.1)
    for name in ESTIMATORS:
        t = [t for t in fig.data if t.name.startswith(LABELS[name] + " (")][0]
        assert f"breaks down at {c.breakdown[name].k}/100" in t.name
        y = f(t.y)
        finite = np.isfinite(c.worst[name])
        np.testing.assert_array_equal(np.isnan(y), ~finite)  # no line where the sup is infinite
        np.testing.assert_allclose(y[finite], np.maximum(c.worst[name][finite], FLOOR))
    lines = sorted(s.x0 for s in fig.layout.shapes)
    assert lines == sorted([0.1, c.breakdown["trimmed"].fraction])  # the median's 1/2 lies beyond the axis
    assert [a.text for a in fig.layout.annotations] == ["trimmed mean breaks down"]
    assert "21/100" in describe_breakdown(c) and "50/100" in describe_breakdown(c)


def test_dimension_figure_and_the_fit(high):
    fig = dimension_figure(high)
    for name, label in (("mean", LABELS["mean"]), ("median", LABELS["coordinate"]), ("filter", LABELS["filter"]),
                        ("clean", LABELS["clean"])):
        m, lo, hi = high.summary(name)
        t = named(fig, label)
        np.testing.assert_array_equal(f(t.x), high.dims)
        np.testing.assert_allclose(f(t.y), m)
        np.testing.assert_allclose(f(t.error_y.array), hi - m)
    (fit,) = [t for t in fig.data if t.name.startswith("fit")]
    np.testing.assert_allclose(f(fit.y), high.fit.coefficient * 0.1 * np.sqrt(high.dims))
    assert f"{high.fit.coefficient:.3f}" in fit.name and fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == list(high.dims)
    assert f"{high.fit.exponent:.3f}" in describe_dimension(high)


@pytest.mark.parametrize("shift", [1.0, 30.0])
def test_tukey_figure(shift):
    s = plane_study(30, 0.2, shift, seed=2)
    fig = tukey_figure(s)
    contours = [t for t in fig.data if t.legendgroup == "contours"]
    assert len(contours) == len(s.regions.polygons)
    for t, poly in zip(contours, s.regions.polygons, strict=True):
        assert (t.x[0], t.y[0]) == (t.x[-1], t.y[-1]) and len(t.x) == len(poly) + 1  # closed
    median = named(fig, f"Tukey median (depth {s.regions.max_depth})")
    assert (median.x[0], median.y[0]) == tuple(s.regions.median)
    assert (named(fig, "sample mean").x[0], named(fig, "sample mean").y[0]) == tuple(s.mean)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    beyond = np.max(np.abs(s.sample[0])) > BOX
    assert any(a.text.startswith("bump") for a in arrows) == beyond
    for a in arrows:
        assert max(abs(a.x), abs(a.y)) <= BOX
    assert fig.layout.yaxis.scaleanchor == "x"
    assert f"{s.errors['tukey']:.3f}" in describe_tukey(s)
