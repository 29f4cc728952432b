"""Worst-case perturbation: nu*, q*, the transport plan, h* with its certificate, clean versus robust."""

import pandas as pd
import streamlit as st

from engine.core.information import conditional_entropy, label_entropy, to_units
from figures.robust_error import describe_errors, error_curves
from figures.tables import describe_table, table_heatmap
from figures.tradeoff import clean_robust_bars
from figures.transport import describe_transport, transport_sankey
from ui import compute
from ui.editor import problem_editor
from ui.guard import last_good
from ui.text import literal
from ui.widgets import amount, bounded, certificate_badge, interval, percent, reproduce, show_figure

st.title("Worst-case perturbation")
st.caption("The attacker's best randomised perturbation nu* within the budget, and the rule q* that is robust to it.")
setup = problem_editor()
p, u = setup.problem, setup.units
compute.warm_saddles(p, setup.eps_grid, "Solving the whole eps range once (later slider moves are instant)")
solved = compute.worst_cases(setup.key, p, setup.eps_grid)
here = solved[setup.eps]
(w, cvr), eps = last_good("worst-case", setup.key, here, setup.eps, here[0].status == "failed", here[0].message)
h_y, h_yx = label_entropy(p.mu), conditional_entropy(p.mu)

cols = st.columns(4)
cols[0].metric("h* = max H(Y|X')", bounded(w.certificate, w.status, u),
               help="The largest uncertainty about the label the attacker can create (15).")
cols[1].metric("clean H_mu(Y|X)", amount(h_yx, u))
cols[2].metric("label entropy H_mu(Y)", amount(h_y, u))
cols[3].metric("leakage I(Y;X') = H(Y) - h*",
               interval(h_y - w.certificate.upper, h_y - w.certificate.lower, w.status == "verified", u),
               help="Read as privacy: what the released X' still says about Y (Lemma 1). Lower is more private.")
certificate_badge(w.certificate, w.status, u)
if w.status != "verified":
    st.warning(literal(f"The solvers could not close the certificate below 1e-6 nats; the true h* lies between the "
                       f"bounds. {w.message}"))

left, right = st.columns(2)
with left:
    show_figure(table_heatmap(p.mu, p.positions, p.labels, "Clean data mu(x, y)", "mu"), "clean-mu",
                describe_table("the clean joint law mu", p.mu, p.positions, p.labels),
                pd.DataFrame(p.mu, index=p.positions, columns=p.labels).reset_index(names="x"))
with right:
    show_figure(table_heatmap(w.nu, p.positions, p.labels, f"Worst case nu*(x', y) at eps = {eps:.3g}", "nu*"),
                "worst-case-nu", describe_table("the worst-case law nu*", w.nu, p.positions, p.labels),
                pd.DataFrame(w.nu, index=p.positions, columns=p.labels).reset_index(names="x"))
left, right = st.columns(2)
with left:
    show_figure(table_heatmap(w.q, p.positions, p.labels, "Robust rule q*(y | x)", "q*", zmax=1.0), "robust-rule",
                describe_table("the robust rule q*", w.q, p.positions, p.labels),
                pd.DataFrame(w.q, index=p.positions, columns=p.labels).reset_index(names="x"))
with right:
    show_figure(clean_robust_bars(cvr, u), "clean-vs-robust",
                f"Bars: clean optimum {to_units(cvr.clean_optimum, u):.3f}, robust rule on clean data "
                f"{to_units(cvr.robust_rule_clean_loss, u):.3f}, under attack {to_units(cvr.h_star, u):.3f} {u}.")
    st.metric("robust rule's clean loss L(mu, q*) (2)",
              interval(cvr.robust_rule_clean_loss_lower, cvr.robust_rule_clean_loss_upper,
                       cvr.robust_rule_clean_loss_upper - cvr.robust_rule_clean_loss_lower <= 1e-6, u),
              help="Depends on every entry of q*: shown as the interval its proven accuracy gives it when that is "
                   "wider than 1e-6 nats.")
if cvr.uniqueness:
    st.info(literal(cvr.uniqueness))
show_figure(transport_sankey(w.plan, p.positions, p.labels), "transport-plan",
            describe_transport(w.plan, p.positions, p.labels))
st.subheader("Robust accuracy (the 0-1 loss)")
acc = compute.errors(setup.key, p, setup.eps_grid)
i = min(range(len(acc.eps_attack)), key=lambda k: abs(acc.eps_attack[k] - eps))
best_low, best_high = 1 - acc.optimal_upper[i], 1 - acc.optimal[i]
cols = st.columns(3)
cols[0].metric("best robust accuracy 1 - e*",
               percent(best_high) if best_high - best_low <= 1e-6 else f"{percent(best_low)} to {percent(best_high)}",
               help="The highest accuracy any classifier, randomised or not, can guarantee against every attack of "
                    "this budget: one minus the optimal robust 0-1 error, a certified linear program.")
cols[1].metric("robust rule q*, attacked", percent(1 - acc.error[i, i]),
               help="The accuracy of the cross-entropy-robust rule q* above, used as a randomised classifier, under "
                    "the attack of this budget that hurts it most.")
cols[2].metric("clean Bayes rule, attacked", percent(1 - acc.clean[i]),
               help="The accuracy of the best clean classifier, argmax_y mu(y|x), under the attack that hurts it most.")
left, right = st.columns(2)
with left:
    show_figure(error_curves(acc, eps, accuracy=True), "robust-accuracy", describe_errors(acc, accuracy=True),
                pd.DataFrame({"eps": acc.eps_attack, "best_accuracy": 1 - acc.optimal,
                              "robust_rule_accuracy": 1 - acc.error.diagonal(), "clean_rule_accuracy": 1 - acc.clean}))
with right:
    rule01 = acc.zero_one_rules[i]
    show_figure(table_heatmap(rule01, p.positions, p.labels, "Most accurate robust rule q(y | x)", "q", zmax=1.0),
                "accuracy-rule", describe_table("the most accurate robust rule", rule01, p.positions, p.labels),
                pd.DataFrame(rule01, index=p.positions, columns=p.labels).reset_index(names="x"))
st.subheader("Play: the worst case and the robust rule as eps grows")
eps_shown = setup.eps_grid[:: max(1, len(setup.eps_grid) // 20)]
show_figure(compute.animation(setup.key, p, setup.eps_grid, tuple(eps_shown)), "worst-case-animation",
            "Animation of nu* and q* over eps; press Play or drag the slider below the chart.")
reproduce(setup, f"w = engine.worst_case(p, {setup.eps!r})\nprint(w.value, w.certificate, w.status)",
          f"solve {{source}} --eps {setup.eps!r}")
