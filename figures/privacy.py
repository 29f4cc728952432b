"""The privacy-utility curve: least leakage I(Y; Z) against the distortion budget, closed form overlaid."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.core.information import to_units
from figures.style import H_STAR_STYLE, colour, layout


def leakage_curve(curve, eps_now: float, units: str = "nats", closed_form=None) -> go.Figure:
    """Leakage H(Y) - h*(eps) with its certificate band, the current eps marked, and R(D) when known."""
    leak = to_units(curve.leakage, units)
    worst = to_units(curve.h_y - curve.h_star_upper, units)  # leakage lower bound from the certificate
    traces = [go.Scatter(x=curve.eps, y=leak, mode="lines+markers", name="least leakage I(Y;Z) (certified)",
                             line={"color": colour(0), "width": 3}, marker={"size": 5},
                         hovertemplate="eps=%{x:.3g}<br>I(Y;Z)=%{y:.5f}<extra></extra>")]
    if np.max(np.abs(leak - worst)) > 1e-9:
        traces.append(go.Scatter(x=curve.eps, y=worst, mode="lines", name="certificate's other bound",
                                 line={"color": colour(0), "width": 1, "dash": "dash"}))
    if closed_form is not None:
        traces.append(go.Scatter(x=curve.eps, y=to_units(np.asarray(closed_form), units), mode="lines",
                                 name="closed form R(D) (Cover & Thomas)", line=H_STAR_STYLE))
    k = int(np.argmin(np.abs(curve.eps - eps_now)))
    traces.append(go.Scatter(x=[curve.eps[k]], y=[leak[k]], mode="markers", name=f"eps = {curve.eps[k]:.3g}",
                             marker={"color": colour(5), "size": 14, "symbol": "diamond"}))
    return go.Figure(traces, layout=layout("Leakage (lower: more private)",
                                           "distortion budget eps (less utility ->)", f"leakage I(Y; Z) [{units}]",
                                           yaxis={"range": [0, max(float(leak.max()), 1e-6) * 1.1]}))
