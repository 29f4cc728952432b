"""engine.analyses.separation against brute force: the samples' separation in l2 and l_inf, and the grid's
zero-error radius, confirmed by certified robust-error solves of the max kind."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.analyses.separation import separation, zero_error_radius
from engine.errors import ProblemError


def brute(points, labels, p):
    best = np.inf
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if labels[i] != labels[j]:
                best = min(best, np.linalg.norm(points[i] - points[j], ord=p))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_separation_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, d, m = rng.integers(5, 80), rng.integers(1, 4), rng.integers(2, 5)
    points = rng.normal(size=(n, d)).round(1 if seed % 2 else 6)  # rounding makes ties and duplicates
    labels = rng.integers(0, m, n)
    labels[:2] = [0, 1]
    s = separation(points, labels)
    assert s.l2 == pytest.approx(brute(points, labels, 2), abs=1e-12)
    assert s.linf == pytest.approx(brute(points, labels, np.inf), abs=1e-12)
    i, j = s.pair_l2
    assert labels[i] != labels[j] and np.linalg.norm(points[i] - points[j]) == pytest.approx(s.l2)
    assert s.memorising_radius == (s.l2 / 2, s.linf / 2)


def test_string_labels_and_coinciding_samples():
    s = separation([[0.0, 0.0], [0.0, 0.0], [3.0, 4.0]], ["a", "b", "a"])
    assert s.l2 == 0 and "coincide" in s.consequence()
    s = separation([[0.0, 0.0], [3.0, 4.0]], ["a", "b"])
    assert (s.l2, s.linf) == (5.0, 4.0) and "2.5 in l2 and 2 in l_inf" in s.consequence()
    with pytest.raises(ProblemError, match="two labels"):
        separation([[0.0], [1.0]], [1, 1])


def brute_radius(cost, mu):
    best = np.inf
    atoms = [(x, y) for x, y in zip(*np.nonzero(mu), strict=True)]
    for a in atoms:
        for b in atoms:
            if a[1] != b[1]:
                best = min(best, float(np.maximum(cost[a[0]], cost[b[0]]).min()))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_zero_error_radius_equals_brute_force_and_the_robust_error(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(30, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=30) > 0).astype(int)
    p = engine.from_samples(x, y, bins=5, cost=["l2", "linf", "l1", "sql2"][seed])
    r = zero_error_radius(p.cost, p.mu)
    assert r == pytest.approx(brute_radius(p.cost, p.mu), abs=1e-12)
    if r > 0:
        below, at = engine.robust_error(p.replace(constraint="max"), [r * (1 - 1e-6), r]).points
        assert below.certificate.upper <= 1e-9 < at.certificate.lower
