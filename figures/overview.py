"""The overview's picture: h*(eps), the value of Theorem 1's game, from H(Y|X) at eps = 0 up towards H(Y)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.core.information import to_units
from figures.style import H_STAR_STYLE, colour, hline, layout, value_top


def h_star_curve(eps, lower, upper, eps_now: float, h_y: float, h_y_given_x: float, units: str = "nats") -> go.Figure:
    """h* against eps (its certified lower bound; the upper bound dashed where the two differ), the page's eps
    marked, and the two entropies it runs between as labelled lines."""
    e = np.asarray(eps, dtype=float)
    lo, hi = to_units(np.asarray(lower, dtype=float), units), to_units(np.asarray(upper, dtype=float), units)
    k = int(np.argmin(np.abs(e - eps_now)))
    traces = [go.Scatter(x=e, y=lo, mode="lines", name="h*(eps) = max H(Y|X')", line={**H_STAR_STYLE, "dash": "solid",
                                                                                          "color": colour(0)},
                         hovertemplate="eps=%{x:.3g}<br>h*=%{y:.5f}<extra></extra>")]
    if np.max(np.abs(hi - lo)) > 1e-6:  # the certificate's tolerance: verified points draw one curve
        traces.append(go.Scatter(x=e, y=hi, mode="lines", name="its upper bound", line={"color": colour(0),
                                                                                       "dash": "dash", "width": 1}))
    traces.append(go.Scatter(x=[e[k]], y=[lo[k]], mode="markers", name=f"eps = {e[k]:.3g}",
                             marker={"color": colour(5), "size": 14, "symbol": "diamond"}))
    lines = [hline(to_units(h_y, units), "H(Y)", {"color": "#555555", "dash": "dash", "width": 2}),
             hline(to_units(h_y_given_x, units), "H(Y|X)", {"color": "#555555", "dash": "dot", "width": 2})]
    for _, note in lines:
        note.update({"x": 1.0, "xanchor": "left", "xshift": 6, "yanchor": "middle"})
    top = max(float(hi.max()), to_units(h_y, units))
    return go.Figure(traces, layout=layout("The value of the game as the budget grows", "attack budget eps",
                                           f"h* [{units}]", shapes=[s for s, _ in lines],
                                           annotations=[n for _, n in lines], margin={"l": 60, "r": 80, "t": 60,
                                                                                     "b": 55},
                                           xaxis={"range": [float(e[0]), float(e[-1])]},
                                           yaxis={"range": [0, value_top(top, 1.1)]}))


def describe_h_star(eps, lower, h_y: float, units: str = "nats") -> str:
    """Alt text for h_star_curve."""
    return (f"Line chart: h* rises from {to_units(float(lower[0]), units):.3f} at eps = {float(eps[0]):.3g} to "
            f"{to_units(float(lower[-1]), units):.3f} {units} at eps = {float(eps[-1]):.3g}, below "
            f"H(Y) = {to_units(h_y, units):.3f}.")
