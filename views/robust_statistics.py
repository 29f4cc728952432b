"""Robust statistics under corruption: the notes' data poisoning (seeds/004). An eps-fraction of N(0, 1) samples is
replaced by a bump the user drags away, or placed worst for each estimator; mean and standard deviation against
median, MAD and trimmed mean with their breakdown points; the eps sqrt(d) growth in d dimensions against the
coordinate-wise median and the spectral filter; the Tukey median in the plane. The maths is in engine/context/."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.context.high_dimensional import NAMES as HIGH_NAMES
from engine.context.robust_statistics import ESTIMATORS, NAMES, breakdown_points
from engine.errors import ProblemError
from figures.robust_statistics import (
    breakdown_figure,
    describe_breakdown,
    describe_dimension,
    describe_sample,
    describe_shift,
    describe_tukey,
    dimension_figure,
    sample_figure,
    shift_figure,
    tukey_figure,
)
from ui import compute, frame
from ui.state import choice, lecture_mode, number, slider
from ui.text import literal
from ui.widgets import headline, reproduce_code, show_figure

SHIFT_MAX, SHIFT_STEP = 100.0, 0.5
SHIFTS = tuple(float(v) for v in np.linspace(0.0, SHIFT_MAX, 41))  # the error curve's bump locations
FRACTIONS = tuple(float(v) for v in np.round(np.arange(0.0, 0.495, 0.01), 2))  # the breakdown curve's eps
PLACEMENTS = {"bump": "a bump at distance S", "worst": "the worst placement for each estimator"}
REPEATS = {n: str(n) for n in (50, 200, 1000)}
HIGH_N, HIGH_DIMS, HIGH_REPEATS = 1000, (1, 2, 4, 8, 16, 32, 64, 128), 8  # the d-dimensional experiment
PLANE_POINTS = 40  # the Tukey median's sample (exact depth regions)
LECTURE_HEIGHT = 440  # the first row of charts in lecture mode: on a 1920 x 1080 screen without scrolling


def shown(study, name: str, placement: str) -> tuple[str, str]:
    """An estimator's mean error and the half-width of its 95 % CI ('0.123', '± 0.004'), or ('unbounded', 'inf')."""
    m, lo, hi = study.summary(name, placement)
    return ("unbounded", "inf") if not np.isfinite(m) else (f"{m:.3f}", f"± {(hi - lo) / 2:.3f}")


frame.header("Robust statistics under corruption",
             "The notes' data poisoning: n draws of N(0, 1), an eps-fraction replaced by an adversary. The mean "
             "follows the adversary anywhere; the median does not.")
controls = st.container(key="controls")
lecture = lecture_mode()
box = st.sidebar
n = slider(box, "Samples n", "sample_size", 20, 1000, 200, lecture, 1, "More samples: smaller errors without an "
           "adversary; the adversary's share eps stays the same.")
eps = slider(box, "Corrupted fraction eps", "eps_poison", 0.0, 0.45, 0.1, lecture, 0.01,
             "floor(eps n) points are replaced. The median survives any eps < 1/2; the trimmed mean only eps <= its "
             "trim; the mean not one point.")
shift = slider(controls, "Bump location S (drag it away)", "bump", 0.0, SHIFT_MAX, 20.0, False,
               SHIFT_STEP, "Where the adversary puts its points, in units of sigma from mu. Farther: the mean and the "
               "standard deviation follow without limit.", "%.1f")
placement = choice(box, "Adversary", PLACEMENTS, "placement", "bump", lecture,
                   help="The bump: all corrupted points at S. The worst placement: for each estimator, the "
                        "replacement of floor(eps n) points that moves it most (exact for mean, median, trimmed mean).")
trim = slider(box, "Trimmed mean: cut at each end", "trim", 0.0, 0.45, 0.1, lecture, 0.01,
              "The trimmed mean drops this fraction at each end: robust up to eps = trim, less efficient as it grows.")
repeats = choice(box, "Monte Carlo samples", REPEATS, "repeats", 200, lecture,
                 help="Seeded repetitions behind each mean error and its 95 % confidence interval.")
seed = int(number(box, "Seed", "poison_seed", 0, lecture, min_value=0, max_value=2**31 - 1, step=1,
                  help="The same seed draws the same samples."))
try:
    study = compute.corruption(n, eps, shift, trim, repeats, seed)
    sweep = compute.shift_curves(n, eps, SHIFTS, trim, repeats, seed)
    breakdowns = compute.breakdown_curves(n, FRACTIONS, trim, repeats, seed)
    plane = compute.plane(PLANE_POINTS, eps, shift, seed)
    with st.spinner("Simulating d = 1 to 128 ..."):
        high = compute.dimension_curves(HIGH_N, eps, HIGH_DIMS, HIGH_REPEATS, seed)
except ProblemError as err:  # the controls keep values in range; a sentence all the same
    st.error(literal(str(err)))
    frame.stop()
breakdown = breakdown_points(n, trim)

row = headline()
for name in ESTIMATORS:
    col = row
    value, half = shown(study, name, placement)
    col.metric(NAMES[name], value, delta=f"{half} (95 % CI)", delta_color="off", delta_arrow="off",
               help=f"|estimate - truth|, mean over {repeats} seeded samples with its 95 % confidence interval, "
                    f"{'under the bump at S' if placement == 'bump' else 'under its own worst placement'}. "
                    f"Breakdown point {breakdown[name].k}/{n} (asymptotically {breakdown[name].asymptotic:g}).")
bounded = [name for name in ("median", "trimmed", "mad") if np.isfinite(study.summary(name, "worst")[0])]
below = all(np.all(study.errors[name] <= study.worst[name] + 1e-12) for name in bounded)
tip = (f"In each of the {repeats} samples the bump's error is at most the sup over every placement for "
       f"{', '.join(NAMES[b] for b in bounded) or 'no estimator (eps is past every breakdown point)'}.")
if below:
    st.badge(f"checked, bump errors within the computed sups in {repeats} of {repeats} samples",
             icon=":material/verified:", color="green", help=tip)
else:
    st.badge("a bump error exceeds its computed sup", icon=":material/warning:", color="orange", help=tip)

left, right = st.columns(2)
with left:
    height = LECTURE_HEIGHT if lecture else 420
    show_figure(sample_figure(study, height), "corrupted-sample", describe_sample(study),
                pd.DataFrame({"x": study.sample, "corrupted": np.arange(n) < study.k}))
with right:
    show_figure(shift_figure(sweep, shift, height), "error-against-bump", describe_shift(sweep), main=True,
                data=pd.DataFrame({"bump_location": sweep.shifts,
                                   **{f"{name}_error": sweep.mean[name] for name in ESTIMATORS},
                                   **{f"{name}_ci_low": sweep.low[name] for name in ESTIMATORS},
                                   **{f"{name}_ci_high": sweep.high[name] for name in ESTIMATORS}}))

st.subheader("Breakdown points")
st.dataframe(pd.DataFrame({
    "estimator": [NAMES[name] for name in ESTIMATORS],
    "breakdown point (this n)": [f"{breakdown[name].k}/{n} = {breakdown[name].fraction:.3f}" for name in ESTIMATORS],
    "as n grows": [f"{breakdown[name].asymptotic:g}" for name in ESTIMATORS],
    "bounded at this eps": ["yes" if study.k < breakdown[name].k else "no" for name in ESTIMATORS],
    "sup of the error (mean, 95 % CI)": [" ".join(shown(study, name, "worst")).removesuffix(" inf")
                                         for name in ESTIMATORS],
}), hide_index=True)
left, right = st.columns(2)
with left:
    show_figure(breakdown_figure(breakdowns, eps), "breakdown", describe_breakdown(breakdowns),
                pd.DataFrame({"eps": breakdowns.eps, "corrupted": breakdowns.k,
                              **{f"{name}_sup_error": breakdowns.worst[name] for name in ESTIMATORS}}))
with right:
    st.markdown("The breakdown point is the least share of replaced points that can carry an estimator arbitrarily "
                "far. The median and the trimmed mean only ever move by an order statistic of the clean sample; that "
                "sup over every placement is computed exactly (remove the k smallest points, add k beyond the "
                "largest). For n = 2m - 1:")
    st.latex(r"\sup_{k \text{ replaced}} |\operatorname{med} - \mu| = \max\big(x_{(k+m)} - \mu,\;"
             r"\mu - x_{(m-k)}\big),")
    st.latex(r"\text{while the bump at } S \text{ moves the mean by } \tfrac{k}{n} S + O(1) \to \infty .")
    st.caption("The MAD's sup is a proven ceiling rather than the exact sup; the standard deviation, like the mean, "
               "breaks down with one point. Every estimator here is location and scale equivariant (the estimate "
               "of a + b x is a + b times the estimate of x), so N(0, 1) loses nothing: for N(mu, sigma^2) add mu to "
               "every position and multiply every error by sigma (the Python entries take mu and sigma).")

st.subheader("In d dimensions: eps sqrt(d)")
fit = high.fit
if fit is None:
    fit_text = "With no corrupted point there is nothing to fit."
else:
    fit_text = (f"Fitted on the simulation: the mean's error is {fit.coefficient:.3f} ± {2 * fit.coefficient_se:.3f} "
                f"x eps sqrt(d) (the closed form says {fit.expected:.3f}), and its log-log slope in d is "
                f"{fit.exponent:.3f} ± {2 * fit.exponent_se:.3f} (1/2 expected).")
st.markdown(f"Now {high.corrupted} of {HIGH_N} points of N(0, I_d) sit at distance sigma sqrt(d), where clean points "
            "sit too: each coordinate is off by only sigma, yet the mean moves by eps sqrt(d) (the notes: 'just an "
            "eps-fraction of corruptions can move the model parameters by eps sqrt(d)'). The coordinate-wise median "
            "also moves by order eps sqrt(d). The spectral filter, in the spirit of Diakonikolas, Kamath, Kane, Li, "
            "Moitra and Stewart, looks for a direction of too much variance and removes the points too far along "
            f"it. {fit_text}")
left, right = st.columns(2)
with left:
    show_figure(dimension_figure(high), "error-against-dimension", describe_dimension(high),
                pd.DataFrame({"d": high.dims, **{f"{name}_error": high.summary(name)[0] for name in HIGH_NAMES}}))
with right:
    show_figure(tukey_figure(plane), "tukey-median", describe_tukey(plane),
                pd.DataFrame({"x1": plane.sample[:, 0], "x2": plane.sample[:, 1],
                              "corrupted": np.arange(PLANE_POINTS) < plane.k}))
    st.markdown("**The Tukey median in the plane.** The Tukey depth of a point is the fewest sample points in a "
                "closed halfplane containing it: the worst 1-d projection. The exact depth regions (convex polygons) "
                f"nest around the Tukey median, here of depth {plane.regions.max_depth} of {PLANE_POINTS}, which stays "
                f"among the clean points while eps < 1/3 however far the bump goes (here {plane.errors['tukey']:.3f} "
                f"from the centre; the mean {plane.errors['mean']:.3f}). In high dimension it is NP-hard to compute "
                "(Johnson and Preparata), which is why the filter matters.")

reproduce_code(
    "from engine.context.robust_statistics import corruption_study\n"
    "from engine.context.high_dimensional import robust_mean\n"
    f"s = corruption_study({n!r}, {eps!r}, {shift!r}, trim={trim!r}, repeats={repeats}, seed={seed})\n"
    "print({name: s.summary(name) for name in s.errors})  # bump: (mean error, 95 % CI)\n"
    f"print(robust_mean({HIGH_N}, {eps!r}, 64, 8.0, seed={seed}))  # d = 64, the bump at sqrt(64)",
    f"robust-mean --n {n} --eps {eps!r} --dim 1 --shift {shift!r} --seed {seed} --json")
