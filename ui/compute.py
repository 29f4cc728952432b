"""Cached engine calls of every page (and the one figure that does not change with eps). The Explore pages' calls
are keyed by the problem's canonical hash (``Problem.key``) and the budgets, the Problem itself passed unhashed
(leading underscore); the context pages' by their numbers. Sizes are bounded so memory stays flat.

Pages precompute a whole eps grid once and index it, so a slider move is a dictionary lookup. The caches are
``st.cache_data``, bounded in entries and bytes (SIZE each, server.maxCacheDataSize together): each call unpickles
its own copy, so no session can change another's results (figure2's worst-case grid, 41 results with their plans,
is 76 kB and unpickles in about 0.4 ms). The results the pages chart are stamped with their content's digest
(ui.figcache.stamped), so a chart's cache lookup reads that instead of walking the result on every run.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

import engine
from engine.analyses.data_limits import data_limits
from engine.analyses.deterministic import deterministic_gap, map_segment, rival_map
from engine.analyses.privacy import closed_form_leakage, privacy_curve
from engine.analyses.tradeoff import clean_vs_robust, tradeoff_grid
from engine.context import concentration, high_dimensional, robust_statistics, tukey
from engine.context.smoothing import certify_smoothed, compare_radii, radius_curves, smoothed_radius
from engine.context.tsipras import (
    accuracy_frontier,
    natural_rule_accuracy,
    robust_rule_accuracy,
    rule_curves,
    simulate_accuracy,
)
from engine.core.information import to_units
from engine.io.binning import from_samples
from engine.io.samples import load_dataset, read_samples_csv
from figures.animation import show_frame, worst_case_animation
from figures.data import regions_figure
from figures.style import for_hall
from ui import budget, turns
from ui.figcache import freeze, stamped
from ui.text import bounds_meet

ENTRIES = 64
# Each function's cache also holds at most this many pickled bytes (a worst-case grid of a 25x12 table is about
# 17 MB); server.maxCacheDataSize (.streamlit/config.toml) bounds them all together.
SIZE = "96MB"
_SOLVED_LOCK = threading.Lock()
_SOLVED: OrderedDict = OrderedDict()  # the calls some session of this process has answered (``answered``)
_SOLVED_ENTRIES = 256


def cached(**options):
    """``st.cache_data(**options)`` whose misses compute aside (ui.turns): a run that computes gives its turn up
    while it works, and queues for a turn again once the call has returned (the cache's lock on the arguments
    then released); a hit keeps the turn."""

    def decorate(function):
        @functools.wraps(function)
        def computed(*args, **kwargs):
            with turns.aside():
                return function(*args, **kwargs)

        cache = st.cache_data(**options)(computed)

        @functools.wraps(function)
        def call(*args, **kwargs):
            try:
                return cache(*args, **kwargs)
            finally:
                turns.retake()

        call.clear, call._info = cache.clear, cache._info  # the cache's own handles (tests read its bounds)
        return call

    return decorate


def _budgets(eps_grid: tuple) -> str:
    """A grid of budgets as the cache key hashes it: one string (repr is exact for floats). Streamlit's hasher walks
    a tuple element by element, about 200 us for 41 budgets, on every rerun of a page that looks its grid up."""
    return repr(tuple(float(e) for e in eps_grid))


BUDGETS = {tuple: _budgets}  # hash_funcs of the caches keyed by grids of budgets (their only tuples)


def warm_saddles(problem: engine.Problem, budgets, label: str) -> None:
    """Solve the saddle point at each budget (engine.solvers.chain caches them) with a progress bar, once a session.

    The cached calls below then only assemble results. On a problem this session has seen, nothing is drawn, so
    a slider move shows no bar (and pays no cost: every solve is a cache hit). Nor on a problem another session of
    this process has solved already (a warmed replica's presets: no bar of 41 steps for every student)."""
    seen = st.session_state.setdefault("_warm_saddles", set())
    token = ("saddles", problem.key, tuple(budgets))
    if token in seen:
        return
    if answered(token):
        seen.add(token)
        return
    bar = st.progress(0.0, text=label)
    for k, eps in enumerate(budgets):
        with budget.solving():  # charged to the session's CPU budget (ui.budget)
            engine.worst_case(problem, eps)
        # Also the point where Streamlit stops this run if its session ended or asked for a rerun: the rest of the
        # grid is then left unsolved.
        bar.progress((k + 1) / len(budgets), text=f"{label} ({k + 1} of {len(budgets)} budgets)")
    bar.empty()
    seen.add(token)
    remember(token)


def answered(token: tuple) -> bool:
    """Whether some session of this process has computed ``token``'s answer (so the call is a cache hit unless the
    cache has since dropped it): such a call needs no progress bar and is never refused by the solve budget."""
    with _SOLVED_LOCK:
        if token in _SOLVED:
            _SOLVED.move_to_end(token)
            return True
    return False


def remember(token: tuple) -> None:
    """Record that ``token``'s answer has been computed in this process (``answered``)."""
    with _SOLVED_LOCK:
        _SOLVED[token] = True
        _SOLVED.move_to_end(token)
        while len(_SOLVED) > _SOLVED_ENTRIES:
            _SOLVED.popitem(last=False)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def worst_cases(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]) -> dict:
    """worst_case and clean_vs_robust at every eps of the grid: {eps: (WorstCase, CleanVersusRobust)}."""
    return {e: (stamped(engine.worst_case(_problem, e)), stamped(clean_vs_robust(_problem, e))) for e in eps_grid}


@cached(max_entries=16 * ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)  # one per budget
def worst_case_at(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...], eps: float) -> tuple:
    """``worst_cases(...)[eps]``, cached on its own: a slider move unpickles one budget's results, not the grid's
    (figure2: 2 kB instead of 76 kB)."""
    return worst_cases(key, _problem, eps_grid)[eps]


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def mass_scale(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]) -> float:
    """The top of the colour scale for mu and nu*: the largest mass of mu and of nu* at any eps of the grid, so
    that one colour is one mass on every heatmap and at every slider position."""
    solved = worst_cases(key, _problem, eps_grid)
    return max(float(_problem.mu.max()), *(float(w.nu.max()) for w, _ in solved.values()))


def frame_caption(w, units: str) -> str:
    """An animation frame's title: its eps, h* (an interval when not verified) and, on a second line so that it fits
    a phone's width, the certificate."""
    lower, upper = to_units(w.certificate.lower, units), to_units(w.certificate.upper, units)
    value = f"{lower:.4f} {units}" if w.status == "verified" else f"{lower:.4f} to {upper:.4f} {units}"
    within = "rounding" if bounds_meet(w.certificate) else f"{to_units(w.certificate.gap, units):.0e}"
    return f"eps = {w.eps:.3g}: h* = {value}<br>({w.status}: bounds within {within})"


def animation(problem: engine.Problem, eps_grid: tuple[float, ...], eps: float, units: str, hall=None):
    """The Play animation of nu* and q* over the whole grid, starting on the page's eps.

    Built once a session and problem (about 0.2 s: the frames and their titles; ``hall`` is the lecture theme,
    styled once), then each rerun only moves its first frame to the page's eps (figures.animation.show_frame),
    on the session's own copy: another session's eps never shows here."""
    token = (problem.key, eps_grid, units, hall)
    held = st.session_state.get("_animation")
    if held is None or held[0] != token:
        solved = worst_cases(problem.key, problem, eps_grid)
        cases = [solved[e][0] for e in eps_grid]
        nus, qs = [w.nu for w in cases], [w.q for w in cases]
        captions = [frame_caption(w, units) for w in cases]
        fig = worst_case_animation(eps_grid, nus, qs, problem.positions, problem.labels, captions,
                                   zmax=mass_scale(problem.key, problem, eps_grid))
        if hall is not None:
            for_hall(fig, hall, height=max(900, 400 + 90 * problem.n))
        held = (token, fig, nus, qs, captions)
        st.session_state["_animation"] = held
    _, fig, nus, qs, captions = held
    return show_frame(fig, eps_grid.index(eps), nus, qs, captions)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def robust_rules(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]) -> dict:
    """robust_rule at every eps of the grid (the same cached saddle solves as worst_cases)."""
    return {e: engine.robust_rule(_problem, e) for e in eps_grid}


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def grid(key: str, _problem: engine.Problem, eps_rule: tuple[float, ...], eps_attack: tuple[float, ...]):
    """Figure 2's TradeoffGrid."""
    return stamped(tradeoff_grid(_problem, eps_rule, eps_attack))


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def errors(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]):
    """Robust accuracy over the grid (``engine.error_grid``): e* (one LP re-solved along the grid), and each robust
    rule of the grid, cross-entropy and 0-1, and the clean Bayes rule under each attack of it."""
    return stamped(engine.error_grid(_problem, eps_grid, eps_grid))


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def privacy(key: str, _problem: engine.Problem, eps_grid: tuple[float, ...]):
    """The PrivacyCurve over the grid."""
    return stamped(privacy_curve(_problem, eps_grid))


def deterministic(key: str, _problem: engine.Problem, eps: float, alphas: tuple[float, ...]):
    """deterministic_gap at eps and H(Y|Z) along the segment between the best map and its nearest rival; its exact
    search (branch and bound, a certified solve per node) is charged to the session's solver budget (ui.budget)."""
    token = ("deterministic", key, eps, alphas)
    with budget.solving(known=answered(token)):
        result = _deterministic(key, _problem, eps, alphas)
    remember(token)
    return result


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False, hash_funcs=BUDGETS)
def _deterministic(key: str, _problem: engine.Problem, eps: float, alphas: tuple[float, ...]):
    """The cached body of ``deterministic``."""
    gap = deterministic_gap(_problem, eps)
    saddle = engine.worst_case(_problem, eps)
    rival = rival_map(gap.best_map, saddle.mechanism)
    return (gap, np.asarray(map_segment(_problem, rival, gap.best_map, alphas)), rival)


def closed_form_rate_distortion(problem: engine.Problem, eps) -> np.ndarray | None:
    """The rate-distortion closed form to overlay, when the problem has one (cheap: not cached)."""
    return closed_form_leakage(problem, eps)


# -- the context pages ------------------------------------------------------------------------------------------
@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def accuracy_curves(p: float, eta: float, d: int, eps_max: float, points: int):
    """Tsipras et al.: both rules' accuracy on ``points`` radii from 0 to eps_max, and the natural rule's bound."""
    return rule_curves(p, eta, d, eps_max, points)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def accuracy_at(p: float, eta: float, d: int, eps: float, samples: int, seed: int) -> tuple:
    """The frontier at eps, both rules, and the seeded simulator's estimates of both (``samples`` points each)."""
    rules = {"natural": natural_rule_accuracy(p, eta, d, eps), "robust": robust_rule_accuracy(p, eta, d, eps)}
    simulated = {name: simulate_accuracy(p, eta, d, eps, r.a, r.b, samples=samples, seed=seed)
                 for name, r in rules.items()}
    return accuracy_frontier(p, eta, d, eps), rules, simulated


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def noise_curves(p_a: float, p_b: float, sigmas: tuple[float, ...], delta: float) -> dict:
    """Smoothing's and PixelDP's radii for these scores on a grid of noise scales."""
    return radius_curves(p_a, p_b, np.asarray(sigmas), delta=delta)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def radii(p_a: float, p_b: float, sigma: float, delta: float):
    """Smoothing's radius and both PixelDP radii at this sigma."""
    return compare_radii(p_a, p_b, sigma, delta=delta)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def smoothing_toy(classifier, points: np.ndarray, sigma: float, samples: int, seed: int, n0: int, alpha: float):
    """CERTIFY at the points (Monte Carlo, seeded) and the smoothed radii at the exact p_A there."""
    certified = certify_smoothed(classifier, points, sigma, n0=n0, n=samples, alpha=alpha, seed=seed)
    return certified, smoothed_radius(classifier, points, sigma)


# concentration of measure (engine.context.concentration)
@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def sphere_expansion(d: int, measure: float, points: int = 301):
    """The cap's expansion on ``points`` radii from 0 to engine's covering_radius (independent of the chosen delta)."""
    return concentration.cap_expansion_curve(d, measure, np.linspace(0.0, concentration.covering_radius(d, measure),
                                                                         points))


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def sphere_distances(measure: float, dims: tuple[int, ...]):
    """The average distance to the cap against the dimensions."""
    return concentration.cap_distance_curve(measure, dims)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def sphere_check(d: int, measure: float, delta: float, samples: int, seed: int) -> tuple:
    """The expansion at delta, the cap's average distance and the seeded Monte Carlo check of both."""
    return (concentration.cap_expansion(d, measure, delta), concentration.mean_distance_to_cap(d, measure),
            concentration.simulate_sphere(d, measure, delta, samples=samples, seed=seed))


# robust statistics (engine.context.robust_statistics, .high_dimensional, .tukey)
@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def corruption(n: int, eps: float, shift: float, trim: float, repeats: int, seed: int):
    """The estimators under the bump and their worst placements (engine CorruptionStudy)."""
    return robust_statistics.corruption_study(n, eps, shift, trim=trim, repeats=repeats, seed=seed)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def shift_curves(n: int, eps: float, shifts: tuple[float, ...], trim: float, repeats: int, seed: int):
    """The errors against the bump's location (independent of the chosen location)."""
    return robust_statistics.shift_sweep(n, eps, shifts, trim=trim, repeats=repeats, seed=seed)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def breakdown_curves(n: int, eps_values: tuple[float, ...], trim: float, repeats: int, seed: int):
    """The sup errors against eps (independent of the chosen eps and bump)."""
    return robust_statistics.breakdown_curve(n, eps_values, trim=trim, repeats=repeats, seed=seed)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def dimension_curves(n: int, eps: float, dims: tuple[int, ...], repeats: int, seed: int):
    """The errors against the dimension, the bump at sigma sqrt(d), and the eps sqrt(d) fit."""
    return high_dimensional.dimension_sweep(n, eps, dims, repeats=repeats, seed=seed)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def plane(n: int, eps: float, shift: float, seed: int):
    """The Tukey median and exact depth regions of a corrupted sample in the plane."""
    return tukey.plane_study(n, eps, shift, seed=seed)


# -- your data ------------------------------------------------------------------------------------------------
@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def data_problem(source: str, upload: bytes | None, label: str, features, bins: int, cost: str, method: str,
                 drop: bool):
    """The binned problem of the 'Your data' page (a ProblemError sentence for bad input)."""
    samples = _samples(source, upload, label)
    return from_samples(samples, features=features, bins=bins, cost=cost, method=method, drop_bad_rows=drop)


@cached(max_entries=ENTRIES, max_size=SIZE, show_spinner=False)
def data_columns(source: str, upload: bytes | None, label: str) -> tuple[str, ...]:
    """The feature columns of a data set or an uploaded file (for the feature pickers)."""
    return _samples(source, upload, label).columns


def _samples(source: str, upload: bytes | None, label: str):
    if source == "csv":
        return read_samples_csv(upload, label=label or None, name="your file")
    return load_dataset(source)


def data_analysis(key: str, problem, eps_grid: tuple[float, ...], models: tuple[str, ...], rules_key: str,
                  rules: dict):
    """engine.data_limits on the whole grid, charged to the session's solver budget (ui.budget) when it solves."""
    token = ("data", key, eps_grid, models, rules_key)
    with budget.solving(known=answered(token)):
        result = _data_analysis(key, problem, eps_grid, models, rules_key, rules)
    remember(token)
    return result


@st.cache_resource(max_entries=16, show_spinner=False)
def _data_analysis(key: str, _problem, eps_grid: tuple[float, ...], models: tuple[str, ...], rules_key: str,
                   _rules: dict):
    """The cached body of ``data_analysis``: a resource cache (one shared result, never modified; its saddle points
    hold every move's plan, too large to pickle on every rerun), bounded by entries (16) and by the page's size
    limit (views/your_data.py: PAGE_MOVES moves a problem)."""
    return data_limits(_problem, eps_grid, models=models, rules=_rules)


@st.cache_resource(max_entries=ENTRIES, show_spinner=False)
def data_regions(key: str, eps_grid: tuple[float, ...], model: str, title: str, rules_key: str, _limits, _binning):
    """The animated decision regions (one frame per budget: about as costly as every other figure of the page
    together), built once per analysis and model; a resource cache, so frozen (ui.figcache.freeze): every session
    reads the same JSON form and lecture mode styles a copy."""
    return freeze(regions_figure(_binning, eps_grid, [s.q for s in _limits.saddles], _limits.models[model].classifier,
                                 title))
