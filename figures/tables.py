"""Heatmaps of n-by-m tables: mu, nu*, q*(y|x), and channels."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import SEQUENTIAL, distinct_names, layout, plain


def table_heatmap(table, positions, labels, title: str, value_name: str, zmax: float | None = None,
                  x_title: str = "label y", y_title: str = "feature x") -> go.Figure:
    """A heatmap of table[x, y] with the values written in the cells."""
    t = np.asarray(table, dtype=float)
    rows = distinct_names(positions, 6)
    fig = go.Figure(go.Heatmap(
        z=t, x=[plain(s) for s in labels], y=rows, colorscale=SEQUENTIAL, zmin=0.0,
        zmax=zmax if zmax is not None else max(float(t.max()), 1e-12),
        text=np.vectorize(lambda v: f"{v:.3f}")(t), texttemplate="%{text}",
        hovertemplate=f"x=%{{y}}, y=%{{x}}<br>{value_name}=%{{z:.6f}}<extra></extra>",
        colorbar={"title": {"text": value_name}},
    ), layout=layout(title, x_title, y_title, height=max(300, 60 + 32 * len(rows)),
                     xaxis={"type": "category", "side": "bottom"}, yaxis={"autorange": "reversed", "type": "category"}))
    return fig


def describe_table(name: str, table, positions, labels) -> str:
    """Alt text: the table's shape and its largest cell."""
    t = np.asarray(table, dtype=float)
    i, j = np.unravel_index(int(np.argmax(t)), t.shape)
    return (f"Heatmap of {name}: {t.shape[0]} feature values by {t.shape[1]} labels; "
            f"the largest entry is {t[i, j]:.3f} at x = {distinct_names(positions, 6)[i]}, y = {labels[j]}.")


def mass_heatmaps(mu, nu, positions, labels, zmax: float, eps: float, units_note: str = "") -> go.Figure:
    """mu(x, y) and nu*(x', y) side by side on one colour scale [0, zmax] with one colourbar: a colour is the
    same mass in both, and (``zmax`` the largest mass of mu and of nu* at every eps of the page) at every eps,
    so where the attacker moved mass reads across the pair and across slider moves.

    Built from plain axis domains, not make_subplots (which costs about 20 ms a call: this figure is redrawn on
    every slider move)."""
    rows = distinct_names(positions, 6)
    cols = [plain(s) for s in labels]
    traces = []
    for k, (table, name) in enumerate(((mu, "mu"), (nu, "nu*"))):
        t = np.asarray(table, dtype=float)
        traces.append(go.Heatmap(
            z=t, x=cols, y=rows, coloraxis="coloraxis", xaxis="x" if k == 0 else "x2", yaxis="y",
            text=np.vectorize(lambda v: f"{v:.3f}")(t), texttemplate="%{text}",
            hovertemplate=f"x=%{{y}}, y=%{{x}}<br>{name}=%{{z:.6f}}<extra></extra>"))
    titles = [{"text": text, "xref": "paper", "yref": "paper", "x": x, "y": 1.0, "xanchor": "center",
               "yanchor": "bottom", "showarrow": False} for text, x in (("clean mu", 0.235), ("worst case nu*", 0.765))]
    return go.Figure(traces, layout=layout(
        f"mu and nu*, eps = {eps:.3g} (one colour scale)" + units_note, "label y", "feature x",
        height=max(320, 90 + 34 * len(rows)), annotations=titles,
        coloraxis={"colorscale": SEQUENTIAL, "cmin": 0.0, "cmax": max(zmax, 1e-12),
                   "colorbar": {"title": {"text": "mass"}}},
        xaxis={"type": "category", "domain": [0.0, 0.47]},
        xaxis2={"type": "category", "domain": [0.53, 1.0], "title": {"text": "label y"}, "anchor": "y"},
        yaxis={"type": "category", "autorange": "reversed"}))
