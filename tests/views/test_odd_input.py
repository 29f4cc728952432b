"""Odd input through the real page (AppTest): labels that look like formulas, HTML or Markdown are shown as
text (escaped in the figures, escaped in error sentences); a problem beyond the interactive limit is refused
with a sentence before anything is solved, and the user's table stays."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from pagekit import WORST_CASE, metric, open_page, rerun, set_widget, shown, unescaped

import engine
import engine.solvers.chain
from ui.editor import INTERACTIVE_MOVES

H_STAR = "h* = max H(Y|X')"
EVIL = ["<img src=x onerror=alert(1)>", '=HYPERLINK("http://evil.example")', "[x](javascript:alert(1))"]


def custom(at, frame: pd.DataFrame):
    set_widget(at, "selectbox", "source", "custom")
    at.session_state["custom_base"] = frame
    return rerun(at)


def evil_frame() -> pd.DataFrame:
    df = pd.DataFrame([[0.2, 0.1, 0.1], [0.1, 0.2, 0.3]], columns=EVIL)
    df.insert(0, "x", [1.0, 2.0])
    return df


def test_html_and_formula_labels_are_drawn_as_text():
    at = custom(open_page(WORST_CASE), evil_frame())
    assert not at.error
    p = engine.Problem.from_arrays(evil_frame()[EVIL].to_numpy(), [1.0, 2.0], EVIL)
    eps = float(at.slider(key="eps").value)
    assert metric(at, H_STAR) == shown(engine.worst_case(p, eps).value, 4)
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heatmap["x"][0] == "&lt;img src=x onerror=alert(1)&gt;"  # Plotly shows '<img ...>' and runs nothing
    assert heatmap["x"][1] == EVIL[1] and heatmap["x"][2] == EVIL[2]


def test_a_bad_cell_next_to_evil_labels_gets_a_literal_sentence():
    frame = evil_frame()
    frame.iloc[0, 1] = -0.2
    at = custom(open_page(WORST_CASE), frame)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and not at.metric
    assert re.search(r"(?<!\\)[<>\[\]()]", errors[0]) is None  # every < > [ ] ( ) escaped for Markdown
    assert EVIL[0] in unescaped(errors[0]) and "negative" in unescaped(errors[0])
    pd.testing.assert_frame_equal(at.session_state["custom_base"], frame)  # the table is kept


@pytest.mark.parametrize("n, m", [(60, 12), (41, 5)])
def test_a_problem_beyond_the_interactive_limit_is_refused_before_solving(n, m):
    assert n * n * m > INTERACTIVE_MOVES
    engine.clear_cache()
    st.cache_data.clear()
    at = open_page(WORST_CASE, {"source": "A random table", "n": str(n), "m": str(m)})
    errors = [unescaped(e.value) for e in at.error]
    assert len(errors) == 1 and "too large to solve while you wait" in errors[0], errors
    assert f"{n * n * m:,}" in errors[0] and f"{INTERACTIVE_MOVES:,}" in errors[0] and "python -m engine" in errors[0]
    assert not at.metric and not at.get("plotly_chart")
    assert engine.solvers.chain.cached_solves() == 0  # nothing was solved
    set_widget(at, "number_input", "n", 10)  # a smaller table works, with the other settings kept
    assert not at.error and at.number_input(key="m").value == m
    assert metric(at, H_STAR).endswith("nats")


def test_the_largest_interactive_random_table_is_solved_and_verified():
    n, m = 40, 5  # 8,000 moves: the limit itself
    at = open_page(WORST_CASE, {"source": "A random table", "n": str(n), "m": str(m)})
    assert not at.error
    assert any("verified: bounds within" in md.value for md in at.markdown)
    assert np.isfinite(float(metric(at, H_STAR).split()[0]))
