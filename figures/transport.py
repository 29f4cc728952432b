"""Where each label's mass moves: the transport plan as a Sankey diagram (clean x -> perturbed x')."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import colour, distinct_names, layout, plain

SHOWN_MASS = 1e-6


def transport_sankey(plan, positions, labels, title: str = "Where each label's mass moves") -> go.Figure:
    """plan[x, y, x', y']: links from clean feature values (left) to perturbed ones (right), one colour per label."""
    g = np.asarray(plan, dtype=float)
    n, m = g.shape[0], g.shape[1]
    labels = [plain(s) for s in labels]
    rows = distinct_names(positions, 6)
    names = [f"x = {r}" for r in rows]
    source, target, value, colours, hover = [], [], [], [], []
    for x, y, x2, y2 in zip(*np.nonzero(g > SHOWN_MASS), strict=True):
        source.append(int(x))
        target.append(n + int(x2))
        value.append(float(g[x, y, x2, y2]))
        colours.append(colour(int(y)))
        change = "" if y == y2 else f" (label becomes {labels[y2]})"
        hover.append(f"label {labels[y]}: {rows[x]} -> {rows[x2]}{change}, mass {g[x, y, x2, y2]:.4f}")
    sankey = go.Sankey(
        arrangement="fixed",
        node={"label": names + [f"x' = {r}" for r in rows], "pad": 8, "thickness": 14,
              "x": [0.02] * n + [0.98] * n, "y": list(np.linspace(0.02, 0.98, n)) * 2, "color": "#bbbbbb"},
        link={"source": source, "target": target, "value": value, "color": [c + "99" for c in colours],
              "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"},
    )
    legend = [go.Scatter(x=[None], y=[None], mode="markers", name=f"label {labels[y]}",
                         marker={"color": colour(y), "size": 10}) for y in range(m)]  # a legend of label colours
    return go.Figure([sankey, *legend], layout=layout(title, "", "", height=max(320, 40 * n),
                                                      xaxis={"visible": False}, yaxis={"visible": False}))


def describe_transport(plan, positions, labels) -> str:
    """Alt text: how much mass moves, and the largest move."""
    g = np.asarray(plan, dtype=float)
    n, m = g.shape[0], g.shape[1]
    stay = sum(g[x, y, x, y] for x in range(n) for y in range(m))
    moved = 1.0 - stay
    if moved <= SHOWN_MASS:
        return "Transport plan: no mass moves; the perturbed distribution equals the clean one."
    moves = g.copy()
    for x in range(n):
        for y in range(m):
            moves[x, y, x, y] = 0
    x, y, x2, _ = np.unravel_index(int(np.argmax(moves)), moves.shape)
    rows = distinct_names(positions, 6)
    return (f"Transport plan: a total mass of {moved:.3f} moves; the largest move takes {moves.max():.3f} "
            f"of label {labels[y]} from x = {rows[x]} to x' = {rows[x2]}.")
