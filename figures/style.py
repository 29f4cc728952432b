"""Shared look: a colour-blind-safe palette (Okabe-Ito), units on axes, download settings."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SEQUENTIAL = "Cividis"  # perceptually uniform and readable with colour-vision deficiency
H_STAR_STYLE = {"color": "#000000", "dash": "dot", "width": 3}

# A small light template, the default for every figure. Plotly copies the template into each new figure, and
# its stock ones are large: "plotly_white" costs about 20 ms a figure, this one 0.2 ms (the pages redraw
# their figures on every slider move).
_GRID = {"gridcolor": "#E5ECF6", "linecolor": "#E5ECF6", "zerolinecolor": "#D0D7E2", "automargin": True}
TEMPLATE = "tradeoff-lab"
pio.templates[TEMPLATE] = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(OKABE_ITO), "font": {"color": "#2a3f5f"},
    "hoverlabel": {"align": "left"}, "xaxis": _GRID, "yaxis": _GRID,
})
pio.templates.default = TEMPLATE


def plain(text) -> str:
    """User text (a label) as literal text in a figure: Plotly draws a subset of HTML in labels, titles and
    hover texts (<b>, <a href=...>, <br>), so & < > are written as entities and show as themselves."""
    return html.escape(str(text), quote=False)


def distinct_names(values, digits: int = 3) -> list[str]:
    """Short, distinct names for numbers (feature positions, eps values) as Plotly categories and frame names.

    Names are ``:g`` with ``digits`` significant digits, more when two values would share a name; values that
    are still equal (repeated positions, allowed by the hamming and custom metrics) get " (2)", " (3)", ... in
    order. Non-numbers (already names) are escaped with ``plain``. A category shared by two rows would draw
    them on top of each other, and a frame name shared by two frames would make two slider steps show one.
    """
    values = list(values)
    if not all(isinstance(v, int | float | np.number) for v in values):
        names = [plain(v) for v in values]
    else:
        for d in (digits, 6, 10, 17):
            names = [f"{float(v):.{d}g}" for v in values]
            if len(set(names)) == len(names):
                return names
    seen: dict[str, int] = {}
    distinct = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        distinct.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return distinct


def colour(i: int) -> str:
    """The i-th palette colour (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def download_config(filename: str) -> dict:
    """Plotly config: the modebar's camera saves an SVG at scale 2 under a meaningful name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "svg", "filename": filename, "scale": 2},
        "modeBarButtonsToAdd": ["toImage"],
    }


def layout(title: str, x_title: str, y_title: str, height: int = 420, **more) -> dict:
    """The common layout as a dict: title, axis titles with units, compact margins, a legend beside the data.

    Give it to ``go.Figure(traces, layout=...)``: plotly validates a layout passed at construction about five
    times faster than the same settings applied afterwards with ``update_layout``. ``more`` is merged in (its
    ``xaxis`` and ``yaxis`` entries extend the axis titles)."""
    out = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"}, "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 55}, "legend": {"orientation": "v", "x": 1.02, "y": 1.0},
        "template": TEMPLATE, "font": {"size": 14},
    }
    out.update(more)
    out["xaxis"] = {"title": {"text": x_title}, **more.get("xaxis", {})}
    out["yaxis"] = {"title": {"text": y_title}, **more.get("yaxis", {})}
    return out


def hline(y: float, text: str, line: dict, top: bool = True, left: bool = True) -> tuple[dict, dict]:
    """A horizontal line across the plot with its label, as a layout shape and annotation (for ``layout``)."""
    shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, "line": line}
    note = {"xref": "paper", "x": 0 if left else 1, "xanchor": "left" if left else "right", "yref": "y", "y": y,
            "yanchor": "bottom" if top else "top", "text": text, "showarrow": False}
    return shape, note


def finish(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """``layout`` applied to a figure built already (for figures with several axes, such as subplots)."""
    fig.update_layout({k: v for k, v in layout(title, x_title, y_title, height).items() if k not in ("xaxis", "yaxis")})
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig
