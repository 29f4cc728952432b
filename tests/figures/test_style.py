"""figures.style: the palette, the light template, literal user text, download settings and the common layout."""

from __future__ import annotations

import html
import re

import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from figures.style import (
    H_STAR_STYLE,
    OKABE_ITO,
    SEQUENTIAL,
    TEMPLATE,
    colour,
    download_config,
    finish,
    hline,
    layout,
    plain,
    value_top,
)

HOSTILE = "<img src=x onerror=alert(1)>"


# -- palette and template ----------------------------------------------------------------------------
def test_okabe_ito_palette():
    """Okabe and Ito's eight colours, in their usual order (blue first, black last)."""
    assert OKABE_ITO == ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in OKABE_ITO)
    assert len(set(OKABE_ITO)) == len(OKABE_ITO)


@pytest.mark.parametrize("i", range(20))
def test_colour_cycles_through_the_palette(i):
    assert colour(i) == OKABE_ITO[i % 8]
    assert colour(i + len(OKABE_ITO)) == colour(i)


def test_sequential_scale_is_cividis():
    assert SEQUENTIAL == "Cividis"
    scale = go.Heatmap(z=[[0, 1]], colorscale=SEQUENTIAL).colorscale
    assert [c for _, c in scale] == list(plotly.colors.sequential.Cividis)


def test_h_star_style_is_a_black_dotted_line():
    assert H_STAR_STYLE["color"] == "#000000" and H_STAR_STYLE["dash"] == "dot"


def test_template_is_registered_and_the_default():
    assert TEMPLATE in pio.templates
    assert pio.templates.default == TEMPLATE
    t = pio.templates[TEMPLATE].layout
    assert tuple(t.colorway) == OKABE_ITO
    assert t.paper_bgcolor == "white" and t.plot_bgcolor == "white"


def test_a_new_figure_uses_the_palette():
    """Plotly copies the default template into every new figure: traces without a colour get Okabe-Ito."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    assert tuple(fig.layout.template.layout.colorway) == OKABE_ITO


# -- plain ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (HOSTILE, "&lt;img src=x onerror=alert(1)&gt;"),
    ("a & b", "a &amp; b"),
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
    ("x < 1 & y > 2", "x &lt; 1 &amp; y &gt; 2"),
    ("plain label", "plain label"),
    ('say "hi"', 'say "hi"'),  # quotes are not markup in Plotly's label subset: kept as typed
    ("", ""),
])
def test_plain_escapes_markup(text, expected):
    assert plain(text) == expected


@pytest.mark.parametrize("text", [HOSTILE, "a&b", "&amp;", "<br>", "1 < 2", "ünïcødé <i>", "+1", "-1"])
def test_plain_keeps_the_text_itself(text):
    """Escaping is lossless (unescaping gives the text back) and leaves no raw < or > for Plotly to parse."""
    out = plain(text)
    assert html.unescape(out) == text
    assert "<" not in out and ">" not in out


@pytest.mark.parametrize("value, expected", [(3, "3"), (2.5, "2.5"), (None, "None")])
def test_plain_accepts_non_strings(value, expected):
    assert plain(value) == expected


# -- download_config --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["figure2-left", "worst-case-nu", "a b"])
def test_download_config(name):
    config = download_config(name)
    options = config["toImageButtonOptions"]
    assert options == {"format": "svg", "filename": name, "scale": 2}
    assert config["displaylogo"] is False
    assert "toImage" in config["modeBarButtonsToAdd"]


def test_download_config_is_a_fresh_dict():
    """Each figure gets its own config: changing one must not change the next."""
    first = download_config("one")
    first["toImageButtonOptions"]["scale"] = 9
    assert download_config("one")["toImageButtonOptions"]["scale"] == 2


# -- layout, hline, finish --------------------------------------------------------------------------
def test_layout_titles_and_defaults():
    out = layout("The title", "x [nats]", "y [bits]")
    assert out["title"] == {"text": "The title", "x": 0.0, "xanchor": "left"}
    assert out["xaxis"] == {"title": {"text": "x [nats]"}}
    assert out["yaxis"] == {"title": {"text": "y [bits]"}}
    assert out["height"] == 420
    assert out["template"] == TEMPLATE
    fig = go.Figure(layout=out)  # valid for plotly as it is
    assert fig.layout.title.text == "The title"
    assert fig.layout.xaxis.title.text == "x [nats]"
    assert fig.layout.yaxis.title.text == "y [bits]"


def test_layout_merges_axis_settings_without_losing_the_titles():
    out = layout("t", "x", "y", height=300, xaxis={"range": [0, 1]}, yaxis={"range": [-1, 2], "type": "log"},
                 legend={"x": 0.5})
    assert out["xaxis"] == {"title": {"text": "x"}, "range": [0, 1]}
    assert out["yaxis"] == {"title": {"text": "y"}, "range": [-1, 2], "type": "log"}
    assert out["legend"] == {"x": 0.5}
    assert out["height"] == 300
    fig = go.Figure(layout=out)
    assert tuple(fig.layout.xaxis.range) == (0, 1)
    assert fig.layout.yaxis.title.text == "y"


def test_layout_does_not_modify_its_arguments():
    xaxis = {"range": [0, 1]}
    layout("t", "x", "y", xaxis=xaxis)
    assert xaxis == {"range": [0, 1]}


@pytest.mark.parametrize("top, left", [(True, True), (True, False), (False, True), (False, False)])
def test_hline(top, left):
    line = {"color": "#777777", "dash": "dash"}
    shape, note = hline(0.75, "H(Y)", line, top=top, left=left)
    assert shape == {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 0.75, "y1": 0.75,
                     "line": line}
    assert note["y"] == 0.75 and note["yref"] == "y" and note["text"] == "H(Y)" and note["showarrow"] is False
    assert note["x"] == (0 if left else 1)
    assert note["xanchor"] == ("left" if left else "right")
    assert note["yanchor"] == ("bottom" if top else "top")
    go.Figure(layout=layout("t", "x", "y", shapes=[shape], annotations=[note]))  # plotly accepts both


def test_finish_titles_every_subplot():
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Scatter(x=[0], y=[0]), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0], y=[0]), row=1, col=2)
    out = finish(fig, "Both", "feature x", "label y", height=500)
    assert out is fig
    assert fig.layout.title.text == "Both"
    assert fig.layout.height == 500
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.title.text == "feature x"
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert axis.title.text == "label y"
    assert tuple(fig.layout.template.layout.colorway) == OKABE_ITO


def test_value_axes_leave_room_above_the_data_and_show_zeros_on_a_plain_axis():
    assert value_top(0.6, 1.25) == pytest.approx(0.75)
    assert value_top(0.0, 1.25) == 1.0 and value_top(1e-12, 1.1) == 1.0  # not Plotly's nano-units around 0
