"""Where each label's mass moves: the transport plan as a Sankey diagram (clean x -> perturbed x'), or, with
more feature values than a Sankey can show without a tangle, as a matrix of the mass moved from x to x'."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import INK, SEQUENTIAL, colour, distinct_names, layout, plain

SHOWN_MASS = 1e-6
SANKEY_LIMIT = 8  # feature values; beyond, links cross in a tangle (12 points did)


def transport_figure(plan, positions, labels) -> go.Figure:
    """The plan as a Sankey (up to SANKEY_LIMIT feature values) or as a moved-mass matrix (more)."""
    if np.asarray(plan).shape[0] <= SANKEY_LIMIT:
        return transport_sankey(plan, positions, labels)
    return moved_mass(plan, positions)


def moved_mass(plan, positions, title: str = "Mass moved from x to x' (all labels; staying put left out)"):
    """sum over labels of plan[x, y, x', y']: who sends mass where, the diagonal (mass that stays) blank."""
    g = np.asarray(plan, dtype=float)
    moved = g.sum(axis=(1, 3))
    np.fill_diagonal(moved, np.nan)
    rows = distinct_names(positions, 6)
    return go.Figure(go.Heatmap(
        z=moved, x=rows, y=rows, colorscale=SEQUENTIAL, zmin=0.0, colorbar={"title": {"text": "mass"}},
        hovertemplate="from x=%{y} to x'=%{x}<br>mass=%{z:.4f}<extra></extra>",
    ), layout=layout(title, "to x'", "from x", height=max(360, 80 + 30 * len(rows)),
                     xaxis={"type": "category"}, yaxis={"type": "category", "autorange": "reversed"}))


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
        textfont={"color": INK, "size": 14},  # dark labels (white ones vanished on the light page)
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
