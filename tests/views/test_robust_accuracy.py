"""Robust accuracy on the worst-case and tradeoff pages (AppTest): the numbers are the engine's (``error_grid`` on
the page's eps grid), they follow the eps slider and the constraint kind, and lecture mode shows them too."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from pagekit import TRADEOFF, WORST_CASE, grid, open_page, problem, set_widget, url_value
from pagekit import metric as shown_metric

import engine
from ui.state import eps_grid
from ui.widgets import percent

BEST, RULE, CLEAN = "best robust accuracy 1 - e*", "robust rule q*, attacked", "clean Bayes rule, attacked"


def expected(p: engine.Problem, eps_values, eps: float) -> dict[str, str]:
    g = engine.error_grid(p, eps_values, eps_values)
    i = int(np.argmin(np.abs(g.eps_attack - eps)))
    return {BEST: percent(1 - g.optimal[i]), RULE: percent(1 - g.error[i, i]), CLEAN: percent(1 - g.clean[i])}


def ys(trace: dict) -> np.ndarray:
    """A trace's y values (Plotly may ship numpy arrays base64-encoded as {'dtype', 'bdata'})."""
    v = trace["y"]
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v, dtype=float)


def shown_all(at) -> dict[str, str]:
    return {label: shown_metric(at, label) for label in (BEST, RULE, CLEAN)}


@pytest.fixture(scope="module")
def page():
    return open_page(WORST_CASE)


@pytest.mark.parametrize("k", [0, 10, 40])
def test_the_worst_case_page_shows_the_engine_accuracies(page, k):
    eps = grid("figure2")[k]
    set_widget(page, "slider", "eps", eps)
    want = expected(problem("figure2"), grid("figure2"), eps)
    assert shown_all(page) == want
    best, rule = (float(want[x].split()[0]) for x in (BEST, RULE))
    assert best >= rule  # no rule beats the optimum


def test_the_curve_and_the_rule_are_drawn(page):
    charts = {c.proto.id.split("chart_")[-1]: c for c in page.get("plotly_chart") if "chart_" in c.proto.id}
    spec = json.loads(charts["robust-accuracy"].proto.spec)
    best = next(t for t in spec["data"] if t["name"] == "best possible, 1 - e*")
    g = engine.error_grid(problem("figure2"), grid("figure2"), grid("figure2"))
    np.testing.assert_allclose(ys(best), 1 - g.optimal, atol=1e-12)
    assert charts["accuracy-rule"].proto.alt.startswith("Heatmap of the most accurate robust rule")


def test_the_constraint_kind_changes_the_accuracies():
    at = open_page(WORST_CASE, {"kind": url_value("kind", "max"), "eps": "1"})
    p = problem("figure2", kind="max")
    assert shown_all(at) == expected(p, grid("figure2"), 1.0)


def test_lecture_mode_shows_robust_accuracy_too():
    at = open_page(WORST_CASE, {"lecture": "1", "eps": "0.5"})
    assert shown_all(at) == expected(problem("figure2"), grid("figure2"), 0.5)


def test_the_tradeoff_page_draws_figure_2_in_accuracy():
    at = open_page(TRADEOFF)
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("chart_figure2-accuracy")]
    assert len(found) == 1
    info = engine.preset_info("figure2")
    eps_values = eps_grid(info.eps_min, info.eps_max, 21)
    g = engine.error_grid(problem("figure2"), eps_values, eps_values)
    best = next(t for t in found[0]["data"] if t["name"] == "best possible, 1 - e*")
    np.testing.assert_allclose(ys(best), 1 - g.optimal, atol=1e-12)
    for trace in found[0]["data"]:
        if trace["name"].startswith("rule for eps"):
            assert np.all(ys(trace) <= 1 - g.optimal + 1e-9)
