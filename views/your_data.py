"""Your data: the best robust loss and error any classifier can reach on a data set, certified, beside real models."""

import pandas as pd
import streamlit as st

from engine.analyses.data_models import MODELS, TITLES
from engine.core.information import to_units
from engine.core.moves import dense_size
from engine.errors import ProblemError
from engine.io.binning import MAX_BINS, METHODS
from engine.io.rule_table import grid_table, read_rule_table
from engine.io.samples import DATASETS
from figures.data import (
    attack_figure,
    describe_attack,
    describe_limits,
    describe_regions,
    limits_figure,
)
from ui import compute, frame, state
from ui.text import literal
from ui.widgets import bounded, certificate_badge, headline, percent, reproduce_code, show_figure

SOURCES = {**{d: f"{d} (bundled with scikit-learn)" for d in DATASETS}, "csv": "my CSV file of samples"}
AXES = {"features": "one or two features", "pca": "PCA projection (2-D)"}
COST_TEXT = {"l2": "l2: ||z - z'||", "l1": "l1: sum |z_i - z'_i|", "linf": "l_inf: max |z_i - z'_i|",
             "sql2": "squared l2: ||z - z'||^2"}
NONE = "(none: 1-D)"
PAGE_MOVES = 1_500_000  # n^2 m: a 20 x 20 grid with 3 labels has 480,000; the page solves 21 budgets while you wait
POINTS = 21
MODEL_KEY = "_your_model"  # session_state: (problem key, the uploaded model's rule on that grid)

frame.header("Your data: the limits of robustness",
             "Bin a data set on a grid, and see the least worst-case loss and error any classifier can reach under "
             "attack (certified), beside what standard models reach.")
lecture = state.lecture_mode()
box = st.sidebar
source = state.choice(box, "Data", SOURCES, "data", "iris", lecture, help="A bundled data set, or your own samples.")
upload, label = None, ""
if source == "csv":
    file = box.file_uploader("CSV of samples (header row, one row per sample)", type=["csv"], key="samples_upload")
    upload = file.getvalue() if file is not None else None
    label = state.text(box, "Label column (default: the last)", "label_column", "", lecture)
    if upload is None:
        st.info("Upload a CSV file of samples: numeric feature columns and a label column.")
        frame.stop()
try:
    columns = compute.data_columns(source, upload, label)
except ProblemError as err:
    st.error(literal(str(err)))
    frame.stop()
axes = state.choice(box, "Axes", AXES, "axes", "features", lecture)
features = "pca"
if axes == "features":
    picks = {c: c for c in columns}
    first = state.choice(box, "Feature on the x axis", picks, "feature_x", columns[min(2, len(columns) - 1)]
                         if source == "iris" else columns[0], lecture)
    second = state.choice(box, "Feature on the y axis", {NONE: NONE, **picks}, "feature_y",
                          columns[3] if source == "iris" else (columns[1] if len(columns) > 1 else NONE), lecture)
    features = [first] if second in (NONE, first) else [first, second]
bins = int(state.number(box, "Bins per axis", "bins", 20, lecture, min_value=2, max_value=MAX_BINS, step=1))
method = state.choice(box, "Binning", {m: m for m in METHODS}, "binning", "uniform", lecture, horizontal=True)
cost = state.choice(box, "Cost between bin centres", COST_TEXT, "cost", "l2", lecture)
drop = state.choice(box, "Rows with a missing value", {"refuse": "refuse the data", "drop": "leave them out"},
                    "bad_rows", "refuse", lecture)
model = state.choice(box, "Model beside the robust rule", {m: TITLES[m] for m in MODELS}, "model", "logistic",
                     lecture)
eps_max = float(state.number(box, "Largest budget", "eps_max", 1.0, lecture, min_value=0.01, max_value=100.0))
units = state.choice(box, "Units", {"nats": "nats", "bits": "bits"}, "units", "nats", lecture, horizontal=True)
try:
    problem = compute.data_problem(source, upload, label, features, bins, cost, method, drop == "drop")
except ProblemError as err:
    st.error(literal(str(err)))
    frame.stop()
b = problem.binning
if dense_size(problem) > PAGE_MOVES:
    st.error(literal(f"This grid is too large to solve while you wait: {problem.n} cells and {problem.m} labels give "
                     f"{dense_size(problem):,} moves (the page solves at most {PAGE_MOVES:,}). Use fewer bins, or "
                     f"python -m engine data (or batch) from the command line."))
    frame.stop()
grid = state.eps_grid(0.0, eps_max, POINTS)
# The page's own budget (key data_eps): its eps is a distance between standardised bin centres, not the presets'
# eps, so the shared eps of the other pages passes through this page unchanged. Above the charts, and kept in
# lecture mode and on a phone (the controls container stays at the top).
eps = state.select_slider(st.container(key="controls"), "Attack budget eps", "data_eps", list(grid),
                          grid[POINTS // 4], False, help="The attacker's budget, in the cost between bin centres "
                                                          "(standardised units).", nearest=True)
k = grid.index(eps)

# The user's model table, kept with the grid it was read on (MODEL_KEY): lecture mode draws no uploader but still
# shows the model, and leaving lecture mode (which resets the uploader) does not lose it.
stored = st.session_state.get(MODEL_KEY)
stored = stored if stored is not None and stored[0] == problem.key else None
if not lecture:  # nothing to upload or download on a projector
    with st.sidebar.expander("Your own model: its probabilities on the grid"):
        st.download_button("Download the grid's cells (CSV template)", grid_table(b), "grid.csv", "text/csv",
                           key="grid_template")
        mine = st.file_uploader("Upload the filled table (cell, coordinates, one column per label)", type=["csv"],
                                key="rule_upload")
        if mine is not None:
            try:
                stored = st.session_state[MODEL_KEY] = (problem.key, read_rule_table(mine.getvalue(), b,
                                                                                     name="your table"))
            except ProblemError as err:
                st.error(literal(str(err)))
                stored = None
        elif stored is not None:
            st.caption("Shown: the model table you uploaded earlier for this grid.")
            if st.button("Forget my model", key="forget_model"):
                st.session_state.pop(MODEL_KEY, None)
                stored = None
rules = {} if stored is None else {"your model": stored[1]}
rules_key = "" if not rules else str(hash(rules["your model"].tobytes()))
with st.spinner(f"Solving h* and the robust error at {POINTS} budgets, then every model's exact loss"):
    limits = compute.data_analysis(problem.key, problem, grid, MODELS, rules_key, rules)

s, e = limits.saddles[k], limits.errors.points[k]
cols = headline()
cols.metric("samples used", f"{b.samples_used} of {b.rows_total}")
cols.metric("h* = least worst-case loss", bounded(s.certificate, s.status, units),
           help="The least cross-entropy any rule can guarantee against every attack of budget eps (15).")
cols.metric("e* = least worst-case error", percent(e.value) if e.status == "verified"
           else f"{percent(e.certificate.lower)} to {percent(e.certificate.upper)}",
           help="The least 0-1 error any (randomised) classifier can guarantee under the same attacks.")
cols.metric(f"{TITLES[model]}: error under attack", percent(limits.models[model].error[k]),
           help="Its classifier's exact worst-case error at this eps (always at least e*).")
scale = float(to_units(1.0, units))
curves = pd.DataFrame({"eps": grid, f"h_star_{units}": limits.h_star * scale, "robust_error": limits.robust_error,
                       **{f"{n}_loss_{units}": m.loss * scale for n, m in limits.models.items()},
                       **{f"{n}_error": m.error for n, m in limits.models.items()}})
show_figure(limits_figure(limits, units, scale, eps), "limits-curves", describe_limits(limits, units, scale), curves,
            main=True, hall_height=540)
show_figure(compute.data_regions(problem.key, grid, model, TITLES[model], rules_key, limits, b), "decision-regions",
            describe_regions(b, grid, TITLES[model]))
st.markdown(literal(b.summary()) + (f" Notes: {literal('; '.join(b.notes))}." if b.notes else ""))
if b.refused:
    with st.expander(f"{len(b.refused)} rows left out"):
        st.dataframe(pd.DataFrame(b.refused, columns=["row", "reason"]), hide_index=True)
left, right = st.columns(2)
with left:
    certificate_badge(s.certificate, s.status, units, "h* at this eps.")
with right:
    tip = (f"A feasible attack reaches an error of {e.certificate.lower:.9f}; the optimal randomised classifier never "
           f"errs more than {e.certificate.upper:.9f}.")
    st.badge(f"e*: {e.status}, gap {e.certificate.gap:.1e}", color="green" if e.status == "verified" else "orange",
             icon=":material/verified:" if e.status == "verified" else ":material/warning:", help=tip)
sep = limits.separation
st.markdown(f"**Separation of the samples**: {sep.l2:.4g} in l2, {sep.linf:.4g} in l_inf (standardised units). "
            f"{sep.consequence()} On the grid, under the max kind (every point moves at most eps), the optimal "
            f"robust error leaves zero at radius {limits.radius.l2:.4g} in l2 and {limits.radius.linf:.4g} in l_inf "
            f"between bin centres ({limits.radius.cost:.4g} in the {cost} cost"
            + (", checked by two certified solves)." if limits.radius.checked else ")."))

nu = limits.perturbed(k)
show_figure(attack_figure(b, nu, problem.mu, eps), "attack-mass", describe_attack(nu, problem.mu, eps))
gap = {n: limits.gap_to_ideal(n) for n in limits.models}
st.dataframe(pd.DataFrame([(m.title, float(m.loss[k] * scale), float(gap[n][0][k] * scale), float(m.error[k]),
                            float(gap[n][1][k]), m.train_accuracy) for n, m in limits.models.items()],
                          columns=["model", f"loss under attack ({units})", "above h*", "error under attack",
                                   "above e*", "training accuracy"]), hide_index=True)
args = f"--dataset {source}" if source != "csv" else "--csv samples.csv" + (f" --label {label}" if label else "")
feat = "pca" if features == "pca" else ",".join(features)
load = f"engine.load_dataset({source!r})" if source != "csv" else "engine.read_samples_csv('samples.csv')"
reproduce_code(f"import numpy as np\nimport engine\np = engine.from_samples({load}, features={features!r}, "
               f"bins={bins}, cost={cost!r}, method={method!r})\nd = engine.data_limits(p, np.linspace(0, {eps_max!r}, "
               f"{POINTS}))\nprint(d.h_star, d.robust_error)",
               f"data {args} --features '{feat}' --bins {bins} --binning {method} --cost {cost} --eps 0:{eps_max!r}:"
               f"{POINTS} --json")
