"""The stochastic-versus-deterministic page (AppTest): the three values of Sec. V-A follow eps and the problem
(always under the max kind); bad tables; links and lecture mode."""

from __future__ import annotations

import pytest
from pagekit import (
    BAD_TABLES,
    DETERMINISTIC,
    assert_bad_table_reported,
    assert_normalised_with_a_notice,
    break_custom_table,
    choose_preset,
    lecture_widgets,
    metric,
    open_page,
    problem,
    selected,
    set_widget,
    shown,
    unnormalise_custom_table,
    url_value,
)

import engine

LABELS = ("stochastic h*", "(20) attacker second, fixed moves", "(21) attacker first, fixed moves")


def assert_values(at, p: engine.Problem, eps: float, units: str = "nats") -> None:
    """The three metrics are the engine's deterministic_gap under the max kind, to the shown digits."""
    assert p.constraint == "max"
    d = engine.deterministic_gap(p, eps)
    want = [shown(v, 6, units) for v in (d.stochastic, d.pure_minimax, d.pure_maximin)]
    assert [metric(at, label) for label in LABELS] == want


@pytest.fixture(scope="module")
def page():
    return open_page(DETERMINISTIC)


def test_default_view_is_the_papers_example():
    """X = Y = {0..4}, eps = 1: h* = (20) = h2(1/3) ~ 0.636514 > (21) = (2/3) ln 2 ~ 0.462098 (design.md)."""
    at = open_page(DETERMINISTIC)
    assert selected(at, "preset") == "stochastic-vs-deterministic"
    assert at.slider(key="eps").value == 1.0
    assert [metric(at, label) for label in LABELS] == ["0.636514 nats", "0.636514 nats", "0.462098 nats"]
    assert_values(at, problem("stochastic-vs-deterministic", kind="max"), 1.0)
    assert "kind" not in [s.key for s in at.selectbox], "this page always uses the max kind"
    assert any("max" in c.value and "kind" in c.value for c in at.sidebar.caption)
    assert len(at.get("plotly_chart")) == 3
    words = " ".join(c.value for c in at.caption)
    assert "(20): attacker moves after seeing the rule, one fixed move per point" in words
    assert "(21): attacker commits to one fixed move per point before the rule is chosen" in words


@pytest.mark.parametrize("eps", [0.0, 0.5, 1.5, 2.0])
def test_eps_slider(page, eps):
    set_widget(page, "slider", "eps", eps)
    assert_values(page, problem("stochastic-vs-deterministic", kind="max"), eps)


@pytest.mark.parametrize("preset", ["figure2", "label-noise"])
def test_preset(preset):
    at = open_page(DETERMINISTIC)
    assert_values(at, problem(preset, kind="max"), choose_preset(at, preset))


@pytest.mark.parametrize("metric_", ["squared", "hamming"])
def test_metric(page, metric_):
    set_widget(page, "slider", "eps", 1.0)
    set_widget(page, "selectbox", "metric", metric_)
    try:
        assert_values(page, problem("stochastic-vs-deterministic", metric_=metric_, kind="max"), 1.0)
    finally:
        set_widget(page, "selectbox", "metric", "default")


@pytest.mark.parametrize("how", BAD_TABLES)
def test_bad_custom_table(how):
    at = open_page(DETERMINISTIC)
    bad, words = break_custom_table(at, how)
    assert_bad_table_reported(at, bad, words)


def test_a_table_that_does_not_sum_to_one_is_used_divided_by_its_sum():
    at = open_page(DETERMINISTIC)
    table = unnormalise_custom_table(at)
    p = assert_normalised_with_a_notice(at, table).replace(constraint="max")
    assert_values(at, p, at.slider(key="eps").value)


def test_link_sets_the_controls():
    at = open_page(DETERMINISTIC, {"preset": url_value("preset", "figure2"), "metric": url_value("metric", "abs"),
                                   "eps": "1.5", "units": "bits"})
    assert (selected(at, "preset"), selected(at, "metric"), at.slider(key="eps").value) == ("figure2", "abs", 1.5)
    assert_values(at, problem("figure2", metric_="abs", kind="max"), 1.5, "bits")


def test_lecture_mode():
    """Only the example and eps (and lecture mode's own bar) are drawn; the link's other values still count."""
    at = open_page(DETERMINISTIC, {"lecture": "1", "eps": "0.5"})
    lecture_widgets(at, selectbox={"preset"}, slider={"eps"})
    assert_values(at, problem("stochastic-vs-deterministic", kind="max"), 0.5)
