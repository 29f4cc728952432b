"""The robustness-vs-accuracy page (AppTest): Tsipras et al.'s closed forms follow every slider; the link sets the
sliders; bad link values fall back to the defaults; lecture mode keeps only eps; the reproduce code and CLI agree.

Every expected number comes from engine.context.tsipras at the values the page's sliders show, formatted as the page
formats it (ui.widgets.percent).
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from pagekit import ACCURACY, metric, open_page, set_widget

from engine.cli import main as cli
from engine.context.tsipras import natural_rule_accuracy, robust_rule_accuracy, tradeoff_bound
from ui.widgets import percent

KEYS = {"p": "p", "eta": "eta", "d": "d", "eps": "eps_inf"}  # the model's parameter -> its slider's key (and URL)
LABELS = ("natural: standard", "natural: adversarial", "robust: standard", "robust: adversarial")
BOUND = "bound (Thm 2.1)"


def controls(at) -> dict:
    """The values the page's sliders show, by parameter."""
    return {name: at.slider(key=key).value for name, key in KEYS.items()}


def link(**values) -> dict[str, str]:
    """The query string that sets these parameters."""
    return {KEYS[name]: str(v) for name, v in values.items()}


def expected(p, eta, d, eps) -> list[str]:
    """The four accuracies as the page shows them."""
    natural, robust = natural_rule_accuracy(p, eta, d, eps), robust_rule_accuracy(p, eta, d, eps)
    return [percent(v) for v in (natural.standard, natural.adversarial, robust.standard, robust.adversarial)]


def expected_bound(p, eta, d, eps) -> str:
    if eps < 2 * eta:
        return "does not apply"
    bound = tradeoff_bound(p, 1 - natural_rule_accuracy(p, eta, d, eps).standard)
    return percent(bound) if bound < 1 else "vacuous (>= 100 %)"


def assert_shows(at, values: dict) -> None:
    """The metrics are the engine's for these values, and the simulator check passed."""
    assert [metric(at, label) for label in LABELS] == expected(**values)
    assert metric(at, BOUND) == expected_bound(**values)
    assert any("checked, simulator within" in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == 2


@pytest.fixture(scope="module")
def page():
    return open_page(ACCURACY)


@pytest.fixture(scope="module")
def defaults():
    return controls(open_page(ACCURACY))


def test_default_view(defaults):
    at = open_page(ACCURACY)
    assert controls(at) == defaults
    assert defaults["eps"] >= 2 * defaults["eta"], "the default view should show the theorem at work"
    assert_shows(at, defaults)
    natural, robust = natural_rule_accuracy(**defaults), robust_rule_accuracy(**defaults)
    assert natural.standard > robust.standard and robust.adversarial > natural.adversarial  # the trade-off
    assert not at.error and not at.exception


@pytest.mark.parametrize(("name", "value"), [("p", 0.75), ("eta", 0.12), ("d", 400), ("eps", 1.2), ("eps", 0.0)])
def test_each_slider_moves_the_numbers_to_the_engines(page, defaults, name, value):
    set_widget(page, "slider", KEYS[name], defaults[name])
    before = [metric(page, label) for label in LABELS]
    try:
        set_widget(page, "slider", KEYS[name], value)
        values = {**defaults, name: value}
        assert controls(page) == values
        assert_shows(page, values)
        assert [metric(page, label) for label in LABELS] != before
    finally:
        set_widget(page, "slider", KEYS[name], defaults[name])


def test_bound_does_not_apply_below_2_eta(page, defaults):
    try:
        set_widget(page, "slider", KEYS["eps"], round(defaults["eta"], 2))
        assert metric(page, BOUND) == "does not apply"
    finally:
        set_widget(page, "slider", KEYS["eps"], defaults["eps"])


def test_link_sets_the_sliders():
    values = {"p": 0.7, "eta": 0.05, "d": 30, "eps": 0.1}
    at = open_page(ACCURACY, link(**values))
    assert controls(at) == values
    assert_shows(at, values)


@pytest.mark.parametrize("bad", [
    {"p": "abc"}, {"p": "0.2"}, {"eta": "-1"}, {"eta": "nan"}, {"d": "ten"}, {"d": "100000"}, {"eps": "9"},
    {"eps": "inf"}, {"p": "", "d": "1e400"},
])
def test_bad_link_values_fall_back_to_the_defaults(defaults, bad):
    at = open_page(ACCURACY, link(**bad))
    assert not at.error, [e.value for e in at.error]
    assert controls(at) == defaults
    assert_shows(at, defaults)


def test_a_fractional_d_reads_the_same_in_both_modes(defaults):
    """Streamlit reads ?d=2.7 as its int slider's 2; lecture mode, which draws no d slider, reads it the same."""
    at = open_page(ACCURACY, link(d="2.7"))
    shown = controls(at)
    assert shown == {**defaults, "d": int(2.7)}
    assert_shows(at, shown)
    lecture = open_page(ACCURACY, {"lecture": "1", **link(d="2.7")})
    assert [metric(lecture, label) for label in LABELS] == expected(**shown)


def test_lecture_mode_keeps_only_eps(defaults):
    values = {"p": 0.8, "eta": 0.2, "d": 50, "eps": 0.5}
    at = open_page(ACCURACY, {"lecture": "1", **link(**values)})
    assert [s.key for s in at.main.slider] == [KEYS["eps"]] and not at.sidebar.slider
    assert at.slider(key=KEYS["eps"]).value == values["eps"]
    assert [metric(at, label) for label in LABELS] == expected(**values)
    set_widget(at, "slider", KEYS["eps"], 0.3)  # eps still works
    assert [metric(at, label) for label in LABELS] == expected(**{**values, "eps": 0.3})


def test_lecture_mode_with_bad_hidden_values_uses_the_defaults(defaults):
    at = open_page(ACCURACY, {"lecture": "1", **link(p="2", eta="x", d="0")})
    assert not at.error
    assert [metric(at, label) for label in LABELS] == expected(**defaults)


def test_reproduce_code_and_cli_give_the_shown_numbers(page, defaults):
    python, bash = [c.value for c in page.code]
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(python, namespace)  # noqa: S102 - the page's own code
    natural, robust = namespace["natural"], namespace["robust"]
    assert [percent(v) for v in (*natural.value, *robust.value)] == [metric(page, label) for label in LABELS]
    args = bash.split()
    assert args[:3] == ["python", "-m", "engine"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(args[3:]) == 0
    answer = json.loads(out.getvalue())
    assert percent(answer["natural"]["adversarial"]) == metric(page, "natural: adversarial")
    assert percent(answer["robust"]["standard"]) == metric(page, "robust: standard")
