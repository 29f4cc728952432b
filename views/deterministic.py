"""Stochastic versus deterministic adversaries (Sec. V-A): (20), (21) and h*, and the alpha family."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.analyses.deterministic import NODE_LIMIT
from engine.core.information import to_units
from engine.errors import ProblemError
from figures.deterministic import alpha_curve, channel_diagram, values_bars
from ui import compute
from ui.editor import problem_editor
from ui.figcache import shared
from ui.text import literal
from ui.widgets import amount, certificate_badge, interval, reproduce, show_figure

st.title("Stochastic versus deterministic adversary")
st.caption("Under a hard per-point limit (the max kind), an attacker who plays second loses nothing by using a fixed "
           "map (20). One who must commit first (21) needs to randomise to reach h*: the order of play matters.")
setup = problem_editor(default_preset="stochastic-vs-deterministic", force_kind="max")
p, u = setup.problem, setup.units
alphas = tuple(np.round(np.linspace(0, 1, 101), 6))
try:
    with st.spinner("Searching the deterministic maps (branch and bound)..."):
        gap, along, rival = compute.deterministic(setup.key, p, setup.eps, alphas)
except ProblemError as err:
    st.error(literal(err))
    st.stop()
cols = st.columns(3)
cols[0].metric("stochastic h*", interval(gap.stochastic, gap.stochastic_upper, gap.status == "verified", u, 6))
cols[1].metric("(20) pure, plays second",  # the rule's exact loss; (20) = h* lies between them until they meet
               amount(gap.pure_minimax, u, 6) if gap.minimax_verified else interval(gap.stochastic, gap.pure_minimax,
                                                                                      False, u, 6))
cols[2].metric("(21) pure, plays first", interval(gap.pure_maximin, gap.maximin_upper, gap.maximin_exact, u, 6),
               help="Found by an exact branch-and-bound search over the deterministic maps.")
cols[2].caption(f"(21) is {gap.maximin_label}; searched {gap.nodes} nodes.")
w = compute.worst_cases(setup.key, p, (setup.eps,))[setup.eps][0]
certificate_badge(w.certificate, w.status, u)
if not gap.maximin_exact:
    st.info(f"The exact search stopped after {NODE_LIMIT} nodes: the best map found is a lower bound on (21), "
            f"{gap.maximin_label}.")
left, right = st.columns(2)
with left:
    show_figure(shared(alpha_curve, np.array(alphas), along, gap.stochastic, gap.pure_maximin, u), "alpha-curve",
                "H(Y|Z) along the mixture of two deterministic maps; it peaks inside, above both fixed maps.",
                pd.DataFrame({"alpha": alphas, f"H(Y|Z)_{u}": to_units(along, u)}))
with right:
    show_figure(shared(values_bars, gap, u), "three-values", f"Bars: h* {to_units(gap.stochastic, u):.4f}, (20) "
                f"{to_units(gap.pure_minimax, u):.4f}, (21) {to_units(gap.pure_maximin, u):.4f} {u}.")
show_figure(shared(channel_diagram, w.mechanism, p.positions, p.mu), "attack-channel",
            "Arrows from each clean point to where the optimal randomised attack sends it, with probabilities.")
st.caption("alpha = 0 is the best fixed map; alpha = 1 sends the most-split point to its other favourite target "
           "(for the paper's example: 2 -> 3 versus 2 -> 1). The paper's optimum is alpha = 1/2.")
reproduce(setup, f"d = engine.deterministic_gap(p, {setup.eps!r})\nprint(d.stochastic, d.pure_minimax, d.pure_maximin)",
          f"deterministic {{source}} --constraint max --eps {setup.eps!r}")
