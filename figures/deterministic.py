"""Sec. V-A: H(Y|Z) along a family of attacks between two deterministic maps, and the attack as a channel."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.core.information import to_units
from figures.style import H_STAR_STYLE, colour, layout, value_top
from figures.words import SHORT, labelled


def alpha_curve(alphas, values, stochastic: float, pure_maximin: float, units: str = "nats") -> go.Figure:
    """H(Y|Z) against the mixing weight alpha, with h* (the stochastic optimum) and (21) as lines in the legend
    (labels written on the plot overlapped the curve and were clipped at its edge)."""
    v = to_units(np.asarray(values, dtype=float), units)
    best = int(np.argmax(v))
    a = np.asarray(alphas, dtype=float)
    ends = [float(a[0]), float(a[-1])]
    traces = [
        go.Scatter(x=a, y=v, mode="lines", name="H(Y|Z) of the mixed attack",
                   line={"color": colour(0), "width": 3},
                   hovertemplate="alpha=%{x:.3f}<br>H(Y|Z)=%{y:.4f}<extra></extra>"),
        go.Scatter(x=ends, y=[to_units(stochastic, units)] * 2, mode="lines", name="h* (randomised) = (20)",
                   line=H_STAR_STYLE, hoverinfo="skip"),
        go.Scatter(x=ends, y=[to_units(pure_maximin, units)] * 2, mode="lines", name=labelled(21),
                   line={"color": colour(5), "dash": "dash", "width": 3}, hoverinfo="skip"),
        go.Scatter(x=ends, y=[v[0], v[-1]], mode="markers", name="the two fixed maps",
                   marker={"color": colour(5), "size": 12, "symbol": "square"}),
        go.Scatter(x=[a[best]], y=[v[best]], mode="markers", name="best mixture",
                   marker={"color": colour(2), "size": 13, "symbol": "star"}),
    ]
    top = max(float(v.max()), to_units(stochastic, units))
    return go.Figure(traces, layout=layout("Randomising beats any fixed map", "alpha (probability of the first map)",
                                           f"H(Y | Z) [{units}]", yaxis={"range": [0, value_top(top, 1.12)]}))


def values_bars(gap, units: str = "nats") -> go.Figure:
    """The three values of Sec. V-A side by side, each equation number with its words."""
    names = ["h*: the attacker<br>randomises", f"(20): {SHORT[20]}", f"(21): {SHORT[21]}"]
    names = [n.replace(", fixed", ",<br>fixed") for n in names]
    values = to_units(np.array(gap.value), units)
    return go.Figure(go.Bar(x=names, y=values, marker_color=[colour(0), colour(2), colour(5)],
                            text=[f"{v:.4f}" for v in values], textposition="outside", cliponaxis=False),
                     layout=layout("Order of play matters for a pure attacker", "", f"value [{units}]", height=380,
                                   yaxis={"range": [0, value_top(float(values.max()), 1.25)]}))


def channel_diagram(mechanism, positions, mass, title: str = "The attack as a channel P(z | x, y)") -> go.Figure:
    """Arrows from each clean point (x, y) with mass (``mass`` = mu(x, y) > 0) to the points z it is sent to,
    labelled with probabilities. (The mechanism is defined on empty points too, as staying put: not drawn.)"""
    P = np.asarray(mechanism, dtype=float)
    n, m = P.shape[0], P.shape[1]
    has_mass = np.asarray(mass, dtype=float) > 0
    arrows, label_x, label_text, label_colour = [], [], [], []
    for y in range(m):
        for x in range(n):
            for z in range(n if has_mass[x, y] else 0):
                p = P[x, y, z, y] if P.ndim == 4 else P[x, y, z]
                if p <= 1e-6:
                    continue
                arrows.append({"x": positions[z], "y": 0, "ax": positions[x], "ay": 1, "xref": "x", "yref": "y",
                               "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowwidth": 1 + 3 * p,
                               "arrowcolor": colour(y), "text": "", "standoff": 8, "startstandoff": 8})
                label_x.append((positions[x] + positions[z]) / 2)
                label_text.append(f"{p:.2f}")
                label_colour.append(colour(y))
    # Everything at construction (not one add_annotation per arrow): the page redraws this on every rerun.
    traces = [
        go.Scatter(x=label_x, y=[0.5] * len(label_x), mode="text", text=label_text, showlegend=False,
                   textfont={"color": label_colour}, hoverinfo="skip"),
        go.Scatter(x=list(positions), y=[1] * n, mode="markers+text", text=[f"x={p:g}" for p in positions],
                   textposition="top center", marker={"size": 12, "color": "#444"}, name="clean x"),
        go.Scatter(x=list(positions), y=[0] * n, mode="markers+text", text=[f"z={p:g}" for p in positions],
                   textposition="bottom center", marker={"size": 12, "color": "#999"}, name="released z"),
    ]
    return go.Figure(traces, layout=layout(title, "feature value", "", height=340, annotations=arrows,
                                           yaxis={"visible": False, "range": [-0.4, 1.4]}))
