"""Small shared pieces: the certificate badge, figure display with downloads, 'Reproduce in Python'."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import engine
from engine.core.information import to_units
from figures.style import download_config
from ui.editor import Setup, download_table


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


def certificate_badge(certificate, status: str, units: str, scope: str = "") -> None:
    """'verified, gap 3e-08 nats' in green, or 'approximate, gap ...' in orange, with the bounds on hover.

    ``scope`` says which of several certificates this one is (for a grid: the one with the largest gap)."""
    gap = to_units(certificate.gap, units)
    lower, upper = to_units(certificate.lower, units), to_units(certificate.upper, units)
    text = f"{status}, gap {gap:.1e} {units}"
    tip = (f"A feasible perturbation reaches {lower:.9f} {units} (lower bound); the robust rule never loses more "
           f"than {upper:.9f} {units} (upper bound). The true optimum lies between." + (f" {scope}" if scope else ""))
    if status == "verified":
        st.badge(text, icon=":material/verified:", color="green", help=tip)
    else:
        st.badge(text, icon=":material/warning:", color="orange", help=tip)


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


def show_figure(fig, name: str, alt: str, data: pd.DataFrame | None = None, key: str | None = None) -> None:
    """A Plotly chart with SVG download at scale 2, alt text, and its data as CSV."""
    st.plotly_chart(fig, config=download_config(name), alt=alt, key=key or f"chart_{name}")
    if data is not None:
        download_table(f"Download the data of '{name}' (CSV)", data, f"{name}.csv", key=f"csv_{key or name}")


def reproduce(setup: Setup, python_call: str, cli: str) -> None:
    """The engine call and the CLI command that give this page's numbers (``cli`` may use {source})."""
    load, source = _load_lines(setup)
    units = " --units bits" if setup.units == "bits" else ""
    reproduce_code(f"import engine\n{load}\n{python_call}", f"{cli.format(source=source)}{units} --json")


def reproduce_code(python: str, cli: str) -> None:
    """The same expander for a page without a Problem: whole Python code and the CLI arguments after the module."""
    with st.expander("Reproduce in Python or from the command line"):
        st.code(python, language="python")
        st.code(f"python -m engine {cli}", language="bash")


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
