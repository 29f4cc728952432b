"""The user's own table: upload (CSV or scenario), the cell editor, Normalise, and CSV downloads.

Bad input never loses work: the editor keeps its edits and the page shows the engine's sentence naming the
bad cell. A table whose entries are fine but do not sum to 1 (typed counts, an unnormalised CSV) is used
divided by its sum, with a notice saying so, instead of taking every result away until Normalise is pressed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

import engine
from engine.core.information import to_units
from engine.errors import ProblemError
from engine.formats.cells import neutralise_cell
from engine.formats.tables import read_mu_csv
from engine.formats.text import MAX_BYTES
from engine.io.scenario import problem_from_json
from ui import budget, state
from ui.text import literal

UPLOAD_LIMIT_TEXT = f"{MAX_BYTES // 1_000_000} MB"
SUM_TOLERANCE = 1e-9  # the engine's: a table within it of 1 is taken as it is
START = "stochastic-vs-deterministic"  # the editor's starting table


def custom_problem(box, lecture: bool) -> engine.Problem:
    """The editable table (upload and editor in normal mode; the session's table as it is in lecture mode);
    raises ProblemError with the engine's sentence."""
    ss = st.session_state
    if "custom_base" not in ss:
        ss["custom_base"] = frame_of(engine.load_preset(START))
        ss["custom_from_link"] = state.news() and state.incoming("source") == "custom"
    if ss.get("custom_from_link"):  # until a file is loaded (said on every run: the editor must not move)
        st.info("This link asks for someone's own table, and a link cannot carry a table: you see the "
                "starting table. Ask for their scenario file (JSON) and load it in the sidebar.")
    if lecture:
        return _problem_from_frame(ss.get("custom_table_value", ss["custom_base"]))
    upload = box.file_uploader(f"Load a CSV table or a scenario (JSON), at most {UPLOAD_LIMIT_TEXT}",
                               type=["csv", "json"], key="upload",
                               help="CSV: header x,<label 1>,...; one row per feature value: its position, then "
                                    "the masses (any total: the lab divides by it). JSON: a scenario file "
                                    "downloaded from this page.")
    if upload is not None and ss.get("upload_seen") != upload.file_id:
        ss["upload_seen"] = upload.file_id
        _load_upload(upload)
    if "upload_error" in ss:
        st.error(literal(ss["upload_error"]))
    st.markdown("**Your table mu(x, y)** (edit cells; add or delete rows at the bottom)")
    notice = st.container()
    edited = st.data_editor(ss["custom_base"], num_rows="dynamic", key="custom_table", width="stretch",
                            hide_index=True)
    ss["custom_table_value"] = edited
    st.button("Normalise (divide by the sum)", key="normalise", on_click=_normalise, args=(edited,),
              help="Writes each entry's share of the total into the table, so it sums to 1.")
    problem = _problem_from_frame(edited)
    total = _total(edited)
    if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=SUM_TOLERANCE):
        notice.info(f"Your table sums to {total:.6g}, not 1, so the lab uses it divided by {total:.6g} (each entry "
                    f"as its share of the total): every result below is for that table. Press Normalise to write "
                    f"those shares into your table.")
    return problem


def _normalise(edited: pd.DataFrame) -> None:
    """Normalise's callback (before the editor is drawn): the table divided by its sum."""
    table = edited.drop(columns=["x"]).apply(pd.to_numeric, errors="coerce")
    total = float(np.nansum(table.to_numpy()))
    if total > 0:
        st.session_state["custom_base"] = edited.assign(**{c: table[c] / total for c in table.columns})
        st.session_state.pop("custom_table", None)


def _total(df: pd.DataFrame) -> float:
    """The sum of the table's masses (called once the engine accepted every cell as a number)."""
    df = df.dropna(how="all")
    return math.fsum(float(v) for v in df.drop(columns=["x"]).to_numpy(dtype=float).ravel())


def _load_upload(upload) -> None:
    """Read an uploaded CSV or scenario into the editor's table (or keep the sentence saying what is wrong).

    A CSV's masses are kept as written (the editor then uses them divided by their sum, and says so)."""
    ss = st.session_state
    data = upload.getvalue()
    if len(data) > MAX_BYTES:
        ss["upload_error"] = f"The file is {len(data) / 1e6:.1f} MB; the limit is {UPLOAD_LIMIT_TEXT}."
        return
    try:
        if upload.name.lower().endswith(".json"):
            p = problem_from_json(data)
            if p.label_cost > budget.KAPPA_MAX:
                raise ProblemError(f"The scenario's label_cost is {p.label_cost:g}; the lab takes at most "
                                   f"{budget.KAPPA_MAX:g} (use the command line for it).")
            ss["custom_metric_base"] = p.cost if p.metric == "custom" else p.metric
            ss["custom_kind"] = p.constraint
            # Every field round-trips: the scenario's own name, description and kappa, and its cost and kind (the
            # overrides go back to "as the example says", which is now the scenario).
            ss["custom_scenario"] = {"name": p.name, "description": p.description, "label_cost": p.label_cost}
            ss.update(metric="default", kind="default", kappa=float(p.label_cost))
            table = frame_of(p)
        else:
            positions, labels, mu = read_mu_csv(data)
            engine.Problem.from_arrays(mu, positions, labels, normalise=True)  # every cell checked now
            table = pd.DataFrame(mu, columns=labels)
            table.insert(0, "x", positions)
            ss.pop("custom_scenario", None)
        ss["custom_base"] = table
        ss.pop("custom_table", None)
        ss.pop("upload_error", None)
        ss.pop("custom_from_link", None)
    except ProblemError as err:
        ss["upload_error"] = f"{upload.name}: {err}"


def frame_of(p: engine.Problem) -> pd.DataFrame:
    """The editor's table: a position column x, then one column per label."""
    return rule_table(p.mu, p.positions, list(p.labels))


def _problem_from_frame(df: pd.DataFrame) -> engine.Problem:
    """Validate the edited table through the engine (its sentences name the bad cell); any positive total."""
    df = df.dropna(how="all")
    if df.empty:
        raise ProblemError("The table is empty: add at least one row.")
    ss = st.session_state
    return engine.Problem.from_arrays(df.drop(columns=["x"]).to_numpy(dtype=object), positions=df["x"].tolist(),
                                      labels=[c for c in df.columns if c != "x"],
                                      metric=ss.get("custom_metric_base") or "squared",
                                      constraint=ss.get("custom_kind", "expected"), normalise=True,
                                      **ss.get("custom_scenario", {}))


def download_table(label: str, df, filename: str, key: str) -> None:
    """A CSV download of a table (see safe_csv), written only when it is clicked (not on every rerun).

    ``df``: the DataFrame, or a function of no arguments that builds it (then not even the frame is built on a
    rerun: a 41 x 41 grid's long table costs a slider move several milliseconds)."""
    st.download_button(label, lambda: safe_csv(df() if callable(df) else df), filename, "text/csv", key=key,
                       on_click="ignore")


def long_table(positions, labels, **tables) -> pd.DataFrame:
    """Tables on X x Y as one row per cell: columns x, y and one per table (``mu=..., nu_star=...``)."""
    n, m = len(positions), len(labels)
    return pd.DataFrame({"x": np.repeat(positions, m), "y": np.tile(labels, n),
                         **{name: np.asarray(t).ravel() for name, t in tables.items()}})


def _attack_by_rule(eps_attack, eps_rule) -> dict:
    """The first two columns of a grid's long table: each (eps_attack, eps_rule) pair, attacks outer."""
    attack, rule = np.asarray(eps_attack), np.asarray(eps_rule)
    return {"eps_attack": np.repeat(attack, len(rule)), "eps_rule": np.tile(rule, len(attack))}


def surface_table(g, units: str) -> pd.DataFrame:
    """A TradeoffGrid as one row per (eps_attack, eps_rule): the loss with its bounds and status, in ``units``."""
    return pd.DataFrame({**_attack_by_rule(g.eps_attack, g.eps_rule),
                         f"loss_{units}": to_units(np.asarray(g.loss), units).ravel(),
                         f"loss_lower_{units}": to_units(np.asarray(g.loss_lower), units).ravel(),
                         f"loss_upper_{units}": to_units(np.asarray(g.loss_upper), units).ravel(),
                         "status": np.asarray(g.loss_status).astype(str).ravel()})


def accuracy_table(acc) -> pd.DataFrame:
    """An error grid as one row per (eps_attack, eps_rule): each robust rule's accuracy under each attack."""
    return pd.DataFrame({**_attack_by_rule(acc.eps_attack, acc.eps_rule),
                         "accuracy": 1 - np.asarray(acc.error).ravel()})


def rule_table(q, positions, labels, index: str = "x") -> pd.DataFrame:
    """A table on X x Y (a rule q(y | x)) with its positions as the first column."""
    return pd.DataFrame(q, index=positions, columns=labels).reset_index(names=index)


def safe_csv(df: pd.DataFrame) -> str:
    """The table as CSV with spreadsheet formulas neutralised (engine.formats.cells.neutralise_cell): text cells
    and headers starting = + - @ get a leading quote, so a label like =HYPERLINK(...) opens as text; a number
    ('-1', '+1') is written as it is."""
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]  # numbers hold no formula
    safe = df.assign(**{c: df[c].map(neutralise_cell) for c in text}) if text else df
    return safe.rename(columns=lambda c: neutralise_cell(str(c))).to_csv(index=False)
