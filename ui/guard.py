"""When the solvers fail: say so in a sentence and keep showing the page's last good result.

A failed saddle point (no solver answered; engine.solvers.chain) still carries honest bounds, but they are the
trivial ones, and a page full of them would replace what the user was looking at with nothing useful. So each
page remembers its last result that did not fail (per session) and falls back to it, naming the settings it
belongs to (the same problem, another eps); the user's table and controls are untouched either way.
"""

from __future__ import annotations

import streamlit as st

from ui.text import literal

STORE = "_last_good"


def last_good(page: str, problem_key: str, result, eps: float, failed: bool, why: str):
    """``(result, eps)`` when it did not fail (and remember it), else the page's last good ``(result, eps)`` for
    the same problem (another problem's result would not fit this one's table).

    On a failure an error sentence says what failed and what is shown instead; with no earlier result the
    failed one is returned (its bounds are honest, and the page shows them as bounds)."""
    store = st.session_state.setdefault(STORE, {})
    if not failed:
        store[page] = (problem_key, result, eps)
        return result, eps
    previous = store.get(page)
    if previous is not None and previous[0] == problem_key:
        previous = previous[1:]
    else:
        previous = None
    if previous is None:
        st.error(literal(f"The solvers failed at eps = {eps:.3g} ({why}). No earlier result on this page to show "
                         f"instead: the numbers below are only the trivial bounds. Your settings are kept; try "
                         f"another eps or reload."))
        return result, eps
    st.error(literal(f"The solvers failed at eps = {eps:.3g} ({why}). Showing the last good result instead, at "
                     f"eps = {previous[1]:.3g}; your table and settings are kept."))
    return previous
