"""The certified-robustness page (AppTest): the radii follow every control to the engine's values; the toy's
Monte Carlo certificates are the reproduce code's; links set the controls; bad link values fall back; p_A + p_B > 1
gets a sentence; lecture mode keeps only sigma.

The radii are recomputed here from the values the page's controls show; the toy's certificate from the page's own
"Reproduce" code (so the test also checks that the code reproduces the page).
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pagekit
import pytest
from pagekit import CERTIFY, lecture_widgets, metric, open_page, set_widget

from engine.cli import main as cli
from engine.context.pixeldp import DEFAULT_DELTA, pixeldp_gaussian, pixeldp_laplace
from engine.context.smoothing import smoothing_radius
from engine.context.toy_classifiers import ABSTAIN

RADII = ("smoothing radius (l2)", "PixelDP radius (l2)", "PixelDP's eps", "Laplace radius (l1)")
CERTIFIED = "toy points certified"


def scores(at) -> tuple[float, float, float, float]:
    """(p_A, p_B, sigma, delta) as the page's controls show them."""
    p_a = at.slider(key="p_a").value
    p_b = at.slider(key="p_b").value if at.selectbox(key="labels").value == "more" else round(1 - p_a, 12)
    return p_a, p_b, at.slider(key="sigma").value, at.selectbox(key="delta").value


def expected_radii(p_a, p_b, sigma, delta) -> list[str]:
    g = pixeldp_gaussian(p_a, p_b, sigma, delta=delta)
    return [f"{v:.4f}" for v in (smoothing_radius(p_a, p_b, sigma), g.radius, g.eps,
                                 pixeldp_laplace(p_a, p_b, sigma).radius)]


def reproduced(at) -> dict:
    """Run the page's Python code; return its variables."""
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(at.code[0].value, namespace)  # noqa: S102 - the page's own code
    return namespace


def assert_shows(at, values=None) -> None:
    """The radii are the engine's for the shown controls (or ``values``); the toy is the reproduce code's."""
    values = values or scores(at)
    assert [metric(at, label) for label in RADII] == expected_radii(*values)
    c = reproduced(at).get("c")
    certified = int(np.count_nonzero(c.prediction != ABSTAIN))
    assert metric(at, CERTIFIED) == f"{certified} of {len(c.points)}"
    assert c.sigma == values[2]
    assert len(at.get("plotly_chart")) == 2
    assert any("checked, Monte Carlo radii" in m.value for m in at.markdown), [m.value for m in at.markdown]


@pytest.fixture(scope="module")
def page():
    return open_page(CERTIFY)


@pytest.fixture(scope="module")
def defaults():
    at = open_page(CERTIFY)
    return {"sigma": at.slider(key="sigma").value, "p_a": at.slider(key="p_a").value,
            "labels": at.selectbox(key="labels").value, "delta": at.selectbox(key="delta").value,
            "base": at.selectbox(key="base").value, "samples": at.selectbox(key="samples").value,
            "toy_seed": at.number_input(key="toy_seed").value}


def test_default_view(defaults):
    at = open_page(CERTIFY)
    assert defaults["labels"] == "two" and defaults["delta"] == DEFAULT_DELTA
    assert_shows(at)
    assert not at.error and not at.exception
    p_a, p_b, sigma, delta = scores(at)
    assert pixeldp_gaussian(p_a, p_b, sigma, delta=delta).radius < smoothing_radius(p_a, p_b, sigma)
    assert at.latex, "the proposition is missing"


@pytest.mark.parametrize(("key", "value"), [("sigma", 1.25), ("sigma", 0.05), ("p_a", 0.95), ("p_a", 0.6)])
def test_each_slider_moves_the_numbers_to_the_engines(page, defaults, key, value):
    set_widget(page, "slider", key, defaults[key])
    before = [metric(page, label) for label in RADII]
    try:
        set_widget(page, "slider", key, value)
        assert page.slider(key=key).value == value
        assert_shows(page)
        assert [metric(page, label) for label in RADII] != before
    finally:
        set_widget(page, "slider", key, defaults[key])


def charts(at) -> list[str]:
    """The page's Plotly specs (JSON), in order: the radius chart, the toy."""
    return [chart.proto.spec for chart in at.get("plotly_chart")]


@pytest.mark.parametrize(("key", "value"), [("delta", 1e-10), ("base", "disc"), ("samples", 1000)])
def test_each_choice_moves_the_numbers(page, defaults, key, value):
    set_widget(page, "selectbox", key, defaults[key])
    radii, specs, p_lower = [metric(page, label) for label in RADII], charts(page), reproduced(page)["c"].p_lower
    try:
        set_widget(page, "selectbox", key, value)
        assert_shows(page)
        code, c = page.code[0].value, reproduced(page)["c"]
        if key == "delta":  # PixelDP's radius and curve move; the toy does not
            assert metric(page, "PixelDP radius (l2)") != radii[1] and charts(page)[0] != specs[0]
            assert f"delta={value!r}" in code and np.array_equal(c.p_lower, p_lower)
        else:  # the toy moves; the radii do not
            assert [metric(page, label) for label in RADII] == radii
            assert charts(page)[1] != specs[1] and not np.array_equal(c.p_lower, p_lower)
            assert ("DiscClassifier(center=(0.0, 0.0), radius=1.0)" in code if key == "base" else
                    f"n={value}," in code and c.n == value)
    finally:
        set_widget(page, "selectbox", key, defaults[key])


def test_seed_moves_the_toy(page, defaults):
    try:
        set_widget(page, "number_input", "toy_seed", 7)
        assert_shows(page)
        assert reproduced(page)["c"].seed == 7
    finally:
        set_widget(page, "number_input", "toy_seed", defaults["toy_seed"])


def test_more_labels_and_the_runner_up_slider(page, defaults):
    try:
        set_widget(page, "selectbox", "labels", "more")
        set_widget(page, "slider", "p_b", 0.05)
        assert scores(page)[1] == 0.05
        assert_shows(page)
    finally:
        set_widget(page, "selectbox", "labels", "two")


def test_scores_summing_above_1_get_a_sentence_and_the_toy_stays():
    at = open_page(CERTIFY, {"labels": "more labels: set p_B", "p_a": "0.8", "p_b": "0.5"})
    errors = [pagekit.unescaped(e.value) for e in at.error]
    assert len(errors) == 1 and "exceeds 1" in errors[0] and "Traceback" not in errors[0], errors
    assert not any(m.label in RADII for m in at.metric)
    assert metric(at, CERTIFIED).endswith(f"of {len(reproduced(at)['c'].points)}")
    assert len(at.get("plotly_chart")) == 1  # the toy


def test_link_sets_the_controls():
    at = open_page(CERTIFY, {"sigma": "1.5", "p_a": "0.9", "delta": "1e-03", "base": "non-linear: inside the unit disc",
                             "samples": "1000", "toy_seed": "3"})
    assert scores(at) == (0.9, round(1 - 0.9, 12), 1.5, 1e-3)
    assert (at.selectbox(key="base").value, at.selectbox(key="samples").value) == ("disc", 1000)
    assert at.number_input(key="toy_seed").value == 3
    assert_shows(at)


@pytest.mark.parametrize("bad", [
    {"sigma": "0"}, {"sigma": "abc"}, {"sigma": "99"}, {"p_a": "1.5"}, {"p_a": "nan"}, {"delta": "huge"},
    {"base": "circle"}, {"samples": "7"}, {"toy_seed": "-3"}, {"labels": "many"},
])
def test_bad_link_values_fall_back_to_the_defaults(defaults, bad):
    at = open_page(CERTIFY, bad)
    assert not at.error, [e.value for e in at.error]
    for key in ("sigma", "p_a"):
        assert at.slider(key=key).value == defaults[key]
    for key in ("labels", "delta", "base", "samples"):
        assert at.selectbox(key=key).value == defaults[key]
    assert at.number_input(key="toy_seed").value == defaults["toy_seed"]
    assert_shows(at)


def test_lecture_mode_keeps_only_sigma(defaults):
    at = open_page(CERTIFY, {"lecture": "1", "sigma": "1.0", "p_a": "0.9", "delta": "1e-03", "base": "disc"})
    assert [s.key for s in at.main.slider] == ["sigma"] and not at.sidebar.slider
    lecture_widgets(at, slider={"sigma"})
    values = (0.9, round(1 - 0.9, 12), 1.0, 1e-3)
    assert [metric(at, label) for label in RADII] == expected_radii(*values)
    assert not at.code and not at.get("download_button")  # nothing to copy or download on a projector
    assert at.query_params["base"] == "disc"  # the hidden controls' values stay in the link
    set_widget(at, "slider", "sigma", 0.25)  # sigma still works
    assert [metric(at, label) for label in RADII] == expected_radii(*values[:2], 0.25, values[3])


def test_lecture_mode_with_bad_hidden_values_uses_the_defaults(defaults):
    at = open_page(CERTIFY, {"lecture": "1", "p_a": "7", "delta": "x", "samples": "3", "toy_seed": "-1"})
    assert not at.error
    values = (defaults["p_a"], round(1 - defaults["p_a"], 12), defaults["sigma"], defaults["delta"])
    assert [metric(at, label) for label in RADII] == expected_radii(*values)


def test_cli_gives_the_shown_radii(page):
    args = page.code[1].value.split()
    assert args[:3] == ["python", "-m", "engine"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(args[3:]) == 0
    answer = json.loads(out.getvalue())
    assert f"{answer['smoothing_radius']:.4f}" == metric(page, "smoothing radius (l2)")
    assert f"{answer['pixeldp_radius']:.4f}" == metric(page, "PixelDP radius (l2)")
