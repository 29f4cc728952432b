"""Stochastic versus deterministic adversaries (Sec. V-A): (20), (21) and h*, and the alpha family."""

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from engine.analyses.deterministic import NODE_LIMIT
from engine.core.information import to_units
from engine.errors import ProblemError
from figures.deterministic import alpha_curve, channel_diagram, values_bars
from figures.words import labelled, said
from ui import compute, frame
from ui.editor import problem_editor
from ui.figcache import shared
from ui.guide import guided_path
from ui.text import literal
from ui.widgets import amount, certificate_badge, headline, in_units, interval, reproduce, show_figure

frame.header("Stochastic versus deterministic adversary",
             "Under a hard per-point limit (the max kind), an attacker who plays second loses nothing by using a "
             "fixed map (20). One who must commit first (21) needs to randomise to reach h*: the order of play "
             "matters.")
setup = problem_editor(default_preset="stochastic-vs-deterministic", force_kind="max", live=True)
p, u = setup.problem, setup.units
alphas = tuple(np.round(np.linspace(0, 1, 101), 6))


def view(setup) -> None:
    """Everything at the slider's eps: the exact search, the three values, the alpha family (the page's live part:
    a move reruns only this)."""
    setup = setup.with_eps()
    try:
        with st.spinner("Searching the deterministic maps (branch and bound)..."):
            gap, along, rival = compute.deterministic(setup.key, p, setup.eps, alphas)
    except ProblemError as err:
        st.error(literal(err))
        frame.stop()
    h_star = interval(gap.stochastic, gap.stochastic_upper, gap.status == "verified", u, 6)
    p20 = (amount(gap.pure_minimax, u, 6) if gap.minimax_verified  # the rule's exact loss; (20) = h* lies between
           else interval(gap.stochastic, gap.pure_minimax, False, u, 6))
    p21 = interval(gap.pure_maximin, gap.maximin_upper, gap.maximin_exact, u, 6)
    box = headline()
    box.metric("stochastic h*", h_star, help="The attacker may randomise: the paper's (15) under the max kind.")
    box.metric(labelled(20), p20, help=said(20) + ". It equals h* under the max kind.")
    box.metric(labelled(21), p21, help=said(21) + ". Found by an exact branch-and-bound search over the fixed maps.")
    st.caption(f"{said(20)}. {said(21)}. (21) is {gap.maximin_label}; searched {gap.nodes} nodes.")
    w = compute.worst_cases(setup.key, p, (setup.eps,))[setup.eps][0]
    certificate_badge(w.certificate, w.status, u)
    if not gap.maximin_exact:
        st.info(f"The exact search stopped after {NODE_LIMIT} nodes: the best map found is a lower bound on (21), "
                f"{gap.maximin_label}.")
    chart, side = st.columns([3, 1])
    with chart:
        show_figure(shared(alpha_curve, np.array(alphas), along, gap.stochastic, gap.pure_maximin, u), "alpha-curve",
                    "H(Y|Z) along the mixture of two deterministic maps; it peaks inside, above both fixed maps.",
                        partial(pd.DataFrame, {"alpha": alphas, f"H(Y|Z)_{u}": to_units(along, u)}), main=True,
                    hall_height=500)
    best = int(np.argmax(along))
    guided_path("stochastic-vs-deterministic", setup.eps, setup.eps_grid, {
        "h_star": h_star, "p20": p20, "p21": p21, "peak": amount(along[best], u), "alpha": f"{alphas[best]:.2f}",
        "ends": f"{amount(along[0], u)} and {amount(along[-1], u)}",
        "gap": amount(gap.stochastic - gap.pure_maximin, u),
        "gap_words": "yes, the fixed maps stay below the randomised attack." if gap.stochastic - gap.pure_maximin > 1e-6
        else "no, here a fixed map does as well as randomising."}, side)
    left, right = st.columns(2)
    with left:
        show_figure(shared(values_bars, gap, u), "three-values", f"Bars: h* {to_units(gap.stochastic, u):.4f}, (20) "
                    f"{to_units(gap.pure_minimax, u):.4f}, (21) {to_units(gap.pure_maximin, u):.4f} {u}.")
    with right:
        show_figure(shared(channel_diagram, w.mechanism, p.positions, p.mu), "attack-channel",
                    "Arrows from each clean point to where the optimal randomised attack sends it, with probabilities.")
    st.caption("alpha = 0 is the best fixed map; alpha = 1 sends the most-split point to its other favourite target "
               "(for the paper's example: 2 -> 3 versus 2 -> 1). The paper's optimum is alpha = 1/2.")
    reproduce(setup, f"d = engine.deterministic_gap(p, {setup.eps!r})\n"
                     f"print({in_units('d.stochastic', u)}, {in_units('d.pure_minimax', u)}, "
                     f"{in_units('d.pure_maximin', u)})  # h*, (20), (21) in {u}",
              f"deterministic {{source}} --constraint max --eps {setup.eps!r}")


frame.live(view, setup)
