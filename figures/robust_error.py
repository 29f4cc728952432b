"""Robust 0-1 error (or accuracy) beside h*: the optimum e*(eps) any rule can reach, and what the cross-entropy-robust
rules q* and the clean Bayes rule reach under the same attacks (an ``ErrorGrid``, ``engine.analyses.error_grid``).

Errors are probabilities (no units); ``accuracy=True`` draws 1 - error. Pure Plotly: no Streamlit, no engine calls.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from figures.style import H_STAR_STYLE, colour, hline, layout

BAYES_STYLE = {"color": "#777777", "dash": "dash"}


def _as(values, accuracy: bool) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return 1.0 - v if accuracy else v


def _word(accuracy: bool) -> str:
    return "robust accuracy" if accuracy else "worst-case error"


def _best(accuracy: bool) -> str:
    return "best possible, 1 - e*" if accuracy else "best possible, e*"


def _diagonal(g) -> np.ndarray | None:
    """Each rule's error at its own budget, when the grid's rule and attack budgets are the same."""
    if len(g.eps_rule) != len(g.eps_attack) or not np.allclose(g.eps_rule, g.eps_attack, rtol=0, atol=1e-12):
        return None
    return np.diag(g.error)


def error_curves(g, eps: float | None = None, accuracy: bool = False) -> go.Figure:
    """e*(eps), the optimum of any rule (black dots, like h*), beside the cross-entropy-robust rule q*_eps under the
    attack it was designed for and the clean Bayes rule under attack; the slider's eps marked."""
    x = g.eps_attack
    word = _word(accuracy)
    traces = [go.Scatter(x=x, y=_as(g.optimal, accuracy), mode="lines", name=_best(accuracy),
                         line=H_STAR_STYLE, hovertemplate=f"eps=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>")]
    diagonal = _diagonal(g)
    if diagonal is not None:
        traces.append(go.Scatter(x=x, y=_as(diagonal, accuracy), mode="lines", name="cross-entropy rule q*_eps",
                                 line={"color": colour(0), "width": 2.5},
                                 hovertemplate=f"eps=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>"))
    traces.append(go.Scatter(x=x, y=_as(g.clean, accuracy), mode="lines", name="clean Bayes rule",
                             line={"color": colour(5), "width": 2.5},
                             hovertemplate=f"eps=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>"))
    shapes, notes = [], []
    for value, text in ((g.bayes_error, "Bayes error"), (g.prior_error, "guessing the prior")):
        shape, note = hline(float(_as(value, accuracy)), text, BAYES_STYLE, top=not accuracy)
        shapes.append(shape)
        notes.append(note)
    if eps is not None:
        shapes.append({"type": "line", "xref": "x", "x0": eps, "x1": eps, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": "#999999", "width": 1}})
    return go.Figure(traces, layout=layout(f"{word.capitalize()} under attack", "eps (the attacker's budget)",
                                           f"{word} (probability)", shapes=shapes, annotations=notes,
                                           yaxis={"range": [0.0, 1.0]}))


def accuracy_figure2(g, accuracy: bool = True, rules=None, count: int = 6) -> go.Figure:
    """Figure 2's right panel in 0-1 terms: each cross-entropy-robust rule's accuracy (or error) against eps_attack,
    the optimum e* dotted beneath it (above it, as accuracy), and the clean Bayes rule dashed."""
    word = _word(accuracy)
    spread = set(np.linspace(0, len(g.eps_rule) - 1, min(count, len(g.eps_rule))).round().astype(int).tolist())
    picked = sorted(spread | {int(np.argmin(np.abs(g.eps_rule - r))) for r in rules or ()})
    traces = [go.Scatter(x=g.eps_attack, y=_as(g.error[:, j], accuracy), mode="lines",
                         name=f"rule for eps = {g.eps_rule[j]:.3g}", line={"color": colour(k), "width": 2.5},
                         hovertemplate=f"eps_attack=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>")
              for k, j in enumerate(picked)]
    traces.append(go.Scatter(x=g.eps_attack, y=_as(g.optimal, accuracy), mode="lines", name=_best(accuracy),
                             line=H_STAR_STYLE, hovertemplate=f"eps=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>"))
    traces.append(go.Scatter(x=g.eps_attack, y=_as(g.clean, accuracy), mode="lines", name="clean Bayes rule",
                             line={**BAYES_STYLE, "width": 2.5},
                             hovertemplate=f"eps=%{{x:.3g}}<br>{word}=%{{y:.4f}}<extra></extra>"))
    return go.Figure(traces, layout=layout(f"Each rule's {word}, growing attacks",
                                           "eps_attack (the attacker's budget)", f"{word} (probability)",
                                           yaxis={"range": [0.0, 1.0]}))


def describe_errors(g, accuracy: bool = False) -> str:
    """Alt text for both figures."""
    word = _word(accuracy)
    best = _as(g.optimal, accuracy)
    return (f"{word.capitalize()} of {len(g.eps_rule)} cross-entropy-robust rules and the clean Bayes rule under "
            f"{len(g.eps_attack)} attack sizes from {g.eps_attack[0]:.3g} to {g.eps_attack[-1]:.3g}; the best possible "
            f"goes from {best[0]:.3f} to {best[-1]:.3f} (Bayes error {g.bayes_error:.3f}, guessing the prior "
            f"{g.prior_error:.3f}).")
