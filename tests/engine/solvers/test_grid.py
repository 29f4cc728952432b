"""engine.solvers.grid (the warm-started sweep of h* on binned data) and engine.bounds.local (the exact loss at one
budget from the moves near the multiplier): the same answers as the default chain and the sweep over every move."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.bounds.local import local_loss_at, local_loss_slope
from engine.bounds.loss import exact_loss, log_losses
from engine.core.moves import every_move
from engine.solvers.chain import saddle_at
from engine.solvers.grid import sweep


def blobs(seed: int, n: int = 120, bins: int = 6, cost: str = "sql2", m: int = 3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, m, n)
    angle = 2 * np.pi * y / m
    x = np.c_[np.cos(angle), np.sin(angle)] + 0.8 * rng.normal(size=(n, 2))
    return engine.from_samples(x, y, bins=bins, cost=cost)


@pytest.mark.parametrize("seed, cost", [(0, "sql2"), (1, "l2"), (2, "linf")])
def test_the_sweep_agrees_with_the_chain_and_is_verified(fresh_solver_cache, seed, cost):
    p = blobs(seed, cost=cost)
    eps = np.array([0.3, 0.0, 0.05, 0.3, 1.0, 50.0, 100.0])  # unsorted, repeated, past saturation
    out = sweep(p, eps)
    assert [s.eps for s in out] == list(eps)
    assert out[0] is out[3]
    for s in out:
        assert s.status == "verified" and s.certificate.gap <= 1e-6
        chain = saddle_at(p, s.eps)
        assert s.certificate.lower <= chain.certificate.upper + 1e-9
        assert chain.certificate.lower <= s.certificate.upper + 1e-9
        # the certificate's upper end is the exact loss of the returned rule
        assert s.certificate.upper == pytest.approx(float(exact_loss(p, log_losses(s.q), np.array([s.eps]))[0]),
                                                    abs=1e-9)
    assert out[-1].method == "carried"  # past saturation no solve is needed


def test_the_max_kind_goes_to_the_chain(fresh_solver_cache):
    p = blobs(3).replace(constraint="max")
    out = sweep(p, np.array([0.0, 0.5]))
    assert all(s.status == "verified" for s in out)
    assert out[1].certificate.lower == saddle_at(p, 0.5).certificate.lower


@pytest.mark.parametrize("seed", range(8))
def test_the_local_loss_is_the_exact_loss(seed):
    p = blobs(seed, bins=5 + seed % 3, cost=("sql2", "l2", "l1")[seed % 3])
    moves = every_move(p)
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.full(p.m, 0.5), p.n)
    ell = log_losses(q)
    grid = np.array([1e-4, 0.01, 0.1, 0.5, 2.0, 50.0])
    curve = exact_loss(p, ell, grid)
    for e, want in zip(grid, curve, strict=True):
        for hint in (None, 1e-3, 1.0, 1e3):  # good, bad and no guesses of the multiplier
            assert local_loss_at(moves, ell, float(e), hint) == pytest.approx(want, rel=1e-12, abs=1e-12)
    value, slope = local_loss_slope(moves, ell, 0.05, 1.0)
    step = 1e-7
    left = (value - float(exact_loss(p, ell, np.array([0.05 - step]))[0])) / step
    assert slope == pytest.approx(left, rel=1e-4, abs=1e-6)


def test_an_unreachable_zero_makes_the_loss_infinite():
    p = blobs(4)
    q = np.full((p.n, p.m), 1 / p.m)
    q[0] = [1.0, 0.0, 0.0]
    assert local_loss_at(every_move(p), log_losses(q), 0.1, 1.0) == np.inf
