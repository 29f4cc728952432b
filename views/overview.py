"""Overview: the game in one picture, Theorem 1, and h* for a preset computed from both sides."""

import streamlit as st

import engine
from engine.core.information import conditional_entropy, label_entropy, to_units
from ui import compute
from ui.state import choice, eps_grid, eps_slider, lecture_link, lecture_mode
from ui.widgets import amount, certificate_badge

st.title("Tradeoff Lab")
st.markdown(
    "Robust learning and private data release are **the same game**, played in the opposite order. "
    "A perturbation (or release mechanism) moves the data within a budget eps; a classifier (or inference "
    "attacker) guesses the label from what it sees, and pays the cross-entropy."
)
st.graphviz_chart("""
digraph G { rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef5fb", fontname="Helvetica"];
  data [label="data (X, Y) ~ mu"];
  mech [label="perturbation / release\\nP(Z | X, Y), cost <= eps", fillcolor="#fdf1dd"];
  rule [label="classifier / attacker\\nq(y | z)"]; loss [label="cross-entropy\\nE[-log q(Y | Z)]", fillcolor="#e7f4ec"];
  data -> mech -> rule -> loss; }
""")
left, right = st.columns(2)
left.markdown("**Robust learning** = min over q, max over P: the classifier commits first.")
right.markdown("**Privacy-utility** = max over P, min over q: the release mechanism commits first.")
st.subheader("Theorem 1 (Wang, Aeron, Rakin, Koike-Akino, Moulin, ISIT 2021)")
st.latex(r"\min_{q}\;\max_{\nu \in D}\; E_\nu[-\log q(Y|X)] \;=\; \max_{\nu \in D}\;\min_{q}\; E_\nu[-\log q(Y|X)]"
         r"\;=\; \max_{\nu \in D} H_\nu(Y|X) \;=:\; h^* \;\le\; \log |\mathcal Y|")
st.markdown("So the saddle point is a **maximum conditional entropy** problem; its maximiser is the worst-case "
            "perturbation and the optimal release mechanism at once, and the robust rule is its posterior "
            "(Corollary 1). Its value against eps is a privacy-utility (or rate-distortion) curve.")

st.subheader("See it on an example")
names = {n: engine.preset_info(n).title for n in engine.preset_names()}
preset = choice(st, "Example", names, "preset", "figure2", lecture_mode())
info = engine.preset_info(preset)
problem = engine.load_preset(preset)
grid = eps_grid(info.eps_min, info.eps_max)
eps = eps_slider(info.eps_min, info.eps_max, info.eps_default, grid, in_main=True)
units = choice(st, "Units", {"nats": "nats", "bits": "bits"}, "units", "nats", lecture_mode(), horizontal=True)
w, _ = compute.worst_cases(problem.key, problem, grid)[eps]
rule = compute.robust_rules(problem.key, problem, grid)[eps]
c1, c2, c3 = st.columns(3)
c1.metric("maximin: best perturbation's H(Y|X')", amount(w.value, units, 6),
          help="Lower bound: a feasible perturbation reaches it.")
c2.metric("minimax: robust rule's worst loss", amount(rule.value, units, 6),
          help="Upper bound: the exact worst-case loss of the robust rule.")
c3.metric("gap (Theorem 1 says 0)", f"{to_units(w.certificate.gap, units):.1e} {units}")
certificate_badge(w.certificate, w.status, units)
st.caption(f"For reference: H(Y|X) = {to_units(conditional_entropy(problem.mu), units):.4f} and "
           f"H(Y) = {to_units(label_entropy(problem.mu), units):.4f} {units}. {info.description}")
if not lecture_mode():
    st.markdown(f"[Open this view in lecture mode]({lecture_link()})")
