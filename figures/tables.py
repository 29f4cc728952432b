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
