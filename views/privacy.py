"""Privacy-utility: the least leakage I(Y; Z) for each distortion budget, and the optimal release mechanism."""

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from engine.core.information import to_units
from figures.privacy import leakage_curve
from figures.style import distinct_names
from figures.tables import table_heatmap
from ui import compute, frame
from ui.editor import problem_editor
from ui.figcache import shared
from ui.guide import guided_path
from ui.tables import rule_table
from ui.widgets import certificate_badge, headline, in_units, interval, reproduce, show_figure

frame.header("Privacy-utility tradeoff",
             "Release Z, a distorted copy of the data, so that it says as little as possible about the sensitive "
             "label Y. By Lemma 1 the least leakage is I(Y;Z) = H(Y) - h*(eps); with X = Y it is rate-distortion.")
setup = problem_editor(default_preset="binary-source",
                       eps_help="The distortion budget of the release: larger eps, more privacy, less utility.",
                       live=True)
p, u = setup.problem, setup.units
compute.warm_saddles(p, setup.eps_grid, "Solving the whole curve once")
curve = compute.privacy(setup.key, p, setup.eps_grid)


def view(setup) -> None:
    """What eps shapes: the leakage at the slider's eps, its point on the curve, the release mechanism (the page's
    live part: a move reruns only this)."""
    setup = setup.with_eps()
    k = setup.eps_grid.index(setup.eps)
    closed = compute.closed_form_rate_distortion(p, curve.eps)
    verified = [s == "verified" for s in curve.statuses]
    leak = interval(curve.leakage_lower[k], curve.leakage[k], verified[k], u)
    leak0 = interval(curve.leakage_lower[0], curve.leakage[0], verified[0], u)
    box = headline()
    box.metric("least leakage I(Y;Z)", leak, help="Lower is more private.")
    box.metric("leakage with no distortion, I(X;Y)", leak0)
    box.metric("status of the curve", curve.status)
    w = compute.worst_case_at(setup.key, p, setup.eps_grid, setup.eps)[0]
    certificate_badge(w.certificate, w.status, u)
    chart, side = st.columns([3, 1])
    with chart:
        show_figure(shared(leakage_curve, curve, setup.eps, u, closed), "privacy-curve",
                    f"Leakage falls from {to_units(curve.leakage[0], u):.3f} to "
                    f"{to_units(curve.leakage[-1], u):.3f} {u} as eps grows from {curve.eps[0]:.3g} to "
                    f"{curve.eps[-1]:.3g}.",
                    partial(pd.DataFrame, {"eps": curve.eps, f"leakage_{u}": to_units(curve.leakage, u),
                                           f"h_star_{u}": to_units(curve.h_star, u)}), main=True, hall_height=540)
    private = curve.leakage[k] <= 1e-6
    guided_path("privacy", setup.eps, setup.eps_grid, {
        "leak": leak, "leak0": leak0, "eps": f"{setup.eps:.3g}",
        "shape_words": "under the max kind the curve falls in steps, one for each move that becomes allowed."
        if p.constraint == "max" else "the curve is convex (Lemma 1: H(Y) minus h*, which is concave in an average "
                                      "budget), so each extra unit of distortion buys less privacy.",
        "private_words": "yes, Z then says nothing about Y." if private else
        "not quite: this budget still leaves some of Y in Z."}, side)
    st.subheader(f"The optimal release mechanism at eps = {setup.eps:.3g}")
    mech = np.array([[curve.mechanisms[k][x, y, :, y] for y in range(p.m)] for x in range(p.n)]).reshape(p.n * p.m, p.n)
    names = distinct_names(p.positions, 6)  # repeated positions keep their own rows and columns
    rows = [f"{x}, y={lab}" for x in names for lab in p.labels]
    keep = p.mu.ravel() > 0
    show_figure(shared(table_heatmap, mech[keep], list(np.array(rows)[keep]), names,
                              "P(Z = z | X = x, Y = y)", "P", zmax=1.0, x_title="released z", y_title="row"),
                "release-mechanism", "Heatmap of the release channel; each row is a clean point (x, y) with mass.",
                partial(rule_table, mech[keep], np.array(rows)[keep], names, index="x, y"))
    reproduce(setup, f"import numpy as np\nc = engine.privacy_curve(p, np.linspace({curve.eps[0]!r}, "
              f"{curve.eps[-1]!r}, {len(curve.eps)}))\nprint({in_units('c.leakage', u)})  # in {u}",
              f"privacy-curve {{source}} --eps {curve.eps[0]!r}:{curve.eps[-1]!r}:{len(curve.eps)}")


frame.live(view, setup)
