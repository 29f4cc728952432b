"""Small shared pieces: the certificate badge, figure display with downloads (none in lecture mode, where
charts take the hall's sizes), 'Reproduce in Python' in the page's units."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

import engine
from engine.core.information import to_units
from figures.style import download_config
from ui import state
from ui.editor import Setup
from ui.figcache import for_hall_shared
from ui.handout import handout_button
from ui.tables import download_table
from ui.text import bounds_meet


def _fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, never as '-0.0000'."""
    text = f"{value:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def amount(value: float, units: str, digits: int = 4) -> str:
    """'0.6365 nats': a value in nats shown in the chosen units."""
    return f"{_fixed(to_units(value, units), digits)} {units}"


def interval(lower: float, upper: float, exact: bool, units: str, digits: int = 4) -> str:
    """A value known exactly (``exact``: its bounds met) as a number, else as the interval its bounds prove
    ('0.61 to 0.64 nats'): an uncertified optimum is never shown as if it were exact."""
    if exact:
        return amount(lower, units, digits)
    return f"{_fixed(to_units(lower, units), digits)} to {amount(upper, units, digits)}"


def bounded(certificate, status: str, units: str, digits: int = 4) -> str:
    """A certified optimum: ``interval`` of its certificate, a number when verified."""
    return interval(certificate.lower, certificate.upper, status == "verified", units, digits)


def badge_text(certificate, status: str, units: str) -> str:
    """'verified: bounds within 3.0e-08 nats'. A polished saddle's bounds meet to the last bits
    (engine.solvers.chain.ROUNDING): that is said, not "within 0.0e+00" or "within 2.2e-16" (a few units in the
    last place of the value, which depend on the machine's arithmetic)."""
    if bounds_meet(certificate):
        return f"{status}: bounds within rounding (they meet)"
    return f"{status}: bounds within {to_units(certificate.gap, units):.1e} {units}"


def certificate_badge(certificate, status: str, units: str, scope: str = "") -> None:
    """'verified: bounds within 3.0e-08 nats' in green (the two bounds on the optimum agree that closely), or
    'approximate: bounds within ...' in orange, with the bounds themselves on hover.

    ``scope`` says which of several certificates this one is (for a grid: the one with the largest gap)."""
    lower, upper = to_units(certificate.lower, units), to_units(certificate.upper, units)
    text = badge_text(certificate, status, units)
    tip = (f"A feasible perturbation reaches {lower:.9f} {units} (lower bound); the robust rule never loses more "
           f"than {upper:.9f} {units} (upper bound). The true optimum lies between." + (f" {scope}" if scope else ""))
    if status == "verified":
        st.badge(text, icon=":material/verified:", color="green", help=tip)
    else:
        st.badge(text, icon=":material/warning:", color="orange", help=tip)


def headline(name: str = "headline"):
    """A row of headline numbers: metrics side by side that wrap (two a row on a phone, not one a screen).
    ``name`` (a key starting with 'headline') tells two rows of a page apart."""
    return st.container(horizontal=True, key=name, gap="medium")


def show_figure(fig, name: str, alt: str, data=None, key: str | None = None, main: bool = False,
                hall_height: int | None = None) -> None:
    """A Plotly chart with SVG download at scale 2, alt text, and its data as CSV (``data``: a DataFrame, or a
    function of no arguments that builds it when the download is clicked: ui.tables.download_table).

    ``main``: the page's main chart (in a container keyed 'main_chart'; in lecture mode ``hall_height`` tall, so
    that it fits a 1920 x 1080 screen with the page's headings). In lecture mode every chart takes the hall's
    sizes and theme, and the downloads are hidden. The app's own template styles the chart (theme=None), so the
    browser shows what the SVG download holds."""
    lecture = state.lecture_mode()
    if lecture:
        fig = for_hall_shared(fig, state.theme(), hall_height if main else None)
    config = {"displayModeBar": False} if lecture else download_config(name)
    with st.container(key="main_chart") if main else nullcontext():  # other charts: no container of their own
        st.plotly_chart(fig, config=config, alt=alt, key=key or f"chart_{name}", theme=None)
        if data is not None and not lecture:
            download_table(f"Download the data of '{name}' (CSV)", data, f"{name}.csv", key=f"csv_{key or name}")


def in_units(expression: str, units: str) -> str:
    """A Python expression for a value in nats, converted to the page's units (for the reproduce code)."""
    return f"{expression} / math.log(2)" if units == "bits" else expression


def rule_notes(grid, units: str) -> None:
    """Under Figure 2: how many losses of rules are known only as intervals (their rules' entries are not proven to
    1e-6 nats) and the sentence for every rule that is not unique."""
    import numpy as np

    from ui.text import literal

    open_entries = grid.loss_status != "verified"
    if open_entries.any():
        with np.errstate(invalid="ignore"):
            width = float(np.nanmax(np.where(open_entries, grid.loss_upper - grid.loss_lower, 0.0)))
        st.warning(f"{int(open_entries.sum())} of the {open_entries.size} losses depend on rule entries the engine "
                   f"could not prove to 1e-6 nats; each lies in an interval (widest: {to_units(width, units):.3g} "
                   f"{units}; see the downloaded table's bounds).")
    for note in dict.fromkeys(n for n in grid.notes if n):
        st.info(literal(note))


def reproduce(setup: Setup, python_call: str, cli: str) -> None:
    """The engine call and the CLI command that give this page's numbers (``cli`` may use {source}); the Python
    code prints in the page's units (``python_call`` may use {u(...)}: see reproduce_lines)."""
    load, source = _load_lines(setup)
    units = " --units bits" if setup.units == "bits" else ""
    header = "import math\nimport engine" if setup.units == "bits" else "import engine"
    command = f"{cli.format(source=source)}{units} --json"
    if reproduce_code(f"{header}\n{load}\n{python_call}", command, lazy=True):
        handout_button(setup, f"python -m engine {command}")


def reproduce_code(python: str, cli: str, lazy: bool = False) -> bool:
    """The same expander for a page without a Problem: whole Python code and the CLI arguments after the module
    (not in lecture mode: nothing to edit or copy on a projector; then False is returned).

    ``lazy`` (the Explore pages): the code is sent only once the box is opened (a rerun), so a first load does not
    make the browser fetch and run the code highlighter (1.5 MB of JavaScript, about as long as drawing the charts:
    benchmarks/bench_browser.py)."""
    if state.lecture_mode():
        return False
    box = st.expander("Reproduce in Python or from the command line", key="reproduce" if lazy else None,
                      on_change="rerun" if lazy else "ignore")
    if lazy and not box.open:
        return True
    with box:
        st.code(python, language="python")
        st.code(f"python -m engine {cli}", language="bash")
    return True


def percent(value: float, digits: int = 2) -> str:
    """'97.72 %': a fraction shown as a percentage, never as '-0.00 %'."""
    return f"{_fixed(100 * value, digits)} %"


def _load_lines(setup: Setup) -> tuple[str, str]:
    """How to get this page's problem in Python, and the CLI's problem options."""
    p = setup.problem
    if setup.preset is None:
        metric = p.metric if p.metric != "custom" else p.cost.tolist()
        return (f"p = engine.Problem.from_arrays({p.mu.tolist()}, positions={list(p.positions)}, "
                f"labels={list(p.labels)}, metric={metric!r}, constraint={p.constraint!r}, "
                f"label_cost={p.label_cost!r})",
                "--mu table.csv  # the table from this page's download")
    base = engine.load_preset(setup.preset)
    overrides = {}
    if p.metric != base.metric and p.metric != "custom":
        overrides["metric"] = p.metric
    if p.constraint != base.constraint:
        overrides["constraint"] = p.constraint
    if p.constraint == "joint":
        overrides["label_cost"] = p.label_cost
    args = "".join(f", {k}={v!r}" for k, v in overrides.items())
    flags = "".join(f" --{k.replace('_', '-')} {v}" for k, v in overrides.items())
    return f'p = engine.load_preset("{setup.preset}"{args})', f"--preset {setup.preset}{flags}"
