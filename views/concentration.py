"""Concentration of measure: the notes' adversarial spheres (seeds/004, Gilmer et al.): a cap's Euclidean
delta-expansion against the bound 1 - 2 exp(-d delta^2 / 2), and the average distance to the nearest error against d,
checked by seeded Monte Carlo. The maths is in engine/context/concentration.py."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.context.concentration import notes_scale
from engine.errors import ProblemError
from figures.concentration import describe_distance, describe_expansion, distance_figure, expansion_figure
from ui import compute, frame
from ui.state import choice, lecture_mode, number, slider
from ui.text import literal
from ui.widgets import headline, percent, reproduce_code, show_figure

DIM_MAX, DELTA_MAX, DELTA_STEP = 1000, 2.0, 0.001
DIMS = tuple(int(v) for v in np.unique(np.round(np.logspace(np.log10(2), 5, 40))))  # the distance curve's d
SAMPLES = {n: str(n) for n in (2_000, 10_000, 50_000)}
TOLERANCE = 4.0  # the Monte Carlo check passes within 4 standard errors

frame.header("Concentration of measure",
             "Gilmer, Metz, Faghri, Schoenholz, Raghu, Wattenberg and Goodfellow, 'Adversarial Spheres' (2018), as "
             "in the notes: on a high-dimensional sphere almost every point is close to any set covering half of "
             "it, so a classifier with a small error rate has errors close to almost every input.")
controls = st.container(key="controls")
lecture = lecture_mode()
box = st.sidebar
d = slider(box, "Dimension d (the sphere S^(d-1) in R^d)", "dim", 2, DIM_MAX, 100, lecture, 1,
           "Higher d: the measure concentrates, so a smaller radius delta covers almost the whole sphere.")
measure = slider(box, "Measure of the set E (an error rate)", "measure", 0.01, 0.99, 0.5, lecture, 0.01,
                 "sigma(E). The notes' bound needs sigma(E) >= 1/2; the average distance to E uses the accuracy "
                 "q = 1 - sigma(E).")
delta = slider(controls, "Expansion radius delta (Euclidean)", "radius", 0.0, DELTA_MAX, 0.1, False,
               DELTA_STEP, "E_delta: the points within Euclidean (chordal) distance delta of E. Larger delta: a larger "
               "share of the sphere, faster in higher dimension.", "%.3f")
samples = choice(box, "Monte Carlo points", SAMPLES, "mc_points", 10_000, lecture,
                 help="Uniform points on the sphere for the check: more points, a tighter check (slower).")
seed = int(number(box, "Seed (Monte Carlo)", "sphere_seed", 0, lecture, min_value=0, max_value=2**31 - 1, step=1,
                  help="The same seed draws the same points."))
try:
    curve = compute.sphere_expansion(d, measure)
    distances = compute.sphere_distances(measure, DIMS)
    now, distance, simulated = compute.sphere_check(d, measure, delta, samples, seed)
except ProblemError as err:  # the controls keep values in range; a sentence all the same
    st.error(literal(str(err)))
    frame.stop()

row = headline()
cols = [row.container() for _ in range(5)]
cols[0].metric("exact sigma(E_delta)", percent(now.expansion, 3),
               help="The cap of measure sigma(E) grown by delta: the cap of angle theta + 2 arcsin(delta/2), measured "
                    "with the regularised incomplete beta function. By Levy's isoperimetric inequality every other set "
                    "of that measure grows at least as much.")
if now.bound is None:
    bound_text = "n/a"
else:
    bound_text = percent(now.bound, 3) if now.bound > 0 else "vacuous"
cols[1].metric("notes' bound", bound_text, help="1 - 2 exp(-d delta^2 / 2): a lower bound on sigma(E_delta) for every "
                                                "E with sigma(E) >= 1/2 (Matousek, Thm 14.1.1); n/a below 1/2, vacuous "
                                                "while it is <= 0.")
cols[2].metric("Monte Carlo", percent(simulated.in_expansion, 3),
               help=f"The share of {simulated.samples} uniform points (seed {seed}) within Euclidean distance delta of "
                    "the cap, each distance measured directly.")
cols[3].metric("d(E), a cap", f"{distance:.4f}",
               help="The average Euclidean distance from a uniform point to the cap: the largest of any set of this "
                    "measure (distance 0 inside E).")
scale = notes_scale(d, measure)
cols[4].metric("Phi^-1(q)/sqrt(d)", "n/a" if scale is None else f"{scale:.4f}",
               help="The notes' scale (Gilmer et al.): d(E) = O(Phi^-1(q)/sqrt(d)) at accuracy q = 1 - sigma(E) >= "
                    "1/2 (n/a below); the exact large-d limit is (q Phi^-1(q) + phi(Phi^-1(q)))/sqrt(d).")
gaps = {"cap": simulated.cap_gap(measure), "expansion": simulated.expansion_gap(now.expansion),
        "distance": simulated.distance_gap(distance)}
worst = max(gaps.values())
tip = (f"{simulated.samples} points of S^{d - 1} drawn with seed {seed}: in E {simulated.in_cap:.4f} (exact "
       f"{measure:.4f}), in E_delta {simulated.in_expansion:.4f} (exact {now.expansion:.4f}), mean distance "
       f"{simulated.distance:.4f} (exact {distance:.4f}); " + ", ".join(f"{k} {v:.1f} SE" for k, v in gaps.items()))
if worst <= TOLERANCE:
    st.badge(f"checked, Monte Carlo within {worst:.1f} SE", icon=":material/verified:", color="green", help=tip)
else:
    st.badge(f"Monte Carlo off by {worst:.1f} SE", icon=":material/warning:", color="orange", help=tip)

left, right = st.columns(2)
with left:
    show_figure(expansion_figure(curve, now, simulated), "cap-expansion", describe_expansion(curve, now),
                pd.DataFrame({"delta": curve.delta, "expansion": curve.expansion, "complement": curve.complement,
                              "notes_bound": curve.bound if curve.bound is not None else np.nan,
                              "shifted_bound": curve.shifted_bound}), main=True, hall_height=540)
with right:
    show_figure(distance_figure(distances, d, distance, simulated), "distance-to-error",
                describe_distance(distances, d, distance),
                pd.DataFrame({"d": distances.dims, "exact": distances.exact, "gaussian_limit": distances.limit,
                              "notes_scale": distances.scale if distances.scale is not None else np.nan,
                              "ceiling_any_set": distances.bound}))

st.subheader("Caps, their expansions and the bound")
st.markdown("A cap of angular radius theta around a pole e holds the points at angle at most theta from e. The "
            "coordinate t = <x, e> of a uniform point has density proportional to (1 - t^2)^((d-3)/2), so (1 - t)/2 "
            "is Beta((d-1)/2, (d-1)/2) and the cap's measure is a regularised incomplete beta function (theta/pi in "
            "d = 2, (1 - cos theta)/2 in d = 3). Distances are **Euclidean (chordal)**, as in the notes: two points "
            "at angle psi are 2 sin(psi/2) apart, so the delta-expansion of a cap is the cap of angle "
            "theta + 2 arcsin(delta/2).")
st.latex(r"\sigma(C_\theta) = I_{\sin^2(\theta/2)}\!\left(\tfrac{d-1}{2}, \tfrac{d-1}{2}\right),\qquad"
         r"\sigma(E) \ge \tfrac12 \;\Longrightarrow\; \sigma(E_\delta) \ge 1 - 2e^{-d\delta^2/2},\qquad "
         r"d(E) = \int_0^2 \big(1 - \sigma(E_\delta)\big)\,d\delta .")
shifted = "" if now.bound is not None else (
    f" Below measure 1/2 the notes' bound does not apply; growing E first by t0 = sqrt(2 ln(2/p)/d) reaches half the "
    f"sphere, which gives the shifted bound {max(now.shifted_bound, 0.0):.4f} here.")
st.markdown(f"Here delta sqrt(d) = {delta * np.sqrt(d):.3f}: the bound depends on delta only through it, so delta of "
            f"order 1/sqrt(d) covers almost everything in any dimension.{shifted} The average distance to the errors "
            "falls like 1/sqrt(d) too: in high dimension a classifier that errs on 1 % of the sphere has an error "
            "within Phi^-1(0.99)/sqrt(d) = 2.33/sqrt(d) of a typical point.")
st.caption("The notes ask whether this explains adversarial examples in practice, and answer: likely not, since "
           "humans are accurate and robust classifiers of natural images.")

reproduce_code(
    "from engine.context.concentration import cap_expansion, mean_distance_to_cap, simulate_sphere\n"
    f"e = cap_expansion({d!r}, {measure!r}, {delta!r})\nprint(e.expansion, e.bound)  # exact measure, notes' bound\n"
    f"print(mean_distance_to_cap({d!r}, {measure!r}))\n"
    f"s = simulate_sphere({d!r}, {measure!r}, {delta!r}, samples={samples}, seed={seed})\n"
    "print(s.in_expansion, s.distance)",
    f"concentration --dim {d} --measure {measure!r} --delta {delta!r} --samples {samples} --seed {seed} --json")
