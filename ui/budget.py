"""The app bounds its own work: links with absurd values get a sentence, and each session has a solve budget.

- **Links** (:func:`link_error`): a control's value in the URL outside what the control offers (``kappa=1e308``,
  ``n=1e9``, ``seed=-1``, ``alpha=nan``) is named in one sentence and nothing is solved, instead of being dropped
  silently (a bound widget ignores such a value and the page would solve something the link did not ask for).
- **Size**: a problem beyond ``engine.core.limits.INTERACTIVE_MOVES`` transport moves is refused before any solve
  (``ui.editor``).
- **CPU time** (:func:`solving`): each session may spend :data:`SESSION_CPU_SECONDS` of solver CPU time within any
  :data:`WINDOW_SECONDS`; past that a sentence says when it can solve again, and every setting is kept. Cached
  answers (another session's, or an earlier visit's) cost nothing and are always shown.
- **Stale work**: the page solves its grid one budget at a time and draws its progress between budgets; each draw
  is a point where Streamlit stops a run whose session has ended or asked for a rerun, so a closed tab or a moved
  slider abandons the rest of a grid after the budget in hand (``ui.compute.warm_saddles``).
"""

from __future__ import annotations

import contextlib
import math
import time

import streamlit as st

from ui import turns
from ui.text import literal

KAPPA_MAX = 1e6  # beyond this a label change is never bought at any budget a page offers (it is "labels fixed")
# Each bound numeric control of the problem editor: (URL key, what it is, lowest, highest, whole number).
LINK_LIMITS = (
    ("kappa", "the label-change price kappa", 0.0, KAPPA_MAX, False),
    ("n", "the number of feature values n", 1, 60, True),
    ("m", "the number of labels m", 1, 12, True),
    ("alpha", "the Dirichlet concentration", 0.01, 100.0, False),
    ("seed", "the seed", 0, 2**31 - 1, True),
)
RANDOM_ONLY = ("n", "m", "alpha", "seed")  # read only when the link's table is the random one
RANDOM_SOURCE = ("random", "A random table")  # the value, or the text a bound selectbox writes
SESSION_CPU_SECONDS = 120.0
WINDOW_SECONDS = 600.0
_SPENT = "_solve_cpu"  # session_state: [(monotonic time, CPU seconds), ...] within the window


def link_error(params=None) -> str | None:
    """The sentence for the first value of the link that its control does not offer, or None."""
    params = st.query_params if params is None else params
    for key, what, lo, hi, whole in LINK_LIMITS:
        if key in RANDOM_ONLY and params.get("source") not in RANDOM_SOURCE:
            continue
        raw = params.get(key)
        if raw is None or raw == "":
            continue
        shown = raw if len(raw) <= 24 else raw[:21] + "..."
        try:
            value = float(raw)
        except (TypeError, ValueError):
            return _refused(f"{what} is {shown!r}, not a number", key)
        if not math.isfinite(value) or not lo <= value <= hi or (whole and value != int(value)):
            span = f"a whole number from {int(lo):,} to {int(hi):,}" if whole else f"a number from {lo:g} to {hi:g}"
            return _refused(f"{what} is {shown}; the lab takes {span} here", key)
    return None


def _refused(reason: str, key: str) -> str:
    return (f"This link's {key}= is not one the lab can use: {reason}. Nothing was solved. Change it in the "
            f"sidebar (or in the link), or use the command line for values outside the lab's range "
            f"(python -m engine solve --help).")


def spent(now: float | None = None) -> float:
    """CPU seconds this session spent solving within the window."""
    now = time.monotonic() if now is None else now
    entries = [(t, s) for t, s in st.session_state.get(_SPENT, []) if now - t < WINDOW_SECONDS]
    st.session_state[_SPENT] = entries
    return sum(s for _, s in entries)


def charge(seconds: float) -> None:
    """Add solver CPU time to this session's account."""
    st.session_state.setdefault(_SPENT, []).append((time.monotonic(), float(seconds)))


@contextlib.contextmanager
def solving(known: bool = False):
    """One solve, charged to the session by its thread's CPU time; refused (a sentence, the page stopped, every
    setting kept) when the session has used its budget, unless the answer is ``known`` (some session of this
    process computed it, so the call is a cache hit: ``ui.compute.answered``)."""
    used = spent()
    if used >= SESSION_CPU_SECONDS and not known:
        oldest = min((t for t, _ in st.session_state.get(_SPENT, [])), default=time.monotonic())
        wait = max(1, math.ceil(WINDOW_SECONDS - (time.monotonic() - oldest)))
        st.error(literal(
            f"This session has used its {SESSION_CPU_SECONDS:.0f} s of solver time for the last "
            f"{WINDOW_SECONDS / 60:.0f} minutes ({used:.0f} s). Results already computed are still shown; new "
            f"problems can be solved again in about {wait} s. Your table and settings are kept; the command line "
            f"(python -m engine) has no such limit."))
        st.stop()
    start = time.thread_time()
    try:
        with turns.aside():  # the other sessions' runs go on while this one solves (ui.turns)
            yield
    finally:
        charge(time.thread_time() - start)
    turns.retake()
