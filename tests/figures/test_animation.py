"""figures.animation: the Play animation of nu* and q* over eps, one precomputed frame per eps, fixed scales."""

from __future__ import annotations

import numpy as np
import plotly.colors
import pytest

import engine
from figures.animation import show_frame, worst_case_animation
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
    assert [list(s.args[0]) for s in steps] == [[f.name] for f in fig.frames]
    assert all(s.method == "animate" for s in steps)
    assert steps[0].label == fig.frames[0].name and steps[-1].label == fig.frames[-1].name
    assert fig.layout.sliders[0].currentvalue.visible is False  # each frame's title says its eps


def test_frames_carry_the_engine_tables_and_nothing_else(fig, solved):
    """Only z changes from frame to frame: scales, fonts and colourbars stay the figure's while it plays."""
    nus, qs = solved
    for frame, nu, q in zip(fig.frames, nus, qs, strict=True):
        assert tuple(frame.traces) == (0, 1)
        left, right = frame.data
        np.testing.assert_array_equal(np.asarray(left.z, dtype=float), nu)
        np.testing.assert_array_equal(np.asarray(right.z, dtype=float), q)
        assert set(left.to_plotly_json()) == {"type", "z"} and set(right.to_plotly_json()) == {"type", "z"}


def test_the_first_frame_is_shown_before_play(fig, solved):
    nus, qs = solved
    left, right = fig.data
    np.testing.assert_array_equal(np.asarray(left.z, dtype=float), nus[0])
    np.testing.assert_array_equal(np.asarray(right.z, dtype=float), qs[0])
    assert (left.xaxis, left.yaxis, right.xaxis, right.yaxis) == ("x", "y", "x2", "y2")


def test_it_starts_on_the_pages_eps_and_show_frame_moves_it(figure2, solved):
    nus, qs = solved
    captions = [f"eps = {e:g}: h* = ..." for e in EPS]
    fig = worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels, captions, active=2)
    assert fig.layout.sliders[0].active == 2 and fig.layout.title.text == captions[2]
    np.testing.assert_array_equal(np.asarray(fig.data[0].z, dtype=float), nus[2])
    show_frame(fig, 3, nus, qs, captions)
    assert fig.layout.sliders[0].active == 3 and fig.layout.title.text == captions[3]
    np.testing.assert_array_equal(np.asarray(fig.data[1].z, dtype=float), qs[3])


def test_every_frame_says_its_h_star(figure2, solved):
    nus, qs = solved
    captions = [f"eps = {e:g}: h* = {k}" for k, e in enumerate(EPS)]
    fig = worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels, captions)
    assert [f.layout.title.text for f in fig.frames] == captions


def test_colour_scales_are_fixed_across_frames_with_a_colourbar_each(fig, solved, figure2):
    """nu* on [0, the top given (default: the largest nu* of any frame)], q* on [0, 1], each with its colourbar."""
    nus, qs = solved
    nu_max = max(float(np.max(n)) for n in nus)
    left, right = fig.data
    assert (left.coloraxis, right.coloraxis) == ("coloraxis", "coloraxis2")
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (0, nu_max)
    assert (fig.layout.coloraxis2.cmin, fig.layout.coloraxis2.cmax) == (0, 1)
    assert fig.layout.coloraxis.colorbar.title.text == "nu* (mass)"
    assert fig.layout.coloraxis2.colorbar.title.text == "q*"
    assert [c for _, c in fig.layout.coloraxis.colorscale] == list(plotly.colors.sequential.Cividis)
    assert min(float(np.max(n)) for n in nus) < nu_max  # some frame's own range would differ
    shared = worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels, zmax=0.5)
    assert shared.layout.coloraxis.cmax == 0.5  # the page passes mu and nu*'s common top


def test_axes_are_fixed_across_frames(fig, figure2):
    """The categories are the figure's (frames carry z only); the axes are categorical with row 1 on top."""
    rows, cols = [f"{p:g}" for p in figure2.positions], list(figure2.labels)
    for trace in fig.data:
        assert list(trace.x) == cols and list(trace.y) == rows
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert axis.autorange == "reversed" and axis.type == "category"
        assert axis.title.text == "feature x"
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.type == "category"
    assert all("columns: label y" in a.text for a in fig.layout.annotations)


def test_play_and_pause(fig):
    (menu,) = fig.layout.updatemenus
    play, pause = menu.buttons
    assert (play.label, play.method) == ("Play", "animate")
    assert play.args[0] is None and play.args[1]["fromcurrent"] is True and play.args[1]["frame"]["redraw"] is True
    assert (pause.label, pause.method) == ("Pause", "animate")
    assert list(pause.args[0]) == [None]


def test_titles_and_height(figure2, solved):
    nus, qs = solved
    fig = worst_case_animation(EPS, nus, qs, figure2.positions, figure2.labels)
    assert fig.layout.title.text == f"eps = {EPS[0]:g}"
    assert [a.text for a in fig.layout.annotations] == ["worst case nu*(x', y) (columns: label y)",
                                                        "robust rule q*(y | x) (columns: label y)"]
    assert fig.layout.height == max(620, 300 + 64 * figure2.n)


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
    assert not any("<img" in s or "<b>" in s for s in strings(fig))


def test_frame_names_are_unique(figure2, solved):
    """The slider animates to a frame by name: budgets that agree to 4 significant digits still get their own."""
    nus, qs = solved
    eps = (1.0, 1.0001, 1.0002, 1.0003)
    fig = worst_case_animation(eps, nus, qs, figure2.positions, figure2.labels)
    assert len({f.name for f in fig.frames}) == len(eps)
