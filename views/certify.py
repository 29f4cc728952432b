"""Certified robustness from privacy: the DP-robustness proposition (Lecuyer et al., seeds/004), PixelDP against
randomized smoothing (Cohen et al.) for the same scores, and certified balls on a 2-D toy by seeded Monte Carlo."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.context.pixeldp import DEFAULT_DELTA
from engine.context.toy_classifiers import DiscClassifier, LinearClassifier
from engine.errors import ProblemError
from figures.certify import describe_radius, describe_toy, radius_against_noise, toy_figure
from ui import compute, frame
from ui.figcache import shared
from ui.state import choice, lecture_mode, number, slider
from ui.text import literal
from ui.widgets import headline, reproduce_code, show_figure

SIGMA_MIN, SIGMA_MAX, SIGMA_STEP = 0.05, 2.0, 0.05
SIGMA_CURVE = 40  # noise scales on the curve (independent of the chosen sigma)
LABELS = {"two": "two labels: p_B = 1 - p_A", "more": "more labels: set p_B"}
DELTAS = {v: f"{v:.0e}" for v in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10)}
BASES = {"linear": "linear: x1 + x2 > 0", "disc": "non-linear: inside the unit disc"}
CLASSIFIERS = {"linear": LinearClassifier(weights=(1.0, 1.0), offset=0.0),
               "disc": DiscClassifier(center=(0.0, 0.0), radius=1.0)}  # their repr is the reproduce code's
SAMPLES = {n: str(n) for n in (1_000, 10_000, 100_000)}
POINTS, EXTENT, VIEW = 12, 2.0, 2.5  # points drawn uniformly in [-EXTENT, EXTENT]^2, shown in [-VIEW, VIEW]^2
N0, ALPHA = 100, 0.001  # Cohen et al.'s selection samples and confidence level


def sample_points(seed: int) -> np.ndarray:
    """The toy's points: POINTS draws uniform on [-EXTENT, EXTENT]^2 from default_rng(seed)."""
    return np.random.default_rng(seed).uniform(-EXTENT, EXTENT, (POINTS, 2))


frame.header("Certified robustness from privacy",
             "Noise that makes a classifier's scores differentially private also makes its decision provably stable "
             "(Lecuyer, Atlidakis, Geambasu, Hsu and Jana, IEEE S&P 2019). Randomized smoothing (Cohen, Rosenfeld "
             "and Kolter, ICML 2019) certifies the same Gaussian noise more tightly.")
lecture = lecture_mode()
box = st.sidebar
sigma = slider(st.container(key="controls"), "Noise scale sigma", "sigma", SIGMA_MIN, SIGMA_MAX, 0.5, False, SIGMA_STEP,
               "Standard deviation of the Gaussian noise added to the input. More noise: larger certified radii for "
               "the same scores (more robust), but a blurrier classifier (less accurate).", "%.2f")
box.markdown("**Scores of the noisy classifier**")
labels = choice(box, "Labels", LABELS, "labels", "two", lecture,
                help="Two labels: the runner-up has all the rest. More labels: the rest may be split.")
p_a = slider(box, "Top label's score p_A", "p_a", 0.01, 0.999, 0.8, lecture, 0.001,
             "E[A_i(x)]: how often the noisy classifier picks the top label. Higher p_A: larger radii, more robust.",
             "%.3f")
p_b = round(1.0 - p_a, 12)  # 0.2, not 0.19999999999999996, in the reproduce code
if labels == "more":
    p_b = slider(box, "Runner-up's score p_B", "p_b", 0.0, 0.99, 0.1, lecture, 0.001,
                 "max over the other labels of E[A_j(x)]. Lower p_B: larger radii, more robust.", "%.3f")
delta = choice(box, "PixelDP's delta", DELTAS, "delta", DEFAULT_DELTA, lecture,
               help="The Gaussian mechanism's failure probability. Smaller delta needs more noise for the same eps: "
                    "a smaller PixelDP radius for the same sigma (less robust, a stronger guarantee).")
box.markdown("**The 2-D toy**")
base = choice(box, "Base classifier", BASES, "base", "linear", lecture,
              help="Linear: smoothing certifies exactly the distance to the line. Non-linear: the smoothed disc "
                   "shrinks as sigma grows.")
samples = choice(box, "Monte Carlo samples a point", SAMPLES, "samples", 10_000, lecture,
                 help="More samples: a tighter Clopper-Pearson bound, radii closer to the exact ones (slower).")
seed = int(number(box, "Seed (points and noise)", "toy_seed", 0, lecture, min_value=0, max_value=2**31 - 1, step=1,
                  help="The same seed gives the same points, the same noise and the same radii."))

try:
    sigmas = tuple(np.linspace(SIGMA_MIN, SIGMA_MAX, SIGMA_CURVE))
    comparison, curve = compute.radii(p_a, p_b, sigma, delta), compute.noise_curves(p_a, p_b, sigmas, delta)
except ProblemError as err:  # p_A + p_B > 1 with more labels: the engine's sentence
    st.error(literal(str(err)))
    comparison = curve = None
try:
    certified, exact = compute.smoothing_toy(CLASSIFIERS[base], sample_points(seed), sigma, samples, seed, N0, ALPHA)
except ProblemError as err:
    st.error(literal(str(err)))
    frame.stop()

row = headline()
cols = [row.container() for _ in range(5)]
badge = st.container()
left, right = st.columns(2)
cols[4].metric("toy points certified", f"{certified.certified_count} of {POINTS}",
               help="CERTIFY abstains when the lower confidence bound on p_A is at most 1/2.")
shown_base = CLASSIFIERS[base]
with right:
    show_figure(shared(toy_figure, shown_base, certified, exact, VIEW,
                           f"Certified balls, smoothed {base} classifier, sigma = {sigma:.3g}"),
                "certified-balls", describe_toy(certified, BASES[base]),
                pd.DataFrame({"x1": certified.points[:, 0], "x2": certified.points[:, 1],
                              "certified_label": certified.prediction, "p_A_lower_bound": certified.p_lower,
                              "certified_radius": certified.radius, "smoothed_radius": exact,
                              "base_boundary_distance": shown_base.boundary_distance(certified.points)}))
    st.caption(f"Filled: the certified l2 ball from {samples} noisy copies a point (Clopper-Pearson lower bound on "
               f"p_A at level {1 - ALPHA:g}); dotted: the smoothed classifier's radius sigma Phi^-1(p_A) at the "
               f"exact p_A. Together the certified radii reach {certified.share_of(exact):.1%} of those: the "
               "price of estimating p_A from samples. For the line that radius is exactly the distance to the "
               "boundary; the smoothed disc is smaller than the disc, so balls inside it shrink as sigma grows. "
               "Far outside the disc (where scipy rounds p_B to 0) the dotted radius is a proven lower bound, the "
               "distance to the circle.")

st.subheader("The DP-robustness proposition")
st.markdown("If a randomized scoring function A is (eps, delta)-DP with respect to l_p balls of radius L, then for "
            "every input x and label i (Lecuyer et al., Proposition 1)")
st.latex(r"\mathbb E[A_i(x)] > e^{2\varepsilon} \max_{j \ne i} \mathbb E[A_j(x)] + (1 + e^{\varepsilon})\,\delta"
         r"\;\Longrightarrow\; \operatorname*{argmax}_k \mathbb E[A_k(x + \Delta)] = i"
         r"\quad \text{for every } \|\Delta\|_p \le L .")
st.markdown("Gaussian noise of scale sigma on the input (l2 sensitivity Delta = 1) is (eps, delta)-DP for eps <= 1 "
            "over the l2 ball of radius L, and randomized smoothing certifies the same noise directly:")
st.latex(r"\sigma = \frac{\sqrt{2 \ln(1.25/\delta)}\, \Delta L}{\varepsilon}"
         r"\;\Longrightarrow\; R_{\mathrm{PixelDP}} = \max_{\varepsilon \le 1 \text{ admissible}}"
         r"\frac{\sigma\,\varepsilon}{\sqrt{2\ln(1.25/\delta)}},"
         r"\qquad R_{\mathrm{smoothing}} = \frac{\sigma}{2}\big(\Phi^{-1}(p_A) - \Phi^{-1}(p_B)\big).")

sound = int(np.count_nonzero(certified.at_most(exact)))
compared, scores_code = "", ""  # bad scores: no radii (the CLI command in the reproduce code says why)
if comparison is not None:
    gaussian, laplace = comparison.gaussian, comparison.laplace
    cols[0].metric("smoothing radius (l2)", f"{comparison.smoothing:.4f}",
                   help="Cohen et al., Theorem 1: the largest l2 ball on which the smoothed label cannot change. "
                        "Larger is more robust.")
    cols[1].metric("PixelDP radius (l2)", f"{gaussian.radius:.4f}",
                   help="Gaussian noise: the largest L whose (eps, delta) calibration satisfies the proposition's "
                        "condition. Larger is more robust.")
    cols[2].metric("PixelDP's eps", f"{gaussian.eps:.4f}",
                   help="The largest admissible eps (at most 1, where the Gaussian mechanism's calibration holds).")
    cols[3].metric("Laplace radius (l1)", f"{laplace.radius:.4f}",
                   help="Laplace noise of scale b = sigma is (eps, 0)-DP for l1 balls of radius b eps: another norm.")
    compared = (f"PixelDP's radius {'is' if comparison.pixeldp_within_smoothing else 'is NOT'} at most the "
                "smoothing radius for these scores. ")
    now = {"smoothing": comparison.smoothing, "gaussian": gaussian.radius, "laplace": laplace.radius}
    with left:
        show_figure(shared(radius_against_noise, curve, sigma, now), "radius-against-noise",
                    describe_radius(curve, sigma, now),
                    pd.DataFrame({"sigma": curve["sigma"], "smoothing_l2": curve["smoothing"],
                                  "pixeldp_gaussian_l2": curve["gaussian"], "pixeldp_laplace_l1": curve["laplace"]}),
                    main=True, hall_height=540)
    here = (f"here PixelDP certifies {comparison.pixeldp_share:.1%} of the smoothing radius, at every sigma (for "
            "fixed scores both grow linearly in sigma)" if comparison.smoothing > 0 else
            "here neither certifies anything (p_A <= p_B)")
    st.markdown(
        f"**Why PixelDP never certifies more than smoothing.** Both read the same scores under the same Gaussian "
        f"noise; {here}. Cohen et al.'s radius is *tight* (their Theorem 2): some base classifier with "
        "these very scores, a linear one, has a smoothed label that changes just beyond R_smoothing. PixelDP's "
        "certificate holds for every classifier with these scores, that one included, so it cannot go further. "
        "It loses on three counts: the factor e^(2 eps) and the (1 + e^eps) delta in the condition, the cap "
        f"eps <= 1 of the Gaussian mechanism's calibration (so R_PixelDP <= sigma / sqrt(2 ln(1.25/delta)) = "
        f"{comparison.pixeldp_cap:.4f} here, however large p_A), and that calibration's own "
        "slack. The Laplace line certifies an l1 ball (and Laplace noise of scale b has standard deviation "
        "b sqrt 2): another norm, so not comparable with the other two.")
    scores = f"{p_a!r}, {p_b!r}, {sigma!r}"
    scores_code = (f"r_smoothing = smoothing_radius({scores})\npixeldp = pixeldp_gaussian({scores}, delta={delta!r})\n"
                   f"laplace = pixeldp_laplace({scores})\nprint(r_smoothing, pixeldp.radius, pixeldp.eps, "
                   "laplace.radius)\n")

tip = (f"{compared}Monte Carlo radii (Clopper-Pearson at level {1 - ALPHA:g}, {samples} samples, seed {seed}) "
       f"against the smoothed radii sigma Phi^-1(p_A) at the exact p_A (or, where that rounds to infinity, a proven "
       f"lower bound of it): at most that at {sound} of {POINTS} points (each may exceed it with probability at "
       f"most {ALPHA:g}).")
with badge:
    if sound == POINTS and (comparison is None or comparison.pixeldp_within_smoothing):
        st.badge(f"checked, Monte Carlo radii <= exact at {sound} of {POINTS} points", icon=":material/verified:",
                 color="green", help=tip)
    else:
        st.badge(f"Monte Carlo radii <= exact at {sound} of {POINTS} points", icon=":material/warning:",
                 color="orange", help=tip)

reproduce_code(
    "import numpy as np\nfrom engine import (DiscClassifier, LinearClassifier, certify_smoothed, "
    "pixeldp_gaussian,\n                            pixeldp_laplace, smoothing_radius)\n"
    + scores_code
    + f"points = np.random.default_rng({seed}).uniform(-{EXTENT!r}, {EXTENT!r}, ({POINTS}, 2))\n"
    f"c = certify_smoothed({CLASSIFIERS[base]!r}, points, {sigma!r}, n0={N0}, n={samples}, alpha={ALPHA}, "
    f"seed={seed})\nprint(c.prediction, c.radius)",
    f"certify --p-a {p_a!r} --p-b {p_b!r} --sigma {sigma!r} --delta {delta!r} --json")
