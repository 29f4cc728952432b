"""Robustness may be at odds with accuracy (Tsipras et al., ICLR 2019; seeds/002): accuracy of the natural and
robust rules against the attack radius, and the Pareto frontier of standard versus adversarial accuracy.

The model and its closed forms are in engine/accuracy.py: y uniform on {-1, +1}, x_1 = y w.p. p, d weak features
N(eta y, 1); the natural rule w = (0, 1/d, ..., 1/d) is accurate, Phi(eta sqrt(d)), and fails from eps = 2 eta on;
the robust rule sign(x_1) keeps accuracy p up to eps = 1. Tsipras et al., Thm 2.1: standard accuracy >= 1 - delta
implies adversarial accuracy <= p / (1 - p) delta once eps >= 2 eta.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import LEGEND_BELOW, colour, layout

NATURAL_COLOUR, ROBUST_COLOUR, FRONTIER_COLOUR, BOUND_COLOUR = colour(0), colour(1), colour(2), colour(5)
AXIS = [-0.02, 1.02]  # accuracies, fixed so that moving a slider never rescales the picture
BOUND_LINE = {"color": BOUND_COLOUR, "dash": "dash", "width": 2}


def _vline(x: float, text: str, line: dict) -> tuple[dict, dict]:
    """A vertical line over the plot's height with its label at the top (a layout shape and annotation)."""
    shape = {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1, "line": line}
    note = {"xref": "x", "x": x, "xanchor": "left", "yref": "paper", "y": 1, "yanchor": "top", "text": text,
            "showarrow": False}
    return shape, note


def accuracy_against_eps(curves, eps_now: float, now: dict, simulated: dict | None = None) -> go.Figure:
    """Both rules' adversarial accuracy against eps (eps = 0 is the standard accuracy), the current eps marked.

    ``curves``: engine.context.tsipras.RuleCurves (eps, natural, robust, eta and ``bound``, the theorem's ceiling
    p / (1 - p) (1 - natural standard accuracy) for eps >= 2 eta, None when p is outside [1/2, 1)).
    ``now``: {"natural": accuracy, "robust": accuracy} at eps_now. ``simulated``: {"natural": (accuracy,
    standard error), "robust": (...)} at eps_now from the seeded simulator, drawn with 2-SE bars.
    """
    eps = np.asarray(curves.eps, dtype=float)
    traces = []
    for name, label, col in (("natural", "natural rule (weak features)", NATURAL_COLOUR),
                             ("robust", "robust rule sign(x1)", ROBUST_COLOUR)):
        acc = np.asarray(getattr(curves, name), dtype=float)
        traces.append(go.Scatter(x=eps, y=acc, mode="lines", name=label, line={"color": col, "width": 3},
                                 hovertemplate="eps=%{x:.3g}<br>accuracy=%{y:.4f}<extra></extra>"))
        traces.append(go.Scatter(x=[eps_now], y=[now[name]], mode="markers", showlegend=False,
                                 marker={"color": col, "size": 13, "symbol": "diamond"},
                                 hovertemplate=f"{label}<br>eps=%{{x:.3g}}<br>accuracy=%{{y:.4f}}<extra></extra>"))
    if simulated:
        values = [simulated[name][0] for name in ("natural", "robust")]
        bars = [2 * simulated[name][1] for name in ("natural", "robust")]
        traces.append(go.Scatter(x=[eps_now, eps_now], y=values, mode="markers", name="seeded simulator (2 SE bars)",
                                 marker={"color": "#000000", "size": 7, "symbol": "x"},
                                 error_y={"type": "data", "array": bars, "visible": True, "color": "#000000"},
                                 hovertemplate="simulated accuracy=%{y:.4f}<extra></extra>"))
    two_eta = 2 * float(curves.eta)
    shapes, notes = [], []
    if two_eta <= eps[-1]:
        shape, note = _vline(two_eta, "eps = 2 eta", {"color": "#777777", "dash": "dot", "width": 2})
        shapes.append(shape)
        notes.append(note)
        if curves.bound is not None and curves.bound <= 1.0:
            traces.append(go.Scatter(x=[two_eta, eps[-1]], y=[curves.bound] * 2, mode="lines", line=BOUND_LINE,
                                     name="bound p/(1-p) delta for the natural rule's delta",
                                     hovertemplate="Tsipras et al. bound=%{y:.4f}<extra></extra>"))
    return go.Figure(traces, layout=layout(
        "Accuracy under an l_inf attack", "attack radius eps (l_inf, stronger attack ->)",
        "accuracy", shapes=shapes, annotations=notes, legend=LEGEND_BELOW,
        xaxis={"range": [float(eps[0]), float(eps[-1])]}, yaxis={"range": AXIS}))


def frontier_figure(frontier, natural, robust) -> go.Figure:
    """Standard against adversarial accuracy of every rule a = cos theta, b = sin theta; the Pareto frontier bold;
    the natural and robust rules marked; Tsipras et al.'s ceiling y = p/(1-p) (1 - x) when it applies
    (``frontier.bound_factor`` is not None)."""
    hover = "theta=%{customdata[0]:.3f} (a=%{customdata[1]:.3f}, b=%{customdata[2]:.3f})<br>" \
            "standard=%{x:.4f}<br>adversarial=%{y:.4f}<extra></extra>"
    data = np.column_stack([frontier.theta, frontier.a, frontier.b])
    mask = frontier.on_frontier
    traces = [
        go.Scatter(x=frontier.standard, y=frontier.adversarial, mode="lines", name="every rule (a, b)",
                   line={"color": "#999999", "width": 1.5}, customdata=data, hovertemplate=hover),
        go.Scatter(x=frontier.standard[mask], y=frontier.adversarial[mask], mode="markers",
                   name="Pareto frontier", marker={"color": FRONTIER_COLOUR, "size": 5}, customdata=data[mask],
                   hovertemplate=hover),
        go.Scatter(x=[natural.standard], y=[natural.adversarial], mode="markers", name="natural rule",
                   marker={"color": NATURAL_COLOUR, "size": 14, "symbol": "circle"},
                   hovertemplate="natural rule<br>standard=%{x:.4f}<br>adversarial=%{y:.4f}<extra></extra>"),
        go.Scatter(x=[robust.standard], y=[robust.adversarial], mode="markers", name="robust rule",
                   marker={"color": ROBUST_COLOUR, "size": 14, "symbol": "square"},
                   hovertemplate="robust rule<br>standard=%{x:.4f}<br>adversarial=%{y:.4f}<extra></extra>"),
    ]
    # x from just below the family's least standard accuracy (the family spans [min, max] only; about [p, 1])
    left = max(AXIS[0], float(frontier.standard.min()) - 0.1 * (1.0 - float(frontier.standard.min())) - 0.01)
    notes = []
    bound_factor = frontier.bound_factor
    if bound_factor is not None:
        # y = f (1 - x) on [max(0, 1 - 1/f), 1]: above it no classifier can be (at eps >= 2 eta)
        x0 = max(0.0, 1.0 - 1.0 / bound_factor)
        traces.append(go.Scatter(x=[x0, 1.0], y=[bound_factor * (1 - x0), 0.0], mode="lines", line=BOUND_LINE,
                                 name="bound: adversarial <= p/(1-p) (1 - standard)", hoverinfo="skip"))
    else:
        notes.append({"xref": "paper", "x": 0.02, "yref": "paper", "y": 0.98, "xanchor": "left", "yanchor": "top",
                      "showarrow": False, "text": "The bound needs eps >= 2 eta and 1/2 <= p < 1."})
    return go.Figure(traces, layout=layout(
        f"Accuracy frontier at eps = {frontier.eps:.3g}", "standard accuracy (eps = 0) ->",
        f"at eps = {frontier.eps:.3g}", annotations=notes, legend=LEGEND_BELOW,
        xaxis={"range": [left, AXIS[1]]}, yaxis={"range": AXIS}))


def describe_accuracy(curves, eps_now: float, now: dict) -> str:
    """Alt text for accuracy_against_eps (``curves``: engine.context.tsipras.RuleCurves)."""
    return (f"Line chart: the natural rule's accuracy goes from {curves.natural[0]:.3f} at eps = 0 to "
            f"{curves.natural[-1]:.3f} at eps = {curves.eps[-1]:.3g}; the robust rule's from "
            f"{curves.robust[0]:.3f} to {curves.robust[-1]:.3f} (it keeps p up to eps = 1). "
            f"At eps = {eps_now:.3g}: natural {now['natural']:.3f}, robust {now['robust']:.3f}.")


def describe_frontier(frontier, natural, robust) -> str:
    """Alt text for frontier_figure."""
    return (f"Scatter of standard against adversarial accuracy at eps = {frontier.eps:.3g}: the natural rule at "
            f"({natural.standard:.3f}, {natural.adversarial:.3f}), the robust rule at ({robust.standard:.3f}, "
            f"{robust.adversarial:.3f}); {int(frontier.on_frontier.sum())} of {len(frontier.theta)} rules are "
            "Pareto optimal.")
