"""The robust rule at eps = 0 in closed form (issue 13).

At eps = 0 a budget kind (and the max kind) allows only the moves of cost 0. With no such move besides the stays,
D(0) = {mu}, so (13) is min_q L(mu, q): by (8) the minimiser is the posterior q*(y|x) = mu(y|x) wherever
mu(x) > 0 (Corollary 1 with nu* = mu), exactly, and any pmf is minimax on a row x with mu(x) = 0.

Off the support of mu_X the engine's rule is *the limit of its own rule q*_eps as eps -> 0+*. For eps > 0 the
engine puts q(.|x') proportional to exp(-psi_eps) on a row the optimal plan leaves empty, with the c-transform
psi_eps(c) = min_a [t_eps(a) + lambda_eps cost(a -> c)] (docs/design.md, "The dual program"). As eps -> 0+ the plan
tends to mu, every atom's stay stays tight, so t_eps(a) -> t0(a) = -log mu(y|x) (the atom's own posterior loss),
and lambda_eps -> lambda0 = h*'(0+), the right derivative of h* at 0 (h* is concave; lambda_eps is a
supergradient). lambda0 is the least lambda at which (posterior, lambda) solves the dual of (13) at eps = 0:

    lambda0 = max( max over moves a -> c into rows with mu(x') > 0 of (u0(c) - t0(a)) / cost(a -> c),
                   max over rows x' with mu(x') = 0 of the root of log sum_y exp(-psi_lambda(x', y)) = 0 ),

u0 = -log mu(y'|x'), psi_lambda(c) = min_a [t0(a) + lambda cost(a -> c)] (each term is non-increasing in lambda).
So the limit rule is exp(-psi_lambda0) normalised. lambda0 is infinite when a row with mu(x') > 0 has a label the
attack could bring to it with mu(x', y') = 0 (its loss is infinite); then psi_lambda ~ lambda D(c) + const and the
limit keeps, on each empty row, the labels whose nearest atom is nearest (D(c) = min_a cost(a -> c) least),
weighted by exp(-min over those nearest atoms of t0(a)). The max kind's allowed moves do not change for eps below
its smallest positive distance, so its limit is its eps = 0 rule: uniform on the rows no move reaches.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from engine.core.moves import Moves, allowed_moves, every_move
from engine.core.problem import Problem

UNIT = np.finfo(float).eps / 2


def posterior_at_zero(problem: Problem, zero: Moves | None = None):
    """(q, delta, free rows, lambda0): the eps = 0 rule of the module docstring and a bound delta on its rounding,
    when the only zero-cost moves are the stays (else None: the chain's polish applies). ``zero``: the allowed moves
    at eps = 0 when the caller has them (else they are looked up)."""
    n, m, mu = problem.n, problem.m, problem.mu
    zero = allowed_moves(problem, 0.0) if zero is None else zero
    if np.any(~zero.is_stay):
        return None
    mu_x = mu.sum(axis=1)
    q = np.full((n, m), 1.0 / m)
    on = mu_x > 0
    q[on] = mu[on] / mu_x[on, None]
    free = tuple(int(x) for x in np.flatnonzero(~on)) if m > 1 else ()
    lam0 = math.nan
    delta = 4 * UNIT  # one division and one rounded sum per entry
    if problem.constraint != "max" and free:
        q_off, lam0, d_off = _limit_rows(problem, q, on)
        q[~on] = q_off
        delta = max(delta, d_off)
    return q, delta, free, lam0


def _limit_rows(problem, q, on):
    """The limit rule on the rows with mu(x) = 0 (budget kinds), lambda0 and the rule's rounding bound."""
    n, m = problem.n, problem.m
    every = every_move(problem)
    with np.errstate(divide="ignore"):
        u0 = -np.log(q.ravel())
    t0 = u0[every.atom_x * m + every.atom_y]
    rows = every.target // m
    into_on = on[rows] & (every.cost > 0)
    lam_pairs = 0.0
    if into_on.any():
        with np.errstate(invalid="ignore"):
            ratio = (u0[every.target[into_on]] - t0[every.source[into_on]]) / every.cost[into_on]
        lam_pairs = float(np.max(ratio))  # inf when a reachable cell of a filled row has mass 0
    off = np.flatnonzero(~on)
    if not np.isfinite(lam_pairs):
        return _nearest(every, t0, off, n, m), math.inf, 4 * UNIT * (1 + float(np.max(np.abs(t0))))
    lam0 = max(lam_pairs, 0.0)
    for x in off:
        lam0 = max(lam0, _row_root(every, t0, x, m))
    psi = _psi(every, t0, lam0, n, m)
    P = psi[off]
    w = np.exp(-(P - P.min(axis=1, keepdims=True)))
    # lambda0 is known to a relative 1e-15 (bisection): psi moves by at most that times the largest cost
    # (a cell no atom reaches has psi = inf and q = 0 exactly: no rounding there)
    d = 2 * (abs(lam0) * 1e-15 * float(every.cost.max(initial=0.0))) \
        + 8 * UNIT * (1 + float(np.max(np.abs(P[np.isfinite(P)]), initial=0.0)))
    return w / w.sum(axis=1, keepdims=True), lam0, d


def _psi(every, t0, lam, n, m):
    psi = np.full(n * m, np.inf)
    np.minimum.at(psi, every.target, t0[every.source] + lam * every.cost)
    return psi.reshape(n, m)


def _row_root(every, t0, x, m):
    """The least lambda >= 0 with log sum_y exp(-psi_lambda(x, y)) <= 0 (bisection; the map is non-increasing)."""
    into = (every.target // m) == x
    src, tgt, cost = every.source[into], every.target[into] - x * m, every.cost[into]

    def f(lam):
        psi = np.full(m, np.inf)
        np.minimum.at(psi, tgt, t0[src] + lam * cost)
        return float(logsumexp(-psi))

    if f(0.0) <= 0:
        return 0.0
    hi = 1.0
    while f(hi) > 0:
        hi *= 2
        if hi > 1e300:
            return math.inf
    lo = 0.0
    while hi - lo > 1e-15 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return hi


def _nearest(every, t0, off, n, m):
    """lambda0 = inf: on each empty row, the labels whose nearest atom is nearest, weighted by exp(-t0)."""
    D = np.full(n * m, np.inf)
    np.minimum.at(D, every.target, every.cost)
    near = every.cost == D[every.target]
    best = np.full(n * m, np.inf)
    np.minimum.at(best, every.target[near], t0[every.source[near]])
    D, best = D.reshape(n, m), best.reshape(n, m)
    out = np.zeros((len(off), m))
    for i, x in enumerate(off):
        keep = D[x] == D[x].min()
        w = np.where(keep, np.exp(-(best[x] - best[x][keep].min())), 0.0)
        out[i] = w / w.sum()
    return out
