"""figures.animation: the Play animation of nu* and q* over eps, one precomputed frame per eps, fixed scales."""

from __future__ import annotations

import numpy as np
import plotly.colors
import pytest

import engine
from figures.animation import worst_case_animation
from figures.style import plain

EPS = (0.0, 0.5, 1.0, 2.0)


@pytest.fixture(scope="module")
def solved(figure2):
    """As ui.compute.animation: nu* and q* of worst_case at each shown eps."""
    cases = [engine.worst_case(figure2, e) for e in EPS]
    return [w.nu for w in cases], [w.q for w in cases]


@pytest.fixture(scope="module")
def fig(figure2, solved):
    nus, qs = solved
    return worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels)


def _cividis(trace) -> bool:
    return [c for _, c in trace.colorscale] == list(plotly.colors.sequential.Cividis)


def test_one_frame_per_eps(fig):
    assert len(fig.frames) == len(EPS)
    assert [f.name for f in fig.frames] == [f"{e:.4g}" for e in EPS]
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == [f.name for f in fig.frames]
    assert [list(s.args[0]) for s in steps] == [[f.name] for f in fig.frames]
    assert all(s.method == "animate" for s in steps)
    assert fig.layout.sliders[0].currentvalue.prefix == "eps = "


def test_frames_carry_the_engine_tables(fig, solved):
    nus, qs = solved
    for frame, nu, q in zip(fig.frames, nus, qs, strict=True):
        assert tuple(frame.traces) == (0, 1)
        left, right = frame.data
        np.testing.assert_array_equal(np.asarray(left.z, dtype=float), nu)
        np.testing.assert_array_equal(np.asarray(right.z, dtype=float), q)


def test_the_first_frame_is_shown_before_play(fig, solved):
    nus, qs = solved
    left, right = fig.data
    np.testing.assert_array_equal(np.asarray(left.z, dtype=float), nus[0])
    np.testing.assert_array_equal(np.asarray(right.z, dtype=float), qs[0])
    assert (left.xaxis, left.yaxis, right.xaxis, right.yaxis) == ("x", "y", "x2", "y2")


def test_colour_scales_are_fixed_across_frames(fig, solved):
    """nu* on [0, the largest nu* of any frame], q* on [0, 1]: a colour means the same number in every frame."""
    nus, _ = solved
    nu_max = max(float(np.max(n)) for n in nus)
    for left, right in [fig.data, *(f.data for f in fig.frames)]:
        assert (left.zmin, left.zmax) == (0, nu_max)
        assert (right.zmin, right.zmax) == (0, 1)
        assert _cividis(left) and _cividis(right)
        assert left.showscale is False and right.colorbar.title.text == "q*"
    assert min(float(np.max(n)) for n in nus) < nu_max  # some frame's own range would differ


def test_axes_are_fixed_across_frames(fig, figure2):
    """Every frame has the same categories in the same order; the axes are categorical with row 1 on top."""
    rows, cols = [f"{p:g}" for p in figure2.positions], list(figure2.labels)
    for trace in [*fig.data, *(t for f in fig.frames for t in f.data)]:
        assert list(trace.x) == cols and list(trace.y) == rows
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert axis.autorange == "reversed" and axis.type == "category"
        assert axis.title.text == "feature x"
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.type == "category" and axis.title.text == "label y"


def test_play_and_pause(fig):
    (menu,) = fig.layout.updatemenus
    play, pause = menu.buttons
    assert (play.label, play.method) == ("Play", "animate")
    assert play.args[0] is None and play.args[1]["fromcurrent"] is True and play.args[1]["frame"]["redraw"] is True
    assert (pause.label, pause.method) == ("Pause", "animate")
    assert list(pause.args[0]) == [None]


def test_titles_and_height(figure2, solved):
    nus, qs = solved
    fig = worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels, units_note=" (nats)")
    assert fig.layout.title.text == "How the worst case and the robust rule change with eps (nats)"
    assert [a.text for a in fig.layout.annotations] == ["worst case nu*(x', y)", "robust rule q*(y | x)"]
    assert fig.layout.height == max(380, 120 + 32 * figure2.n)


def test_the_frames_change(fig):
    """eps = 0 is the clean law; a larger budget moves mass: the frames differ."""
    first, last = (np.asarray(f.data[0].z, dtype=float) for f in (fig.frames[0], fig.frames[-1]))
    assert not np.allclose(first, last)


def test_frame_count_must_match(figure2, solved):
    nus, qs = solved
    with pytest.raises(ValueError):
        worst_case_animation(EPS[:2], nus, qs, figure2.positions, figure2.labels)


def test_labels_are_escaped(hostile_problem, strings):
    p = hostile_problem
    cases = [engine.worst_case(p, e) for e in (0.0, 0.5)]
    fig = worst_case_animation((0.0, 0.5), [w.nu for w in cases], [w.q for w in cases], p.positions, p.labels)
    assert list(fig.data[0].x) == [plain(s) for s in p.labels]
    assert all(list(t.x) == [plain(s) for s in p.labels] for f in fig.frames for t in f.data)
    assert not any("<img" in s or "<b>" in s for s in strings(fig))


def test_frame_names_are_unique(figure2, solved):
    """The slider animates to a frame by name: budgets that agree to 4 significant digits still get their own."""
    nus, qs = solved
    eps = (1.0, 1.0001, 1.0002, 1.0003)
    fig = worst_case_animation(eps, nus, qs, figure2.positions, figure2.labels)
    assert len({f.name for f in fig.frames}) == len(eps)
