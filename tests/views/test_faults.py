"""Solver faults, injected under the real pages (AppTest): the page says what failed in a sentence, keeps the
last good result and the user's settings, never shows a traceback, and never shows a bound as an exact value.

Faults replace the default solver chain (engine.solvers.chain, whatever solvers it holds) with fakes that raise,
return a bad status (MaxTime, InsufficientProgress), return None, or wrap the real solvers and fail at one budget
only.
"""

from __future__ import annotations

import contextlib
import math

import pytest
import streamlit as st
from pagekit import WORST_CASE, grid, metric, open_page, problem, set_widget, shown, unescaped

import engine
from engine.core.information import conditional_entropy
from engine.solvers.chain import DEFAULT_CHAIN, Attempt, chain_override
from engine.solvers.conic import RawSaddle

H_STAR = "h* = max H(Y|X')"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Engine and page caches cleared before and after: a fault must neither meet nor leave a cached answer."""
    engine.clear_cache()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    engine.clear_cache()
    st.cache_data.clear()
    st.cache_resource.clear()


def raising(moves, eps):
    raise RuntimeError("solver exploded")


def out_of_time(moves, eps):
    return RawSaddle(None, None, None, "MaxTime")


def stalled(moves, eps):
    return RawSaddle(None, None, None, "InsufficientProgress")


def nothing(moves, eps):
    return RawSaddle(None, None, None, "Solved")


def only(fake):
    """A chain of three attempts, every one ``fake``."""
    return tuple(Attempt(f"fake-{k}", lambda problem, moves, eps: fake(moves, eps)) for k in range(3))


def failing_at(bad_eps: float):
    """The default chain, except that every attempt raises at ``bad_eps``."""
    def wrap(attempt):
        def run(problem, moves, eps):
            if math.isclose(eps, bad_eps, abs_tol=1e-12):
                raise RuntimeError(f"{attempt.name} exploded")
            return attempt.solve(problem, moves, eps)
        return Attempt(attempt.name, run, attempt.applies)

    return tuple(wrap(a) for a in DEFAULT_CHAIN)


@pytest.fixture
def chain():
    """Make a chain the default for the test (``chain(attempts)``), undone after it."""
    with contextlib.ExitStack() as stack:
        yield lambda attempts: stack.enter_context(chain_override(attempts))


def test_a_failure_at_one_eps_keeps_the_last_good_result(chain):
    values = grid("figure2")
    good_eps, bad_eps = values[7], values[8]
    chain(failing_at(bad_eps))
    at = open_page(WORST_CASE, {"eps": str(good_eps)})
    good = metric(at, H_STAR)
    assert good == shown(engine.worst_case(problem("figure2"), good_eps).value, 4)
    assert not at.error

    set_widget(at, "slider", "eps", bad_eps)
    errors = [unescaped(e.value) for e in at.error]
    assert len(errors) == 1, errors
    assert f"failed at eps = {bad_eps:.3g}" in errors[0] and "exploded" in errors[0]
    assert f"last good result instead, at eps = {good_eps:.3g}" in errors[0]
    assert metric(at, H_STAR) == good  # the last good value, not the failed one's trivial bound
    assert at.slider(key="eps").value == bad_eps  # the user's setting is kept
    assert len(at.get("plotly_chart")) == 6  # with robust accuracy; the Play animation only once its box is opened

    set_widget(at, "slider", "eps", values[9])  # another eps works again
    assert not at.error
    assert metric(at, H_STAR) == shown(engine.worst_case(problem("figure2"), values[9]).value, 4)


@pytest.mark.parametrize("fault", [raising, out_of_time, stalled, nothing], ids=lambda f: f.__name__)
def test_every_solver_failing_shows_a_sentence_and_bounds_not_a_value(chain, fault):
    chain(only(fault))
    at = open_page(WORST_CASE)
    errors = [unescaped(e.value) for e in at.error]
    assert len(errors) == 1 and "solvers failed" in errors[0] and "trivial bounds" in errors[0], errors
    p = problem("figure2")
    lower, upper = conditional_entropy(p.mu), math.log(p.m)  # the plan that moves nothing, the uniform rule
    assert metric(at, H_STAR) == f"{shown(lower, 4).split()[0]} to {shown(upper, 4)}"
    assert any("failed: bounds within" in m.value for m in at.markdown), "no 'failed' badge"
    assert at.selectbox(key="preset").value == "figure2"  # the controls are all still there


def test_an_unexpected_error_in_a_page_gets_a_sentence_and_keeps_the_controls(monkeypatch):
    import figures.transport

    def broken(*args, **kwargs):
        raise ValueError("a bug in a figure")

    # The page imports transport_figure on every run; a broken builder has a cache key of its own
    # (ui.figcache.digest names the builder), so no figure another test drew hides the fault.
    monkeypatch.setattr(figures.transport, "transport_figure", broken)
    at = open_page(WORST_CASE, strict=False)
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "did not expect (ValueError)" in errors[0] and "settings are" in errors[0], errors
    assert "a bug in a figure" not in errors[0]  # details go to the server log, not to the audience
    assert at.slider(key="eps").value == engine.preset_info("figure2").eps_default
    assert at.selectbox(key="preset").value == "figure2"
