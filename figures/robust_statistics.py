"""Robust statistics under corruption (the notes' data poisoning, seeds/004): one corrupted sample with the estimates,
the errors against the bump's location with their sups, the errors against the dimension with the eps sqrt(d) fit,
and the Tukey median with its depth contours in the plane.

The numbers are engine.context.robust_statistics', high_dimensional's and tukey's; nothing is computed here but what
a picture needs (bin widths, axis ranges, arrow positions).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from figures.style import LEGEND_BELOW, SEQUENTIAL, colour, layout

COLOURS = {"mean": colour(5), "median": colour(0), "trimmed": colour(2), "std": colour(1), "mad": colour(3),
           "filter": colour(2), "clean": "#777777", "tukey": colour(3)}
LABELS = {"mean": "sample mean", "median": "median", "trimmed": "trimmed mean", "std": "standard deviation",
          "mad": "MAD", "filter": "spectral filter", "clean": "clean points' mean (oracle)",
          "coordinate": "coordinate-wise median", "tukey": "Tukey median"}
SHORT = {**LABELS, "trimmed": "trimmed"}  # the sups' legend entries
CLEAN_COLOUR, BUMP_COLOUR = colour(4), colour(1)
# Titles and axis titles are short, and labels inside a plot are stacked a hall's line apart (ROW px): lecture mode
# (figures.style.for_hall) sets text in 24 to 30 px, and a phone gives a chart about 360 px. The legend sits at the
# figure's foot (style.LEGEND_BELOW), where Plotly makes room for it under the axis title.
ROW = 32  # px between stacked labels: one line of for_hall's 24 px text and a little air
FLOOR = 1e-4  # log axes: errors (and interval ends) below this are drawn at it
BOX = 3.5  # the plane's half-width around the clean cloud


def sample_figure(study, height: int = 420) -> go.Figure:
    """A histogram of the first corrupted sample (clean points and the bump apart) and the location estimates on it as
    vertical lines, the true mean dotted. ``study``: engine CorruptionStudy."""
    x = np.asarray(study.sample, dtype=float)
    clean, bumped = x[study.k:], x[:study.k]
    lo = min(study.mu - 4 * study.sigma, float(x.min()) - 0.5)
    hi = max(study.mu + 4 * study.sigma, float(x.max()) + 0.5)
    size = max((hi - lo) / 200, study.sigma / 4)
    bins = {"start": lo, "end": hi, "size": size}
    traces = [go.Histogram(x=clean, xbins=bins, name=f"clean draws ({len(clean)})", marker={"color": CLEAN_COLOUR},
                           hovertemplate="x=%{x}<br>count=%{y}<extra>clean</extra>"),
              go.Histogram(x=bumped, xbins=bins, name=f"bump ({study.k} points at {study.shift:g})",
                           marker={"color": BUMP_COLOUR}, hovertemplate="x=%{x}<br>count=%{y}<extra>bump</extra>")]
    shapes, notes = [], []
    lines = [("truth mu", study.mu, "#000000", "dot")] + [
        (LABELS[name], study.estimates[name], COLOURS[name], "solid") for name in ("mean", "median", "trimmed")]
    for i, (text, value, col, dash) in enumerate(lines):
        shapes.append({"type": "line", "xref": "x", "x0": value, "x1": value, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": col, "dash": dash, "width": 3}})
        # one row each (ROW px apart, so hall-sized text never meets the next), beside its line, towards the middle
        side = "left" if value <= (lo + hi) / 2 else "right"
        notes.append({"xref": "x", "x": value, "yref": "paper", "y": 1, "yshift": -ROW * i, "xanchor": side,
                      "yanchor": "top", "text": f"{text} = {value:.3f}", "showarrow": False, "font": {"color": col}})
    return go.Figure(traces, layout=layout(
        f"A corrupted sample: n = {study.n}, eps = {study.eps:g}",
        "value x (sigma = 1)", "count", height=height, barmode="overlay", shapes=shapes,
        annotations=notes, legend=LEGEND_BELOW, xaxis={"range": [lo, hi]}))


def describe_sample(study) -> str:
    """Alt text."""
    e = study.estimates
    return (f"Histogram: {study.n - study.k} clean draws of N({study.mu:g}, {study.sigma:g}^2) and {study.k} points "
            f"put at {study.shift:g} by the adversary. Sample mean {e['mean']:.3f}, median {e['median']:.3f}, trimmed "
            f"mean {e['trimmed']:.3f}; the truth is {study.mu:g}.")


def _band(x, low, high, col: str, name: str) -> go.Scatter:
    """A translucent 95 % confidence band (drawn under its line)."""
    return go.Scatter(x=np.concatenate([x, x[::-1]]), y=np.concatenate([high, low[::-1]]), fill="toself",
                      fillcolor=col, opacity=0.2, line={"width": 0}, hoverinfo="skip", showlegend=False,
                      name=f"{name} 95 % CI")


def shift_figure(sweep, shift_now: float, height: int = 420) -> go.Figure:
    """Each estimator's mean error (95 % CI band) against the bump's location, log scale; the sups over every
    placement as horizontal dotted lines where finite, named with their values in the legend. ``sweep``: engine
    ShiftSweep."""
    s = np.asarray(sweep.shifts, dtype=float)
    traces = []
    for name in ("mean", "std", "trimmed", "median", "mad"):
        mean = np.maximum(sweep.mean[name], FLOOR)
        traces.append(_band(s, np.maximum(sweep.low[name], FLOOR), np.maximum(sweep.high[name], FLOOR),
                            COLOURS[name], LABELS[name]))
        traces.append(go.Scatter(x=s, y=mean, mode="lines", name=LABELS[name],
                                 line={"color": COLOURS[name], "width": 3, "dash": "dash" if name in ("std", "mad")
                                       else "solid"},
                                 hovertemplate=f"{LABELS[name]}<br>bump at %{{x:.3g}}<br>mean error=%{{y:.4g}}"
                                               "<extra></extra>"))
    shapes = []
    # the sups in the legend, not as labels on their lines: three sups can lie within a few pixels of each other (and
    # of the curves), and a hall's 24 px labels would print over one another
    for name in ("median", "trimmed", "mad"):
        w = sweep.worst[name]
        if np.isfinite(w) and w > 0:
            shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": w, "y1": w,
                           "line": {"color": COLOURS[name], "dash": "dot", "width": 2}, "showlegend": True,
                           "name": f"sup {SHORT[name]} {w:.3f}"})
    shapes.append({"type": "line", "xref": "x", "x0": shift_now, "x1": shift_now, "yref": "paper", "y0": 0, "y1": 1,
                   "line": {"color": "#777777", "dash": "dot", "width": 2}})
    finite = [v for name in sweep.mean for v in (sweep.high[name].max(), sweep.worst[name]) if np.isfinite(v)]
    top = np.log10(max(max(finite), 1.0)) + 0.3
    return go.Figure(traces, layout=layout(
        f"Mean error vs bump location ({sweep.repeats} runs)",
        "bump location S (sigma = 1)", "error (log)", height=height, shapes=shapes,
        legend=LEGEND_BELOW, xaxis={"range": [float(s[0]), float(s[-1])]},
        yaxis={"type": "log", "range": [np.log10(FLOOR) + 1, top], "dtick": 1}))


def describe_shift(sweep) -> str:
    """Alt text."""
    return (f"Line chart, log scale: the estimators' mean error over {sweep.repeats} samples against the bump's "
            f"location from {sweep.shifts[0]:g} to {sweep.shifts[-1]:g}. The sample mean's error grows from "
            f"{sweep.mean['mean'][0]:.3g} to {sweep.mean['mean'][-1]:.3g}; the median's stays at most "
            f"{sweep.mean['median'].max():.3g}, below its sup over every placement, {sweep.worst['median']:.3g}.")


def breakdown_figure(curve, eps_now: float, height: int = 480) -> go.Figure:
    """Each estimator's sup error over every placement against eps (log scale; no line where it is infinite) and
    each breakdown point as a vertical line. ``curve``: engine BreakdownCurve."""
    eps = np.asarray(curve.eps, dtype=float)
    traces = []
    for name in ("mean", "std", "trimmed", "median", "mad"):
        w = np.asarray(curve.worst[name], dtype=float)
        y = np.where(np.isfinite(w), np.maximum(w, FLOOR), np.nan)
        traces.append(go.Scatter(x=eps, y=y, mode="lines+markers", name=f"{LABELS[name]} (breaks down at "
                                 f"{curve.breakdown[name].k}/{curve.n})",
                                 line={"color": COLOURS[name], "width": 3,
                                       "dash": "dash" if name in ("std", "mad") else "solid"},
                                 marker={"size": 5}, connectgaps=False,
                                 hovertemplate=f"{LABELS[name]}<br>eps=%{{x:.2f}}<br>sup error=%{{y:.4g}}"
                                               "<extra></extra>"))
    shapes, notes = [], []
    places = {}
    for name in ("trimmed", "median"):  # the mean's and standard deviation's 1/n sit at the left edge
        x = curve.breakdown[name].fraction
        places.setdefault(round(x, 12), []).append(LABELS[name] + ("" if name != "median" else ", MAD"))
    for x, names in places.items():
        if x <= eps[-1] + 1e-12:
            shapes.append({"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
                           "line": {"color": "#777777", "dash": "dot", "width": 2}})
            notes.append({"xref": "x", "x": x, "xanchor": "left", "yref": "paper", "y": 1, "yanchor": "top",
                          "text": " / ".join(names) + " breaks down", "showarrow": False})
    shapes.append({"type": "line", "xref": "x", "x0": eps_now, "x1": eps_now, "yref": "paper", "y0": 0, "y1": 1,
                   "line": {"color": "#000000", "dash": "dash", "width": 1}})
    finite = [v for w in curve.worst.values() for v in np.asarray(w, dtype=float) if np.isfinite(v) and v > 0]
    top = np.log10(max(finite + [1.0])) + 0.3
    return go.Figure(traces, layout=layout(
        f"Breakdown: the sup error, n = {curve.n}", "corrupted fraction eps",
        "sup error (log)", height=height, shapes=shapes, annotations=notes,
        legend=LEGEND_BELOW, xaxis={"range": [float(eps[0]), float(eps[-1])]},
        yaxis={"type": "log", "range": [np.log10(FLOOR) + 1, top], "dtick": 1}))


def describe_breakdown(curve) -> str:
    """Alt text."""
    b = curve.breakdown
    return (f"Line chart, log scale: each estimator's largest possible error against the corrupted fraction eps from "
            f"{curve.eps[0]:g} to {curve.eps[-1]:g}, for n = {curve.n}. The sample mean and the standard deviation "
            f"break down at {b['mean'].k}/{curve.n}, the trimmed mean at {b['trimmed'].k}/{curve.n}, the median and "
            f"the MAD at {b['median'].k}/{curve.n}.")


def dimension_figure(sweep, height: int = 480) -> go.Figure:
    """Each estimator's mean error (95 % CI bars) against d, log-log, and the fitted a eps sqrt(d) line.
    ``sweep``: engine DimensionSweep."""
    d = np.asarray(sweep.dims, dtype=float)
    traces = []
    for name, label in (("mean", LABELS["mean"]), ("median", LABELS["coordinate"]), ("filter", LABELS["filter"]),
                        ("clean", LABELS["clean"])):
        m, lo, hi = sweep.summary(name)
        traces.append(go.Scatter(x=d, y=np.maximum(m, FLOOR), mode="lines+markers", name=label,
                                 line={"color": COLOURS["median" if name == "median" else name], "width": 3,
                                       "dash": "dot" if name == "clean" else "solid"},
                                 error_y={"type": "data", "array": hi - m, "arrayminus": m - np.maximum(lo, FLOOR),
                                          "visible": True},
                                 hovertemplate=f"{label}<br>d=%{{x}}<br>mean error=%{{y:.4g}}<extra></extra>"))
    fit = sweep.fit
    if fit is not None:
        eps = sweep.corrupted / sweep.n
        traces.append(go.Scatter(x=d, y=fit.coefficient * eps * np.sqrt(d), mode="lines",
                                 name=f"fit {fit.coefficient:.3f} eps sqrt(d) (exponent {fit.exponent:.3f})",
                                 line={"color": "#000000", "dash": "dash", "width": 2}, hoverinfo="skip"))
    return go.Figure(traces, layout=layout(
        f"Error vs dimension (eps = {sweep.eps:g}, n = {sweep.n})",
        "dimension d (log; bump at sigma sqrt(d))", "l2 error (log)", height=height,
        legend=LEGEND_BELOW, xaxis={"type": "log", "tickvals": list(sweep.dims)}, yaxis={"type": "log", "dtick": 1}))


def describe_dimension(sweep) -> str:
    """Alt text."""
    m = sweep.summary("mean")[0]
    f = sweep.summary("filter")[0]
    fit = "" if sweep.fit is None else (f" A least-squares fit gives {sweep.fit.coefficient:.3f} eps sqrt(d), log-log "
                                        f"slope {sweep.fit.exponent:.3f}.")
    return (f"Log-log chart: errors against the dimension from {int(sweep.dims[0])} to {int(sweep.dims[-1])}. The "
            f"sample mean's error grows from {m[0]:.3g} to {m[-1]:.3g}; the filter's from {f[0]:.3g} to {f[-1]:.3g}."
            + fit)


def _pointer(p: np.ndarray, text: str, col: str) -> dict | None:
    """An arrow at the box's border pointing towards a point outside it (None when the point is inside)."""
    reach = float(np.max(np.abs(p)))
    if reach <= BOX:
        return None
    edge = p * (BOX * 0.97 / reach)
    direction = p / np.linalg.norm(p)
    return {"x": float(edge[0]), "y": float(edge[1]), "xref": "x", "yref": "y", "text": text, "showarrow": True,
            "arrowhead": 2, "arrowcolor": col, "ax": float(-60 * direction[0]), "ay": float(60 * direction[1]),
            "font": {"color": col}}


def tukey_figure(study) -> go.Figure:
    """The plane: clean points, the bump, the exact depth contours D_1 (outermost) ... D_kmax, the Tukey median, the
    mean and the coordinate-wise median; points beyond the box get an arrow at its border. ``study``: PlaneStudy."""
    regions = study.regions
    x = study.sample
    shades = sample_colorscale(SEQUENTIAL, np.linspace(0.0, 0.85, max(len(regions.polygons), 2)))
    traces = []
    for i, (k, poly) in enumerate(zip(regions.depths, regions.polygons, strict=True)):
        closed = np.vstack([poly, poly[:1]])
        traces.append(go.Scatter(x=closed[:, 0], y=closed[:, 1], mode="lines", line={"color": shades[i], "width": 2},
                                 name="depth contours D_1 (outside) ... D_max", legendgroup="contours",
                                 showlegend=i == 0, hovertemplate=f"depth >= {k}<extra></extra>"))
    traces.append(go.Scatter(x=x[study.k:, 0], y=x[study.k:, 1], mode="markers", name=f"clean ({study.n - study.k})",
                             marker={"color": CLEAN_COLOUR, "size": 8}, hovertemplate="(%{x:.3f}, %{y:.3f})"
                             "<extra>clean</extra>"))
    marks = (("tukey", regions.median, "star", LABELS["tukey"] + f" (depth {regions.max_depth})"),
             ("mean", study.mean, "x", LABELS["mean"]), ("median", study.coordinate_median, "square",
                                                         LABELS["coordinate"]))
    notes = []
    for name, p, symbol, label in marks:
        traces.append(go.Scatter(x=[p[0]], y=[p[1]], mode="markers", name=label,
                                 marker={"color": COLOURS[name], "size": 16, "symbol": symbol,
                                         "line": {"color": "#000000", "width": 1}},
                                 hovertemplate=f"{label}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"))
        arrow = _pointer(np.asarray(p, dtype=float), f"{LABELS[name]} ({p[0]:.1f}, {p[1]:.1f})", COLOURS[name])
        if arrow:
            notes.append(arrow)
    if study.k:
        b = x[0]
        traces.append(go.Scatter(x=[b[0]], y=[b[1]], mode="markers", name=f"bump ({study.k} points)",
                                 marker={"color": BUMP_COLOUR, "size": 14, "symbol": "diamond"},
                                 hovertemplate="bump (%{x:.3f}, %{y:.3f})<extra></extra>"))
        arrow = _pointer(b, f"bump: {study.k} points at distance {study.shift:g}", BUMP_COLOUR)
        if arrow:
            notes.append(arrow)
    return go.Figure(traces, layout=layout(
        f"Tukey median ({study.k} of {study.n} points moved)",
        "x1 (sigma = 1)", "x2 (sigma = 1)", annotations=notes, legend=LEGEND_BELOW,
        xaxis={"range": [-BOX, BOX]}, yaxis={"range": [-BOX, BOX], "scaleanchor": "x", "scaleratio": 1}))


def describe_tukey(study) -> str:
    """Alt text."""
    e = study.errors
    return (f"Scatter plot in the plane: {study.n - study.k} clean points of N(0, I), {study.k} moved to distance "
            f"{study.shift:g}, with {len(study.regions.polygons)} exact depth contours. The Tukey median (depth "
            f"{study.regions.max_depth}) is {e['tukey']:.3f} from the true centre, the mean {e['mean']:.3f}, the "
            f"coordinate-wise median {e['median']:.3f}.")
