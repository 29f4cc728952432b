"""Robustness vs accuracy: Tsipras et al.'s model (seeds/002), both rules against eps, the Pareto frontier and the
theorem's bound, checked against the seeded simulator."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.errors import ProblemError
from figures.accuracy import accuracy_against_eps, describe_accuracy, describe_frontier, frontier_figure
from ui import compute, frame
from ui.figcache import shared
from ui.state import lecture_mode, slider
from ui.text import literal
from ui.widgets import headline, percent, reproduce_code, show_figure

EPS_MAX, EPS_STEP = 1.5, 0.01  # the slider and the curve: past eps = 1, where the robust rule fails too
SIM_DRAWS, SIM_MIN, SIM_MAX = 250_000, 250, 20_000  # simulator: about SIM_DRAWS normals a rule, whatever d
EPS_KEY = "eps_inf"  # not "eps": the Explore pages' budget is another quantity, and a shared key carries it over
SIM_SEED, SIM_TOLERANCE = 0, 4.0  # the check passes when the simulator is within 4 standard errors
RULES = ("natural", "robust")


frame.header("Robustness vs accuracy",
             "Tsipras, Santurkar, Engstrom, Turner and Madry, 'Robustness May Be at Odds with Accuracy' (ICLR 2019): "
             "in a simple model the accurate classifier is fragile and the robust one is less accurate, and no "
             "linear rule is both.")
controls = st.container(key="controls")
lecture = lecture_mode()
box = st.sidebar
p = slider(box, "Robust feature's reliability p", "p", 0.5, 0.99, 0.9, lecture, 0.01,
           "P[x1 = y]. Higher p: the robust rule sign(x1) is more accurate (its accuracy is p) and the bound "
           "p/(1-p) delta is looser.")
eta = slider(box, "Weak features' mean eta", "eta", 0.01, 1.0, 0.3, lecture, 0.01,
             "Each weak feature is N(eta y, 1). Larger eta: the natural rule is more accurate and more robust (an "
             "attacker needs eps = 2 eta to turn it below chance).")
d = slider(box, "Number of weak features d", "d", 1, 1000, 100, lecture, 1,
           "More weak features: the natural rule is more accurate, Phi(eta sqrt(d)), but no more robust: an l_inf "
           "attacker shifts every feature by eps.")
eps = slider(controls, "Attack radius eps (l_inf)", EPS_KEY, 0.0, EPS_MAX, 0.6, False, EPS_STEP,
             "The attacker moves every feature by up to eps. Larger eps: a stronger attacker, lower adversarial "
             "accuracy for every rule.", "%.2f")
try:
    curve = compute.accuracy_curves(p, eta, d, EPS_MAX, round(EPS_MAX / EPS_STEP) + 1)
    samples = int(np.clip(SIM_DRAWS // (d + 1), SIM_MIN, SIM_MAX))  # about SIM_DRAWS normals a rule
    frontier, rules, simulated = compute.accuracy_at(p, eta, d, eps, samples, SIM_SEED)
except ProblemError as err:  # the sliders keep values in range; a sentence all the same
    st.error(literal(str(err)))
    frame.stop()
natural, robust = rules["natural"], rules["robust"]

row = headline()
cols = [row.container() for _ in range(5)]
cols[0].metric("natural: standard", percent(natural.standard),
               help="Weights only on the weak features: accuracy Phi(eta sqrt(d)) with no attacker.")
cols[1].metric("natural: adversarial", percent(natural.adversarial),
               help="Phi(sqrt(d) (eta - eps)): below chance once eps > eta. Higher is more robust.")
cols[2].metric("robust: standard", percent(robust.standard), help="sign(x1): accuracy p.")
cols[3].metric("robust: adversarial", percent(robust.adversarial),
               help="p for every eps < 1 (flipping x1 needs eps >= 1). Higher is more robust.")
if frontier.bound_factor is None:
    bound_text = "does not apply"
else:
    bound_text = percent(curve.bound) if curve.bound < 1 else "vacuous (>= 100 %)"
cols[4].metric("bound (Thm 2.1)", bound_text,
               help="Tsipras et al., Thm 2.1, at the natural rule's delta = 1 - its standard accuracy: standard "
                    "accuracy >= 1 - delta forces adversarial accuracy <= p/(1-p) delta, once eps >= 2 eta.")
gaps = {name: simulated[name].gap(rules[name].adversarial) for name in RULES}
worst = max(gaps.values())
n_sim = simulated["natural"].samples
tip = (f"The closed form against {n_sim} points drawn with seed {SIM_SEED} and attacked by -eps y sign(w): "
       + "; ".join(f"{name} {simulated[name].accuracy:.4f} (closed form {rules[name].adversarial:.4f})"
                   for name in RULES) + ".")
if worst <= SIM_TOLERANCE:
    st.badge(f"checked, simulator within {worst:.1f} SE", icon=":material/verified:", color="green", help=tip)
else:
    st.badge(f"simulator off by {worst:.1f} SE", icon=":material/warning:", color="orange", help=tip)

now = {"natural": natural.adversarial, "robust": robust.adversarial}
sims = {name: (simulated[name].accuracy, simulated[name].standard_error) for name in RULES}
left, right = st.columns(2)
with left:
    show_figure(shared(accuracy_against_eps, curve, eps, now, sims), "accuracy-against-eps",
                describe_accuracy(curve, eps, now),
                pd.DataFrame({"eps": curve.eps, "natural_rule_accuracy": curve.natural,
                              "robust_rule_accuracy": curve.robust}), main=True, hall_height=540)
with right:
    show_figure(shared(frontier_figure, frontier, natural, robust), "accuracy-frontier",
                describe_frontier(frontier, natural, robust),
                pd.DataFrame({"theta": frontier.theta, "a": frontier.a, "b": frontier.b,
                              "standard_accuracy": frontier.standard, "adversarial_accuracy": frontier.adversarial,
                              "pareto_optimal": frontier.on_frontier}))

st.markdown("**The model** (Tsipras et al., Sec. 2.1)")
st.latex(r"y \sim \mathrm{U}\{-1,+1\},\quad x_1 = \begin{cases} +y & \text{w.p. } p \\ -y & \text{w.p. } 1-p"
         r"\end{cases},\quad x_2, \dots, x_{d+1} \overset{\text{iid}}{\sim} \mathcal N(\eta y, 1)")
st.subheader("Clean versus robust, here and in the paper")
st.markdown(
    f"No rule of the family reaches the top-right corner: the natural rule is {percent(natural.standard)} accurate "
    f"on clean data and {percent(natural.adversarial)} under attack; the robust rule keeps "
    f"{percent(robust.adversarial)} under attack but gives up clean accuracy (p = {percent(robust.standard)}). "
    "Once eps >= 2 eta the theorem makes this a law for every classifier, not only linear ones:")
st.latex(r"\Pr[f(x) = y] \ge 1 - \delta \;\Longrightarrow\; \Pr\big[\forall \|\Delta\|_\infty \le \varepsilon:"
         r"\ f(x + \Delta) = y\big] \le \tfrac{p}{1-p}\,\delta \qquad (\varepsilon \ge 2\eta).")
st.markdown(
    "Wang, Aeron, Rakin, Koike-Akino and Moulin (Sec. V-B) find the same price in log-loss: the robust rule q* "
    "loses more on clean data than the clean optimum, by a KL term, and more again under attack:")
st.latex(r"H_\mu(Y|X) \;\le\; L(\mu, q^*) = H_\mu(Y|X) + \mathrm{KL}(\mu_{Y|X} \,\|\, q^* \mid \mu_X)"
         r"\;\le\; h^*(\varepsilon).")
st.caption("The Worst-case perturbation page shows the three terms for the finite models of the paper.")

args = f"{p!r}, {eta!r}, {d!r}, {eps!r}"
reproduce_code(
    "from engine import accuracy_frontier, natural_rule_accuracy, robust_rule_accuracy\n"
    f"natural = natural_rule_accuracy({args})\nrobust = robust_rule_accuracy({args})\n"
    "print(natural.value, robust.value)  # (standard, adversarial) accuracy of each rule\n"
    f"f = accuracy_frontier({args})\nprint(f.value)  # the Pareto frontier: (standard, adversarial) rows",
    f"accuracy --p {p!r} --eta {eta!r} --d {d!r} --eps {eps!r} --json")
