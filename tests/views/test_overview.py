"""The overview page (AppTest): Theorem 1 from both sides follows eps and the example; links and lecture mode."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from pagekit import (
    OVERVIEW,
    choose_preset,
    grid,
    metric,
    number,
    open_page,
    problem,
    selected,
    set_widget,
    shown,
    url_value,
)

import engine

MAXIMIN = "maximin: best perturbation's H(Y|X')"
MINIMAX = "minimax: robust rule's worst loss"
GAP = "gap (Theorem 1 says 0)"


def assert_theorem_1(at, preset: str, eps: float, units: str = "nats") -> None:
    """maximin and minimax are the engine's, to the shown digits; the gap is below the certificate tolerance."""
    p = problem(preset)
    assert metric(at, MAXIMIN) == shown(engine.worst_case(p, eps).value, 6, units)
    assert metric(at, MINIMAX) == shown(engine.robust_rule(p, eps).value, 6, units)
    assert 0 <= number(metric(at, GAP)) < 1e-6
    assert metric(at, GAP).endswith(units)


@pytest.fixture(scope="module")
def page():
    return open_page(OVERVIEW)


def test_default_view():
    at = open_page(OVERVIEW)
    assert selected(at, "preset") == "figure2"
    assert at.slider(key="eps").value == engine.preset_info("figure2").eps_default
    assert_theorem_1(at, "figure2", 0.5)
    assert any("verified, gap" in m.value for m in at.markdown)
    assert at.get("graphviz_chart"), "the game diagram is missing"


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


def test_lecture_link_reproduces_the_view_in_lecture_mode():
    """The page's own 'Open this view in lecture mode' link keeps the example and eps, and hides the controls."""
    at = open_page(OVERVIEW, {"preset": url_value("preset", "label-noise"), "eps": "1.5", "units": "bits"})
    links = [m.value for m in at.markdown if "lecture mode](" in m.value]
    assert len(links) == 1
    query = dict(parse_qsl(urlsplit(links[0].split("](", 1)[1].rstrip(")")).query))
    assert query["lecture"] == "1"
    lecture = open_page(OVERVIEW, query)
    assert not lecture.selectbox and not lecture.radio, "lecture mode shows controls"
    assert [s.key for s in lecture.main.slider] == ["eps"]
    assert metric(lecture, MAXIMIN) == metric(at, MAXIMIN) == shown(
        engine.worst_case(problem("label-noise"), 1.5).value, 6, "bits")
    assert not [m for m in lecture.markdown if "lecture mode](" in m.value]
