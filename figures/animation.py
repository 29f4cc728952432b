"""A Play animation of nu* and q* as eps grows: precomputed frames, fixed colour ranges and axes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import SEQUENTIAL, distinct_names, finish, plain


def worst_case_animation(eps_values, nus, qs, positions, labels, units_note: str = "") -> go.Figure:
    """Two heatmaps (nu*(x', y) and q*(y|x)) with one frame per eps; the slider and Play button step through."""
    rows = distinct_names(positions, 6)
    cols = [plain(s) for s in labels]
    nu_max = max(float(np.max(n)) for n in nus)

    def traces(nu, q):
        return [
            go.Heatmap(z=nu, x=cols, y=rows, colorscale=SEQUENTIAL, zmin=0, zmax=nu_max, showscale=False,
                       hovertemplate="x'=%{y}, y=%{x}<br>nu*=%{z:.4f}<extra></extra>"),
            go.Heatmap(z=q, x=cols, y=rows, colorscale=SEQUENTIAL, zmin=0, zmax=1, colorbar={"title": {"text": "q*"}},
                       hovertemplate="x=%{y}, y=%{x}<br>q*=%{z:.4f}<extra></extra>"),
        ]

    fig = make_subplots(rows=1, cols=2, subplot_titles=("worst case nu*(x', y)", "robust rule q*(y | x)"))
    for k, t in enumerate(traces(nus[0], qs[0])):
        fig.add_trace(t, row=1, col=k + 1)
    fig.frames = [go.Frame(data=traces(n, q), name=name, traces=[0, 1])  # the slider finds frames by name
                  for name, n, q in zip(distinct_names(eps_values, 4), nus, qs, strict=True)]
    steps = [{"args": [[f.name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
              "label": f.name, "method": "animate"} for f in fig.frames]
    fig.update_layout(
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0.0, "y": -0.12, "xanchor": "left",
                      "buttons": [{"label": "Play", "method": "animate",
                                   "args": [None, {"frame": {"duration": 350, "redraw": True}, "fromcurrent": True}]},
                                  {"label": "Pause", "method": "animate",
                                   "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}]}]}],
        sliders=[{"steps": steps, "x": 0.15, "len": 0.85, "y": -0.08, "currentvalue": {"prefix": "eps = "}}],
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return finish(fig, "How the worst case and the robust rule change with eps" + units_note, "label y", "feature x",
                  height=max(380, 120 + 32 * len(rows)))
