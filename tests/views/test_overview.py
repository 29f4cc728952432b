"""The overview page (AppTest): Theorem 1 from both sides follows eps and the example, with h*(eps) drawn;
links (values, eps at its example's default) and lecture mode."""

from __future__ import annotations

import pytest
from pagekit import (
    OVERVIEW,
    choose_preset,
    grid,
    lecture_widgets,
    metric,
    open_page,
    problem,
    selected,
    set_widget,
    shown,
    shown_text,
    url_value,
)

import engine

MAXIMIN = "maximin: best perturbation's H(Y|X')"
MINIMAX = "minimax: robust rule's worst loss"
EQUAL = "Theorem 1: the two are equal"


def assert_theorem_1(at, preset: str, eps: float, units: str = "nats") -> None:
    """maximin and minimax are the engine's, to the shown digits; the gap is below the certificate tolerance."""
    p = problem(preset)
    assert metric(at, MAXIMIN) == shown(engine.worst_case(p, eps).value, 6, units)
    assert metric(at, MINIMAX) == shown(engine.robust_rule(p, eps).value, 6, units)
    assert metric(at, EQUAL) == "equal (to 1e-6)"  # in words, not 'gap 7.9e-09'
    assert 0 <= engine.robust_rule(p, eps).value - engine.worst_case(p, eps).value < 1e-6


@pytest.fixture(scope="module")
def page():
    return open_page(OVERVIEW)


def test_default_view():
    at = open_page(OVERVIEW)
    assert selected(at, "preset") == "figure2"
    assert at.slider(key="eps").value == engine.preset_info("figure2").eps_default
    assert_theorem_1(at, "figure2", 0.5)
    assert any("verified: bounds within" in m.value for m in at.markdown)
    assert at.get("graphviz_chart"), "the game diagram is missing"
    (chart,) = at.get("plotly_chart")  # h*(eps) over the example's whole range
    assert at.query_params == {"preset": "figure2", "eps": "0.5", "units": "nats"}  # every value, defaults too


@pytest.mark.parametrize("k", [0, 13, 40])
def test_eps_slider(page, k):
    eps = grid("figure2")[k]
    set_widget(page, "slider", "eps", eps)
    assert_theorem_1(page, "figure2", eps)


@pytest.mark.parametrize("preset", ["binary-source", "stochastic-vs-deterministic", "two-gaussians"])
def test_preset(page, preset):
    set_widget(page, "selectbox", "preset", preset)
    try:
        assert_theorem_1(page, preset, choose_preset(page, preset))
    finally:
        set_widget(page, "selectbox", "preset", "figure2")


def test_units(page):
    set_widget(page, "slider", "eps", 1.0)
    set_widget(page, "radio", "units", "bits")
    try:
        assert_theorem_1(page, "figure2", 1.0, "bits")
    finally:
        set_widget(page, "radio", "units", "nats")


def test_link_sets_the_controls():
    at = open_page(OVERVIEW, {"preset": url_value("preset", "uniform-5ary"), "eps": "0.75"})
    assert selected(at, "preset") == "uniform-5ary"
    assert at.slider(key="eps").value == 0.75
    assert_theorem_1(at, "uniform-5ary", 0.75)


def test_links_written_before_carry_shown_text_and_still_open_the_view():
    at = open_page(OVERVIEW, {"preset": shown_text("preset", "uniform-5ary"), "eps": "0.75"})
    assert selected(at, "preset") == "uniform-5ary"
    assert at.query_params["preset"] == "uniform-5ary"  # rewritten as the value


def test_a_new_example_starts_at_its_own_eps():
    """Changing the example resets eps to that example's default (and the link says so)."""
    at = open_page(OVERVIEW, {"eps": "2"})
    assert at.slider(key="eps").value == 2.0
    set_widget(at, "selectbox", "preset", "binary-source")
    assert at.slider(key="eps").value == engine.preset_info("binary-source").eps_default
    assert at.query_params["eps"] == "0.1" and at.query_params["preset"] == "binary-source"
    assert_theorem_1(at, "binary-source", 0.1)


def test_lecture_mode_keeps_the_view_and_shows_only_the_example_and_eps():
    """A lecture link keeps the example, eps and units; only the example, eps and the lecture bar are drawn."""
    query = {"preset": "label-noise", "eps": "1.5", "units": "bits"}
    at = open_page(OVERVIEW, query)
    lecture = open_page(OVERVIEW, {**query, "lecture": "1"})
    lecture_widgets(lecture, selectbox={"preset"}, slider={"eps"})
    assert metric(lecture, MAXIMIN) == metric(at, MAXIMIN) == shown(
        engine.worst_case(problem("label-noise"), 1.5).value, 6, "bits")
    assert lecture.query_params == {**query, "lecture": "1", "theme": "projector", "qr": "0"}


def test_the_lecture_switch_turns_lecture_mode_on_and_off():
    at = open_page(OVERVIEW, {"preset": "label-noise", "eps": "1.5"})
    set_widget(at, "toggle", "lecture", True)
    assert at.query_params["lecture"] == "1" and at.query_params["eps"] == "1.5"
    lecture_widgets(at, selectbox={"preset"}, slider={"eps"})
    set_widget(at, "toggle", "lecture", False)
    assert "lecture" not in at.query_params and at.radio(key="units")
