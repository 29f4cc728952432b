"""Helpers for the AppTest page tests: open a page, move its controls, and compute what it must show.

Every expected number comes from the engine itself (``engine.worst_case`` and friends), formatted the way
the page formats it, so a test fails when the page shows anything but the engine's answer for its controls.

Each test session starts on its page, as a deep link does (``/worst-case?eps=1``). AppTest only opens the
main script's default page on a first run, and ``switch_page`` from there is not what a browser does: the
switched run uses the new page's defaults, but the element tree then reports the *previous* page's values
for widgets sharing a key (``preset``, ``eps``, ...) and the next rerun sends those, so the privacy page
would show the overview's example (the browser keeps each page's own defaults: tests/browser checks it).
So ``open_page`` lets ``switch_page`` resolve the page from a probe session's ``st.navigation`` registry
before the first run (AppTest keeps it in ``_registered_pages``; streamlit is pinned in requirements.txt).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

import engine
from ui.editor import KINDS, METRICS
from ui.state import eps_grid
from ui.widgets import amount

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 180  # seconds per script run: a cold page solves a whole eps grid; two xdist workers share 2 cores
# with whatever else the machine runs (60 s timed out on the two-gaussians preset under a load average of 5)

OVERVIEW, WORST_CASE, TRADEOFF, DETERMINISTIC, PRIVACY, ACCURACY, CERTIFY, YOUR_DATA = (
    "views/overview.py", "views/worst_case.py", "views/tradeoff.py", "views/deterministic.py", "views/privacy.py",
    "views/accuracy.py", "views/certify.py", "views/your_data.py")
ROBUST_STATISTICS, CONCENTRATION = "views/robust_statistics.py", "views/concentration.py"
TITLES = {OVERVIEW: "Tradeoff Lab", WORST_CASE: "Worst-case perturbation", TRADEOFF: "Robustness tradeoff",
          DETERMINISTIC: "Stochastic versus deterministic adversary", PRIVACY: "Privacy-utility tradeoff",
          ACCURACY: "Robustness vs accuracy", CERTIFY: "Certified robustness from privacy",
          ROBUST_STATISTICS: "Robust statistics under corruption", CONCENTRATION: "Concentration of measure",
          YOUR_DATA: "Your data"}


def open_page(page: str = OVERVIEW, query: dict[str, str] | None = None, strict: bool = True) -> AppTest:
    """A fresh session whose first run is ``page``, as if opened with the link ``/<page>?<query>``.

    ``strict=False`` lets app.py's sentence for an unexpected error through (the fault tests want it)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    if page != OVERVIEW:
        assert hasattr(at, "_registered_pages"), "AppTest changed: see how pagekit opens a page on its first run"
        at._registered_pages = dict(_registry())
        at.switch_page(page)
    at.run()
    if strict:
        check(at)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and at.title[0].value.startswith(TITLES[page]), [t.value for t in at.title]
    return at


@functools.cache
def _registry() -> dict:
    """The pages app.py registers with st.navigation (from one run of a probe session)."""
    return dict(AppTest.from_file(APP, default_timeout=TIMEOUT).run()._registered_pages)


def check(at: AppTest) -> AppTest:
    """The run raised nothing: no st.exception element (users never see a traceback), and no app.py sentence
    for an exception a page did not expect (it turns them into st.error, which would hide a bug here)."""
    assert not at.exception, [e.message for e in at.exception]
    unexpected = [e.value for e in at.error if "did not expect" in e.value]
    assert not unexpected, unexpected
    return at


def unescaped(text: str) -> str:
    """An error as the user reads it: ui.text.literal backslash-escapes punctuation for Markdown."""
    return re.sub(r"\\(.)", r"\1", text)


def rerun(at: AppTest) -> AppTest:
    """Run the script again (after a widget change) and check it."""
    return check(at.run())


def set_widget(at: AppTest, kind: str, key: str, value) -> AppTest:
    """Set the widget ``key`` (kind: selectbox, slider, radio, number_input, ...) and rerun."""
    getattr(at, kind)(key=key).set_value(value)
    return rerun(at)


def metric(at: AppTest, label: str) -> str:
    """The shown value of the st.metric with this label."""
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; the page shows {[m.label for m in at.metric]}"
    return found[0]


def shown(value: float, digits: int, units: str = "nats") -> str:
    """A number in nats as the pages show it: converted, fixed digits, with its unit ('0.0000', never '-0.0000')."""
    return amount(value, units, digits)


def number(text: str) -> float:
    """The number in a shown value such as '1.2284 nats'."""
    return float(text.split()[0])


def grid(preset: str) -> tuple[float, ...]:
    """The eps grid the slider moves on for a preset."""
    info = engine.preset_info(preset)
    return eps_grid(info.eps_min, info.eps_max)


def page_eps(at: AppTest, eps_values) -> float:
    """The budget the page uses: the slider's value snapped to the grid (and the slider is on the grid)."""
    value = float(at.slider(key="eps").value)
    eps = min(eps_values, key=lambda e: abs(e - value))
    step = eps_values[1] - eps_values[0]
    assert abs(eps - value) <= step / 2 + 1e-12, f"slider at {value}, grid {eps_values[0]}..{eps_values[-1]}"
    return float(eps)


def choose_preset(at: AppTest, preset: str, k: int = 13) -> float:
    """Pick an example (eps then starts at that example's default: checked), then the k-th budget of its grid;
    return that eps."""
    set_widget(at, "selectbox", "preset", preset)
    assert at.selectbox(key="preset").value == preset
    values = grid(preset)
    default = min(values, key=lambda e: abs(e - engine.preset_info(preset).eps_default))
    assert at.slider(key="eps").value == default, "a new example starts at its own default eps"
    assert at.query_params["eps"] == f"{default:.10g}"
    eps = values[k]
    set_widget(at, "slider", "eps", eps)
    return eps


def selected(at: AppTest, key: str):
    """The value of the selectbox ``key``."""
    return at.selectbox(key=key).value


def url_value(key: str, value: str) -> str:
    """What a link carries for ``value``: the value itself ('?kind=max'), never its shown text."""
    return value


def shown_text(key: str, value: str) -> str:
    """A selectbox's shown text for ``value``, as links written before issue 14 carried it (still read)."""
    if key == "preset":
        return engine.preset_info(value).title
    return {"metric": METRICS, "kind": KINDS}[key][value]


def drawn(at: AppTest) -> dict[str, set[str]]:
    """The keys of the widgets a run drew, by kind (to check what lecture mode shows)."""
    kinds = ("selectbox", "radio", "slider", "number_input", "multiselect", "select_slider", "toggle")
    return {kind: {w.key for w in getattr(at, kind)} for kind in kinds if getattr(at, kind)}


LECTURE_BAR = {"radio": {"theme"}, "toggle": {"qr", "lecture"}}  # lecture mode's own bar


def lecture_widgets(at: AppTest, **page) -> None:
    """Lecture mode drew only its bar and ``page``'s widgets (kind -> keys), e.g. selectbox={"preset"}."""
    want = {kind: set(keys) for kind, keys in LECTURE_BAR.items()}
    for kind, keys in page.items():
        want[kind] = want.get(kind, set()) | set(keys)
    assert drawn(at) == want


def problem(preset: str, metric_: str = "default", kind: str = "default", kappa: float = 1.0) -> engine.Problem:
    """The problem the editor builds for these control values."""
    changes = {}
    if metric_ != "default":
        changes["metric"] = metric_
    if kind != "default":
        changes["constraint"] = kind
    p = engine.load_preset(preset, **changes)
    return p.replace(label_cost=kappa) if p.constraint == "joint" else p


# -- bad custom tables: (what is wrong, how to break the default table, words the error must contain) --------
def _negative(df: pd.DataFrame) -> pd.DataFrame:
    df.iloc[1, 2] = -0.1  # row 2 (x = 1), label column '1'
    return df


def _missing(df: pd.DataFrame) -> pd.DataFrame:
    df.iloc[1, 2] = np.nan
    return df


def _not_summing(df: pd.DataFrame) -> pd.DataFrame:
    df.iloc[1, 2] = 0.5
    return df


BAD_TABLES = {
    "negative cell": (_negative, ("x = 1", "'1'", "negative", "-0.1")),
    "empty cell": (_missing, ("x = 1", "'1'", "nan")),
}


def unnormalise_custom_table(at: AppTest) -> pd.DataFrame:
    """Switch to 'My own table' and make one entry 0.5 too big (the table sums to 1.5); return the table."""
    set_widget(at, "selectbox", "source", "custom")
    table = _not_summing(at.session_state["custom_base"].copy())
    at.session_state["custom_base"] = table
    rerun(at)
    return table


def assert_normalised_with_a_notice(at: AppTest, table: pd.DataFrame) -> engine.Problem:
    """A notice says the table sums to 1.5 and is used divided by it; no error; the results are shown; the user's
    table is kept as typed. Returns the problem the results are for (the table divided by its sum)."""
    assert not at.error, [e.value for e in at.error]
    notices = [unescaped(i.value) for i in at.info if "sums to" in i.value]
    assert len(notices) == 1 and "sums to 1.5, not 1" in notices[0] and "divided by 1.5" in notices[0], notices
    assert "Normalise" in notices[0]
    assert at.metric, "no result for a table that only needed dividing by its sum"
    pd.testing.assert_frame_equal(at.session_state["custom_base"], table)
    mu = table.drop(columns=["x"]).to_numpy(dtype=float)
    return engine.Problem.from_arrays(mu / mu.sum(), positions=table["x"].tolist(),
                                      labels=[c for c in table.columns if c != "x"], metric="squared")


def break_custom_table(at: AppTest, how: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Switch to 'My own table', put a bad table where the editor keeps it, rerun; return it and the words."""
    set_widget(at, "selectbox", "source", "custom")
    assert not at.error, [e.value for e in at.error]  # the starting table is valid
    breaker, words = BAD_TABLES[how]
    bad = breaker(at.session_state["custom_base"].copy())
    at.session_state["custom_base"] = bad
    rerun(at)
    return bad, words


def assert_bad_table_reported(at: AppTest, bad: pd.DataFrame, words: tuple[str, ...]) -> None:
    """One st.error with the engine's sentence, no result, and the user's table kept (state and editor)."""
    errors = [unescaped(e.value) for e in at.error]
    assert len(errors) == 1, errors
    for word in words:
        assert word in errors[0], f"{word!r} missing from the error {errors[0]!r}"
    assert "Traceback" not in errors[0]
    assert not at.metric, "a result is shown for a bad table"
    kept = at.session_state["custom_base"]
    pd.testing.assert_frame_equal(kept, bad)
    editors = [d for d in at.dataframe if d.proto.editing_mode]
    assert editors, "the table editor is not shown"
    pd.testing.assert_frame_equal(editors[0].value.reset_index(drop=True), bad.reset_index(drop=True),
                                  check_dtype=False)

