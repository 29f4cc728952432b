"""Hypothesis strategies and independent helpers shared by the solver tests.

Nothing here imports the engine's numerics (moves, loss, information, certificate): the helpers rebuild
the ground cost, the allowed moves and the entropies from docs/design.md directly, so that a test comparing
the engine with them compares two independent computations.
"""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import strategies as st
from scipy.special import entr, xlogy

import engine

KINDS = ("expected", "max", "joint")
METRICS = ("abs", "squared", "hamming")
TINY_MASSES = (1e-12, 1e-9, 1e-6)
TINY_EPS = (1e-12, 1e-9, 1e-6)


def examples(n: int) -> int:
    """``max_examples`` for a property test under the active profile (see tests/conftest.py)."""
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    return {"dev": 3 * n, "quick": min(n, 5)}.get(profile, n)


# -- independent helpers ---------------------------------------------------------------------------
def h2(p: float) -> float:
    """Binary entropy in nats, from scipy.special.entr."""
    return float(entr(p) + entr(1.0 - p))


def cond_entropy(nu) -> float:
    """H(Y|X) = H(X, Y) - H(X) of a joint table nu[x, y], via scipy.special.xlogy."""
    nu = np.asarray(nu, dtype=float)
    return float(-np.sum(xlogy(nu, nu)) + np.sum(xlogy(nu.sum(axis=1), nu.sum(axis=1))))


def label_entropy(mu) -> float:
    """H(Y) of a joint table."""
    py = np.asarray(mu, dtype=float).sum(axis=0)
    return float(-np.sum(xlogy(py, py)))


def feature_cost(problem) -> np.ndarray:
    """d(x, x') rebuilt from the problem's positions and metric name (custom: the matrix itself)."""
    xs = np.asarray(problem.positions, dtype=float)
    if problem.metric == "abs":
        return np.abs(xs[:, None] - xs[None, :])
    if problem.metric == "squared":
        return (xs[:, None] - xs[None, :]) ** 2
    if problem.metric == "hamming":
        return 1.0 - np.eye(len(xs))
    return np.array(problem.cost, dtype=float)


def cell_cost(problem) -> np.ndarray:
    """The cost on X x Y, cells flattened as x * m + y: (7) for label-fixed kinds (inf for a label change),
    d + kappa 1{y != y'} for the joint kind."""
    n, m = problem.n, problem.m
    d = np.repeat(np.repeat(feature_cost(problem), m, axis=0), m, axis=1)
    same = (np.arange(n * m)[:, None] % m) == (np.arange(n * m)[None, :] % m)
    if problem.constraint == "joint":
        return d + problem.label_cost * ~same
    return np.where(same, d, np.inf)


def allowed_cells(problem, eps: float) -> np.ndarray:
    """allowed[a, c]: may the plan move mass from cell a to cell c at all (before the budget)?

    ``max`` kind: d(x, x') <= eps (relative slack 1e-9 for rounding in eps); budget kinds: any finite
    cost; staying put is always allowed.
    """
    C = cell_cost(problem)
    if problem.constraint == "max":
        allowed = C <= eps * (1 + 1e-9)
    else:
        allowed = np.isfinite(C)
    return allowed | np.eye(len(C), dtype=bool)


def reachable_cells(problem, eps: float) -> np.ndarray:
    """Cells that some positive-mass atom can send positive mass to at budget eps."""
    C = cell_cost(problem)
    ok = allowed_cells(problem, eps)
    if problem.constraint != "max" and eps == 0:
        ok &= (C <= 0) | np.eye(len(C), dtype=bool)
    return (ok & (problem.mu.ravel() > 0)[:, None]).any(axis=0)


def uniform_rule(problem) -> np.ndarray:
    """The rule that ignores x and guesses uniformly."""
    return np.full((problem.n, problem.m), 1.0 / problem.m)


# -- strategies ------------------------------------------------------------------------------------
@st.composite
def tables(draw, max_n: int = 8, max_m: int = 4, min_n: int = 1, min_m: int = 1) -> np.ndarray:
    """A joint pmf with exact zeros and masses down to 1e-12 (relative to the largest)."""
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(min_m, max_m))
    cell = st.one_of(
        st.just(0.0), st.sampled_from(TINY_MASSES), st.floats(1e-3, 1.0, allow_nan=False, allow_infinity=False)
    )
    w = np.array(draw(st.lists(cell, min_size=n * m, max_size=n * m)), dtype=float).reshape(n, m)
    if not (w > 0).any():
        w[draw(st.integers(0, n - 1)), draw(st.integers(0, m - 1))] = 1.0
    return w / math.fsum(w.ravel())


@st.composite
def problems(draw, kinds=KINDS, metrics=METRICS, max_n: int = 8, max_m: int = 4, min_m: int = 1):
    """An engine.Problem of a drawn kind and metric: a named one (distinct positions for abs and squared) or,
    if ``metrics`` contains "custom", a drawn cost matrix (possibly asymmetric, with free moves)."""
    mu = draw(tables(max_n=max_n, max_m=max_m, min_m=min_m))
    n = mu.shape[0]
    kind = draw(st.sampled_from(kinds))
    metric = draw(st.sampled_from(metrics))
    positions = None
    if metric == "custom":  # any non-negative matrix with a zero diagonal: asymmetric, free moves allowed
        values = draw(st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.5]), min_size=n * n, max_size=n * n))
        metric = np.array(values).reshape(n, n)
        np.fill_diagonal(metric, 0.0)
    elif metric != "hamming":
        ticks = draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n, unique=True))
        positions = [t / 2 for t in ticks]
    kappa = draw(st.sampled_from([0.0, 0.25, 1.0, 3.0])) if kind == "joint" else 1.0
    return engine.Problem.from_arrays(
        mu, positions=positions, metric=metric, constraint=kind, label_cost=kappa, normalise=True
    )


def budgets(problem) -> st.SearchStrategy[float]:
    """eps: 0, tiny values, the problem's own distances (ball boundaries), values just below them, and values
    up to past the widest move."""
    top = float(np.max(problem.cost)) + (problem.label_cost if problem.constraint == "joint" else 0.0)
    distances = sorted({float(v) for v in np.unique(problem.cost)})
    return st.one_of(
        st.just(0.0),
        st.sampled_from(TINY_EPS),
        st.sampled_from(distances),
        st.sampled_from(distances).map(lambda d: d * (1 - 1e-7)),  # just inside a ball boundary
        st.floats(0.0, 1.2 * top + 0.1, allow_nan=False, allow_infinity=False),
    )


@st.composite
def instances(draw, kinds=KINDS, metrics=METRICS, max_n: int = 8, max_m: int = 4):
    """(problem, eps)."""
    p = draw(problems(kinds=kinds, metrics=metrics, max_n=max_n, max_m=max_m))
    return p, draw(budgets(p))


@st.composite
def rules(draw, n: int, m: int, zeros: bool = True) -> np.ndarray:
    """A random rule q(y|x): Dirichlet rows from a drawn seed, optionally with exact zeros."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    alpha = draw(st.sampled_from([0.3, 1.0, 5.0]))
    q = rng.dirichlet(np.full(m, alpha), size=n)
    if zeros and m > 1 and draw(st.booleans()):
        drop = rng.random((n, m)) < 0.3
        drop[np.arange(n), rng.integers(0, m, n)] = False  # each row keeps a positive entry
        q = np.where(drop, 0.0, q)
    if not zeros:
        q = np.maximum(q, 1e-15)  # keep every loss finite (at most ~35 nats)
    return q / q.sum(axis=1, keepdims=True)
