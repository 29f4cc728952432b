"""Issue 15, the app bounds its own work (ui/budget.py, ui/compute.py): a link with a value no control offers gets
a sentence and no solve; a session past its solver CPU budget gets a sentence, every setting kept; a solve is
charged to its session; every cache is bounded in bytes. Each page run is bounded by AppTest's timeout."""

from __future__ import annotations

import time

import pytest
from pagekit import APP, DETERMINISTIC, TIMEOUT, WORST_CASE, _registry, open_page

import ui.compute
from engine.core import limits
from engine.solvers.chain import cached_solves
from ui import budget
from ui.editor import INTERACTIVE_MOVES


def errors(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


@pytest.mark.parametrize("query, words", [
    ({"kind": "joint", "kappa": "1e308"}, "kappa= is not one the lab can use: the label-change price kappa is 1e308"),
    ({"lecture": "1", "kind": "joint", "kappa": "1e308"}, "kappa is 1e308; the lab takes a number from 0 to 1e+06"),
    ({"kind": "joint", "kappa": "nan"}, "kappa is nan"),
    ({"source": "A random table", "n": "1e9"}, "n is 1e9; the lab takes a whole number from 1 to 60"),
    ({"source": "A random table", "seed": "-1"}, "the seed is -1"),
    ({"source": "random", "alpha": "lots"}, "the Dirichlet concentration is 'lots', not a number"),
])
def test_a_link_with_an_absurd_value_gets_a_sentence_and_no_solve(query, words):
    _registry()  # pagekit's probe session (it solves the overview) first, so that only this page is counted
    before = cached_solves()
    at = open_page(WORST_CASE, query, strict=False)
    assert any(words in e and "Nothing was solved" in e for e in errors(at)), errors(at)
    assert not at.metric and cached_solves() == before


def test_a_session_past_its_solver_budget_gets_a_sentence_and_keeps_its_settings():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"source": "A random table", "n": "4", "m": "2", "seed": "987654"})
    at._registered_pages = dict(_registry())
    at.switch_page(WORST_CASE)
    at.session_state[budget._SPENT] = [(time.monotonic(), budget.SESSION_CPU_SECONDS + 1)]
    _registry()
    before = cached_solves()
    at.run()
    assert any("This session has used its 120 s of solver time" in e for e in errors(at)), errors(at)
    assert cached_solves() == before and not at.metric
    assert at.number_input(key="seed").value == 987654  # the settings are kept


@pytest.mark.parametrize("page", [WORST_CASE, DETERMINISTIC])
def test_a_session_past_its_budget_still_sees_answers_the_process_has(page):
    """The budget refuses solving, not looking: a view another session computed is shown to a spent session."""
    from streamlit.testing.v1 import AppTest

    open_page(page)  # another session computes the default view
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at._registered_pages = dict(_registry())
    at.switch_page(page)
    at.session_state[budget._SPENT] = [(time.monotonic(), budget.SESSION_CPU_SECONDS + 1)]
    before = cached_solves()
    at.run()
    assert not any("of solver time" in e for e in errors(at)), errors(at)
    assert at.metric and cached_solves() == before


def test_a_solve_is_charged_to_its_session():
    at = open_page(WORST_CASE, {"source": "A random table", "n": "3", "m": "2", "seed": "424242"})
    assert at.session_state[budget._SPENT] and budget.SESSION_CPU_SECONDS > 0


def test_every_cached_call_is_bounded_in_bytes_and_entries():
    cached = [f for f in vars(ui.compute).values() if hasattr(f, "_info") and hasattr(f._info, "max_size_bytes")]
    assert len(cached) >= 10
    for f in cached:
        assert f._info.max_entries and f._info.max_size_bytes, f._info.func.__name__


def test_the_interactive_limit_is_the_one_the_lab_states():
    assert INTERACTIVE_MOVES == limits.INTERACTIVE_MOVES == 8_000 < limits.MAX_MOVES


def test_new_problems_from_links_cost_bounded_memory():
    """The issue's reproducer: each link ?source=A+random+table&n=25&m=12&seed=N is a new problem (it took 10-43 s of
    CPU and about 17 MB of the server's memory each, 16 links 319 -> 587 MB). Now each new problem's cached solves,
    moves, loss curves and figures hold less than that (counted as engine.core.cache counts: the arrays of each
    entry, a problem's shared moves once per entry, so an over-count; about 10.6 MB here), and every cache stays
    within its byte bound, however many links come (AppTest's timeout bounds each run)."""
    import engine.bounds.loss as loss
    import engine.core.moves as moves
    import engine.solvers.chain as chain
    from ui import figcache

    caches = (chain._solve_cached, moves.every_move, loss._cached_curve)

    def held() -> int:
        return sum(c.cache_info().bytes for c in caches) + figcache.stats()["bytes"]

    before = held()
    added = []
    for seed in (7001, 7002, 7003):
        at = open_page(WORST_CASE, {"source": "A random table", "n": "25", "m": "12", "seed": str(seed)})
        assert not at.exception and not errors(at), errors(at)
        now = held()
        added.append(now - before)
        before = now
    assert all(0 < a <= 16_000_000 for a in added), added  # bytes per new problem (was about 17 MB)
    for c in caches:
        info = c.cache_info()
        assert info.bytes <= info.max_bytes and info.currsize <= info.maxsize
