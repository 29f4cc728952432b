"""Robustness tradeoff: the paper's Figure 2 (both panels), the loss surface, chosen rules and attacks."""

from functools import partial

import numpy as np
import streamlit as st

from engine.bounds.result import Certificate
from engine.core.information import to_units
from figures.robust_error import accuracy_figure2, describe_errors
from figures.tradeoff import describe_grid, figure2_left, figure2_right, loss_heatmap
from ui import compute, frame, state
from ui.editor import problem_editor
from ui.figcache import shared
from ui.guide import guided_path
from ui.tables import accuracy_table, surface_table
from ui.widgets import amount, certificate_badge, headline, interval, reproduce, rule_notes, show_figure

frame.header("Robustness tradeoff (the paper's Figure 2)",
             "Each robust rule is designed for a budget eps_rule; each attack has a budget eps_attack. The best rule "
             "against an attack is the one designed for it, and robustness costs clean accuracy.")
setup = problem_editor(eps_help="Highlights the rule designed for this eps and the attack of this size.",
                       live=True)
p, u = setup.problem, setup.units
lecture = state.lecture_mode()
lo, hi = setup.eps_grid[0], setup.eps_grid[-1]
points = state.select_slider(st.sidebar, "Grid resolution", "resolution", [11, 21, 41, 61], 21, lecture,
                             help="Points on each eps axis; 41 solves 41 rules, each checked against every attack "
                                  "exactly.")
grid_eps = state.eps_grid(lo, hi, points)
compute.warm_saddles(p, grid_eps, f"Solving {points} robust rules, then their exact losses under {points} attacks")
g = compute.grid(setup.key, p, grid_eps, grid_eps)


def view(setup) -> None:
    """What eps shapes: the headline at the slider's eps, the curves emphasising its rule and attack, the
    reproduction (the page's live part: a move reruns only this)."""
    setup = setup.with_eps()
    nearest = min(grid_eps, key=lambda e: abs(e - setup.eps))
    k = grid_eps.index(nearest)
    chosen = [nearest] + state.multiselect(st.sidebar, "Also emphasise the rules / attacks at eps", "highlight",
                                           list(grid_eps), lecture, fmt=lambda e: f"{e:.3g}",
                                           help="Curves for an even spread of budgets are always drawn (thin); the "
                                                "one at the slider's eps and these are drawn thick.")

    exact = bool(np.isclose(g.h_star[k], g.h_star_upper[k], atol=1e-6))
    box = headline()
    box.metric(f"h* at eps = {nearest:.3g}", interval(g.h_star[k], g.h_star_upper[k], exact, u),
               help="The loss of the rule designed for this eps under the attack of this eps: the lowest any rule "
                    "can guarantee.")
    clean = interval(g.clean_lower[k], g.clean_upper[k], g.clean_status[k] == "verified", u)
    box.metric("clean loss of that rule", clean, help="Its loss with no attack (eps_attack = 0); an interval where the "
                                                       "rule's entries are not proven to full precision.")
    box.metric("clean optimum H(Y|X)", amount(g.h_y_given_x, u))
    box.metric("prior guess H(Y)", amount(g.h_y, u), help="The loss of a rule that ignores x and guesses from the "
                                                         "label's prior.")
    worst = int(np.argmax(g.h_star_upper - g.h_star))
    certificate_badge(Certificate(float(g.h_star[worst]), float(g.h_star_upper[worst])), g.status, u,
                      f"Shown: h* at eps = {g.eps_attack[worst]:.3g}, the budget of the grid with the largest gap.")
    chart, side = st.columns([3, 1])
    alt = describe_grid(g, u)
    with chart:
        show_figure(shared(figure2_right, g, u, rules=chosen), "figure2-right",
                    alt + " Right panel: loss against eps_attack.", partial(surface_table, g, u), main=True,
                    hall_height=540)
    guided_path("tradeoff", setup.eps, setup.eps_grid, {
        "eps": f"{nearest:.3g}", "h_star": interval(g.h_star[k], g.h_star_upper[k], exact, u),
        "clean": clean, "h_yx": amount(g.h_y_given_x, u), "h_y": amount(g.h_y, u)}, side)
    rule_notes(g, u)
    left, right = st.columns(2)
    with left:
        show_figure(shared(figure2_left, g, u, attacks=chosen), "figure2-left",
                    alt + " Left panel: loss against eps_rule.")
    with right:
        show_figure(shared(loss_heatmap, g, u), "loss-surface", alt + " Heatmap of the whole surface.")
    acc = compute.errors(setup.key, p, grid_eps)
    show_figure(shared(accuracy_figure2, acc, rules=chosen), "figure2-accuracy",
                describe_errors(acc, accuracy=True) + " The right panel of Figure 2 in accuracy.",
                partial(accuracy_table, acc))
    st.markdown(f"H(Y) = {to_units(g.h_y, u):.4f} {u}: a rule robust enough to face any attack only guesses the "
                f"label's prior. H(Y|X) = {to_units(g.h_y_given_x, u):.4f} {u}: the best clean loss, reached by the "
                f"rule for eps = 0.")
    reproduce(setup,
              f"import numpy as np\neps = np.linspace({lo!r}, {hi!r}, {points})\n"
              f"g = engine.tradeoff_grid(p, eps, eps)\n"
              + ("print(g.loss / math.log(2))  # in bits: loss[attack, rule]" if u == "bits" else
                 "print(g.loss)  # in nats: loss[attack, rule]"),
              f"sweep {{source}} --eps-rule {lo!r}:{hi!r}:{points} --eps-attack {lo!r}:{hi!r}:{points}")


frame.live(view, setup)
