"""Sec. V-A: H(Y|Z) along a family of attacks between two deterministic maps, and the attack as a channel."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.information import to_units
from figures.style import H_STAR_STYLE, colour, finish


def alpha_curve(alphas, values, stochastic: float, pure_maximin: float, units: str = "nats") -> go.Figure:
    """H(Y|Z) against the mixing weight alpha, with h* (the stochastic optimum) and (21) marked."""
    v = to_units(np.asarray(values, dtype=float), units)
    fig = go.Figure(go.Scatter(x=alphas, y=v, mode="lines", name="H(Y|Z) of the mixed attack",
                               line={"color": colour(0), "width": 3},
                               hovertemplate="alpha=%{x:.3f}<br>H(Y|Z)=%{y:.4f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[alphas[0], alphas[-1]], y=[v[0], v[-1]], mode="markers", name="deterministic maps",
                             marker={"color": colour(5), "size": 12, "symbol": "square"}))
    best = int(np.argmax(v))
    fig.add_trace(go.Scatter(x=[alphas[best]], y=[v[best]], mode="markers", name="best mixture",
                             marker={"color": colour(2), "size": 13, "symbol": "star"}))
    fig.add_hline(y=to_units(stochastic, units), line=H_STAR_STYLE, annotation_text="h* (stochastic, = (20))",
                  annotation_position="bottom right")
    fig.add_hline(y=to_units(pure_maximin, units), line={"color": colour(5), "dash": "dash"},
                  annotation_text="(21) pure attacker playing first", annotation_position="top right")
    return finish(fig, "Randomising beats any fixed map", "alpha (probability of the first map)",
                  f"H(Y | Z) [{units}]")


def values_bars(gap, units: str = "nats") -> go.Figure:
    """The three values of Sec. V-A side by side."""
    names = ["stochastic h*", "(20) pure, plays second", "(21) pure, plays first"]
    values = to_units(np.array(gap.value), units)
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=[colour(0), colour(2), colour(5)],
                           text=[f"{v:.4f}" for v in values], textposition="outside"))
    fig.update_yaxes(range=[0, float(values.max()) * 1.25 + 1e-9])
    return finish(fig, "Order of play matters only for a pure attacker", "", f"value [{units}]", height=340)


def channel_diagram(mechanism, positions, labels, title: str = "The attack as a channel P(z | x, y)") -> go.Figure:
    """Arrows from each clean point (x, y) with mass to the points z it is sent to, labelled with probabilities."""
    P = np.asarray(mechanism, dtype=float)
    n, m = P.shape[0], P.shape[1]
    fig = go.Figure()
    for y in range(m):
        for x in range(n):
            for z in range(n):
                p = P[x, y, z, y] if P.ndim == 4 else P[x, y, z]
                if p <= 1e-6 or (False):
                    continue
                fig.add_annotation(x=positions[z], y=0, ax=positions[x], ay=1, xref="x", yref="y", axref="x", ayref="y",
                                   showarrow=True, arrowhead=3, arrowwidth=1 + 3 * p, arrowcolor=colour(y),
                                   text="", standoff=8, startstandoff=8)
                fig.add_trace(go.Scatter(x=[(positions[x] + positions[z]) / 2], y=[0.5], mode="text",
                                         text=[f"{p:.2f}"], showlegend=False, textfont={"color": colour(y)}))
    fig.add_trace(go.Scatter(x=list(positions), y=[1] * n, mode="markers+text", text=[f"x={p:g}" for p in positions],
                             textposition="top center", marker={"size": 12, "color": "#444"}, name="clean x"))
    fig.add_trace(go.Scatter(x=list(positions), y=[0] * n, mode="markers+text", text=[f"z={p:g}" for p in positions],
                             textposition="bottom center", marker={"size": 12, "color": "#999"}, name="released z"))
    fig.update_yaxes(visible=False, range=[-0.4, 1.4])
    return finish(fig, title, "feature value", "", height=340)
