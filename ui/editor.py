"""The problem editor every Explore page shares: where the table comes from, the cost, the constraint set,
the budget eps and the units. The example and eps sit above the first chart (on a phone they stay on screen
while the charts scroll past); the sidebar keeps the advanced options. Every control is in the link as a
value (ui/state.py); a custom table cannot travel in a link, and the share bar says so next to Copy link and
offers the scenario file instead.

Bad input never loses work: the table editor keeps its edits, and the page shows the engine's sentence
naming the bad cell or value instead of a result.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import engine
from engine.core import limits
from engine.core.moves import dense_size
from engine.errors import ProblemError
from engine.io.scenario import problem_to_json
from ui import budget, frame, state
from ui.tables import custom_problem
from ui.text import literal

SOURCES = {"preset": "A named example", "random": "A random table", "custom": "My own table"}
METRICS = {"default": "as the example says", "abs": "|x - x'|", "squared": "(x - x')^2", "hamming": "1{x != x'}",
           "custom": "my own matrix"}
KINDS = {"default": "as the example says", "expected": "expected (average distortion <= eps)",
         "max": "max (every point moves <= eps)", "joint": "joint (labels may change, at price kappa)"}
UNITS = {"nats": "nats", "bits": "bits"}
# A page solves a whole grid of 41 budgets: at 8,000 moves one solve takes about 0.15 s here (benchmarks/),
# so a cold page is ready in about 6 s. Larger problems belong to the command line and batch sweeps.
INTERACTIVE_MOVES = limits.INTERACTIVE_MOVES


@dataclass(frozen=True)
class Setup:
    """What the editor produced: a problem (or the sentence saying why not), eps and its grid, units.

    From ``problem_editor(live=True)`` eps is None until ``with_eps`` draws its slider (in the page's live part)."""

    problem: engine.Problem | None
    error: str | None
    eps: float | None
    eps_grid: tuple[float, ...]
    units: str
    preset: str | None
    slider: Callable[[], float] | None = dataclasses.field(default=None, repr=False, compare=False)

    def with_eps(self) -> Setup:
        """This setup with eps: its slider drawn now, where the editor placed it (above the first chart)."""
        if self.slider is None:
            return self
        return dataclasses.replace(self, eps=self.slider(), slider=None)

    @property
    def key(self) -> str:
        """The problem's canonical hash, for the caches."""
        return self.problem.key if self.problem is not None else ""


@functools.cache
def preset_names() -> dict[str, str]:
    """Every example: name -> title (the same dict every call: do not change it)."""
    return {n: engine.preset_info(n).title for n in engine.preset_names()}


def problem_editor(default_preset: str = "figure2", force_kind: str | None = None,
                   eps_help: str = "", require: bool = True, live: bool = False) -> Setup:
    """Draw the controls (example and eps above the charts, the rest in the sidebar; only the example and eps
    in lecture mode) and build the problem.

    With ``require`` (every page's case) a table that cannot be solved shows the engine's sentence and stops the
    page there, every control kept; without it the Setup carries the sentence and no problem. With ``live`` the
    eps slider is left to ``Setup.with_eps`` (the page's live part, ui.frame.live), unless the page stops here."""
    lecture = state.lecture_mode()
    box = st.sidebar
    left, right = st.container(key="controls").columns([2, 3], vertical_alignment="bottom")
    link = budget.link_error()  # a value no control offers: said, and nothing solved (ui.budget)
    source = state.choice(box, "Table", SOURCES, "source", "preset", lecture,
                          help="Where the joint law mu(x, y) comes from.")
    preset, base, error, changed_slot = None, None, None, None
    try:
        if source == "preset":
            preset = state.choice(left, "Example", preset_names(), "preset", default_preset, False)
            if not lecture:
                box.caption(engine.preset_info(preset).description)
                changed_slot = box.empty()  # what the cost and constraint controls below change (_changed_note)
            base = engine.load_preset(preset)
        elif source == "random":
            base = _random_problem(box, lecture)
            left.markdown(f"**A random table** ({base.n} feature values, {base.m} labels)")
        else:
            left.markdown("**Your own table** (edit it below)" if not lecture else "**Your own table**")
            base = custom_problem(box, lecture)
        st.session_state["last_base"] = base
    except ProblemError as err:
        error = str(err)
    # The cost and constraint controls stay on screen (with their values) while the table is bad: they are
    # drawn for the last valid table, so fixing a cell never costs the user their other settings.
    problem = None
    try:
        problem = _apply_cost_and_kind(box, base if base is not None else st.session_state.get("last_base"), lecture,
                                       force_kind)
    except ProblemError as err:
        error = error or str(err)
    if base is None:
        problem = None
    if changed_slot is not None and problem is not None:
        _changed_note(changed_slot, base, problem)
    if problem is not None and dense_size(problem) > INTERACTIVE_MOVES:
        error, problem = too_large(problem), None  # said before any solving starts
    if link is not None:
        error, problem = link, None
    lo, hi, default = _eps_range(problem, preset)
    grid = state.eps_grid(lo, hi)
    slider = functools.partial(state.eps_slider, lo, hi, default, grid, eps_help, box=right, scope=(source, preset))
    stops = require and problem is None
    eps = None if live and not stops else slider()
    units = state.choice(box, "Units", UNITS, "units", "nats", lecture, horizontal=True,
                         help="nats: natural logarithm; bits: logarithm base 2 (1 bit = ln 2 nats).")
    if source == "custom":
        _custom_note(problem, lecture)
    elif problem is not None and not lecture and source == "random":
        box.download_button("Download this scenario (JSON)", problem_to_json(problem), "scenario.json",
                            "application/json", help="Upload it later under 'My own table' to get this problem back.")
    if stops:
        st.error(literal(error))
        frame.stop()
    return Setup(problem, error, eps, grid, units, preset if source == "preset" else None,
                 slider if eps is None else None)


def _changed_note(slot, base: engine.Problem, problem: engine.Problem) -> None:
    """In ``slot``, right under the example's description: what the sidebar changed (the description speaks of the
    example's own cost and constraint)."""
    changed = []
    if problem.metric != base.metric:
        changed.append(f"the ground cost is {METRICS.get(problem.metric, METRICS['custom'])}")
    if problem.constraint != base.constraint:
        changed.append(f"the constraint is {problem.constraint}")
    if changed:
        slot.caption(":material/tune: " + literal(f"Changed here: {' and '.join(changed)} (the description above is "
                                                  f"the example's own setting)."))


def _custom_note(problem: engine.Problem | None, lecture: bool) -> None:
    """Next to Copy link: a custom table is not in the link; its scenario file carries it."""
    share = frame.share_box()
    if share is None:
        return
    share.caption(":material/info: Your own table is not in the link (a link opens the starting table): share "
                  "it as a scenario file.")
    if problem is not None and not lecture:
        share.download_button("Download the scenario (JSON)", problem_to_json(problem), "scenario.json",
                              "application/json", key="scenario_download",
                              help="Load it under 'My own table' (sidebar) to get this problem back.")


def too_large(problem: engine.Problem) -> str:
    """The sentence for a problem beyond the interactive limit (what it is, the limit, where to go instead)."""
    moves = "(n·m)² for the joint kind" if problem.constraint == "joint" else "n²·m"
    return (f"This problem is too large to solve while you wait: {problem.n} feature values and {problem.m} labels "
            f"give up to {dense_size(problem):,} transport moves ({moves}) per budget, and the lab solves at most "
            f"{INTERACTIVE_MOVES:,} here (for example 25 feature values with 12 labels, or 40 with 5). Your table is "
            f"kept: make it smaller, or solve it from the command line (python -m engine solve --mu table.csv "
            f"--eps 0.5, or python -m engine batch for a sweep).")


def _apply_cost_and_kind(box, base: engine.Problem | None, lecture: bool, force_kind: str | None):
    """The metric and constraint overrides (and kappa for the joint kind) applied to ``base``.

    With no base (the very first table is bad) the controls are still drawn and None is returned."""
    metric = state.choice(box, "Ground cost d(x, x')", METRICS, "metric", "default", lecture,
                          help="How far a feature value moves. Larger costs make the attacker weaker.")
    if force_kind:
        kind = force_kind
        if not lecture:
            box.caption(f"This page compares attackers under the **{force_kind}** kind.")
    else:
        kind = state.choice(box, "Constraint on the attacker", KINDS, "kind", "default", lecture,
                            help="expected: an average budget (the paper's (4)); max: a hard limit per point (3); "
                                 "joint: labels may change too.")
    changes = {}
    if metric == "custom" and base is not None:
        changes["metric"] = _custom_metric(base, lecture)
    elif metric != "default":
        changes["metric"] = metric
    if kind != "default":
        changes["constraint"] = kind
    if changes.get("constraint", base.constraint if base is not None else "expected") == "joint":
        changes["label_cost"] = state.number(box, "Label-change price kappa", "kappa", 1.0, lecture, min_value=0.0,
                                             max_value=budget.KAPPA_MAX,
                                             help="Higher kappa makes changing a label dearer: more robust.")
    if base is None:
        return None
    return base.replace(**changes) if changes else base


def _random_problem(box, lecture: bool) -> engine.Problem:
    """A seeded Dirichlet table (reproducible from the URL)."""
    n = int(state.number(box, "Feature values n", "n", 5, lecture, min_value=1, max_value=60, step=1))
    m = int(state.number(box, "Labels m", "m", 3, lecture, min_value=1, max_value=12, step=1))
    alpha = state.number(box, "Dirichlet concentration", "alpha", 0.5, lecture, min_value=0.01, max_value=100.0,
                         help="Small: each feature value points to few labels (easy to classify).")
    seed = int(state.number(box, "Seed", "seed", 0, lecture, min_value=0, max_value=2**31 - 1, step=1))
    mu = np.random.default_rng(seed).dirichlet(np.full(n * m, alpha)).reshape(n, m)
    return engine.Problem.from_arrays(mu, positions=range(1, n + 1), metric="squared", normalise=True,
                                      name=f"random n={n} m={m} alpha={alpha:g} seed={seed}")


def _custom_metric(base: engine.Problem, lecture: bool) -> np.ndarray:
    """An editable n-by-n cost matrix, starting from the current cost (in lecture mode: the last one edited,
    not drawn)."""
    key = f"metric_table_{base.n}"
    if lecture:
        return st.session_state.get(f"{key}_value", base.cost)
    st.markdown("**Your ground cost d(x, x')** (rows: from, columns: to; zero diagonal)")
    names = [f"{p:g}" for p in base.positions]
    start = pd.DataFrame(base.cost, index=names, columns=names)
    edited = st.data_editor(start, key=key, width="stretch").to_numpy(dtype=object)
    st.session_state[f"{key}_value"] = edited
    return edited


def _eps_range(problem: engine.Problem | None, preset: str | None) -> tuple[float, float, float]:
    """The slider's range: the preset's own, else up to the largest cost (the last valid table's while the
    table is bad: a new range would make a new slider, and a slip in one cell would reset the user's eps)."""
    if preset is not None:
        info = engine.preset_info(preset)
        return info.eps_min, info.eps_max, info.eps_default
    if problem is None:
        return st.session_state.get("last_eps_range", (0.0, 1.0, 0.0))
    top = float(problem.cost.max()) + (problem.label_cost if problem.constraint == "joint" else 0.0)
    top = float(f"{max(top, 1e-3):.2g}")
    st.session_state["last_eps_range"] = (0.0, top, float(f"{top / 4:.2g}"))
    return st.session_state["last_eps_range"]
