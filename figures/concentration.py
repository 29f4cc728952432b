"""Concentration of measure on the sphere (the notes' adversarial spheres, seeds/004): the measure of a cap's Euclidean
delta-expansion against the notes' bound, and the average distance to the nearest error against the dimension.

The numbers are engine.context.concentration's: sigma(E_delta) for the cap E of measure p is exact (betainc); the
notes' bound 1 - 2 exp(-d delta^2 / 2) holds for every E with sigma(E) >= 1/2, the shifted one for any p; d(E) for
the cap is the largest average distance of any error set of that measure, about Phi^{-1}(1 - p) / sqrt(d).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import LEGEND_BELOW, colour, layout

EXACT_COLOUR, BOUND_COLOUR, SHIFTED_COLOUR, LIMIT_COLOUR, SCALE_COLOUR, CEILING_COLOUR = (
    colour(0), colour(5), colour(3), colour(2), colour(1), colour(4))
SIMULATOR_COLOUR = "#000000"
MEASURE_AXIS = [-0.02, 1.02]
# Titles, axis titles and legend entries are short: lecture mode (figures.style.for_hall) sets them in 24 to 30 px
# type, and a phone gives a chart about 360 px. A horizontal legend that needs more than one row gives every entry
# the longest one's width, so the longest name sets how many columns it gets. The legend sits at the figure's foot
# (style.LEGEND_BELOW), where Plotly makes room for it under the axis title.


def _vline(x: float, text: str) -> tuple[dict, dict]:
    shape = {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
             "line": {"color": "#777777", "dash": "dot", "width": 2}}
    note = {"xref": "x", "x": x, "xanchor": "left", "yref": "paper", "y": 1, "yanchor": "top", "text": text,
            "showarrow": False}
    return shape, note


def expansion_figure(curve, now, simulated=None, delta_max: float | None = None) -> go.Figure:
    """sigma(E_delta) against the Euclidean radius delta: exact, the notes' bound (where sigma(E) >= 1/2) and the
    shifted bound (below 1/2), both drawn from 0 up (a bound <= 0 says nothing); ``now`` (engine Expansion) marked;
    ``simulated`` (SphereSimulation) with 2-SE bars. The x-axis ends at ``delta_max`` (default: the curve's end),
    extended to include ``now.delta``."""
    delta = np.asarray(curve.delta, dtype=float)
    right = max(float(delta_max if delta_max is not None else delta[-1]), now.delta)
    hover = "delta=%{x:.4g}<br>measure=%{y:.6f}<extra>%{fullData.name}</extra>"
    traces = [go.Scatter(x=delta, y=curve.expansion, mode="lines", name="exact: the cap's expansion",
                         line={"color": EXACT_COLOUR, "width": 3}, hovertemplate=hover)]
    if curve.bound is not None:
        traces.append(go.Scatter(x=delta, y=np.maximum(curve.bound, 0.0), mode="lines",
                                 name="notes' bound 1 - 2 exp(-d delta^2 / 2)",
                                 line={"color": BOUND_COLOUR, "dash": "dash", "width": 3}, hovertemplate=hover))
    else:
        traces.append(go.Scatter(x=delta, y=np.maximum(curve.shifted_bound, 0.0), mode="lines",
                                 name="shifted bound (sigma(E) < 1/2)",
                                 line={"color": SHIFTED_COLOUR, "dash": "dashdot", "width": 3}, hovertemplate=hover))
    traces.append(go.Scatter(x=[now.delta], y=[now.expansion], mode="markers", showlegend=False, name="now",
                             marker={"color": EXACT_COLOUR, "size": 13, "symbol": "diamond"}, hovertemplate=hover))
    if simulated is not None:
        traces.append(go.Scatter(x=[now.delta], y=[simulated.in_expansion], mode="markers",
                                 name=f"Monte Carlo, {simulated.samples} points (2 SE)",
                                 marker={"color": SIMULATOR_COLOUR, "size": 8, "symbol": "x"},
                                 error_y={"type": "data", "array": [2 * simulated.expansion_se], "visible": True},
                                 hovertemplate="Monte Carlo measure=%{y:.6f}<extra></extra>"))
    shapes, notes = [], []
    root = 1 / np.sqrt(curve.d)
    if root <= right:
        shape, note = _vline(float(root), "delta = 1/sqrt(d)")
        shapes.append(shape)
        notes.append(note)
    return go.Figure(traces, layout=layout(
        f"Cap expansion (measure {curve.measure:.3g}, d = {curve.d})",
        "Euclidean radius delta", "sigma(E_delta)", shapes=shapes,
        annotations=notes, legend=LEGEND_BELOW, xaxis={"range": [0.0, right * 1.02]},
        yaxis={"range": MEASURE_AXIS}))


def describe_expansion(curve, now) -> str:
    """Alt text."""
    bound = (f"the notes' bound gives {max(now.bound, 0.0):.4f}" if now.bound is not None else
             f"the notes' bound needs measure >= 1/2; the shifted bound gives {max(now.shifted_bound, 0.0):.4f}")
    return (f"Line chart: the measure of the delta-expansion of a cap of measure {curve.measure:.3g} on the sphere in "
            f"d = {curve.d} dimensions, against the Euclidean radius delta from 0 to {curve.delta[-1]:.3g}. At delta = "
            f"{now.delta:.3g} the exact measure is {now.expansion:.4f}; {bound}.")


def distance_figure(curve, d_now: int, exact_now: float, simulated=None) -> go.Figure:
    """d(E) against d (log-log): exact for the cap (the largest of any set of that measure), its Gaussian limit, the
    notes' scale Phi^{-1}(q) / sqrt(d) (q = 1 - measure >= 1/2; not drawn where it is 0), the ceiling for every set;
    the current d marked, ``simulated`` with 2-SE bars."""
    d = np.asarray(curve.dims, dtype=float)
    hover = "d=%{x}<br>distance=%{y:.5g}<extra>%{fullData.name}</extra>"
    traces = [
        go.Scatter(x=d, y=curve.exact, mode="lines", name="exact d(E), E a cap",
                   line={"color": EXACT_COLOUR, "width": 3}, hovertemplate=hover),
        go.Scatter(x=d, y=curve.limit, mode="lines", name="Gaussian limit",
                   line={"color": LIMIT_COLOUR, "dash": "dash", "width": 2},
                   hovertemplate=hover.replace("%{fullData.name}", "(q Phi^-1(q) + phi(Phi^-1(q))) / sqrt(d)")),
        go.Scatter(x=d, y=curve.bound, mode="lines", name="ceiling, any set",
                   line={"color": CEILING_COLOUR, "dash": "dot", "width": 2}, hovertemplate=hover),
    ]
    if curve.scale is not None and np.all(curve.scale > 0):
        traces.append(go.Scatter(x=d, y=curve.scale, mode="lines", name="notes' scale",
                                 line={"color": SCALE_COLOUR, "dash": "dashdot", "width": 2},
                                 hovertemplate=hover.replace("%{fullData.name}", "notes' scale Phi^-1(q) / sqrt(d)")))
    traces.append(go.Scatter(x=[d_now], y=[exact_now], mode="markers", showlegend=False, name="now",
                             marker={"color": EXACT_COLOUR, "size": 13, "symbol": "diamond"}, hovertemplate=hover))
    if simulated is not None:
        traces.append(go.Scatter(x=[d_now], y=[simulated.distance], mode="markers",
                                 name=f"Monte Carlo, {simulated.samples} points",
                                 marker={"color": SIMULATOR_COLOUR, "size": 8, "symbol": "x"},
                                 error_y={"type": "data", "array": [2 * simulated.distance_se], "visible": True},
                                 hovertemplate="Monte Carlo distance=%{y:.5g}<extra></extra>"))
    values = np.concatenate([curve.exact, curve.limit, curve.bound]
                            + ([curve.scale] if curve.scale is not None and np.all(curve.scale > 0) else []))
    values = values[np.isfinite(values) & (values > 0)]
    low, high = float(values.min()), float(values.max())
    return go.Figure(traces, layout=layout(
        f"Distance to the nearest error (p = {curve.measure:.3g})",
        "dimension d (log scale)", "d(E) (log)", legend=LEGEND_BELOW,
        xaxis={"type": "log", "range": [np.log10(d[0]), np.log10(d[-1])], "dtick": 1},
        yaxis={"type": "log", "range": [np.log10(low) - 0.1, np.log10(high) + 0.1], "dtick": 1}))


def describe_distance(curve, d_now: int, exact_now: float) -> str:
    """Alt text."""
    return (f"Log-log line chart: the average distance from a uniform point of the sphere to the nearest error, for an "
            f"error set of measure {curve.measure:.3g} shaped as a cap (the worst case), against the dimension from "
            f"{int(curve.dims[0])} to {int(curve.dims[-1])}: it falls from {curve.exact[0]:.3g} to "
            f"{curve.exact[-1]:.3g}, like 1/sqrt(d). At d = {d_now} it is {exact_now:.4g}.")
