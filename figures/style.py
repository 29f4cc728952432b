"""Shared look: a colour-blind-safe palette (Okabe-Ito), units on axes, download settings."""

from __future__ import annotations

import plotly.graph_objects as go

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SEQUENTIAL = "Cividis"  # perceptually uniform and readable with colour-vision deficiency
H_STAR_STYLE = {"color": "#000000", "dash": "dot", "width": 3}


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


def finish(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """Common layout: title, axis titles with units, compact margins, a legend that does not cover data."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"}, height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 55}, legend={"orientation": "v", "x": 1.02, "y": 1.0},
        template="plotly_white", font={"size": 14},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig
