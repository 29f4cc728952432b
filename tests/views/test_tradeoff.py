"""The robustness-tradeoff page (AppTest): Figure 2's curves follow eps and the problem; bad tables; links."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from pagekit import (
    BAD_TABLES,
    TRADEOFF,
    assert_bad_table_reported,
    break_custom_table,
    choose_preset,
    grid,
    lecture_widgets,
    open_page,
    page_eps,
    problem,
    set_widget,
    shown,
    unescaped,
    url_value,
)

import engine
from engine.core.information import conditional_entropy, label_entropy, to_units
from ui.state import eps_grid


def figure(at, name: str) -> dict:
    """The Plotly spec of the chart drawn by show_figure(..., name)."""
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(f"chart_{name}")]
    assert len(found) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return found[0]


def trace(spec: dict, name: str) -> dict:
    found = [t for t in spec["data"] if t.get("name") == name]
    assert found, f"no trace {name!r} in {[t.get('name') for t in spec['data']]}"
    return found[0]


def values(t: dict, axis: str) -> np.ndarray:
    """A trace's coordinates (Plotly may ship numpy arrays base64-encoded as {'dtype', 'bdata'})."""
    v = t[axis]
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v, dtype=float)


def assert_curves(at, p: engine.Problem, eps: float, points: int = 21, units: str = "nats") -> None:
    """h*(eps_attack) in the right panel is the engine's on the page's grid; the slider's eps is highlighted."""
    info_grid = eps_grid(float(at.slider(key="eps").min), float(at.slider(key="eps").max), points)
    h_star = trace(figure(at, "figure2-right"), "h*(eps_attack)")
    assert np.allclose(values(h_star, "x"), info_grid)
    want = [to_units(engine.worst_case(p, e).value, units) for e in info_grid]
    assert np.allclose(values(h_star, "y"), want, atol=1e-9)
    nearest = min(info_grid, key=lambda e: abs(e - eps))
    left = trace(figure(at, "figure2-left"), f"eps_attack = {nearest:.3g} (chosen)")
    right = trace(figure(at, "figure2-right"), f"rule for eps = {nearest:.3g} (chosen)")
    assert left["line"]["width"] > 2 and right["line"]["width"] > 2  # emphasised over the thin spread
    text = " ".join(m.value for m in at.markdown)
    assert f"H(Y) = {shown(label_entropy(p.mu), 4, units)}" in text
    assert f"H(Y|X) = {shown(conditional_entropy(p.mu), 4, units)}" in text


@pytest.fixture(scope="module")
def page():
    return open_page(TRADEOFF)


def test_default_view():
    at = open_page(TRADEOFF)
    assert len(at.get("plotly_chart")) == 4  # with the accuracy view (tests/views/test_robust_accuracy.py)
    assert any("verified: bounds within" in m.value for m in at.markdown), "no certificate badge"
    assert_curves(at, problem("figure2"), 0.5)


@pytest.mark.parametrize("eps", [0.7, 1.3])
def test_eps_slider_highlights_the_rule_and_attack(page, eps):
    set_widget(page, "slider", "eps", eps)
    assert_curves(page, problem("figure2"), eps)


def test_resolution(page):
    set_widget(page, "select_slider", "resolution", 11)
    try:
        assert len(values(trace(figure(page, "figure2-right"), "h*(eps_attack)"), "y")) == 11
        assert_curves(page, problem("figure2"), page_eps(page, grid("figure2")), points=11)
    finally:
        set_widget(page, "select_slider", "resolution", 21)


@pytest.mark.parametrize("preset", ["label-noise", "binary-source"])
def test_preset(preset):
    at = open_page(TRADEOFF)
    assert_curves(at, problem(preset), choose_preset(at, preset))


@pytest.mark.parametrize(("metric_", "kind"), [("abs", "default"), ("default", "max"), ("hamming", "joint")])
def test_metric_and_constraint(page, metric_, kind):
    set_widget(page, "selectbox", "metric", metric_)
    set_widget(page, "selectbox", "kind", kind)
    try:
        assert_curves(page, problem("figure2", metric_=metric_, kind=kind), page_eps(page, grid("figure2")))
    finally:
        set_widget(page, "selectbox", "metric", "default")
        set_widget(page, "selectbox", "kind", "default")


@pytest.mark.parametrize("how", BAD_TABLES)
def test_bad_custom_table(how):
    at = open_page(TRADEOFF)
    bad, words = break_custom_table(at, how)
    assert_bad_table_reported(at, bad, words)


def test_highlights_keep_their_colours_and_every_curve_keeps_its_own():
    """Emphasising another eps adds a thick curve; the curves drawn before keep their colours."""
    at = open_page(TRADEOFF)
    before = {t["name"].replace(" (chosen)", ""): t["line"]["color"] for t in figure(at, "figure2-right")["data"]
              if t.get("name", "").startswith("rule")}
    set_widget(at, "multiselect", "highlight", [1.3])
    after = {t["name"].replace(" (chosen)", ""): t["line"]["color"] for t in figure(at, "figure2-right")["data"]
             if t.get("name", "").startswith("rule")}
    assert set(before) < set(after) and all(after[n] == c for n, c in before.items())
    assert trace(figure(at, "figure2-right"), "rule for eps = 1.3 (chosen)")["line"]["width"] > 2
    assert at.query_params["highlight"] == "1.3"


def test_link_sets_the_controls():
    at = open_page(TRADEOFF, {"preset": url_value("preset", "uniform-5ary"), "eps": "0.4", "units": "bits",
                              "resolution": "11"})
    assert at.select_slider(key="resolution").value == 11
    assert_curves(at, problem("uniform-5ary"), 0.4, points=11, units="bits")


def test_lecture_mode():
    at = open_page(TRADEOFF, {"lecture": "1", "preset": url_value("preset", "label-noise"), "eps": "1.5"})
    lecture_widgets(at, selectbox={"preset"}, slider={"eps"})
    assert_curves(at, problem("label-noise"), 1.5)


def test_rules_that_are_not_unique_are_named():
    """Figure 2 on Sec. V-A's example: the rules whose minimax rule is not unique get the engine's sentence."""
    at = open_page(TRADEOFF, {"preset": url_value("preset", "stochastic-vs-deterministic"), "resolution": "11"})
    shown_notes = [unescaped(i.value) for i in at.info if "not unique" in i.value]
    assert shown_notes and all(n.startswith("The robust rule is not unique at x = ") for n in shown_notes)
    assert len(set(shown_notes)) == len(shown_notes)
    assert not [w.value for w in at.warning if "could not prove" in w.value]  # every entry is proven here


def test_a_kink_where_the_rule_is_not_unique_is_named():
    """Issue 13, point 4: the binary source at exactly eps = 0.3, where h* first reaches H(Y) and every q(.|x=1)
    with q(0|1) in [0.3, 0.7] is minimax. The page says the rule is not unique at x = 1 and names the rule its
    curves show; every number is proven (no "could not prove" warning, the clean loss a number)."""
    at = open_page(TRADEOFF, {"preset": url_value("preset", "binary-source"), "eps": "0.3"})
    notes = [unescaped(i.value) for i in at.info if "not unique" in i.value]
    assert len(notes) == 1 and notes[0].startswith("The robust rule is not unique at x = 1 ")
    assert "the ceiling: mu_Y on every row a move reaches" in notes[0]
    assert not [w.value for w in at.warning if "could not prove" in w.value]
    assert " to " not in next(m.value for m in at.metric if m.label == "clean loss of that rule")


@pytest.mark.parametrize(("preset", "kind", "eps"),
                         [("figure2", "default", "0.5"), ("binary-source", "default", "0.3")])
def test_the_clean_loss_of_the_chosen_rule_is_shown_as_its_bounds_prove(preset, kind, eps):
    """Issue 13: the headline's clean loss (2) depends on the rule entry by entry, so it is a number only where
    the rule's bounds meet, else the interval they prove (the binary source's rule at 0.3, where h* first reaches
    H(Y), is proven since the kink's second-rule certificate, with row 2 free)."""
    from ui.widgets import interval

    query = {"eps": eps, "preset": url_value("preset", preset)} | ({"kind": kind} if kind != "default" else {})
    at = open_page(TRADEOFF, query)
    p = problem(preset, kind=kind)
    eps_axis = eps_grid(float(at.slider(key="eps").min), float(at.slider(key="eps").max), 21)
    g = engine.tradeoff_grid(p, eps_axis, eps_axis)
    k = int(np.argmin(np.abs(np.asarray(eps_axis) - page_eps(at, eps_axis))))
    proven = g.clean_upper[k] - g.clean_lower[k] <= 1e-6
    want = interval(g.clean_lower[k], g.clean_upper[k], proven, "nats")
    shown_clean = next(m.value for m in at.metric if m.label == "clean loss of that rule")
    assert shown_clean == want
    assert (" to " in shown_clean) == (not proven)
