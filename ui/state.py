"""URL state: a link is the view. Every control that shapes a view is written to the link as a value
(``?kind=max``, never its shown text), values equal to their defaults included (``eps`` above all, whose
default depends on the example), and the shared settings and lecture mode travel to every other page.

How one run goes (app.py, ui/frame.py): ``begin(page)`` reads the link; each control helper below seeds its
widget's value, draws the widget (or, hidden in lecture mode, only reads the value) and records the value;
``finish()`` writes every recorded value back to the link and gives the parameters that the navigation
links carry to the other pages. A rerun of a page's live part (ui.frame.live, a fragment) begins with
``resume()`` instead: the record of the controls outside it stays, the ones inside record again.

Whose value wins. The link is news on a session's first run (a link pasted or scanned), after a page switch
(the navigation's link carries the settings) and on the browser's back and forward buttons: then every
control takes its value from the link (or its default when the link has none or a bad one). Otherwise the
widget is ahead of the link (a user's move reaches the widget before the URL follows), so the widget wins.

Streamlit's own ``bind="query-params"`` is not used: it writes a selectbox's shown text instead of its
value, drops a value equal to the widget's default (so a link after a change of example carried no eps and
opened at the wrong one), and keeps only parameters bound to a widget on screen across a page switch (so
``lecture=1`` and every control hidden in lecture mode were lost).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

# Settings every page passes on (the Explore pages and the overview use them; the Context pages carry them
# through unchanged), and the presentation settings of lecture mode. Other parameters belong to one page;
# each page's own are remembered for the session and put back on the links to it.
SHARED = ("source", "preset", "n", "m", "alpha", "seed", "metric", "kind", "kappa", "eps", "units")
PRESENTATION = ("lecture", "theme", "qr")
THEMES = {"projector": "projector (high contrast)", "dark": "dark hall"}
RUN, STARTED, PAGE, MEMORY = "_url_run", "_url_started", "_url_page", "_url_memory"
# Parameters a short link may drop: their value is the control's default, which does not depend on other
# settings. The example and eps are always kept (the default example is the page's, eps's is the example's).
ALWAYS_SHORT = ("preset", "eps")


def begin(page: str) -> None:
    """Start a run of ``page``: read the link, decide whether it is news, seed the lecture-mode settings."""
    ss = st.session_state
    news = STARTED not in ss or ss.get(PAGE) != page or _history_navigation()
    ss[STARTED], ss[PAGE] = True, page
    incoming = {k: st.query_params.get(k) for k in st.query_params}
    ss[RUN] = {"page": page, "news": news, "incoming": incoming, "values": {}, "defaults": {}}
    _seed("lecture", False, _flag)
    _seed("theme", "projector", lambda raw: raw if raw in THEMES else None)
    _seed("qr", False, _flag)
    ss[RUN]["look"] = _look()


def resume() -> None:
    """Start a rerun of the page's live part (ui.frame.live): the run's record of the controls outside it stays,
    and the controls inside it are ahead of the link (their widgets win)."""
    _run()["news"] = False


def current_page() -> str:
    """The page this run draws (its url path, 'overview' for the default page)."""
    return str(_run()["page"])


def look_changed() -> bool:
    """Whether lecture mode, its theme or the QR code switch changed since the page's full run began (the frame
    outside a live part must then be drawn again)."""
    return _run().get("look") != _look()


def _look() -> tuple:
    return lecture_mode(), theme(), show_qr()


def _history_navigation() -> bool:
    """True when this run comes from the browser's back or forward button (the URL changed under the app)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx  # pinned streamlit; absent elsewhere: False

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def news() -> bool:
    """Whether this run's controls take their values from the link."""
    return bool(_run()["news"])


def incoming(key: str) -> str | None:
    """The link's raw value for ``key`` at the start of this run."""
    return _run()["incoming"].get(key)


def lecture_mode() -> bool:
    """True in lecture mode (``?lecture=1``, or the lecture toggle)."""
    return bool(st.session_state.get("lecture", False))


def theme() -> str | None:
    """The lecture-mode theme: 'projector' or 'dark' (None outside lecture mode)."""
    return st.session_state.get("theme", "projector") if lecture_mode() else None


def show_qr() -> bool:
    """Whether lecture mode shows the QR code and the short link."""
    return lecture_mode() and bool(st.session_state.get("qr", False))


def _run() -> dict:
    if RUN not in st.session_state:  # a view run on its own (not through app.py): a link read once
        begin("?")
    return st.session_state[RUN]


def _seed(key: str, default, parse):
    """The value ``key`` starts this run with (see the module docstring): the link's when the link is news or
    the control has no value yet (it was off screen), else the widget's. ``parse`` turns the link's text into a
    valid value or None."""
    run, ss = _run(), st.session_state
    if run["news"] or key not in ss:
        raw = run["incoming"].get(key)
        value = None if raw is None else _safely(parse, raw)
        ss[key] = default if value is None else value
    run["defaults"][key] = default
    return ss[key]


def _safely(parse, raw):
    try:
        return parse(raw)
    except (TypeError, ValueError, OverflowError):
        return None


def record(key: str, value) -> None:
    """Put ``value`` in the link under ``key`` (as text: numbers without trailing zeros)."""
    _run()["values"][key] = as_text(value)


def as_text(value) -> str:
    """A value as the link writes it: '0.5', '21', 'max', '1' for True; lists joined by commas."""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}"
    return str(value)


def _flag(raw: str) -> bool | None:
    return {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
            "off": False}.get(raw.strip().lower())


def _option(raw: str, options: dict):
    """The option a link names: by its value ('max'), or, for links written before, by its shown text."""
    for value, text in options.items():
        if raw in (as_text(value), str(text)):
            return value
    try:
        number = float(raw)
    except ValueError:
        return None
    return next((v for v in options if isinstance(v, int | float) and not isinstance(v, bool) and v == number), None)


# -- controls ----------------------------------------------------------------------------------
def choice(box, label: str, options: dict, key: str, default, lecture: bool, help: str | None = None,
           horizontal: bool = False, label_visibility: str = "visible"):
    """A selectbox (or horizontal radio) over ``options`` (value -> shown text); the link carries the value.

    With ``lecture`` True it is not drawn: the value comes from the link (or the session)."""
    value = _seed(key, default, lambda raw: _option(raw, options))
    if value not in options:
        value = st.session_state[key] = default
    if not lecture:
        draw = box.radio if horizontal else box.selectbox
        extra = {"horizontal": True} if horizontal else {}
        value = draw(label, list(options), format_func=options.get, key=key, help=help,
                     label_visibility=label_visibility, **extra)
    record(key, value)
    return value


def number(box, label: str, key: str, default, lecture: bool, help: str | None = None, **limits):
    """A number input (an int when the default is an int) within ``limits`` (min_value, max_value)."""
    cast = _whole if isinstance(default, int) else float
    lo, hi = limits.get("min_value"), limits.get("max_value")

    def parse(raw):
        value = cast(raw)
        return value if math.isfinite(value) and (lo is None or value >= lo) and (hi is None or value <= hi) else None

    value = _seed(key, default, parse)
    if not lecture:
        value = box.number_input(label, key=key, help=help, **limits)
    record(key, value)
    return value


def slider(box, label: str, key: str, lo, hi, default, lecture: bool, step=None, help: str | None = None,
           fmt: str | None = None):
    """A slider (an int slider when the default is an int) on [lo, hi]; a value off [lo, hi] is not taken."""
    cast = _whole if isinstance(default, int) else float
    value = _seed(key, default, lambda raw: (lambda v: v if lo <= v <= hi else None)(cast(raw)))
    if not lo <= value <= hi:  # another page's control left another quantity under this key
        value = st.session_state[key] = type(default)(min(max(value, lo), hi))
    if not lecture:
        value = box.slider(label, min_value=lo, max_value=hi, step=step, key=key, help=help, format=fmt)
    record(key, value)
    return value


def text(box, label: str, key: str, default: str, lecture: bool, help: str | None = None,
         max_chars: int = 200) -> str:
    """A one-line text input (at most ``max_chars`` characters; a longer link value is not taken)."""
    value = _seed(key, default, lambda raw: raw if len(raw) <= max_chars else None)
    if not lecture:
        value = box.text_input(label, key=key, help=help, max_chars=max_chars)
    record(key, value)
    return value


def toggle(box, label: str, key: str, default: bool = False, help: str | None = None, draw: bool = True) -> bool:
    """An on/off switch; the link writes 1 or 0."""
    value = _seed(key, default, _flag)
    if draw:
        value = box.toggle(label, key=key, help=help)
    record(key, value)
    return bool(value)


def select_slider(box, label: str, key: str, options: list, default, lecture: bool, help: str | None = None,
                  nearest: bool = False):
    """A select slider over ``options`` (numbers); the link carries the chosen one. With ``nearest`` (a budget
    grid), a link's number between options, or beyond them, is shown and used at the nearest option, as
    ``eps_slider`` does."""
    if nearest:
        def parse(raw):
            number = float(raw)
            return _nearest(tuple(options), number) if math.isfinite(number) else None
    else:
        def parse(raw):
            return _option(raw, {o: o for o in options})
    value = _seed(key, default, parse)
    if value not in options:
        value = st.session_state[key] = default
    if not lecture:
        value = box.select_slider(label, options=options, key=key, help=help)
    record(key, value)
    return value


def multiselect(box, label: str, key: str, options: list, lecture: bool, fmt=str, help: str | None = None) -> list:
    """A multiselect over ``options`` (numbers); the link carries them joined by commas ('0.1,0.5')."""
    def parse(raw):
        picked = [_option(part, {o: o for o in options}) for part in raw.split(",") if part.strip()]
        return [p for p in picked if p is not None]

    value = [v for v in _seed(key, [], parse) if v in options]
    if st.session_state[key] != value:
        st.session_state[key] = value
    if not lecture:
        value = box.multiselect(label, options=options, key=key, format_func=fmt, help=help)
    record(key, value)
    return list(value)


def _whole(raw) -> int:
    """A whole number from a link ('2.7' -> 2, '2e1' -> 20), as Streamlit reads an int widget's."""
    x = float(raw)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {raw!r}")
    return int(x)


# -- the budget eps ----------------------------------------------------------------------------
def eps_grid(lo: float, hi: float, points: int = 41) -> tuple[float, ...]:
    """The budgets a page precomputes; the slider moves on them."""
    return tuple(float(v) for v in np.round(np.linspace(lo, hi, points), 10))


def eps_slider(lo: float, hi: float, default: float, grid: tuple[float, ...], help_text: str = "", box=None,
               scope=None) -> float:
    """The budget eps on the precomputed grid (a move re-renders from cache), written to every link.

    ``scope`` names what the range belongs to (the example): when the user picks another one, eps starts again
    at that one's default instead of keeping a value that means something else there. A link's eps between
    grid points is shown and computed at the nearest one."""
    ss = st.session_state
    default = _nearest(grid, default)  # a default between grid points would show one eps and compute another
    changed = ss.get("_eps_scope", scope) != scope
    ss["_eps_scope"] = scope
    value = _seed("eps", default, lambda raw: (lambda v: v if lo <= v <= hi else None)(float(raw)))
    if changed and not news():
        value = default
    value = _nearest(grid, min(max(float(value), lo), hi))
    if ss.get("eps") != value:
        ss["eps"] = value
    step = float(grid[1] - grid[0]) if len(grid) > 1 else None
    (box or st).slider(
        "Attack budget eps", min_value=float(lo), max_value=float(hi), step=step or None, key="eps", format="%.3g",
        help=help_text or "The attacker's (or the release mechanism's) distortion budget. Larger eps: a stronger "
                          "attacker, a more robust rule, a more private release, less utility.",
    )
    value = _nearest(grid, ss["eps"])
    record("eps", value)
    return value


def _nearest(grid: tuple[float, ...], value: float) -> float:
    """The grid point nearest to value."""
    return float(grid[int(np.argmin(np.abs(np.asarray(grid) - value)))])


def set_eps(value: float) -> None:
    """Move eps (from a button's callback, before the slider is drawn)."""
    st.session_state["eps"] = float(value)


# -- the end of a run --------------------------------------------------------------------------
def finish() -> dict[str, str]:
    """Write this run's link (every recorded control, the shared settings passed through, lecture mode) and
    remember the page's own settings; returns the link's parameters."""
    run, ss = _run(), st.session_state
    url = current_url()
    ss.setdefault(MEMORY, {})[run["page"]] = {k: v for k, v in url.items() if k not in SHARED + PRESENTATION}
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != url:
        st.query_params.from_dict(url)
    run["url"] = url
    return url


def current_url() -> dict[str, str]:
    """The link's parameters for the controls recorded so far in this run (what ``finish`` will write): the
    shared settings, the page's own controls, lecture mode."""
    run = _run()
    values = run["values"]
    shared = {k: values.get(k, run["incoming"].get(k)) for k in SHARED if k in values or k in run["incoming"]}
    own = {k: v for k, v in values.items() if k not in SHARED and k not in PRESENTATION}
    return {**{k: v for k, v in shared.items() if v is not None}, **own, **presentation()}


def presentation() -> dict[str, str]:
    """The lecture-mode parameters of the link (none outside lecture mode)."""
    if not lecture_mode():
        return {}
    return {"lecture": "1", "theme": theme(), "qr": as_text(show_qr())}


def link_to(page: str, url: dict[str, str]) -> dict[str, str]:
    """The parameters of a navigation link to ``page``: the shared settings, that page's own remembered ones
    and lecture mode."""
    memory = st.session_state.get(MEMORY, {}).get(page, {})
    shared = {k: v for k, v in url.items() if k in SHARED}
    return {**shared, **memory, **presentation()}


def view_params(url: dict[str, str]) -> dict[str, str]:
    """The link without lecture mode: the view itself, as students open it on their own screens."""
    return {k: v for k, v in url.items() if k not in PRESENTATION}


def short_params(url: dict[str, str]) -> dict[str, str]:
    """The shortest link to the same view: parameters at their control's default dropped (the example and eps
    kept), lecture mode left out."""
    defaults = _run()["defaults"]
    return {k: v for k, v in view_params(url).items()
            if k in ALWAYS_SHORT or k not in defaults or as_text(defaults[k]) != v}
