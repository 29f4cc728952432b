"""A guided path on each Explore page: a few steps of "predict, then move eps" a lecturer steps through.

Each step asks for a prediction, offers the eps to move to, and once eps is there says what to look at, with
the page's own numbers (never a claim the numbers could contradict). The step is in the link (``?step=2``),
so a prepared link opens at the step the lecture is at.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import state


@dataclass(frozen=True)
class Step:
    """Ask ``predict``, move eps to ``where`` (a fraction of the eps range), then say ``look`` (a template over
    the page's facts at that eps)."""

    predict: str
    where: float
    look: str


STEPS = {
    "worst-case": (
        Step("With no budget (eps = 0) the attacker can move nothing. What is h* then?", 0.0,
             "h* = {h_star}, the clean data's own uncertainty H(Y|X) = {h_yx}: nu* is mu."),
        Step("Give the attacker a small budget. Will h* rise a lot or a little?", 0.125,
             "h* = {h_star}, up from H(Y|X) = {h_yx}. Compare the two heatmaps: the mass that moved is where nu* "
             "differs from mu."),
        Step("Double the budget. Will nu* pile mass on the feature values where the labels already mix, or on "
             "the pure ones?", 0.25,
             "The brightest cells of nu* show where the mass went; h* = {h_star}. The robust rule q* hedges most "
             "there."),
        Step("At the largest budget, can h* pass H(Y), the label's own entropy?", 1.0,
             "No: h* = {h_star} and H(Y) = {h_y}. Mixing labels can never create more uncertainty than the "
             "labels have (h* <= H(Y) <= log m = {log_m})."),
    ),
    "tradeoff": (
        Step("Which rule is best on clean data (eps_attack = 0)?", 0.0,
             "The rule designed for eps = 0: its clean loss is H(Y|X) = {h_yx}, the lowest point of the "
             "eps_attack = 0 curve (left)."),
        Step("Move eps to a middle value. On the right, which rule touches the dotted h* curve at this attack?",
             0.25,
             "The one designed for eps = {eps}: each rule touches h* at its own budget (Theorem 1), here at "
             "{h_star}."),
        Step("Does the rule robust at this eps pay for it on clean data?", 0.5,
             "Yes: its clean loss is {clean}, against {h_yx} for the clean optimum. Robustness costs clean "
             "accuracy."),
        Step("At the largest eps, how close does the robust rule's clean loss come to H(Y)?", 1.0,
             "Its clean loss is {clean}; H(Y) = {h_y} is the loss of guessing from the label's prior alone. The "
             "closer the two, the less the rule uses x."),
    ),
    "stochastic-vs-deterministic": (
        Step("With no budget (eps = 0), do the three attackers differ?", 0.0,
             "No: h* = {h_star}, (20) = {p20}, (21) = {p21}: nobody can move."),
        Step("Give the attacker half the range. Who gains most: the attacker who randomises, or one with a "
             "fixed move per point?", 0.5,
             "h* = {h_star}; (20), the attacker who moves after seeing the rule, one fixed move per point: {p20}; "
             "(21), the attacker who commits to one fixed move per point first: {p21}."),
        Step("On the alpha curve: does a mixture of two fixed maps beat both?", 0.5,
             "Its peak is {peak} at alpha = {alpha}, against {ends} for the two fixed maps."),
        Step("At the largest budget, does committing first still cost the pure attacker?", 1.0,
             "h* - (21) = {gap}: {gap_words}"),
    ),
    "privacy": (
        Step("With no distortion allowed (eps = 0), how much does the release say about the label?", 0.0,
             "All of I(X;Y) = {leak}: the release is the data itself."),
        Step("Allow a little distortion. Will the leakage fall quickly or slowly at first?", 0.125,
             "Leakage {leak} at eps = {eps}, from {leak0} with none."),
        Step("Now half the range: is the curve falling faster or slower than at the start?", 0.5,
             "Leakage {leak}: {shape_words}"),
        Step("At the largest budget, is the release private (no leakage at all)?", 1.0,
             "Leakage {leak}: {private_words}"),
    ),
}


def guided_path(page: str, eps: float, grid: tuple[float, ...], facts: dict[str, str], box=None) -> None:
    """Draw the page's guided path in ``box``: the step's prediction, the button moving eps there, then what to
    look at (once eps, the page's budget on ``grid``, is there: ``facts`` are the page's numbers at eps), and
    Back / Next."""
    steps = STEPS[page]
    box = box or st.container()
    lecture = state.lecture_mode()
    k = state.slider(box, "Step", "step", 1, len(steps), 1, True)  # in the link; moved by the buttons below
    step = steps[k - 1]
    lo, hi = grid[0], grid[-1]
    target = min(grid, key=lambda e: abs(e - (lo + step.where * (hi - lo))))
    here = abs(eps - target) < 1e-9
    with box.container(key="guide", border=True):
        st.markdown(f"**Predict, then move eps** · step {k} of {len(steps)}")
        st.markdown(step.predict)
        if here:
            st.success(step.look.format(**facts))
        else:
            st.button(f"Move eps to {target:.3g}", key="guide_go", type="primary", on_click=state.set_eps,
                      args=(target,), help="Make your prediction first, then move eps and look.")
        back, ahead = st.columns(2)
        back.button("Back", key="guide_back", disabled=k == 1, on_click=_go, args=(k - 1,), width="stretch")
        ahead.button("Next step", key="guide_next", disabled=k == len(steps), on_click=_go, args=(k + 1,),
                     width="stretch")
        if not lecture and k == len(steps):
            st.caption("The end of this page's path: move eps freely, or try another example.")


def _go(k: int) -> None:
    """Back / Next's callback: the step (the page then offers to move eps there)."""
    st.session_state["step"] = k
