"""figures.concentration: the cap's expansion against the notes' bound and the average distance against d, on
engine.context.concentration's results (the page's own calls, on smaller grids)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.context.concentration import (
    cap_distance_curve,
    cap_expansion,
    cap_expansion_curve,
    covering_radius,
    mean_distance_to_cap,
    simulate_sphere,
)
from figures.concentration import (
    BOUND_COLOUR,
    CEILING_COLOUR,
    EXACT_COLOUR,
    LIMIT_COLOUR,
    MEASURE_AXIS,
    SCALE_COLOUR,
    SHIFTED_COLOUR,
    describe_distance,
    describe_expansion,
    distance_figure,
    expansion_figure,
)
from figures.style import OKABE_ITO

DIMS = (2, 5, 10, 50, 100, 1000, 10_000)


def expansion_case(d: int, p: float, delta: float, samples: int = 2000):
    curve = cap_expansion_curve(d, p, np.linspace(0, covering_radius(d, p), 61))
    return curve, cap_expansion(d, p, delta), simulate_sphere(d, p, delta, samples=samples, seed=1)


def named(fig, start: str):
    (trace,) = [t for t in fig.data if t.name and t.name.startswith(start)]
    return trace


def f(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def test_colours_are_distinct_okabe_ito():
    series = (EXACT_COLOUR, BOUND_COLOUR, SHIFTED_COLOUR, LIMIT_COLOUR, SCALE_COLOUR, CEILING_COLOUR)
    assert all(c in OKABE_ITO for c in series) and len(set(series)) == len(series)


def test_expansion_traces_carry_the_engines_numbers():
    curve, now, sim = expansion_case(100, 0.5, 0.1)
    fig = expansion_figure(curve, now, sim)
    exact = named(fig, "exact")
    np.testing.assert_array_equal(f(exact.x), curve.delta)
    np.testing.assert_array_equal(f(exact.y), curve.expansion)
    bound = named(fig, "notes' bound")
    np.testing.assert_array_equal(f(bound.y), np.maximum(curve.bound, 0))  # a bound <= 0 says nothing: drawn at 0
    assert np.all(f(exact.y) >= f(bound.y) - 1e-12)
    assert bound.line.color == BOUND_COLOUR and exact.line.color == EXACT_COLOUR
    mark = [t for t in fig.data if t.name == "now"][0]
    assert (mark.x[0], mark.y[0]) == (now.delta, now.expansion)
    mc = named(fig, "Monte Carlo")
    assert (mc.x[0], mc.y[0]) == (0.1, sim.in_expansion)
    assert mc.error_y.array[0] == pytest.approx(2 * sim.expansion_se)
    assert abs(sim.in_expansion - now.expansion) <= 2 * mc.error_y.array[0]
    assert not [t for t in fig.data if t.name and t.name.startswith("shifted")]


def test_below_half_the_shifted_bound_replaces_the_notes_bound():
    curve, now, _ = expansion_case(100, 0.05, 0.3)
    fig = expansion_figure(curve, now)
    assert not [t for t in fig.data if t.name and t.name.startswith("notes' bound")]
    shifted = named(fig, "shifted bound")
    np.testing.assert_array_equal(f(shifted.y), np.maximum(curve.shifted_bound, 0))
    assert shifted.line.color == SHIFTED_COLOUR
    assert len(fig.data) == 3  # exact, shifted, now: no simulator given


@pytest.mark.parametrize(("d", "p", "delta"), [(2, 0.5, 0.5), (100, 0.5, 0.1), (1000, 0.01, 0.05), (10, 0.9, 1.9),
                                               (1000, 0.5, 1.5)])
def test_expansion_axes_hold_every_point(d, p, delta):
    """The y-axis is fixed; the x-axis ends at the covering radius, or just beyond the chosen delta."""
    curve, now, sim = expansion_case(d, p, delta)
    fig = expansion_figure(curve, now, sim)
    assert list(fig.layout.yaxis.range) == MEASURE_AXIS
    lo, hi = fig.layout.xaxis.range
    assert lo == 0 and hi >= max(curve.delta[-1], delta)
    for t in fig.data:
        bars = f(t.error_y.array) if t.error_y and t.error_y.array is not None else 0
        assert np.all(f(t.y) - bars >= MEASURE_AXIS[0] - 0.05) and np.all(f(t.y) <= MEASURE_AXIS[1])
        assert np.all(f(t.x) <= hi)
    shapes = fig.layout.shapes
    assert len(shapes) == (1 if 1 / np.sqrt(d) <= hi else 0)  # the delta = 1/sqrt(d) line when in view


def test_describe_expansion():
    curve, now, _ = expansion_case(100, 0.5, 0.1)
    text = describe_expansion(curve, now)
    assert text.startswith("Line chart: ") and f"{now.expansion:.4f}" in text and "d = 100" in text
    small = expansion_case(100, 0.05, 0.3)
    assert "needs measure >= 1/2" in describe_expansion(small[0], small[1])


@pytest.fixture(scope="module")
def distances():
    return cap_distance_curve(0.05, DIMS)


def test_distance_traces_and_log_axes(distances):
    d = 100
    exact = mean_distance_to_cap(d, 0.05)
    sim = simulate_sphere(d, 0.05, 0.1, samples=3000, seed=2)
    fig = distance_figure(distances, d, exact, sim)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    line = named(fig, "exact d(E)")
    np.testing.assert_array_equal(f(line.y), distances.exact)
    np.testing.assert_array_equal(f(named(fig, "Gaussian limit").y), distances.limit)
    np.testing.assert_array_equal(f(named(fig, "ceiling").y), distances.bound)
    np.testing.assert_array_equal(f(named(fig, "notes' scale").y), distances.scale)
    assert named(fig, "ceiling").line.color == CEILING_COLOUR and named(fig, "notes' scale").line.color == SCALE_COLOUR
    assert np.all(distances.exact <= distances.bound)
    mark = [t for t in fig.data if t.name == "now"][0]
    assert (mark.x[0], mark.y[0]) == (d, exact)
    mc = named(fig, "Monte Carlo")
    assert mc.y[0] == sim.distance and mc.error_y.array[0] == pytest.approx(2 * sim.distance_se)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    for t in fig.data:
        assert np.all(np.log10(f(t.x)) >= x0 - 1e-12) and np.all(np.log10(f(t.x)) <= x1 + 1e-12)
        assert np.all(np.log10(f(t.y)) >= y0) and np.all(np.log10(f(t.y)) <= y1)


def test_no_scale_line_where_the_notes_scale_is_zero_or_undefined():
    at_half = cap_distance_curve(0.5, DIMS)  # Phi^-1(1/2) = 0: nothing to draw on a log axis
    fig = distance_figure(at_half, 10, mean_distance_to_cap(10, 0.5))
    assert not [t for t in fig.data if t.name and t.name.startswith("notes' scale")]
    above = cap_distance_curve(0.8, DIMS)  # accuracy below 1/2: outside the theorem
    assert above.scale is None
    assert len(distance_figure(above, 10, mean_distance_to_cap(10, 0.8)).data) == 4


def test_describe_distance(distances):
    text = describe_distance(distances, 100, mean_distance_to_cap(100, 0.05))
    assert "Log-log" in text and f"{distances.exact[0]:.3g}" in text and "1/sqrt(d)" in text
