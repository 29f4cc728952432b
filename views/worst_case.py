"""Worst-case perturbation: nu*, q*, the transport plan, h* with its certificate, clean versus robust."""

import math
from functools import partial

import pandas as pd
import streamlit as st

from engine.core.information import conditional_entropy, label_entropy
from figures.robust_error import describe_errors, error_curves
from figures.tables import describe_table, mass_heatmaps, table_heatmap
from figures.tradeoff import clean_robust_bars, describe_clean_robust
from figures.transport import describe_transport, transport_figure
from figures.words import said
from ui import compute, frame, state
from ui.editor import problem_editor
from ui.figcache import shared
from ui.guard import last_good
from ui.guide import guided_path
from ui.tables import long_table, rule_table
from ui.text import literal
from ui.widgets import (
    amount,
    bounded,
    certificate_badge,
    headline,
    in_units,
    interval,
    percent,
    reproduce,
    show_figure,
)

frame.header("Worst-case perturbation",
             "The attacker's best randomised perturbation nu* within the budget, and the rule q* that is robust to it.")
setup = problem_editor(live=True)
p, u = setup.problem, setup.units
compute.warm_saddles(p, setup.eps_grid, "Solving the whole eps range once (later slider moves are instant)")


def view(setup) -> None:
    """Everything at the slider's eps: h* with its certificate, nu* and q*, the plan, robust accuracy (the page's
    live part: a move reruns only this)."""
    setup = setup.with_eps()
    here = compute.worst_case_at(setup.key, p, setup.eps_grid, setup.eps)
    (w, cvr), eps = last_good("worst-case", setup.key, here, setup.eps, here[0].status == "failed", here[0].message)
    h_y, h_yx = label_entropy(p.mu), conditional_entropy(p.mu)

    box = headline()
    box.metric("h* = max H(Y|X')", bounded(w.certificate, w.status, u), help=said(15) + ".")
    box.metric("clean H_mu(Y|X)", amount(h_yx, u))
    box.metric("label entropy H_mu(Y)", amount(h_y, u))
    if p.constraint == "joint":  # labels move too: the worst case's own labels Y', exact for the nu* shown
        box.metric("leakage I(Y';X') = H(Y') - h*", amount(w.leakage, u),
                   help="Under the joint kind the attacker may change labels, so H(Y) of the clean table no "
                        "longer bounds h*: the leakage of the worst case nu* is H_nu*(Y') - H_nu*(Y'|X'), with its "
                        "own labels.")
    else:
        box.metric("leakage I(Y;X') = H(Y) - h*",
                   interval(h_y - w.certificate.upper, h_y - w.certificate.lower, w.status == "verified", u),
                   help="Read as privacy: what the released X' still says about Y (Lemma 1). Lower is more private.")
    certificate_badge(w.certificate, w.status, u)
    if w.status != "verified":
        st.warning(literal(f"The solvers could not close the certificate below 1e-6 nats; the true h* lies between the "
                           f"bounds. {w.message}"))

    zmax = compute.mass_scale(setup.key, p, setup.eps_grid)
    chart, side = st.columns([3, 1])
    with chart:
        show_figure(shared(mass_heatmaps, p.mu, w.nu, p.positions, p.labels, zmax, eps), "mu-and-nu",
                    describe_table("the clean joint law mu", p.mu, p.positions, p.labels) + " "
                    + describe_table("the worst-case law nu*", w.nu, p.positions, p.labels)
                    + f" Both on one colour scale from 0 to {zmax:.3f}, the same at every eps.",
                    partial(long_table, p.positions, p.labels, mu=p.mu, nu_star=w.nu), main=True, hall_height=540)
    guided_path("worst-case", eps, setup.eps_grid, {
        "h_star": bounded(w.certificate, w.status, u), "h_yx": amount(h_yx, u), "h_y": amount(h_y, u),
        "log_m": amount(math.log(p.m), u)}, side)
    left, right = st.columns(2)
    with left:
        show_figure(shared(table_heatmap, w.q, p.positions, p.labels, "Robust rule q*(y | x)", "q*", zmax=1.0),
                    "robust-rule",
                    describe_table("the robust rule q*", w.q, p.positions, p.labels),
                    partial(rule_table, w.q, p.positions, p.labels))
    with right:
        show_figure(shared(clean_robust_bars, cvr, u), "clean-vs-robust", describe_clean_robust(cvr, u))
        st.metric("robust rule's clean loss L(mu, q*) (2)",
                  interval(cvr.robust_rule_clean_loss_lower, cvr.robust_rule_clean_loss_upper,
                           cvr.clean_loss_status == "verified", u),
                  help="Depends on every entry of q*: shown as the interval its proven accuracy gives it when that is "
                       "wider than 1e-6 nats.")
    if cvr.uniqueness:
        st.info(literal(cvr.uniqueness))
    show_figure(shared(transport_figure, w.plan, p.positions, p.labels), "transport-plan",
                describe_transport(w.plan, p.positions, p.labels))
    st.subheader("Robust accuracy (the 0-1 loss)")
    acc = compute.errors(setup.key, p, setup.eps_grid)
    i = min(range(len(acc.eps_attack)), key=lambda k: abs(acc.eps_attack[k] - eps))
    best_low, best_high = 1 - acc.optimal_upper[i], 1 - acc.optimal[i]
    row = headline("headline_accuracy")
    row.metric("best robust accuracy 1 - e*",
               percent(best_high) if best_high - best_low <= 1e-6 else f"{percent(best_low)} to {percent(best_high)}",
               help="The highest accuracy any classifier, randomised or not, can guarantee against every attack of "
                    "this budget: one minus the optimal robust 0-1 error, a certified linear program.")
    row.metric("robust rule q*, attacked", percent(1 - acc.error[i, i]),
               help="The accuracy of the cross-entropy-robust rule q* above, used as a randomised classifier, under "
                    "the attack of this budget that hurts it most.")
    row.metric("clean Bayes rule, attacked", percent(1 - acc.clean[i]),
               help="The accuracy of the best clean classifier, argmax_y mu(y|x), under the attack that hurts it most.")
    left, right = st.columns(2)
    with left:
        show_figure(shared(error_curves, acc, eps, accuracy=True), "robust-accuracy",
                    describe_errors(acc, accuracy=True),
                    partial(pd.DataFrame, {"eps": acc.eps_attack, "best_accuracy": 1 - acc.optimal,
                                           "robust_rule_accuracy": 1 - acc.error.diagonal(),
                                           "clean_rule_accuracy": 1 - acc.clean}))
    with right:
        rule01 = acc.zero_one_rules[i]
        show_figure(shared(table_heatmap, rule01, p.positions, p.labels, "Most accurate robust rule q(y | x)", "q",
                           zmax=1.0), "accuracy-rule",
                    describe_table("the most accurate robust rule", rule01, p.positions, p.labels),
                    partial(rule_table, rule01, p.positions, p.labels))
    # The Play animation is built and drawn only when its box is opened (its frames, one per eps of the grid, make it
    # the page's heaviest chart).
    play = st.expander("Play: the worst case and the robust rule as eps grows", key="play", on_change="rerun")
    if play.open:
        with play:
            show_figure(compute.animation(p, setup.eps_grid, eps, u, state.theme()), "worst-case-animation",
                        "Animation of nu* and q* over eps, starting at the page's eps; each frame's title gives h* "
                        "and its certificate. Press Play or drag the slider below the chart.")
    reproduce(setup, f"w = engine.worst_case(p, {setup.eps!r})\n"
                     f"print({in_units('w.value', u)}, w.status)  # h* in {u}\n"
                     f"print({in_units('w.certificate.lower', u)}, {in_units('w.certificate.upper', u)})  # its bounds",
              f"solve {{source}} --eps {setup.eps!r}")


frame.live(view, setup)
