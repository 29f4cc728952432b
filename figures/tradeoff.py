"""The paper's Figure 2 (both panels), the loss surface, and clean-versus-robust bars (Sec. V-B)."""

from __future__ import annotations

import functools

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from engine.core.information import to_units
from figures.style import H_STAR_STYLE, SEQUENTIAL, colour, hline, layout, value_top

CURVES, CURVE_RANGE = "Viridis", 0.8  # the budgets' colours: Viridis from its dark end up to before the pale yellow


def _pick(values: np.ndarray, wanted, count: int = 6) -> list[int]:
    """An even spread of ``count`` grid points plus the ones nearest the wanted values."""
    spread = set(np.linspace(0, len(values) - 1, min(count, len(values))).round().astype(int).tolist())
    return sorted(spread | {int(np.argmin(np.abs(values - w))) for w in wanted or ()})


def curve_colour(value: float, lo: float, hi: float) -> str:
    """A budget's colour: its place on a sequential, colour-blind-safe scale (dark: small eps, light: large), so
    a curve keeps its colour whichever other curves are drawn."""
    t = 0.0 if hi <= lo else (float(value) - lo) / (hi - lo)
    return _sample(round(CURVE_RANGE * min(max(t, 0.0), 1.0), 6))


@functools.lru_cache(maxsize=1024)
def _sample(t: float) -> str:
    """The scale's colour at t (plotly.colors.sample_colorscale parses the scale on every call: cached)."""
    return plotly.colors.sample_colorscale(CURVES, [t])[0]


def _emphasised(values: np.ndarray, highlight) -> set[int]:
    """The grid indices of the curves the user asked for (the slider's eps first of all)."""
    values = np.asarray(values, dtype=float)
    return {int(np.argmin(np.abs(values - h))) for h in highlight or ()}


def _curve(x, y, name: str, col: str, chosen: bool, hover: str) -> go.Scatter:
    """A curve of the panels: chosen ones thick and opaque, the spread thin and faded behind them."""
    return go.Scatter(x=x, y=y, mode="lines", name=name + (" (chosen)" if chosen else ""),
                      opacity=1.0 if chosen else 0.5, line={"color": col, "width": 5 if chosen else 2},
                      hovertemplate=hover)


def figure2_left(grid, units: str = "nats", attacks=None, highlight=None) -> go.Figure:
    """Left panel: loss against eps_rule, one curve per attack; each curve is lowest at eps_rule = eps_attack.

    ``attacks``: extra attacks to draw beside an even spread; ``highlight``: the ones to emphasise (default:
    ``attacks``). Colours follow eps_attack (curve_colour)."""
    loss = to_units(grid.loss, units)
    highlight = attacks if highlight is None else highlight
    lo, hi = float(np.min(grid.eps_attack)), float(np.max(grid.eps_attack))
    emphasised = _emphasised(grid.eps_attack, highlight)
    traces = []
    for i in _pick(grid.eps_attack, attacks):
        col, chosen = curve_colour(grid.eps_attack[i], lo, hi), i in emphasised
        traces.append(_curve(grid.eps_rule, loss[i], f"eps_attack = {grid.eps_attack[i]:.3g}", col, chosen,
                             "eps_rule=%{x:.3g}<br>loss=%{y:.4f}<extra></extra>"))
        j = int(np.argmin(np.abs(grid.eps_rule - grid.eps_attack[i])))
        traces.append(go.Scatter(x=[grid.eps_rule[j]], y=[loss[i, j]], mode="markers", showlegend=False,
                                 marker={"color": col, "size": 13 if chosen else 9, "symbol": "diamond"},
                                 hoverinfo="skip"))
    # H(Y)'s label in the right margin: beside the line, never under the curves
    shape, note = hline(to_units(grid.h_y, units), "H(Y)", {"color": "#555555", "dash": "dash", "width": 2})
    note.update({"x": 1.0, "xanchor": "left", "xshift": 6, "yanchor": "middle"})
    return go.Figure(traces, layout=layout("Fig. 2 left: each rule, fixed attacks",
                                           "eps_rule (the rule's design budget)", f"loss [{units}]",
                                           shapes=[shape], annotations=[note],
                                           margin={"l": 60, "r": 70, "t": 60, "b": 55}))


def figure2_right(grid, units: str = "nats", rules=None, highlight=None) -> go.Figure:
    """Right panel: loss against eps_attack, one curve per rule, with h*(eps_attack) dotted on top.

    ``rules`` and ``highlight`` as in figure2_left; colours follow eps_rule."""
    loss = to_units(grid.loss, units)
    highlight = rules if highlight is None else highlight
    lo, hi = float(np.min(grid.eps_rule)), float(np.max(grid.eps_rule))
    emphasised = _emphasised(grid.eps_rule, highlight)
    traces = [_curve(grid.eps_attack, loss[:, j], f"rule for eps = {grid.eps_rule[j]:.3g}",
                     curve_colour(grid.eps_rule[j], lo, hi), j in emphasised,
                     "eps_attack=%{x:.3g}<br>loss=%{y:.4f}<extra></extra>")
              for j in _pick(grid.eps_rule, rules)]
    traces.append(go.Scatter(x=grid.eps_attack, y=to_units(grid.h_star, units), mode="lines", name="h*(eps_attack)",
                             line=H_STAR_STYLE, hovertemplate="eps=%{x:.3g}<br>h*=%{y:.4f}<extra></extra>"))
    finite = loss[np.isfinite(loss)]
    top = float(finite.max()) if finite.size else 1.0
    return go.Figure(traces, layout=layout("Fig. 2 right: each rule, growing attacks",
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
    """Sec. V-B: H_mu(Y|X) <= L(mu, q*) <= h* (no numbers on the bars: the paper's (3) is another thing).

    The middle bar depends on every entry of the rule: when its clean loss is not proven to 1e-6 nats the bar is
    hatched and labelled with the proven interval, not drawn as an exact number."""
    names = ["clean optimum H(Y|X)", "robust rule, clean data", "robust rule, attacked (h*)"]
    values = to_units(np.array(cvr.value), units)
    text, patterns = [f"{v:.4f}" for v in values], ["", "", ""]
    if cvr.clean_loss_status != "verified":
        text[1], patterns[1] = f"{_clean_loss_interval(cvr, units)}<br>(not proven)", "/"
    return go.Figure(go.Bar(x=names, y=values, marker_color=[colour(0), colour(1), colour(5)],
                            marker_pattern_shape=patterns, text=text, textposition="outside",
                            constraintext="none"),  # a two-line label keeps its size, wider than its bar
                     layout=layout(f"The price of robustness at eps = {cvr.eps:.3g}", "", f"loss [{units}]", height=360,
                                   yaxis={"range": [0, value_top(float(values.max()), 1.2)]}))


def _clean_loss_interval(cvr, units: str) -> str:
    lower, upper = to_units(cvr.robust_rule_clean_loss_lower, units), to_units(cvr.robust_rule_clean_loss_upper, units)
    return f"{lower:.4f} to {upper:.4f}"


def describe_clean_robust(cvr, units: str = "nats") -> str:
    """Alt text for the clean-versus-robust bars (the rule's clean loss as its interval when not proven)."""
    clean = (f"{to_units(cvr.robust_rule_clean_loss, units):.3f}" if cvr.clean_loss_status == "verified"
             else f"from {_clean_loss_interval(cvr, units)} (not proven)")
    return (f"Bars: clean optimum {to_units(cvr.clean_optimum, units):.3f}, robust rule on clean data {clean}, under "
            f"attack {to_units(cvr.h_star, units):.3f} {units}.")


def describe_grid(grid, units: str = "nats") -> str:
    """Alt text for the Figure 2 panels."""
    return (f"Figure 2: losses of {len(grid.eps_rule)} robust rules under {len(grid.eps_attack)} attack sizes, "
            f"from {to_units(float(np.min(grid.loss)), units):.3f} to {to_units(float(np.max(grid.loss)), units):.3f} "
            f"{units}; h* rises from {to_units(grid.h_star[0], units):.3f} to {to_units(grid.h_star[-1], units):.3f}, "
            f"and H(Y) = {to_units(grid.h_y, units):.3f}.")
