"""URL state: every control that shapes a view is a widget bound to a query parameter (its key).

Lecture mode (``?lecture=1``) hides every control but eps, enlarges the text, and reads the hidden
controls' values straight from the link, so a lecturer's prepared link shows exactly the prepared view.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

import numpy as np
import streamlit as st

BIND = "query-params"
LECTURE_CSS = """
<style>
html, body, [class*="st-"] { font-size: 1.25rem; }
h1 { font-size: 2.6rem !important; } h2 { font-size: 2.0rem !important; } h3 { font-size: 1.6rem !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
</style>
"""


def lecture_mode() -> bool:
    """True when the link asks for lecture mode (?lecture=1)."""
    return str(st.query_params.get("lecture", "")).lower() in ("1", "true", "yes", "on")


def apply_lecture_style() -> None:
    """Larger text and no sidebar (our own constant CSS; nothing user-supplied is rendered as HTML)."""
    if lecture_mode():
        st.markdown(LECTURE_CSS, unsafe_allow_html=True)


def lecture_link() -> str:
    """A relative link to this view in lecture mode (every bound control's value is in the query)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    params["lecture"] = ["1"]
    return "?" + urlencode([(k, v) for k, values in params.items() for v in values])


def _from_url(key: str, default, cast):
    """A hidden control's value: the query parameter when it parses, else the default."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        return cast(raw)
    except (TypeError, ValueError):
        return default


def choice(box, label: str, options: dict, key: str, default, lecture: bool, help: str | None = None,
           horizontal: bool = False):
    """A selectbox (or horizontal radio) over ``options`` (value -> shown text), bound to ``?key=``."""
    values = list(options)
    if lecture:
        # A bound selectbox writes its shown text to the URL (?kind=max+(every+point...)), so a link copied in
        # normal mode (and lecture_link) carries the text; a hand-written link may carry the value (?kind=max).
        raw = _from_url(key, default, str)
        value = {str(text): v for v, text in options.items()}.get(raw, raw)
        return value if value in options else default
    index = values.index(default) if default in values else 0
    if horizontal:
        return box.radio(label, values, index=index, format_func=options.get, key=key, help=help,
                         horizontal=True, bind=BIND)
    return box.selectbox(label, values, index=index, format_func=options.get, key=key, help=help, bind=BIND)


def number(box, label: str, key: str, default, lecture: bool, help: str | None = None, **limits):
    """A number input bound to ``?key=`` (an int when the default is an int)."""
    cast = int if isinstance(default, int) else float
    if lecture:
        value = _from_url(key, default, cast)
        lo, hi = limits.get("min_value"), limits.get("max_value")
        return value if (lo is None or value >= lo) and (hi is None or value <= hi) else default
    return box.number_input(label, value=default, key=key, help=help, bind=BIND, **limits)


def slider(box, label: str, key: str, lo, hi, default, lecture: bool, step=None, help: str | None = None,
           fmt: str | None = None):
    """A slider bound to ``?key=`` (an int slider when the default is an int).

    With ``lecture`` True it is not drawn: the value comes from the link when it parses and lies in [lo, hi], else
    the default (Streamlit drops a bad bound value the same way when the slider is drawn)."""
    cast = _whole if isinstance(default, int) else float
    if lecture:
        value = _from_url(key, default, cast)
        return value if lo <= value <= hi else default
    held = st.session_state.get(key)
    if isinstance(held, int | float) and not isinstance(held, bool) and not lo <= held <= hi:
        st.session_state[key] = type(default)(min(max(held, lo), hi))  # another page's slider left it under this key
    return box.slider(label, min_value=lo, max_value=hi, value=default, step=step, key=key, help=help, format=fmt,
                      bind=BIND)


def _whole(raw) -> int:
    """A whole number from a link, read as Streamlit reads a bound int slider's ('2.7' -> 2, '2e1' -> 20)."""
    x = float(raw)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {raw!r}")
    return int(x)


def eps_grid(lo: float, hi: float, points: int = 41) -> tuple[float, ...]:
    """The budgets a page precomputes; the slider moves on them."""
    return tuple(float(v) for v in np.round(np.linspace(lo, hi, points), 10))


def eps_slider(lo: float, hi: float, default: float, grid: tuple[float, ...], help_text: str = "",
               in_main: bool = False) -> float:
    """The budget eps, on the precomputed grid (so a move re-renders from cache); shown big in lecture mode."""
    step = float(grid[1] - grid[0]) if len(grid) > 1 else 0.0
    default = _nearest(grid, default)  # a default between grid points would show one eps and compute another
    if st.session_state.get("eps") is not None and not lo <= st.session_state["eps"] <= hi:
        st.session_state["eps"] = min(max(st.session_state["eps"], lo), hi)  # a new example, a new range
    snap = st.session_state.pop("_eps_snap", None)
    if snap is not None:
        st.session_state["eps"] = snap  # set before the slider is drawn, so the slider and the URL show it
    where = st if lecture_mode() or in_main else st.sidebar
    value = where.slider(
        "Attack budget eps", min_value=float(lo), max_value=float(hi), value=float(default),
        step=step if step > 0 else None, key="eps", bind=BIND, format="%.3g",
        help=help_text or "The attacker's (or the release mechanism's) distortion budget. Larger eps: a stronger "
                          "attacker, a more robust rule, a more private release, less utility.",
    )
    nearest = _nearest(grid, value)
    if abs(nearest - value) > 1e-6 * (step or 1.0) and snap is None:
        # A link with an eps between grid points: show and compute the same grid point (one extra rerun).
        st.session_state["_eps_snap"] = nearest
        st.rerun()
    return nearest


def _nearest(grid: tuple[float, ...], value: float) -> float:
    """The grid point nearest to value."""
    return float(grid[int(np.argmin(np.abs(np.asarray(grid) - value)))])
