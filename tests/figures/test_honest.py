"""Issue 14's pictures: mu and nu* on one colour scale, the transport plan readable at any size, h*(eps) for the
overview, plain words for equation numbers, a font every SVG viewer has, and lecture mode's hall sizes
(every text at least 22 px, dark axis text, thicker lines) in the projector and dark themes."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from figures.accuracy import accuracy_against_eps, frontier_figure
from figures.animation import worst_case_animation
from figures.certify import radius_against_noise
from figures.deterministic import alpha_curve, channel_diagram, values_bars
from figures.overview import describe_h_star, h_star_curve
from figures.privacy import leakage_curve
from figures.style import FONT, HALL_INK, for_hall, layout
from figures.tables import mass_heatmaps, table_heatmap
from figures.tradeoff import clean_robust_bars, figure2_left, figure2_right, loss_heatmap
from figures.transport import SANKEY_LIMIT, moved_mass, transport_figure
from figures.words import WORDS, labelled, said

EPS = (0.0, 0.5, 1.0)


@pytest.fixture(scope="module")
def cases(figure2):
    return [engine.worst_case(figure2, e) for e in EPS]


def test_mu_and_nu_share_one_scale_and_one_colourbar(figure2, cases):
    top = max(float(figure2.mu.max()), *(float(w.nu.max()) for w in cases))
    fig = mass_heatmaps(figure2.mu, cases[1].nu, figure2.positions, figure2.labels, top, 0.5)
    mu, nu = fig.data
    assert mu.coloraxis == nu.coloraxis == "coloraxis"  # one scale, hence one colourbar
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (0.0, top)
    assert fig.layout.coloraxis.colorbar.title.text == "mass"
    np.testing.assert_array_equal(np.asarray(mu.z, dtype=float), figure2.mu)
    np.testing.assert_array_equal(np.asarray(nu.z, dtype=float), cases[1].nu)
    assert "eps = 0.5" in fig.layout.title.text


def test_the_plan_is_a_sankey_up_to_its_limit_and_a_moved_mass_matrix_beyond(figure2, cases):
    """With many feature values the Sankey's links cross in a tangle: the moved mass x -> x' is drawn instead,
    the diagonal (mass that stays) left blank, every other entry the plan's mass summed over labels."""
    assert transport_figure(cases[1].plan, figure2.positions, figure2.labels).data[0].type == "sankey"
    gaussians = engine.load_preset("two-gaussians")
    assert gaussians.n > SANKEY_LIMIT
    w = engine.worst_case(gaussians, 0.3)
    fig = transport_figure(w.plan, gaussians.positions, gaussians.labels)
    (heat,) = fig.data
    assert heat.type == "heatmap"
    z = np.asarray(heat.z, dtype=float)
    want = np.asarray(w.plan).sum(axis=(1, 3))
    off = ~np.eye(gaussians.n, dtype=bool)
    np.testing.assert_allclose(z[off], want[off])
    assert np.isnan(np.diag(z)).all()
    assert moved_mass(w.plan, gaussians.positions).layout.yaxis.title.text == "from x"


def test_sankey_labels_are_dark(figure2, cases):
    (sankey, *_) = transport_figure(cases[1].plan, figure2.positions, figure2.labels).data
    assert sankey.textfont.color == "#1a1a1a"


def test_h_star_curve_runs_from_h_y_given_x_below_h_y(figure2):
    grid = np.linspace(0.0, 2.0, 9)
    solved = [engine.worst_case(figure2, e) for e in grid]
    lower = np.array([w.certificate.lower for w in solved])
    upper = np.array([w.certificate.upper for w in solved])
    h_y, h_yx = engine.tradeoff_grid(figure2, [0.0], [0.0]).h_y, solved[0].value
    fig = h_star_curve(grid, lower, upper, 1.0, h_y, h_yx)
    curve, mark = fig.data[0], fig.data[-1]
    np.testing.assert_array_equal(np.asarray(curve.y, dtype=float), lower)
    assert (mark.x[0], mark.y[0]) == (1.0, lower[4])
    assert [n.text for n in fig.layout.annotations] == ["H(Y)", "H(Y|X)"]
    assert all(n.xanchor == "left" and n.x == 1.0 for n in fig.layout.annotations)  # labels in the margin
    assert fig.layout.yaxis.range[1] > h_y and "h*" in describe_h_star(grid, lower, h_y)


def test_every_equation_number_has_its_words():
    assert said(20) == "(20): attacker moves after seeing the rule, one fixed move per point"
    assert said(21).startswith("(21): attacker commits")
    assert labelled(21) == "(21) attacker first, fixed moves"
    assert set(WORDS) >= {3, 4, 15, 20, 21}


def test_figures_name_a_font_every_svg_viewer_has():
    """Arial, Liberation Sans and Helvetica share their metrics, so a legend Plotly sized with one fits with the
    others when the downloaded SVG is opened elsewhere (Source Sans, missing there, clipped it)."""
    assert FONT.startswith("Arial, 'Liberation Sans', Helvetica")
    assert layout("t", "x", "y")["font"]["family"] == FONT
    assert layout("t", "x", "y")["legend"]["yref"] == "container"  # below the chart, never over the axis title


def _all_figures(figure2, cases):
    grid = engine.tradeoff_grid(figure2, np.linspace(0, 2, 5), np.linspace(0, 2, 5))
    cvr = engine.clean_vs_robust(figure2, 0.5)
    curve = engine.privacy_curve(figure2, np.linspace(0, 2, 5))
    p = engine.load_preset("stochastic-vs-deterministic")
    gap = engine.deterministic_gap(p, 1.0)
    frontier = engine.accuracy_frontier(0.9, 0.3, 100, 0.6)
    rules = engine.natural_rule_accuracy(0.9, 0.3, 100, 0.6), engine.robust_rule_accuracy(0.9, 0.3, 100, 0.6)
    curves = engine.rule_curves(0.9, 0.3, 100, 1.5, 31)
    radii = engine.radius_curves(0.8, 0.2, np.linspace(0.05, 2, 9))
    now = {"smoothing": 0.4, "gaussian": 0.07, "laplace": 0.3}
    return {
        "mass": mass_heatmaps(figure2.mu, cases[1].nu, figure2.positions, figure2.labels, 0.3, 0.5),
        "table": table_heatmap(cases[1].q, figure2.positions, figure2.labels, "q", "q*", zmax=1.0),
        "animation": worst_case_animation(EPS, [w.nu for w in cases], [w.q for w in cases], figure2.positions,
                                          figure2.labels),
        "left": figure2_left(grid, attacks=[0.5]), "right": figure2_right(grid, rules=[0.5]),
        "surface": loss_heatmap(grid), "bars": clean_robust_bars(cvr), "privacy": leakage_curve(curve, 0.5),
        "alpha": alpha_curve(np.linspace(0, 1, 5), np.linspace(0.4, 0.6, 5), 0.63, 0.46),
        "values": values_bars(gap), "channel": channel_diagram(engine.worst_case(p, 1.0).mechanism, p.positions,
                                                               p.mu),
        "plan": transport_figure(cases[1].plan, figure2.positions, figure2.labels),
        "accuracy": accuracy_against_eps(curves, 0.6, {"natural": 0.1, "robust": 0.9}),
        "frontier": frontier_figure(frontier, *rules),
        "radius": radius_against_noise(radii, 0.5, now),
    }


def _text_sizes(fig) -> dict[str, float]:
    """Every text's font size in the figure's layout and traces, by where it is (None: inherits the global)."""
    lay = fig.layout
    sizes = {"font": lay.font.size, "title": lay.title.font.size, "legend": lay.legend.font.size}
    for name in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        axis = lay[name] if name in lay.to_plotly_json() or name in ("xaxis", "yaxis") else None
        if axis is not None:
            sizes[f"{name}.tick"] = axis.tickfont.size
            sizes[f"{name}.title"] = axis.title.font.size
    for k, note in enumerate(lay.annotations):
        sizes[f"note{k}"] = note.font.size
    for k, trace in enumerate(fig.data):
        if getattr(trace, "textfont", None) is not None and trace.type in ("heatmap", "bar", "sankey"):
            sizes[f"trace{k}.text"] = trace.textfont.size
    for k, slider in enumerate(lay.sliders):
        sizes[f"slider{k}"] = slider.font.size
    for k, menu in enumerate(lay.updatemenus):
        sizes[f"menu{k}"] = menu.font.size
    return sizes


@pytest.mark.parametrize("theme", ["projector", "dark"])
def test_for_hall_sets_every_text_to_22_px_or_more(figure2, cases, theme):
    for name, fig in _all_figures(figure2, cases).items():
        for_hall(fig, theme, 540)
        small = {k: v for k, v in _text_sizes(fig).items() if v is not None and v < 22}
        assert not small, (name, small)
        assert fig.layout.font.size >= 22 and fig.layout.font.color == HALL_INK[theme][0]
        assert fig.layout.xaxis.tickfont.color == HALL_INK[theme][0]  # dark (light in the dark theme), never grey


def test_for_hall_thickens_lines_and_is_idempotent(figure2, cases):
    fig = _all_figures(figure2, cases)["right"]
    thin = [t.line.width for t in fig.data]
    for_hall(fig, "projector", 540)
    thick = [t.line.width for t in fig.data]
    assert all(b >= max(3.5, 1.8 * a) - 1e-9 for a, b in zip(thin, thick, strict=True))
    assert max(thick) > min(thick)  # the chosen curve still stands out
    for_hall(fig, "projector", 540)
    assert [t.line.width for t in fig.data] == thick and fig.layout.height == 540


def test_the_dark_theme_turns_black_lines_light(figure2, cases):
    fig = for_hall(_all_figures(figure2, cases)["right"], "dark")
    h_star = fig.data[-1]
    assert h_star.name == "h*(eps_attack)" and h_star.line.color == HALL_INK["dark"][0]
    assert fig.layout.paper_bgcolor == HALL_INK["dark"][1]
