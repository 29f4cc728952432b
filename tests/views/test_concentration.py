"""The concentration-of-measure page (AppTest): the numbers follow every control to engine.context.concentration's
values; the Monte Carlo check is shown passed; links set the controls and bad link values fall back to the defaults;
lecture mode keeps only the radius delta; the reproduce code and the CLI give the shown numbers.

Every expected number comes from the engine at the values the page's controls show, formatted as the page does.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from pagekit import CONCENTRATION, metric, open_page, set_widget

from engine.cli import main as cli
from engine.context.concentration import cap_expansion, mean_distance_to_cap, notes_scale, simulate_sphere
from ui.widgets import percent

SLIDERS = {"d": "dim", "measure": "measure", "delta": "radius"}
LABELS = ("exact sigma(E_delta)", "notes' bound", "Monte Carlo", "d(E), a cap", "Phi^-1(q)/sqrt(d)")


def controls(at) -> dict:
    """The values the page's controls show."""
    values = {name: at.slider(key=key).value for name, key in SLIDERS.items()}
    values["samples"] = at.selectbox(key="mc_points").value
    values["seed"] = int(at.number_input(key="sphere_seed").value)
    return values


def expected(d, measure, delta, samples, seed) -> list[str]:
    """The five metrics as the page shows them."""
    e = cap_expansion(d, measure, delta)
    s = simulate_sphere(d, measure, delta, samples=samples, seed=seed)
    bound = "n/a" if e.bound is None else (percent(e.bound, 3) if e.bound > 0 else "vacuous")
    scale = notes_scale(d, measure)
    return [percent(e.expansion, 3), bound, percent(s.in_expansion, 3), f"{mean_distance_to_cap(d, measure):.4f}",
            "n/a" if scale is None else f"{scale:.4f}"]


def shows(at) -> list[str]:
    return [metric(at, label) for label in LABELS]


def assert_shows(at, values: dict | None = None) -> None:
    values = values or controls(at)
    assert shows(at) == expected(**values)
    assert any("checked, Monte Carlo within" in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == 2 and at.latex


@pytest.fixture(scope="module")
def page():
    return open_page(CONCENTRATION)


@pytest.fixture(scope="module")
def defaults():
    return controls(open_page(CONCENTRATION))


def test_default_view(defaults):
    at = open_page(CONCENTRATION)
    assert defaults["measure"] == 0.5, "the default view should show the notes' bound at work"
    assert_shows(at)
    assert not at.error and not at.exception
    assert "Euclidean (chordal)" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(("name", "value"), [("d", 1000), ("d", 2), ("measure", 0.1), ("measure", 0.9),
                                             ("delta", 0.35), ("delta", 0.0)])
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


def test_samples_and_seed_move_the_monte_carlo_only(page, defaults):
    exact = [metric(page, label) for label in LABELS if label != "Monte Carlo"]
    try:
        set_widget(page, "selectbox", "mc_points", 2000)
        set_widget(page, "number_input", "sphere_seed", 5)
        assert_shows(page)
        assert [metric(page, label) for label in LABELS if label != "Monte Carlo"] == exact
        assert "samples=2000, seed=5" in page.code[0].value
    finally:
        set_widget(page, "selectbox", "mc_points", defaults["samples"])
        set_widget(page, "number_input", "sphere_seed", defaults["seed"])


def test_below_half_the_bound_does_not_apply(page, defaults):
    try:
        set_widget(page, "slider", "measure", 0.2)
        assert metric(page, "notes' bound") == "n/a"
        assert any("shifted bound" in m.value for m in page.markdown)
    finally:
        set_widget(page, "slider", "measure", defaults["measure"])


def test_link_sets_the_controls():
    values = {"d": 400, "measure": 0.7, "delta": 0.05, "samples": 2000, "seed": 3}
    at = open_page(CONCENTRATION, {"dim": "400", "measure": "0.7", "radius": "0.05", "mc_points": "2000",
                                   "sphere_seed": "3"})
    assert controls(at) == values
    assert_shows(at, values)


@pytest.mark.parametrize("bad", [
    {"dim": "1"}, {"dim": "ten"}, {"dim": "1e9"}, {"measure": "1.5"}, {"measure": "nan"}, {"radius": "-1"},
    {"radius": "3"}, {"mc_points": "7"}, {"sphere_seed": "-2"},
])
def test_bad_link_values_fall_back_to_the_defaults(defaults, bad):
    at = open_page(CONCENTRATION, bad)
    assert not at.error, [e.value for e in at.error]
    assert controls(at) == defaults
    assert_shows(at, defaults)


def test_lecture_mode_keeps_only_the_radius(defaults):
    at = open_page(CONCENTRATION, {"lecture": "1", "dim": "50", "measure": "0.6", "radius": "0.2",
                                   "mc_points": "2000", "sphere_seed": "4"})
    assert [s.key for s in at.main.slider] == ["radius"] and not at.sidebar.slider
    assert not at.selectbox and not at.number_input
    values = {"d": 50, "measure": 0.6, "delta": 0.2, "samples": 2000, "seed": 4}
    assert shows(at) == expected(**values)
    set_widget(at, "slider", "radius", 0.3)  # delta still works
    assert shows(at) == expected(**{**values, "delta": 0.3})


def test_lecture_mode_with_bad_hidden_values_uses_the_defaults(defaults):
    at = open_page(CONCENTRATION, {"lecture": "1", "dim": "0", "measure": "x", "mc_points": "3"})
    assert not at.error
    assert shows(at) == expected(**defaults)


def test_reproduce_code_and_cli_give_the_shown_numbers(page, defaults):
    python, bash = [c.value for c in page.code]
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(python, namespace)  # noqa: S102 - the page's own code
    assert percent(namespace["e"].expansion, 3) == metric(page, "exact sigma(E_delta)")
    assert percent(namespace["s"].in_expansion, 3) == metric(page, "Monte Carlo")
    args = bash.split()
    assert args[:3] == ["python", "-m", "engine"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(args[3:]) == 0
    answer = json.loads(out.getvalue())
    assert percent(answer["expansion"], 3) == metric(page, "exact sigma(E_delta)")
    assert percent(answer["monte_carlo"]["in_expansion"], 3) == metric(page, "Monte Carlo")
    assert f"{answer['mean_distance']:.4f}" == metric(page, "d(E), a cap")
