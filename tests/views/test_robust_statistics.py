"""The robust-statistics page (AppTest): the five estimators' errors follow every control to engine.context's values,
under the bump and under the worst placement; the breakdown table; links set the controls and bad link values fall
back to the defaults; lecture mode keeps only the bump's location; the reproduce code and the CLI give the shown
numbers.

Every expected number comes from the engine at the values the page's controls show, formatted as the page does.
"""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest
from pagekit import ROBUST_STATISTICS, metric, open_page, set_widget

from engine.cli import main as cli
from engine.context.robust_statistics import ESTIMATORS, NAMES, breakdown_points, corruption_study

SLIDERS = {"n": "sample_size", "eps": "eps_poison", "shift": "bump", "trim": "trim"}
CHOICES = {"placement": "placement", "repeats": "repeats"}


def controls(at) -> dict:
    values = {name: at.slider(key=key).value for name, key in SLIDERS.items()}
    values.update({name: at.selectbox(key=key).value for name, key in CHOICES.items()})
    values["seed"] = int(at.number_input(key="poison_seed").value)
    return values


def expected(n, eps, shift, trim, placement, repeats, seed) -> list[str]:
    """The five metrics' values as the page shows them (the CI half-width is the metric's delta)."""
    s = corruption_study(n, eps, shift, trim=trim, repeats=repeats, seed=seed)
    out = []
    for name in ESTIMATORS:
        m = s.summary(name, placement)[0]
        out.append("unbounded" if not math.isfinite(m) else f"{m:.3f}")
    return out


def shows(at) -> list[str]:
    return [metric(at, NAMES[name]) for name in ESTIMATORS]


def half_widths(at) -> list[str]:
    return [m.proto.delta for m in at.metric]


def assert_shows(at, values: dict | None = None) -> None:
    values = values or controls(at)
    assert shows(at) == expected(**values)
    assert any("checked, bump errors within the computed sups" in m.value for m in at.markdown), \
        [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == 5


@pytest.fixture(scope="module")
def page():
    return open_page(ROBUST_STATISTICS)


@pytest.fixture(scope="module")
def defaults():
    return controls(open_page(ROBUST_STATISTICS))


def test_default_view(defaults):
    at = open_page(ROBUST_STATISTICS)
    assert_shows(at)
    assert not at.error and not at.exception
    mean, median = (float(metric(at, NAMES[k])) for k in ("mean", "median"))
    assert mean > 5 * median  # the bump drags the mean, not the median
    assert all(d.endswith("(95 % CI)") and d.startswith("± ") for d in half_widths(at))
    table = at.dataframe[0].value
    b = breakdown_points(defaults["n"], defaults["trim"])
    assert list(table["breakdown point (this n)"]) == [f"{b[k].k}/{defaults['n']} = {b[k].fraction:.3f}"
                                                       for k in ESTIMATORS]
    assert list(table["bounded at this eps"]) == ["no", "yes", "yes", "no", "yes"]
    assert any("Fitted on the simulation" in m.value for m in at.markdown)


@pytest.mark.parametrize(("name", "value"), [("shift", 80.0), ("shift", 0.0), ("eps", 0.3), ("n", 51),
                                             ("trim", 0.3)])
def test_each_slider_moves_the_numbers_to_the_engines(page, defaults, name, value):
    set_widget(page, "slider", SLIDERS[name], defaults[name])
    before = shows(page)
    try:
        set_widget(page, "slider", SLIDERS[name], value)
        assert controls(page) == {**defaults, name: value}
        assert_shows(page)
        assert shows(page) != before
    finally:
        set_widget(page, "slider", SLIDERS[name], defaults[name])


def test_the_mean_follows_the_bump_the_median_does_not(page, defaults):
    means, medians = [], []
    try:
        for s in (10.0, 40.0, 100.0):
            set_widget(page, "slider", "bump", s)
            means.append(float(metric(page, NAMES["mean"])))
            medians.append(float(metric(page, NAMES["median"])))
    finally:
        set_widget(page, "slider", "bump", defaults["shift"])
    assert means[2] > 9 * means[0] and np.ptp(medians) < 0.02


def test_worst_placement_shows_the_sups(page, defaults):
    try:
        set_widget(page, "selectbox", "placement", "worst")
        assert_shows(page)
        assert metric(page, NAMES["mean"]) == "unbounded" and metric(page, NAMES["std"]) == "unbounded"
        assert math.isfinite(float(metric(page, NAMES["median"])))
    finally:
        set_widget(page, "selectbox", "placement", defaults["placement"])


def test_repeats_and_seed(page, defaults):
    try:
        set_widget(page, "selectbox", "repeats", 50)
        set_widget(page, "number_input", "poison_seed", 9)
        assert_shows(page)
        assert "repeats=50, seed=9" in page.code[0].value
    finally:
        set_widget(page, "selectbox", "repeats", defaults["repeats"])
        set_widget(page, "number_input", "poison_seed", defaults["seed"])


def test_link_sets_the_controls():
    values = {"n": 300, "eps": 0.2, "shift": 55.5, "trim": 0.25, "placement": "worst", "repeats": 50, "seed": 2}
    at = open_page(ROBUST_STATISTICS, {"sample_size": "300", "eps_poison": "0.2", "bump": "55.5", "trim": "0.25",
                                       "placement": "the worst placement for each estimator", "repeats": "50",
                                       "poison_seed": "2"})
    assert controls(at) == values
    assert_shows(at, values)


@pytest.mark.parametrize("bad", [
    {"sample_size": "1"}, {"sample_size": "many"}, {"eps_poison": "0.5"}, {"eps_poison": "nan"}, {"bump": "-1"},
    {"bump": "1e9"}, {"trim": "0.9"}, {"placement": "clever"}, {"repeats": "7"}, {"poison_seed": "-1"},
])
def test_bad_link_values_fall_back_to_the_defaults(defaults, bad):
    at = open_page(ROBUST_STATISTICS, bad)
    assert not at.error, [e.value for e in at.error]
    assert controls(at) == defaults
    assert_shows(at, defaults)


def test_lecture_mode_keeps_only_the_bump(defaults):
    at = open_page(ROBUST_STATISTICS, {"lecture": "1", "sample_size": "100", "eps_poison": "0.2", "bump": "30",
                                       "trim": "0.2", "placement": "bump", "repeats": "50", "poison_seed": "1"})
    assert [s.key for s in at.main.slider] == ["bump"] and not at.sidebar.slider
    assert not at.selectbox and not at.number_input
    values = {"n": 100, "eps": 0.2, "shift": 30.0, "trim": 0.2, "placement": "bump", "repeats": 50, "seed": 1}
    assert shows(at) == expected(**values)
    set_widget(at, "slider", "bump", 90.0)  # the bump still moves
    assert shows(at) == expected(**{**values, "shift": 90.0})


def test_lecture_mode_with_bad_hidden_values_uses_the_defaults(defaults):
    at = open_page(ROBUST_STATISTICS, {"lecture": "1", "sample_size": "0", "eps_poison": "x", "repeats": "3"})
    assert not at.error
    assert shows(at) == expected(**defaults)


def test_reproduce_code_and_cli_give_the_shown_numbers(page, defaults):
    python, bash = [c.value for c in page.code]
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(python, namespace)  # noqa: S102 - the page's own code
    s = namespace["s"]
    assert [f"{s.summary(name)[0]:.3f}" for name in ESTIMATORS] == shows(page)
    args = bash.split()
    assert args[:3] == ["python", "-m", "engine"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(args[3:]) == 0
    answer = json.loads(out.getvalue())  # the CLI's one sample is the page's first one
    assert answer["mean_error"] == pytest.approx(float(s.errors["mean"][0]), abs=1e-12)
    assert answer["median_error"] == pytest.approx(float(s.errors["median"][0]), abs=1e-12)
    assert answer["corrupted"] == s.k
