"""The worst-case page (AppTest): h* follows eps, the example, the cost, the constraint and the units; bad
tables get a sentence; links and lecture mode set the controls."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from pagekit import (
    BAD_TABLES,
    WORST_CASE,
    assert_bad_table_reported,
    assert_normalised_with_a_notice,
    break_custom_table,
    choose_preset,
    grid,
    lecture_widgets,
    metric,
    open_page,
    problem,
    rerun,
    selected,
    set_widget,
    shown,
    shown_text,
    unescaped,
    unnormalise_custom_table,
    url_value,
)

import engine
from engine.core.information import conditional_entropy, label_entropy

H_STAR = "h* = max H(Y|X')"


def expected_h_star(p: engine.Problem, eps: float, units: str = "nats") -> str:
    return shown(engine.worst_case(p, eps).value, 4, units)


@pytest.fixture(scope="module")
def page():
    """One session on the page, shared by the tests that only move controls (each resets what it moves)."""
    return open_page(WORST_CASE)


def test_default_view_shows_the_engine_values_and_a_verified_certificate():
    page = open_page(WORST_CASE)
    p, eps = problem("figure2"), engine.preset_info("figure2").eps_default
    assert page.slider(key="eps").value == eps
    assert metric(page, H_STAR) == expected_h_star(p, eps) == "1.2284 nats"
    assert metric(page, "clean H_mu(Y|X)") == shown(conditional_entropy(p.mu), 4)
    assert metric(page, "label entropy H_mu(Y)") == shown(label_entropy(p.mu), 4)
    assert any("verified: bounds within" in m.value for m in page.markdown), "no certificate badge"
    charts = page.get("plotly_chart")
    # mu and nu* on one scale, q*, the price of robustness, the plan, robust accuracy and its rule; the Play
    # animation waits until its box is opened
    assert len(charts) == 6
    assert all(c.proto.alt for c in charts), "a chart without alt text"
    assert all(json.loads(c.proto.config)["toImageButtonOptions"]["format"] == "svg" for c in charts)
    assert all(c.proto.theme == "" for c in charts), "the app's template, not Streamlit's, styles the charts"
    assert page.query_params == {"source": "preset", "preset": "figure2", "metric": "default", "kind": "default",
                                 "eps": "0.5", "units": "nats", "step": "1"}  # every value, defaults too


def test_mu_and_nu_share_one_colour_scale_for_every_eps():
    """The pair's colour scale tops at the largest mass of mu and of nu* at any eps, the same at every eps; the
    animation's nu* uses it too, and starts at the page's eps with h* and its certificate in its title."""
    at = open_page(WORST_CASE)
    at.session_state["play"] = True  # the user opens "Play: ..."
    p = problem("figure2")
    top = max(float(p.mu.max()), *(float(engine.worst_case(p, e).nu.max()) for e in grid("figure2")))
    for eps in (0.5, 1.5):
        set_widget(at, "slider", "eps", eps)
        pair, *_, animation = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
        assert pair["layout"]["coloraxis"]["cmax"] == pytest.approx(top)
        assert {t["coloraxis"] for t in pair["data"]} == {"coloraxis"}
        assert animation["layout"]["coloraxis"]["cmax"] == pytest.approx(top)
        k = grid("figure2").index(eps)
        assert animation["layout"]["sliders"][0]["active"] == k
        title = animation["layout"]["title"]["text"]
        assert title.startswith(f"eps = {eps:g}: h* = {engine.worst_case(p, eps).value:.4f} nats<br>(verified")
        assert all("h* = " in f["layout"]["title"]["text"] for f in animation["frames"])


@pytest.mark.parametrize("k", [0, 7, 24, 40])
def test_eps_slider_changes_h_star_to_the_engine_value(page, k):
    eps = grid("figure2")[k]
    set_widget(page, "slider", "eps", eps)
    assert metric(page, H_STAR) == expected_h_star(problem("figure2"), eps)
    assert f"eps = {eps:.3g}" in json.dumps([json.loads(c.proto.spec)["layout"].get("title")
                                             for c in page.get("plotly_chart")])


@pytest.mark.parametrize("preset", engine.preset_names())
def test_preset_changes_h_star(preset):
    at = open_page(WORST_CASE)
    eps = choose_preset(at, preset)
    assert metric(at, H_STAR) == expected_h_star(problem(preset), eps)


@pytest.mark.parametrize("metric_", ["abs", "squared", "hamming"])
def test_metric_changes_h_star(page, metric_):
    set_widget(page, "slider", "eps", 0.5)
    set_widget(page, "selectbox", "metric", metric_)
    try:
        assert metric(page, H_STAR) == expected_h_star(problem("figure2", metric_=metric_), 0.5)
    finally:
        set_widget(page, "selectbox", "metric", "default")


@pytest.mark.parametrize("kind", ["expected", "max", "joint"])
def test_constraint_changes_h_star(page, kind):
    set_widget(page, "slider", "eps", 1.0)
    set_widget(page, "selectbox", "kind", kind)
    try:
        assert metric(page, H_STAR) == expected_h_star(problem("figure2", kind=kind), 1.0)
        if kind == "joint":
            set_widget(page, "number_input", "kappa", 0.25)
            assert metric(page, H_STAR) == expected_h_star(problem("figure2", kind="joint", kappa=0.25), 1.0)
    finally:
        set_widget(page, "selectbox", "kind", "default")
    assert metric(page, H_STAR) == expected_h_star(problem("figure2"), 1.0)


def test_units_bits(page):
    set_widget(page, "slider", "eps", 0.5)
    set_widget(page, "radio", "units", "bits")
    try:
        assert metric(page, H_STAR) == expected_h_star(problem("figure2"), 0.5, "bits")
        badge = next(m.value for m in page.markdown if "verified" in m.value and "bounds within" in m.value)
        assert ("bits" in badge or "they meet" in badge) and "nats" not in badge, badge
    finally:
        set_widget(page, "radio", "units", "nats")


@pytest.mark.parametrize("how", BAD_TABLES)
def test_bad_custom_table_shows_its_sentence_and_keeps_the_edits(how):
    at = open_page(WORST_CASE)
    bad, words = break_custom_table(at, how)
    assert_bad_table_reported(at, bad, words)


def test_a_table_that_does_not_sum_to_one_is_used_divided_by_its_sum():
    at = open_page(WORST_CASE)
    table = unnormalise_custom_table(at)
    p = assert_normalised_with_a_notice(at, table)
    assert metric(at, H_STAR) == expected_h_star(p, at.slider(key="eps").value)


def test_a_custom_table_says_next_to_copy_link_that_it_travels_as_a_scenario_file():
    at = open_page(WORST_CASE)
    set_widget(at, "selectbox", "source", "custom")
    notes = [c.value for c in at.caption if "not in the link" in c.value]
    assert notes and "scenario file" in notes[0]
    assert [b.label for b in at.get("download_button") if "scenario" in b.label.lower()]
    visitor = open_page(WORST_CASE, {"source": "custom"})  # the link alone: the starting table, and a sentence
    assert any("cannot carry a table" in i.value for i in visitor.info)


def test_the_python_code_prints_in_the_pages_units():
    at = open_page(WORST_CASE, {"units": "bits", "eps": "1"})
    at.session_state["reproduce"] = True  # the user opens "Reproduce in Python ..." (its code is sent then)
    code = at.run().code[0].value
    assert "import math" in code and "w.value / math.log(2)" in code and "# h* in bits" in code
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})  # noqa: S102 - the page's own snippet, as a user pastes it
    h_bits = float(printed.getvalue().split()[0])
    assert metric(at, H_STAR) == f"{h_bits:.4f} bits" == expected_h_star(problem("figure2"), 1.0, "bits")


def test_link_sets_every_control():
    query = {"preset": url_value("preset", "label-noise"), "metric": url_value("metric", "squared"),
             "kind": url_value("kind", "max"), "eps": "1.5", "units": "bits"}
    at = open_page(WORST_CASE, query)
    assert (selected(at, "preset"), selected(at, "metric"), selected(at, "kind")) == ("label-noise", "squared", "max")
    assert at.slider(key="eps").value == 1.5
    assert at.radio(key="units").value == "bits"
    p = problem("label-noise", metric_="squared", kind="max")
    assert metric(at, H_STAR) == expected_h_star(p, 1.5, "bits")


def test_link_with_joint_constraint_sets_kappa():
    at = open_page(WORST_CASE, {"kind": url_value("kind", "joint"), "kappa": "0.4", "eps": "0.75"})
    assert at.number_input(key="kappa").value == 0.4
    assert metric(at, H_STAR) == expected_h_star(problem("figure2", kind="joint", kappa=0.4), 0.75)


@pytest.mark.parametrize("form", ["shown text", "value"])
def test_lecture_mode_hides_the_controls_but_keeps_eps(form):
    """?lecture=1: no sidebar controls, the example and eps in the main area, the linked view (either URL form,
    the value being what the link then carries); no downloads and no code to copy."""
    def value(key, v):
        return shown_text(key, v) if form == "shown text" else v

    query = {"lecture": "1", "preset": value("preset", "uniform-5ary"), "kind": value("kind", "max"), "eps": "1"}
    at = open_page(WORST_CASE, query)
    assert not [w for w in at.sidebar if getattr(w, "key", None)], "a control is left in the sidebar"
    lecture_widgets(at, selectbox={"preset"}, slider={"eps"})
    assert (at.query_params["preset"], at.query_params["kind"]) == ("uniform-5ary", "max")
    assert not at.get("download_button") and not at.code  # nothing to copy or download on a projector
    assert [e.label for e in at.expander] == ["Play: the worst case and the robust rule as eps grows"]
    assert at.slider(key="eps").value == 1.0
    assert metric(at, H_STAR) == expected_h_star(problem("uniform-5ary", kind="max"), 1.0) != "0.0000 nats"


def test_a_bad_table_keeps_eps_and_fixing_it_brings_h_star_back():
    """A slip in one cell must not reset the budget: the slider keeps its range and value through the error."""
    at = open_page(WORST_CASE)
    set_widget(at, "selectbox", "source", "custom")
    slider = at.slider(key="eps")
    top, eps = slider.max, 11 * (slider.max - slider.min) / 40
    set_widget(at, "slider", "eps", eps)
    good = at.session_state["custom_base"].copy()
    want = metric(at, H_STAR)
    at.session_state["custom_base"] = BAD_TABLES["negative cell"][0](good.copy())
    set_widget(at, "radio", "units", "nats")  # any rerun
    assert at.error and not at.metric
    assert (at.slider(key="eps").max, at.slider(key="eps").value) == (top, eps)
    at.session_state["custom_base"] = good
    set_widget(at, "radio", "units", "nats")
    assert not at.error
    assert (at.slider(key="eps").max, at.slider(key="eps").value) == (top, eps)
    assert metric(at, H_STAR) == want


@pytest.mark.parametrize("preset", engine.preset_names())
def test_link_to_an_example_starts_at_its_default_eps_on_the_grid(preset):
    """The slider starts on the grid (at the point nearest the example's default), so it shows the eps used."""
    at = open_page(WORST_CASE, {"preset": url_value("preset", preset)})
    eps, values = at.slider(key="eps").value, grid(preset)
    assert eps in values
    assert abs(eps - engine.preset_info(preset).eps_default) <= (values[1] - values[0]) / 2
    assert metric(at, H_STAR) == expected_h_star(problem(preset), eps)


def test_link_with_an_eps_between_grid_points_shows_the_grid_point_it_computes():
    """?eps=0.523 on a 0.05 grid: the slider moves to 0.5 (and the URL with it), and h* is the value at 0.5."""
    values = grid("figure2")
    at = open_page(WORST_CASE, {"eps": "0.523"})
    eps = at.slider(key="eps").value
    assert eps in values and eps == min(values, key=lambda e: abs(e - 0.523))
    assert metric(at, H_STAR) == expected_h_star(problem("figure2"), eps)


def test_a_bad_table_keeps_the_cost_and_constraint_controls():
    """While a cell is wrong the other settings stay on screen with their values (nothing to re-enter)."""
    at = open_page(WORST_CASE)
    set_widget(at, "selectbox", "metric", "abs")
    set_widget(at, "selectbox", "kind", "max")
    set_widget(at, "selectbox", "source", "custom")
    good = at.session_state["custom_base"].copy()
    breaker, words = BAD_TABLES["negative cell"]
    at.session_state["custom_base"] = bad = breaker(good.copy())
    rerun(at)
    assert_bad_table_reported(at, bad, words)
    assert (selected(at, "metric"), selected(at, "kind")) == ("abs", "max")
    at.session_state["custom_base"] = good
    rerun(at)
    assert not at.error and (selected(at, "metric"), selected(at, "kind")) == ("abs", "max")


def test_a_rule_that_is_not_unique_says_so():
    """Sec. V-A's example at eps = 1: every point of mass moves, so no worst case reaches x = 0, 2, 4 and the robust
    rule is not unique there; the page says so, in the engine's words, and a unique rule says nothing."""
    at = open_page(WORST_CASE, {"preset": url_value("preset", "stochastic-vs-deterministic"), "eps": "1"})
    p = problem("stochastic-vs-deterministic")
    sentence = engine.robust_rule(p, 1.0).uniqueness
    assert sentence.startswith("The robust rule is not unique at x = 0, x = 2, x = 4")
    assert [unescaped(i.value) for i in at.info if "not unique" in i.value] == [sentence]
    assert not [i.value for i in open_page(WORST_CASE).info if "not unique" in i.value]  # figure2: unique


def test_bounds_that_meet_are_said_to_meet_not_within_zero():
    """At eps = 1.25 figure 2's polished bounds meet to the last bits (0 or a unit in the last place, as the machine's
    arithmetic rounds): the badge says so."""
    at = open_page(WORST_CASE, {"eps": "1.25"})
    c = engine.worst_case(problem("figure2"), 1.25).certificate
    assert c.gap <= 4 * np.finfo(float).eps * max(1.0, abs(c.upper)), c
    badges = [m.value for m in at.markdown if "bounds within" in m.value]
    assert badges and "verified: bounds within rounding (they meet)" in badges[0], badges
    assert not any("0.0e+00" in b for b in badges)


def test_a_changed_cost_and_constraint_are_said_under_the_examples_description():
    at = open_page(WORST_CASE, {"metric": "hamming", "kind": "joint", "eps": "0.5"})
    notes = [unescaped(c.value) for c in at.caption if "Changed here" in c.value]
    assert notes and "the ground cost is 1{x != x'} and the constraint is joint" in notes[0], notes
    plain = open_page(WORST_CASE)
    assert not [c.value for c in plain.caption if "Changed here" in c.value]


def test_the_joint_kinds_leakage_uses_the_worst_cases_own_labels():
    """Under the joint kind labels move, so H(Y) - h* could read negative (figure 2, hamming, eps 0.7: -0.0122
    nats); the page shows I(Y';X') = H_nu*(Y') - h* of the nu* it draws, a mutual information, never below 0."""
    from engine.core.information import label_entropy

    at = open_page(WORST_CASE, {"metric": "hamming", "kind": "joint", "eps": "0.7"})
    w = engine.worst_case(problem("figure2", metric_="hamming", kind="joint"), 0.7)
    assert w.leakage == pytest.approx(label_entropy(w.nu) - w.value, abs=1e-15)
    shown_leak = metric(at, "leakage I(Y';X') = H(Y') - h*")
    assert shown_leak == shown(w.leakage, 4) and float(shown_leak.split()[0]) >= 0
    assert not [m for m in at.metric if m.label == "leakage I(Y;X') = H(Y) - h*"]
    plain = open_page(WORST_CASE, {"eps": "0.7"})
    assert [m for m in plain.metric if m.label == "leakage I(Y;X') = H(Y) - h*"]
