"""Cached engine calls. Each is keyed by the problem's canonical hash (``Problem.key``) and the budgets;
the Problem itself is passed unhashed (leading underscore). Sizes are bounded so memory stays flat.

Pages precompute a whole eps grid once and index it, so a slider move is a dictionary lookup.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import engine
from engine.deterministic import deterministic_gap, map_segment, rival_map
from engine.tradeoff import clean_vs_robust, closed_form_leakage, privacy_curve, tradeoff_grid

ENTRIES = 64


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def worst_cases(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]) -> dict:
    """worst_case and clean_vs_robust at every eps of the grid: {eps: (WorstCase, CleanVersusRobust)}."""
    return {e: (engine.worst_case(_problem, e), clean_vs_robust(_problem, e)) for e in eps_grid}


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def robust_rules(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]) -> dict:
    """robust_rule at every eps of the grid (the same cached saddle solves as worst_cases)."""
    return {e: engine.robust_rule(_problem, e) for e in eps_grid}


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def grid(key: str, _problem: engine.Problem, eps_rule: tuple[float, ...], eps_attack: tuple[float, ...]):
    """Figure 2's TradeoffGrid."""
    return tradeoff_grid(_problem, eps_rule, eps_attack)


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def privacy(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]):
    """The PrivacyCurve over the grid."""
    return privacy_curve(_problem, eps_grid)


@st.cache_data(max_entries=ENTRIES, show_spinner=False)
def deterministic(key: str, _problem: engine.Problem, eps: float, alphas: tuple[float, ...]):
    """deterministic_gap at eps and H(Y|Z) along the segment between the best map and its nearest rival."""
    gap = deterministic_gap(_problem, eps)
    saddle = engine.worst_case(_problem, eps)
    rival = rival_map(gap.best_map, saddle.mechanism)
    return gap, np.asarray(map_segment(_problem, rival, gap.best_map, alphas)), rival



def closed_form_rate_distortion(problem: engine.Problem, eps) -> np.ndarray | None:
    """The rate-distortion closed form to overlay, when the problem has one (cheap: not cached)."""
    return closed_form_leakage(problem, eps)
