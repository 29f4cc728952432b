"""The paper's Figure 2 (both panels), the loss surface, and clean-versus-robust bars (Sec. V-B)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.core.information import to_units
from figures.style import H_STAR_STYLE, SEQUENTIAL, colour, hline, layout


def _pick(values: np.ndarray, wanted, count: int = 6) -> list[int]:
    """An even spread of ``count`` grid points plus the ones nearest the wanted values."""
    spread = set(np.linspace(0, len(values) - 1, min(count, len(values))).round().astype(int).tolist())
    return sorted(spread | {int(np.argmin(np.abs(values - w))) for w in wanted or ()})


def figure2_left(grid, units: str = "nats", attacks=None) -> go.Figure:
    """Left panel: loss against eps_rule, one curve per attack; each curve is lowest at eps_rule = eps_attack."""
    loss = to_units(grid.loss, units)
    traces = []
    for k, i in enumerate(_pick(grid.eps_attack, attacks)):
        traces.append(go.Scatter(
            x=grid.eps_rule, y=loss[i], mode="lines", name=f"eps_attack = {grid.eps_attack[i]:.3g}",
            line={"color": colour(k), "width": 2.5},
            hovertemplate="eps_rule=%{x:.3g}<br>loss=%{y:.4f}<extra></extra>",
        ))
        j = int(np.argmin(np.abs(grid.eps_rule - grid.eps_attack[i])))
        traces.append(go.Scatter(x=[grid.eps_rule[j]], y=[loss[i, j]], mode="markers", showlegend=False,
                                 marker={"color": colour(k), "size": 10, "symbol": "diamond"}, hoverinfo="skip"))
    shape, note = hline(to_units(grid.h_y, units), "H(Y)", {"color": "#777777", "dash": "dash"})
    return go.Figure(traces, layout=layout("Loss of each robust rule under fixed attacks",
                                           "eps_rule (the rule's design budget)",
                                           f"loss L(eps_attack, eps_rule) [{units}]",
                                           shapes=[shape], annotations=[note]))


def figure2_right(grid, units: str = "nats", rules=None) -> go.Figure:
    """Right panel: loss against eps_attack, one curve per rule, with h*(eps_attack) dotted beneath."""
    loss = to_units(grid.loss, units)
    traces = [go.Scatter(x=grid.eps_attack, y=loss[:, j], mode="lines", name=f"rule for eps = {grid.eps_rule[j]:.3g}",
                         line={"color": colour(k), "width": 2.5},
                         hovertemplate="eps_attack=%{x:.3g}<br>loss=%{y:.4f}<extra></extra>")
              for k, j in enumerate(_pick(grid.eps_rule, rules))]
    traces.append(go.Scatter(x=grid.eps_attack, y=to_units(grid.h_star, units), mode="lines", name="h*(eps_attack)",
                             line=H_STAR_STYLE, hovertemplate="eps=%{x:.3g}<br>h*=%{y:.4f}<extra></extra>"))
    finite = loss[np.isfinite(loss)]
    top = float(finite.max()) if finite.size else 1.0
    return go.Figure(traces, layout=layout("Each rule under attacks of growing size",
                                           "eps_attack (the attacker's budget)", f"loss [{units}]",
                                           yaxis={"range": [0, top * 1.05]}))


def loss_heatmap(grid, units: str = "nats") -> go.Figure:
    """The whole surface L(eps_attack, eps_rule), with the diagonal eps_rule = eps_attack marked."""
    z = to_units(grid.loss, units)
    lo, hi = max(grid.eps_rule.min(), grid.eps_attack.min()), min(grid.eps_rule.max(), grid.eps_attack.max())
    return go.Figure([
        go.Heatmap(z=z, x=grid.eps_rule, y=grid.eps_attack, colorscale=SEQUENTIAL,
                   colorbar={"title": {"text": f"loss [{units}]"}},
                   hovertemplate="eps_rule=%{x:.3g}<br>eps_attack=%{y:.3g}<br>loss=%{z:.4f}<extra></extra>"),
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="eps_rule = eps_attack",
                   line={"color": "white", "dash": "dot"}),
    ], layout=layout("Loss surface", "eps_rule", "eps_attack"))


def clean_robust_bars(cvr, units: str = "nats") -> go.Figure:
    """Sec. V-B: (1) H_mu(Y|X) <= (2) L(mu, q*) <= (3) h*."""
    names = ["(1) clean optimum", "(2) robust rule, clean", "(3) robust rule, attacked"]
    values = to_units(np.array(cvr.value), units)
    return go.Figure(go.Bar(x=names, y=values, marker_color=[colour(0), colour(1), colour(5)],
                            text=[f"{v:.4f}" for v in values], textposition="outside"),
                     layout=layout(f"The price of robustness at eps = {cvr.eps:.3g}", "", f"loss [{units}]", height=360,
                                   yaxis={"range": [0, float(values.max()) * 1.2 + 1e-9]}))


def describe_grid(grid, units: str = "nats") -> str:
    """Alt text for the Figure 2 panels."""
    return (f"Figure 2: losses of {len(grid.eps_rule)} robust rules under {len(grid.eps_attack)} attack sizes, "
            f"from {to_units(float(np.min(grid.loss)), units):.3f} to {to_units(float(np.max(grid.loss)), units):.3f} "
            f"{units}; h* rises from {to_units(grid.h_star[0], units):.3f} to {to_units(grid.h_star[-1], units):.3f}, "
            f"and H(Y) = {to_units(grid.h_y, units):.3f}.")
