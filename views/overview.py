"""Overview: the game in one picture, Theorem 1, and h*(eps) for a preset computed from both sides."""

import numpy as np
import streamlit as st

import engine
from engine.core.information import conditional_entropy, label_entropy, to_units
from figures.overview import describe_h_star, h_star_curve
from ui import compute, frame, state
from ui.editor import UNITS, preset_names
from ui.widgets import amount, certificate_badge, headline, show_figure

frame.header("Tradeoff Lab")
st.markdown(
    "Robust learning and private data release are **the same game**, played in the opposite order. "
    "A perturbation (or release mechanism) moves the data within a budget eps; a classifier (or inference "
    "attacker) guesses the label from what it sees, and pays the cross-entropy."
)
lecture = state.lecture_mode()
names = preset_names()
left, middle, right = st.container(key="controls").columns([2, 3, 1], vertical_alignment="bottom")
preset = state.choice(left, "Example", names, "preset", "figure2", False)
info = engine.preset_info(preset)
problem = engine.load_preset(preset)
grid = state.eps_grid(info.eps_min, info.eps_max)
eps = state.eps_slider(info.eps_min, info.eps_max, info.eps_default, grid, box=middle, scope=("preset", preset))
units = state.choice(right, "Units", UNITS, "units", "nats", lecture, horizontal=True)
solved = compute.worst_cases(problem.key, problem, grid)
w, _ = solved[eps]
rule = compute.robust_rules(problem.key, problem, grid)[eps]
h_y, h_yx = label_entropy(problem.mu), conditional_entropy(problem.mu)

box = headline()
box.metric("maximin: best perturbation's H(Y|X')", amount(w.value, units, 6),
           help="Lower bound: a feasible perturbation reaches it.")
box.metric("minimax: robust rule's worst loss", amount(rule.value, units, 6),
           help="Upper bound: the exact worst-case loss of the robust rule.")
difference = to_units(rule.value - w.value, units)
box.metric("Theorem 1: the two are equal",
           "equal (to 1e-6)" if abs(difference) < 1e-6 else f"{difference:.2e} {units} apart",
           help=f"They differ by {difference:.1e} {units}, the solvers' rounding: the two sides of the game meet.")
certificate_badge(w.certificate, w.status, units)
chart, side = st.columns([3, 2])
eps_values = np.array(grid)
lower = np.array([solved[e][0].certificate.lower for e in grid])
upper = np.array([solved[e][0].certificate.upper for e in grid])
with chart:
    show_figure(h_star_curve(eps_values, lower, upper, eps, h_y, h_yx, units), "h-star",
                describe_h_star(eps_values, lower, h_y, units), main=True, hall_height=480)
with side:
    st.markdown("**Theorem 1** (Wang, Aeron, Rakin, Koike-Akino, Moulin, ISIT 2021)")
    st.latex(r"\begin{aligned} h^* &= \min_{q}\,\max_{\nu \in D}\, E_\nu[-\log q(Y|X)] \\"
             r"&= \max_{\nu \in D}\,\min_{q}\, E_\nu[-\log q(Y|X)] \\"
             r"&= \max_{\nu \in D} H_\nu(Y|X) \;\le\; \log |\mathcal Y| \end{aligned}")
    st.markdown("**Robust learning** = min over q, max over P: the classifier commits first.  \n"
                "**Privacy-utility** = max over P, min over q: the release mechanism commits first.")
st.caption(f"For reference: H(Y|X) = {to_units(h_yx, units):.4f} and H(Y) = {to_units(h_y, units):.4f} {units}. "
           f"{info.description}")
st.subheader("The game in one picture")
st.graphviz_chart("""
digraph G { rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef5fb", fontname="Helvetica"];
  data [label="data (X, Y) ~ mu"];
  mech [label="perturbation / release\\nP(Z | X, Y), cost <= eps", fillcolor="#fdf1dd"];
  rule [label="classifier / attacker\\nq(y | z)"]; loss [label="cross-entropy\\nE[-log q(Y | Z)]", fillcolor="#e7f4ec"];
  data -> mech -> rule -> loss; }
""")
st.markdown("So the saddle point is a **maximum conditional entropy** problem; its maximiser is the worst-case "
            "perturbation and the optimal release mechanism at once, and the robust rule is its posterior "
            "(Corollary 1). Its value against eps is a privacy-utility (or rate-distortion) curve: the chart above.")
