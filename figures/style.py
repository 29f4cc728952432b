"""Shared look: a colour-blind-safe palette (Okabe-Ito), units on axes, download settings, a font every
viewer of an exported SVG has, and the hall's sizes for lecture mode (``for_hall``)."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SEQUENTIAL = "Cividis"  # perceptually uniform and readable with colour-vision deficiency
H_STAR_STYLE = {"color": "#000000", "dash": "dot", "width": 3}
INK = "#1a1a1a"  # axis text and titles: near black, never the grey of a stock template
# Plotly sizes legends and margins with the browser's font, and an exported SVG names the font without
# embedding it: Arial, Liberation Sans and Helvetica share their metrics, so a legend measured with one fits
# with any other (Source Sans, Streamlit's, is missing on most machines that open the SVG: it clipped there).
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
LEGEND_BELOW = {"orientation": "h", "x": 0.0, "xanchor": "left", "yref": "container", "y": 0.0, "yanchor": "bottom"}

# A small light template, the default for every figure. Plotly copies the template into each new figure, and
# its stock ones are large: "plotly_white" costs about 20 ms a figure, this one 0.2 ms (the pages redraw
# their figures on every slider move).
_GRID = {"gridcolor": "#E5ECF6", "linecolor": "#E5ECF6", "zerolinecolor": "#D0D7E2", "automargin": True}
TEMPLATE = "tradeoff-lab"
pio.templates[TEMPLATE] = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(OKABE_ITO),
    "font": {"color": INK, "family": FONT},
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
        "margin": {"l": 60, "r": 20, "t": 60, "b": 55}, "legend": dict(LEGEND_BELOW),
        "template": TEMPLATE, "font": {"size": 14, "family": FONT, "color": INK},
    }
    out.update(more)
    out["xaxis"] = {"title": {"text": x_title}, **more.get("xaxis", {})}
    out["yaxis"] = {"title": {"text": y_title}, **more.get("yaxis", {})}
    return out


def value_top(top: float, room: float) -> float:
    """The top of a value axis that starts at 0: ``room`` times the largest value, and 1 when every value is 0
    (a budget too small to move anything), not an axis of nano-units around nothing."""
    return top * room if top > 1e-6 else 1.0


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


# -- lecture mode: a hall's sizes and themes -------------------------------------------------------
HALL_TEXT = 24  # every text of a chart at least 22 px (docs/design.md, "Pages"): ticks 22, the rest 24 and more
HALL_INK = {"projector": ("#000000", "#ffffff", "#bdbdbd"), "dark": ("#f5f5f5", "#0e1117", "#3d4250")}


def for_hall(fig: go.Figure, theme: str = "projector", height: int | None = None) -> go.Figure:
    """``fig`` restyled in place for the back row of a hall: text of 22 px and more, dark (or, in the dark
    theme, light) axis text, thicker lines and larger markers; ``height`` in pixels when given. Frames keep
    their data only (figures.animation), so an animation stays styled while it plays."""
    if fig.layout.meta == {"hall": theme}:  # styled already (a session's animation is styled once)
        return fig
    ink, paper, grid = HALL_INK.get(theme, HALL_INK["projector"])
    font = {"size": HALL_TEXT, "color": ink, "family": FONT}
    axis = {"title": {"font": {"size": 26, "color": ink}}, "tickfont": {"size": 22, "color": ink},
            "gridcolor": grid, "linecolor": ink, "zerolinecolor": grid, "gridwidth": 1.5}
    lay = fig.layout
    update = {"meta": {"hall": theme}, "font": font, "paper_bgcolor": paper,
              "title": {"font": {"size": 30, "color": ink}},
              "legend": {"font": {"size": HALL_TEXT, "color": ink}}, "hoverlabel": {"font": {"size": 22}}}
    if lay.plot_bgcolor in (None, "white", "#ffffff"):
        update["plot_bgcolor"] = paper
    if height:
        update["height"] = height
    margin = lay.margin
    update["margin"] = {"t": max(90, margin.t or 0), "l": max(80, margin.l or 0), "b": max(70, margin.b or 0),
                        "r": max(30, margin.r or 0)}
    legend = lay.legend
    if legend.orientation == "h" and legend.yref != "container" and (legend.y or 0) < 0:
        # a legend placed under the plot in the plot's own units meets the axis title once the text grows: put it
        # at the bottom of the figure instead, where Plotly makes room for it
        update["legend"].update({"yref": "container", "y": 0.0, "yanchor": "bottom"})
    fig.update_layout(update)
    fig.update_xaxes(axis)
    fig.update_yaxes(axis)
    for note in lay.annotations:
        note.font.size = max(HALL_TEXT, note.font.size or 0)
        if note.font.color is None or theme == "dark":
            note.font.color = ink if note.font.color in (None, "#000000", "black") else note.font.color
    for menu in lay.updatemenus:
        menu.font = {"size": 22, "color": "#000000"}
    for slider in lay.sliders:
        slider.font = {"size": 22, "color": ink}
        slider.currentvalue.font = {"size": HALL_TEXT, "color": ink}
    for shape in lay.shapes:
        if shape.line.width is not None or shape.type == "line":
            shape.line.width = max(3, 1.5 * (shape.line.width or 2))
        if theme == "dark" and shape.line.color in ("#000000", "black"):
            shape.line.color = ink
    for trace in fig.data:
        _hall_trace(trace, ink, theme)
    for name in [k for k in lay.to_plotly_json() if k.startswith("coloraxis")]:
        bar = lay[name].colorbar
        bar.tickfont = {"size": 22, "color": ink}
        bar.title.font = {"size": HALL_TEXT, "color": ink}
    return fig


def _hall_trace(trace, ink: str, theme: str) -> None:
    """One trace's lines, markers, texts and colourbar at hall sizes."""
    kind = trace.type
    if kind == "scatter":
        if trace.line is not None and (trace.mode is None or "lines" in trace.mode):
            trace.line.width = max(3.5, 1.8 * (trace.line.width or 2))
            if theme == "dark" and trace.line.color in ("#000000", "black"):
                trace.line.color = ink
        if trace.marker is not None and trace.marker.size is not None:
            trace.marker.size = 1.5 * trace.marker.size
            if theme == "dark" and trace.marker.color in ("#000000", "black", "#444", "#999"):
                trace.marker.color = ink
        if trace.textfont is not None:
            trace.textfont.size = HALL_TEXT
        if trace.error_y is not None and trace.error_y.color in ("#000000", "black") and theme == "dark":
            trace.error_y.color = ink
    elif kind in ("heatmap", "bar"):
        trace.textfont = {"size": 22 if kind == "heatmap" else HALL_TEXT}
        if kind == "bar":
            trace.textfont.color = ink
        if getattr(trace, "colorbar", None) is not None and kind == "heatmap":
            trace.colorbar.tickfont = {"size": 22, "color": ink}
            trace.colorbar.title.font = {"size": HALL_TEXT, "color": ink}
    elif kind == "sankey":
        trace.textfont = {"size": 22, "color": ink}
