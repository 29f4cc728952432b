"""A Play animation of nu* and q* as eps grows: precomputed frames, fixed colour ranges and axes.

Honest over frames: nu* keeps one colour scale for every eps (the one the page's mu and nu* heatmaps use, so a
colour is the same mass everywhere) with its colourbar, q* keeps [0, 1] with its own; every frame's title says
its eps, h* and h*'s certificate; the animation starts on the page's eps.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import SEQUENTIAL, distinct_names, finish, plain

SLIDER_LABELS = 6  # labelled steps on the animation's slider (more collide on a phone)


def worst_case_animation(eps_values, nus, qs, positions, labels, captions=None, zmax: float | None = None,
                         active: int = 0) -> go.Figure:
    """Two heatmaps (nu*(x', y) and q*(y|x)), one frame per eps; the slider and Play step through them.

    ``captions``: one title per frame (eps, h* and its certificate, in the page's units; default 'eps = ...').
    ``zmax``: the top of nu*'s colour scale (default: the largest nu* of any frame). ``active``: the frame shown
    first (the page's eps)."""
    rows = distinct_names(positions, 6)
    cols = [plain(s) for s in labels]
    names = distinct_names(eps_values, 4)
    captions = list(captions) if captions is not None else [f"eps = {n}" for n in names]
    zmax = zmax if zmax is not None else max(float(n.max()) for n in nus)
    # One above the other, each with its colourbar beside it: side by side, a phone's width had no room for both.
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.16, shared_xaxes=False,
                        subplot_titles=("worst case nu*(x', y) (columns: label y)",
                                        "robust rule q*(y | x) (columns: label y)"))
    fig.add_trace(go.Heatmap(z=nus[active], x=cols, y=rows, coloraxis="coloraxis",
                             hovertemplate="x'=%{y}, y=%{x}<br>nu*=%{z:.4f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Heatmap(z=qs[active], x=cols, y=rows, coloraxis="coloraxis2",
                             hovertemplate="x=%{y}, y=%{x}<br>q*=%{z:.4f}<extra></extra>"), row=2, col=1)
    # Frames carry the tables only: everything else (scales, fonts) stays the figure's while it plays.
    fig.frames = [go.Frame(data=[go.Heatmap(z=n), go.Heatmap(z=q)], name=name, traces=[0, 1],
                           layout={"title": {"text": caption}})  # the slider finds frames by name
                  for name, n, q, caption in zip(names, nus, qs, captions, strict=True)]
    every = max(1, math.ceil(len(names) / SLIDER_LABELS))
    steps = [{"args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
              "label": name if k % every == 0 or k == len(names) - 1 else "", "method": "animate"}
             for k, name in enumerate(names)]
    fig.update_layout(
        coloraxis={"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": zmax,
                   "colorbar": {"title": {"text": "nu* (mass)"}, "y": 1.0, "yanchor": "top", "len": 0.42}},
        coloraxis2={"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": 1.0,
                    "colorbar": {"title": {"text": "q*"}, "y": 0.0, "yanchor": "bottom", "len": 0.42}},
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0.0, "y": -0.17, "xanchor": "left",
                      "yanchor": "top", "direction": "right",
                      "buttons": [{"label": "Play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 350, "redraw": True}, "fromcurrent": True}]},
                                  {"label": "Pause", "method": "animate",
                                   "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}]}]}],
        sliders=[{"steps": steps, "active": active, "x": 0.0, "len": 1.0, "y": -0.07, "yanchor": "top",
                  "currentvalue": {"visible": False}, "pad": {"t": 10}}],
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    fig = finish(fig, captions[active], "", "feature x", height=max(620, 300 + 64 * len(rows)))
    fig.update_layout(margin={"b": 150, "t": 110})  # room for the two-line title (eps and h*, then the certificate)
    return fig


def show_frame(fig: go.Figure, k: int, nus, qs, captions) -> go.Figure:
    """Start ``fig`` (built by worst_case_animation) on frame k, in place: a page's copy follows its eps
    without rebuilding the frames."""
    fig.data[0].z = nus[k]
    fig.data[1].z = qs[k]
    fig.layout.sliders[0].active = k
    fig.layout.title.text = captions[k]
    return fig
