"""Robustness tradeoff: the paper's Figure 2 (both panels), the loss surface, chosen rules and attacks."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.bounds.result import Certificate
from engine.core.information import to_units
from figures.robust_error import accuracy_figure2, describe_errors
from figures.tradeoff import describe_grid, figure2_left, figure2_right, loss_heatmap
from ui import compute
from ui.editor import problem_editor
from ui.state import BIND, eps_grid, lecture_mode
from ui.widgets import certificate_badge, reproduce, rule_notes, show_figure

st.title("Robustness tradeoff (the paper's Figure 2)")
st.caption("Each robust rule is designed for a budget eps_rule; each attack has a budget eps_attack. The best rule "
           "against an attack is the one designed for it, and robustness costs clean accuracy.")
setup = problem_editor(eps_help="Highlights the rule designed for this eps and the attack of this size.")
p, u = setup.problem, setup.units
lo, hi = setup.eps_grid[0], setup.eps_grid[-1]
points = 21 if lecture_mode() else st.sidebar.select_slider(
    "Grid resolution", options=[11, 21, 41, 61], value=21, key="resolution", bind=BIND,
    help="Points on each eps axis; 41 solves 41 rules, each checked against every attack exactly.")
grid_eps = eps_grid(lo, hi, points)
compute.warm_saddles(p, grid_eps, f"Solving {points} robust rules, then their exact losses under {points} attacks")
g = compute.grid(setup.key, p, grid_eps, grid_eps)
worst = int(np.argmax(g.h_star_upper - g.h_star))
certificate_badge(Certificate(float(g.h_star[worst]), float(g.h_star_upper[worst])), g.status, u,
                  f"Shown: h* at eps = {g.eps_attack[worst]:.3g}, the budget of the grid with the largest gap.")
nearest = min(grid_eps, key=lambda e: abs(e - setup.eps))
chosen = [nearest] + ([] if lecture_mode() else st.multiselect(
    "Also draw the rules / attacks at eps", options=list(grid_eps), default=[], key="highlight", bind=BIND,
    format_func=lambda e: f"{e:.3g}", help="Curves for an even spread of budgets are always drawn, and the one "
                                           "at the slider's eps."))
left, right = st.columns(2)
alt = describe_grid(g, u)
data = pd.DataFrame([(a, r, to_units(g.loss[i, j], u), to_units(g.loss_lower[i, j], u),
                      to_units(g.loss_upper[i, j], u), str(g.loss_status[i, j]))
                     for i, a in enumerate(g.eps_attack) for j, r in enumerate(g.eps_rule)],
                    columns=["eps_attack", "eps_rule", f"loss_{u}", f"loss_lower_{u}", f"loss_upper_{u}", "status"])
rule_notes(g, u)
with left:
    show_figure(figure2_left(g, u, attacks=chosen or None), "figure2-left",
                alt + " Left panel: loss against eps_rule.")
with right:
    show_figure(figure2_right(g, u, rules=chosen or None), "figure2-right",
                alt + " Right panel: loss against eps_attack.", data)
show_figure(loss_heatmap(g, u), "loss-surface", alt + " Heatmap of the whole surface.")
acc = compute.errors(setup.key, p, grid_eps)
show_figure(accuracy_figure2(acc, rules=chosen or None), "figure2-accuracy",
            describe_errors(acc, accuracy=True) + " The right panel of Figure 2 in accuracy.",
            pd.DataFrame([(a, r, 1 - acc.error[i, j]) for i, a in enumerate(acc.eps_attack)
                          for j, r in enumerate(acc.eps_rule)], columns=["eps_attack", "eps_rule", "accuracy"]))
st.markdown(f"H(Y) = {to_units(g.h_y, u):.4f} {u}: a rule robust enough to face any attack only guesses the "
            f"label's prior. H(Y|X) = {to_units(g.h_y_given_x, u):.4f} {u}: the best clean loss, reached by the rule "
            f"for eps = 0.")
reproduce(setup,
          f"import numpy as np\neps = np.linspace({lo!r}, {hi!r}, {points})\ng = engine.tradeoff_grid(p, eps, eps)",
          f"sweep {{source}} --eps-rule {lo!r}:{hi!r}:{points} --eps-attack {lo!r}:{hi!r}:{points}")
