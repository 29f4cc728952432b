"""A handout that needs no server: one self-contained HTML file whose eps slider works offline.

    python scripts/handout.py --preset figure2 --eps 0.5 --out handout.html     # the command line

The Explore pages download the same file ("Download as a standalone page", ui/handout.py). Pure Plotly with
engine data in: ``handout_html(problem, cases, ...)`` takes the certified worst case at every eps of the grid
(``engine.worst_case``) and writes

- the problem (name, description, alphabet sizes, cost, constraint set, the table mu) and a link back to the live
  view;
- one figure, Plotly.js inlined: h*(eps) with H(Y) and H(Y|X) above, nu*(x', y) and q*(y|x) below; a Plotly frame
  per eps of the grid (the marker on the curve, both heatmaps, and a title with h*, the certificate and the status),
  and Plotly's slider over the frames, starting at the page's eps;
- a readout beside it (eps, h* as a number when verified and as the interval its certificate proves otherwise,
  the lower and upper bounds, the gap, the status), updated by the slider;
- the numbers themselves as JSON (``<script type="application/json" id="handout-data">``), which the readout
  reads and tests compare with the engine.

No request leaves the file: no CDN, no fonts, no images (MathJax is off).
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from engine.core.information import conditional_entropy, label_entropy, to_units
from figures.style import H_STAR_STYLE, SEQUENTIAL, colour, distinct_names, plain

FIGURE_ID = "handout-figure"
GRID_POINTS = 41  # the pages' eps grid (ui.state.eps_grid): the same budgets, so a link back shows the same numbers


def eps_grid(lo: float, hi: float, points: int = GRID_POINTS) -> tuple[float, ...]:
    """The budgets a page precomputes (the same rounding as ui.state.eps_grid)."""
    return tuple(float(v) for v in np.round(np.linspace(lo, hi, points), 10))


def value_text(lower: float, upper: float, status: str, units: str, digits: int = 6) -> str:
    """h* as the pages show it: a number when verified, else the interval its certificate proves."""
    lo, hi = to_units(lower, units), to_units(upper, units)
    if status == "verified":
        return f"{lo:.{digits}f} {units}"
    return f"{lo:.{digits}f} to {hi:.{digits}f} {units}"


def frame_title(eps: float, lower: float, upper: float, status: str, units: str) -> str:
    gap = to_units(upper - lower, units)
    return f"eps = {eps:.4g}: h* = {value_text(lower, upper, status, units)} ({status}, gap {gap:.1e} {units})"


def handout_data(problem, cases, units: str = "nats") -> dict:
    """The numbers of the handout, JSON-ready, in ``units`` (what the readout shows and the tests compare)."""
    return {
        "units": units,
        "eps": [float(w.eps) for w in cases],
        "frames": distinct_names([w.eps for w in cases], 4),
        "h_star": [float(to_units(w.value, units)) for w in cases],
        "lower": [float(to_units(w.certificate.lower, units)) for w in cases],
        "upper": [float(to_units(w.certificate.upper, units)) for w in cases],
        "gap": [float(to_units(w.certificate.gap, units)) for w in cases],
        "status": [str(w.status) for w in cases],
        "shown": [value_text(w.certificate.lower, w.certificate.upper, w.status, units) for w in cases],
        "h_y": float(to_units(label_entropy(problem.mu), units)),
        "h_y_given_x": float(to_units(conditional_entropy(problem.mu), units)),
    }


def handout_figure(problem, cases, eps_now: float, units: str = "nats") -> go.Figure:
    """h*(eps) above, nu* and q* below, one frame per eps; Plotly's slider over the frames starts at ``eps_now``."""
    data = handout_data(problem, cases, units)
    rows = distinct_names(problem.positions, 6)
    cols = [plain(s) for s in problem.labels]
    eps = np.array(data["eps"])
    lower, upper = np.array(data["lower"]), np.array(data["upper"])
    nu_max = max(float(np.max(w.nu)) for w in cases) or 1.0
    start = int(np.argmin(np.abs(eps - eps_now)))

    def moving(k: int) -> list:
        w = cases[k]
        return [
            go.Scatter(x=[eps[k]], y=[lower[k]], mode="markers", marker={"color": colour(5), "size": 14,
                                                                         "symbol": "diamond"},
                       name=f"eps = {eps[k]:.4g}", hovertemplate="eps=%{x:.4g}<br>h*=%{y:.6f}<extra></extra>"),
            go.Heatmap(z=np.asarray(w.nu, dtype=float), x=cols, y=rows, colorscale=SEQUENTIAL, zmin=0, zmax=nu_max,
                       colorbar={"title": {"text": "nu*"}, "x": 0.45, "len": 0.5, "y": 0.22},
                       hovertemplate="x'=%{y}, y=%{x}<br>nu*=%{z:.4f}<extra></extra>"),
            go.Heatmap(z=np.asarray(w.q, dtype=float), x=cols, y=rows, colorscale=SEQUENTIAL, zmin=0, zmax=1,
                       colorbar={"title": {"text": "q*"}, "len": 0.5, "y": 0.22},
                       hovertemplate="x=%{y}, y=%{x}<br>q*=%{z:.4f}<extra></extra>"),
        ]

    fig = make_subplots(rows=2, cols=2, specs=[[{"colspan": 2}, None], [{}, {}]], vertical_spacing=0.16,
                        horizontal_spacing=0.14,
                        subplot_titles=("h*(eps) = max H(Y|X') over the budget", "worst case nu*(x', y)",
                                        "robust rule q*(y | x)"))
    fig.add_trace(go.Scatter(x=eps, y=upper, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=eps, y=lower, mode="lines", line=H_STAR_STYLE, fill="tonexty", name="h*(eps)",
                             hovertemplate="eps=%{x:.4g}<br>h*=%{y:.6f}<extra></extra>"), row=1, col=1)
    for y, name, dash in ((data["h_y"], "H(Y)", "dash"), (data["h_y_given_x"], "H(Y|X)", "dot")):
        fig.add_trace(go.Scatter(x=[eps[0], eps[-1]], y=[y, y], mode="lines", name=name,
                                 line={"color": "#777777", "dash": dash}, hoverinfo="skip"), row=1, col=1)
    first = len(fig.data)
    for k, trace in enumerate(moving(start)):
        fig.add_trace(trace, row=1 if k == 0 else 2, col=1 if k < 2 else 2)
    moving_traces = list(range(first, first + 3))
    titles = [frame_title(e, lo, hi, s, units) for e, lo, hi, s in
              zip(eps, [w.certificate.lower for w in cases], [w.certificate.upper for w in cases],
                  data["status"], strict=True)]
    fig.frames = [go.Frame(name=name, data=moving(k), traces=moving_traces,
                           layout={"title": {"text": plain(titles[k])}})
                  for k, name in enumerate(data["frames"])]
    steps = [{"args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                                "transition": {"duration": 0}}], "label": name, "method": "animate"}
             for name in data["frames"]]
    fig.update_layout(
        title={"text": plain(titles[start]), "x": 0.0, "xanchor": "left"}, height=max(760, 420 + 30 * problem.n),
        template="plotly_white", font={"size": 14}, margin={"l": 70, "r": 30, "t": 90, "b": 110},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        sliders=[{"steps": steps, "active": start, "x": 0.0, "len": 1.0, "y": -0.04, "yanchor": "top",
                  "currentvalue": {"prefix": "eps = ", "font": {"size": 16}}, "pad": {"t": 30}}],
    )
    fig.update_xaxes(title_text="attack budget eps", row=1, col=1)
    fig.update_yaxes(title_text=f"[{units}]", row=1, col=1)
    for col in (1, 2):
        fig.update_xaxes(type="category", title_text="label y", row=2, col=col)
        fig.update_yaxes(type="category", autorange="reversed", title_text="feature x", row=2, col=col)
    return fig


READOUT_JS = """
(function () {
  var gd = document.getElementById('%(figure)s');
  var data = JSON.parse(document.getElementById('handout-data').textContent);
  function show(k) {
    if (k < 0 || k >= data.eps.length) return;
    document.getElementById('handout-eps').textContent = data.frames[k];
    document.getElementById('handout-hstar').textContent = data.shown[k];
    document.getElementById('handout-lower').textContent = data.lower[k].toFixed(9);
    document.getElementById('handout-upper').textContent = data.upper[k].toFixed(9);
    document.getElementById('handout-gap').textContent = data.gap[k].toExponential(1) + ' ' + data.units;
    var status = document.getElementById('handout-status');
    status.textContent = data.status[k];
    status.className = 'status ' + data.status[k];
  }
  gd.on('plotly_sliderchange', function (e) { show(data.frames.indexOf(e.step.label)); });
  gd.on('plotly_animatingframe', function (e) { show(data.frames.indexOf(e.name)); });
  show(%(start)d);
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px;
       color: #1f2a37; padding: 0 16px; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; }
.meta { color: #555; } table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { border: 1px solid #d0d7e2; padding: 2px 8px; text-align: right; font-variant-numeric: tabular-nums; }
#readout { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; font-size: 1.15rem;
           padding: 12px 16px; border: 1px solid #d0d7e2; border-radius: 8px; background: #f7fafd; }
#readout dt { color: #555; } #readout dd { margin: 0; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; } .status.verified { color: #007a4d; } .status.approximate { color: #b35900; }
.status.failed { color: #b00020; } code { background: #eef2f7; padding: 1px 4px; border-radius: 4px; }
</style></head>
<body>
<h1>%(title)s</h1>
<p class="meta">A handout from Tradeoff Lab (Wang, Aeron, Rakin, Koike-Akino and Moulin, "Robust Machine Learning via
Privacy/Rate-Distortion Theory", ISIT 2021). It needs no server and no network: drag the eps slider under the
figure. %(link)s</p>
<h2>The worst case at this budget</h2>
<dl id="readout">
<dt>eps</dt><dd id="handout-eps"></dd>
<dt>h* = max H(Y|X')</dt><dd id="handout-hstar"></dd>
<dt>lower bound (a feasible perturbation)</dt><dd><span id="handout-lower"></span> %(units)s</dd>
<dt>upper bound (the robust rule's exact loss)</dt><dd><span id="handout-upper"></span> %(units)s</dd>
<dt>gap</dt><dd id="handout-gap"></dd>
<dt>status</dt><dd id="handout-status" class="status"></dd>
</dl>
<script type="application/json" id="handout-data">%(data)s</script>
%(figure)s
<h2>The problem</h2>
<p><b>%(name)s</b>. %(description)s</p>
<p>%(n)d feature values, %(m)d labels; ground cost <code>%(metric)s</code>;
constraint set <code>%(constraint)s</code>%(kappa)s. H(Y) = %(h_y).4f %(units)s, H(Y|X) = %(h_yx).4f %(units)s.
Verified means the certificate's bounds are at most 1e-6 nats apart; otherwise the true h* lies between them.</p>
<table><thead><tr><th>mu(x, y)</th>%(label_cells)s</tr></thead><tbody>%(rows)s</tbody></table>
%(cli)s
<p class="meta">Made %(made)s; %(frames)d budgets from eps = %(lo)s to %(hi)s, %(verified)d of them verified.</p>
</body></html>
"""


def _json_for_script(value) -> str:
    """JSON that cannot close its <script> element (labels are user text)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def handout_html(problem, cases, eps_now: float, *, title: str = "Worst-case perturbation", units: str = "nats",
                 link: str | None = None, cli: str | None = None) -> str:
    """The whole handout as one HTML document (Plotly.js inlined: about 5 MB)."""
    if not cases:
        raise ValueError("a handout needs the worst case at one eps at least")
    data = handout_data(problem, cases, units)
    fig = handout_figure(problem, cases, eps_now, units)
    start = int(np.argmin(np.abs(np.array(data["eps"]) - eps_now)))
    figure = pio.to_html(fig, include_plotlyjs=True, full_html=False, div_id=FIGURE_ID, include_mathjax=False,
                         config={"displaylogo": False, "responsive": True},
                         post_script=READOUT_JS % {"figure": FIGURE_ID, "start": start})
    esc = html.escape
    label_cells = "".join(f"<th>{esc(str(label))}</th>" for label in problem.labels)
    rows = "".join(f"<tr><th>{esc(name)}</th>" + "".join(f"<td>{v:.4f}</td>" for v in row) + "</tr>"
                   for name, row in zip(distinct_names(problem.positions, 6), problem.mu, strict=True))
    metric = problem.metric if problem.metric != "custom" else "a custom matrix"
    kappa = f", label-change price kappa = {problem.label_cost:g}" if problem.constraint == "joint" else ""
    link_html = (f'<a id="handout-live" href="{esc(link, quote=True)}">Open this view in the live lab</a>.'
                 if link else "")
    return PAGE % {
        "title": esc(f"{title}: {problem.name or 'a custom table'}"), "link": link_html, "units": esc(units),
        "figure": figure, "name": esc(problem.name or "A custom table"), "description": esc(problem.description or ""),
        "n": problem.n, "m": problem.m, "metric": esc(str(metric)), "constraint": esc(problem.constraint),
        "kappa": esc(kappa), "h_y": data["h_y"], "h_yx": data["h_y_given_x"], "label_cells": label_cells,
        "rows": rows,
        "cli": f"<p>The same numbers from the command line: <code>{esc(cli)}</code></p>" if cli else "",
        "made": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "frames": len(cases), "lo": f"{data['eps'][0]:g}", "hi": f"{data['eps'][-1]:g}",
        "verified": sum(s == "verified" for s in data["status"]), "data": _json_for_script(data),
    }
