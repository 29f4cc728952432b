"""Pictures of the limits of robustness on binned data (``engine.data_limits``): decision regions over the feature
plane, where the attacker moves mass, and every rule's curves beside the ideal ones.

Inputs are the binning (``engine.io.binning.Binning``: grid centres, edges, samples) and engine results (rules as
n-by-m tables, perturbed tables nu, a ``DataLimits``). Pure Plotly: no Streamlit, no engine calls.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import H_STAR_STYLE, OKABE_ITO, TEMPLATE, colour, plain

EXTRA = ("#999999", "#882255")  # two more class colours after Okabe-Ito's eight (digits has ten labels)
PLAY = {"frame": {"duration": 500, "redraw": True}, "fromcurrent": True}
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "pentagon", "hexagon", "triangle-down")


def class_colour(k: int) -> str:
    """The colour of label k."""
    palette = OKABE_ITO[:7] + EXTRA + OKABE_ITO[7:]
    return palette[k % len(palette)]


def _scale(m: int) -> list:
    """A discrete colour scale mapping label indices 0..m-1 to their colours (for a heatmap of argmax labels)."""
    if m == 1:
        return [[0.0, class_colour(0)], [1.0, class_colour(0)]]
    out = []
    for k in range(m):
        lo, hi = k / m, (k + 1) / m
        out += [[lo, class_colour(k)], [hi, class_colour(k)]]
    return out


def _axes(binning):
    """Centres along each axis (a 1-D grid gets one dummy row)."""
    mids = [(e[:-1] + e[1:]) / 2 for e in binning.edges]
    return mids if len(mids) == 2 else [mids[0], np.array([0.0])]


def _region_trace(binning, q: np.ndarray, labels, show_scale: bool, name: str) -> go.Heatmap:
    """The argmax label of a rule on the grid as a heatmap (hover: the label and its probability)."""
    xs, ys = _axes(binning)
    m = q.shape[1]
    winner = np.argmax(q, axis=1)
    shape = (len(xs), len(ys))
    z = winner.reshape(shape).T.astype(float)
    names = np.array([plain(label) for label in labels], dtype=object)
    text = np.char.add(names[winner].astype(str), np.char.mod(" (q = %.3f)", q.max(axis=1))).reshape(shape).T
    bar = {"tickvals": list(range(m)), "ticktext": list(names), "len": 0.8} if show_scale else None
    return go.Heatmap(x=xs, y=ys, z=z, zmin=-0.5, zmax=m - 0.5, colorscale=_scale(m), opacity=0.55, text=text,
                      hovertemplate="%{text}<extra></extra>", showscale=show_scale, name=name, colorbar=bar)


def _sample_traces(binning, labels, col: int, legend: bool) -> list[go.Scatter]:
    """The samples on top, one trace per label (a 1-D grid draws them as a jittered strip)."""
    pts = binning.points
    y = pts[:, 1] if pts.shape[1] == 2 else np.random.default_rng(0).uniform(-0.3, 0.3, len(pts))
    out = []
    for k, label in enumerate(labels):
        pick = binning.point_labels == k
        out.append(go.Scatter(
            x=pts[pick, 0], y=y[pick], mode="markers", name=plain(label), legendgroup=str(k), showlegend=legend,
            marker={"color": class_colour(k), "symbol": SYMBOLS[k % len(SYMBOLS)], "size": 7,
                    "line": {"color": "#000000", "width": 0.8}},
            hovertemplate=f"{plain(label)}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    return out


def regions_figure(binning, eps_values, robust_rules, model_rule: np.ndarray | None = None,
                   model_name: str = "model", labels=None, height: int = 520) -> go.Figure:
    """The robust rule's decision regions over the feature plane with the samples on top, animated over eps (one
    frame per budget), beside a standard model's regions (static) when given."""
    labels = list(labels if labels is not None else binning.labels)
    eps_values = [float(e) for e in eps_values]
    cols = 2 if model_rule is not None else 1
    titles = ["robust rule q* (eps on the slider below)"] + ([plain(model_name)] if cols == 2 else [])
    fig = make_subplots(rows=1, cols=cols, subplot_titles=titles, horizontal_spacing=0.08)
    fig.add_trace(_region_trace(binning, robust_rules[0], labels, True, "robust rule"), row=1, col=1)
    for t in _sample_traces(binning, labels, 1, True):
        fig.add_trace(t, row=1, col=1)
    if cols == 2:
        fig.add_trace(_region_trace(binning, model_rule, labels, False, plain(model_name)), row=1, col=2)
        for t in _sample_traces(binning, labels, 2, False):
            fig.add_trace(t, row=1, col=2)
    names = [f"{e:.4g}" for e in eps_values]
    frames = [go.Frame(data=[_region_trace(binning, q, labels, True, "robust rule")], traces=[0], name=name)
              for name, q in zip(names, robust_rules, strict=True)]
    fig.frames = frames
    x_title, y_title = _titles(binning)
    fig.update_layout(
        template=TEMPLATE, height=height, margin={"l": 60, "r": 20, "t": 70, "b": 110},
        title={"text": "Decision regions: the robust rule against the attack, and a standard model", "x": 0.0},
        legend={"orientation": "h", "y": -0.28},
        updatemenus=[{"type": "buttons", "showactive": False, "x": 0.0, "y": -0.16, "xanchor": "left",
                      "buttons": [{"label": "Play", "method": "animate", "args": [None, PLAY]}]}],
        sliders=[{"active": 0, "x": 0.08, "y": -0.08, "len": 0.9, "currentvalue": {"prefix": "eps = "},
                  "steps": [{"label": name, "method": "animate",
                             "args": [[name], {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}]}
                            for name in names]}],
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title if binning.dims == 2 else "", showticklabels=binning.dims == 2)
    return fig


def _titles(binning) -> tuple[str, str]:
    axes = [f"{plain(a)} (standardised)" for a in binning.axes]
    return axes[0], axes[1] if len(axes) == 2 else ""


def attack_figure(binning, nu: np.ndarray, mu: np.ndarray, eps: float, labels=None, height: int = 380) -> go.Figure:
    """Where the attacker moves mass: nu*(x', y) - mu(x, y) per label over the plane (blue: mass taken away, red:
    mass brought in); on a 1-D grid, one bar per cell and label."""
    labels = list(labels if labels is not None else binning.labels)
    delta = np.asarray(nu, dtype=float) - np.asarray(mu, dtype=float)
    top = float(np.abs(delta).max()) or 1.0
    m = delta.shape[1]
    title = f"Where the attacker moves mass at eps = {eps:.3g}: nu* - mu"
    if binning.dims == 1:
        xs = binning.centres[:, 0]
        traces = [go.Bar(x=xs, y=delta[:, k], name=plain(label), marker={"color": class_colour(k)},
                         hovertemplate=f"{plain(label)}<br>x=%{{x:.2f}}<br>change=%{{y:.4f}}<extra></extra>")
                  for k, label in enumerate(labels)]
        fig = go.Figure(traces)
        fig.update_layout(template=TEMPLATE, height=height, barmode="group", title={"text": title, "x": 0.0},
                          xaxis_title=_titles(binning)[0], yaxis_title="nu* - mu (probability)")
        return fig
    xs, ys = _axes(binning)
    fig = make_subplots(rows=1, cols=m, subplot_titles=[plain(label) for label in labels], horizontal_spacing=0.03)
    for k in range(m):
        z = delta[:, k].reshape(len(xs), len(ys)).T
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=-top, zmax=top, colorscale="RdBu_r", showscale=k == m - 1,
                                 hovertemplate=f"{plain(labels[k])}<br>(%{{x:.2f}}, %{{y:.2f}})<br>"
                                               "change=%{z:.4f}<extra></extra>"), row=1, col=k + 1)
    fig.update_layout(template=TEMPLATE, height=height, title={"text": title, "x": 0.0},
                      margin={"l": 50, "r": 20, "t": 80, "b": 50})
    fig.update_xaxes(title_text=_titles(binning)[0] if m <= 3 else "")
    fig.update_yaxes(showticklabels=False)
    fig.update_yaxes(title_text=_titles(binning)[1], showticklabels=True, row=1, col=1)
    return fig


def limits_figure(limits, units: str = "nats", scale: float = 1.0, eps: float | None = None,
                  height: int = 440) -> go.Figure:
    """Left: h*(eps) (its certificate as a band) and each model's exact worst-case cross-entropy; right: e*(eps) and
    each model's classifier's worst-case 0-1 error. ``scale`` converts nats to ``units``."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        f"cross-entropy ({units})", "0-1 error"))
    x = limits.eps
    for col, (lower, upper, name) in enumerate(((limits.h_star * scale, limits.h_star_upper * scale,
                                                 "ideal h*(eps): best of any rule"),
                                                (limits.robust_error, limits.errors.upper,
                                                 "ideal e*(eps): best of any rule")), start=1):
        fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[upper, lower[::-1]], fill="toself", mode="lines",
                                 line={"width": 0}, fillcolor="rgba(0,0,0,0.15)", hoverinfo="skip",
                                 showlegend=False, name="certificate"), row=1, col=col)
        fig.add_trace(go.Scatter(x=x, y=lower, mode="lines", line=H_STAR_STYLE, name=name, legendgroup=name,
                                 hovertemplate="eps=%{x:.3g}<br>%{y:.4f}<extra>ideal</extra>"), row=1, col=col)
    for k, (key, m) in enumerate(limits.models.items()):
        for col, y in ((1, m.loss * scale), (2, m.error)):
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=plain(m.title), legendgroup=key, showlegend=col == 1,
                                     line={"color": colour(k), "width": 2.5},
                                     hovertemplate=f"eps=%{{x:.3g}}<br>%{{y:.4f}}<extra>{plain(m.title)}</extra>"),
                          row=1, col=col)
    shapes = []
    if eps is not None:
        for axis in ("x", "x2"):
            shapes.append({"type": "line", "xref": axis, "x0": eps, "x1": eps, "yref": "paper", "y0": 0, "y1": 1,
                           "line": {"color": "#999999", "width": 1}})
    fig.update_layout(template=TEMPLATE, height=height, shapes=shapes, legend={"orientation": "h", "y": -0.22},
                      title={"text": "Real models against the best any rule can do", "x": 0.0},
                      margin={"l": 60, "r": 20, "t": 80, "b": 90})
    fig.update_xaxes(title_text="eps (the attacker's budget)")
    fig.update_yaxes(range=[0.0, 1.0], row=1, col=2)
    return fig


def describe_regions(binning, eps_values, model_name: str | None) -> str:
    """Alt text for ``regions_figure``."""
    grid = " by ".join(str(b) for b in binning.bins)
    beside = f", beside the decision regions of {model_name}" if model_name else ""
    return (f"Decision regions of the robust rule on a {grid} grid over {' and '.join(binning.axes)}, with the "
            f"{binning.samples_used} samples on top, one frame per budget from eps = {float(eps_values[0]):.3g} to "
            f"{float(eps_values[-1]):.3g}{beside}.")


def describe_attack(nu, mu, eps: float) -> str:
    """Alt text for ``attack_figure``."""
    moved = 0.5 * float(np.abs(np.asarray(nu) - np.asarray(mu)).sum())
    return f"The worst-case perturbation at eps = {eps:.3g} moves {moved:.3f} of the probability mass to other cells."


def describe_limits(limits, units: str = "nats", scale: float = 1.0) -> str:
    """Alt text for ``limits_figure``."""
    h, e = limits.h_star * scale, limits.robust_error
    models = ", ".join(m.title for m in limits.models.values()) or "no model"
    return (f"The ideal cross-entropy h* rises from {h[0]:.3f} to {h[-1]:.3f} {units} and the ideal 0-1 error e* from "
            f"{e[0]:.3f} to {e[-1]:.3f} as eps goes from {limits.eps[0]:.3g} to {limits.eps[-1]:.3g}; the curves of "
            f"{models} lie above them.")
