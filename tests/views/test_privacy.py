"""The privacy-utility page (AppTest): the least leakage H(Y) - h*(eps) (Lemma 1) follows eps and the
problem; bad tables; links and lecture mode."""

from __future__ import annotations

import math

import pytest
from pagekit import (
    BAD_TABLES,
    PRIVACY,
    assert_bad_table_reported,
    break_custom_table,
    choose_preset,
    grid,
    lecture_widgets,
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
from engine.core.information import label_entropy, mutual_information, to_units

LEAKAGE = "least leakage I(Y;Z)"


def assert_leakage(at, p: engine.Problem, eps: float, units: str = "nats") -> None:
    """The shown leakage is H(Y) - h*(eps) with the engine's h*; the no-distortion leakage is I(X;Y)."""
    h_star = engine.worst_case(p, eps).value
    assert abs(number(metric(at, LEAKAGE)) - to_units(label_entropy(p.mu) - h_star, units)) <= 5.1e-5
    assert metric(at, LEAKAGE) == shown(label_entropy(p.mu) - h_star, 4, units)
    assert metric(at, "leakage with no distortion, I(X;Y)") == shown(mutual_information(p.mu), 4, units)
    assert metric(at, "status of the curve") == "verified"


@pytest.fixture(scope="module")
def page():
    return open_page(PRIVACY)


def test_default_view_is_the_binary_source():
    """Bernoulli(0.3), Hamming: leakage R(D) = h(0.3) - h(D) (Cover & Thomas Thm 10.3.1) at D = 0.1."""
    at = open_page(PRIVACY)
    assert selected(at, "preset") == "binary-source"
    assert at.slider(key="eps").value == 0.1
    assert_leakage(at, problem("binary-source"), 0.1)

    def h(x):
        return -x * math.log(x) - (1 - x) * math.log(1 - x)

    assert metric(at, LEAKAGE) == shown(h(0.3) - h(0.1), 4)
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("k", [0, 9, 40])
def test_eps_slider(page, k):
    eps = grid("binary-source")[k]
    set_widget(page, "slider", "eps", eps)
    assert_leakage(page, problem("binary-source"), eps)


@pytest.mark.parametrize("preset", ["uniform-5ary", "two-gaussians"])
def test_preset(preset):
    at = open_page(PRIVACY)
    assert_leakage(at, problem(preset), choose_preset(at, preset))


@pytest.mark.parametrize(("metric_", "kind"), [("abs", "default"), ("default", "max"), ("default", "joint")])
def test_metric_and_constraint(metric_, kind):
    at = open_page(PRIVACY, {"preset": url_value("preset", "figure2"), "eps": "0.5"})
    set_widget(at, "selectbox", "metric", metric_)
    set_widget(at, "selectbox", "kind", kind)
    assert_leakage(at, problem("figure2", metric_=metric_, kind=kind), 0.5)


@pytest.mark.parametrize("how", BAD_TABLES)
def test_bad_custom_table(how):
    at = open_page(PRIVACY)
    bad, words = break_custom_table(at, how)
    assert_bad_table_reported(at, bad, words)


def test_link_sets_the_controls():
    at = open_page(PRIVACY, {"preset": url_value("preset", "label-noise"), "kind": url_value("kind", "max"),
                             "eps": "2.25", "units": "bits"})
    assert (selected(at, "preset"), selected(at, "kind"), at.slider(key="eps").value) == ("label-noise", "max", 2.25)
    assert_leakage(at, problem("label-noise", kind="max"), 2.25, "bits")


def test_lecture_mode():
    at = open_page(PRIVACY, {"lecture": "1", "preset": "uniform-5ary", "eps": "0.5"})
    lecture_widgets(at, selectbox={"preset"}, slider={"eps"})
    assert_leakage(at, problem("uniform-5ary"), 0.5)
