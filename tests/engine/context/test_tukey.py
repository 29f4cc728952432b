"""Tukey depth in the plane (engine.context.tukey): the exact depth against brute force over a dense fan of
directions on small samples; known configurations; the exact depth regions against the depth on a grid; the Tukey
median's robustness to a far bump.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.context.tukey import depth_regions, tukey_depth
from engine.errors import ProblemError

FAN = 100_000  # directions of the brute force


def brute_depth(x: np.ndarray, sample: np.ndarray, directions: int = FAN) -> int:
    """min over FAN unit vectors v of #{y : v.y >= v.x}: the definition, projection by projection."""
    t = np.linspace(0, 2 * math.pi, directions, endpoint=False)
    v = np.column_stack([np.cos(t), np.sin(t)])
    return int(((sample - x) @ v.T >= 0).sum(axis=0).min())


def critical_gap(x: np.ndarray, sample: np.ndarray) -> float:
    """The narrowest arc between the directions where a projection's count can change (v perpendicular to y - x)."""
    d = sample - x
    d = d[np.any(d != 0, axis=1)]
    a = np.mod(np.concatenate([np.arctan2(d[:, 1], d[:, 0]) + s * math.pi / 2 for s in (1, -1)]), 2 * math.pi)
    a = np.sort(a)
    return float(np.min(np.diff(np.concatenate([a, [a[0] + 2 * math.pi]]))))


@pytest.mark.parametrize("seed", range(8))
def test_depth_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 4 + seed
    sample = rng.standard_normal((n, 2))
    queries = np.concatenate([sample, rng.uniform(-2.5, 2.5, (15, 2)), sample.mean(axis=0, keepdims=True)])
    exact = tukey_depth(queries, sample)
    checked = 0
    for x, depth in zip(queries, exact, strict=True):
        if critical_gap(x, sample) > 4 * 2 * math.pi / FAN:  # the fan enters every arc: brute force is exact
            assert depth == brute_depth(x, sample), (x, depth)
            checked += 1
    assert checked >= len(queries) - 2


def test_known_configurations():
    for m in (5, 6, 7, 8):
        t = 2 * math.pi * np.arange(m) / m
        polygon = np.column_stack([np.cos(t), np.sin(t)])
        assert tukey_depth([0.0, 0.0], polygon)[0] == m // 2  # the centre of a regular m-gon
        assert np.all(tukey_depth(polygon, polygon) == 1)  # every vertex of the hull
        assert tukey_depth([3.0, 0.0], polygon)[0] == 0  # outside
    sample = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [-1.0, 1.0], [-1.0, -1.0]])
    assert tukey_depth([0.0, 0.0], sample)[0] == 3  # the two repeats count in every halfplane, and one more
    assert tukey_depth([0.0, 0.0], sample[:4])[0] == 2  # (1, 0) and (-1, 1) fit in an open half-plane


@pytest.mark.parametrize("seed", range(4))
def test_depth_regions_are_the_depth_level_sets(seed):
    """A grid point well inside the polygon D_k has depth >= k, one well outside depth < k."""
    rng = np.random.default_rng(100 + seed)
    sample = rng.standard_normal((12 + 6 * seed, 2))
    regions = depth_regions(sample)
    g = np.stack(np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-3, 3, 61)), -1).reshape(-1, 2)
    depth = tukey_depth(g, sample)
    for k, poly in zip(regions.depths, regions.polygons, strict=True):
        if len(poly) < 3:
            continue
        signed = _signed_distance(g, poly)
        assert np.all(depth[signed > 1e-7] >= k), k
        assert np.all(depth[signed < -1e-7] < k), k
    assert regions.max_depth >= depth.max()  # no grid point is deeper
    assert tukey_depth(regions.median, sample)[0] == regions.max_depth
    assert regions.max_depth >= math.ceil(len(sample) / 3)  # the centerpoint theorem
    assert np.allclose(np.sort(regions.polygons[0], axis=0), np.sort(_hull(sample), axis=0))  # D_1 is the hull


def _signed_distance(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """> 0 inside a counter-clockwise convex polygon: the least distance to its edges' lines (inward normals)."""
    edges = np.roll(poly, -1, axis=0) - poly
    inward = np.column_stack([-edges[:, 1], edges[:, 0]]) / np.linalg.norm(edges, axis=1)[:, None]
    return np.einsum("mkj,kj->mk", points[:, None, :] - poly[None, :, :], inward).min(axis=1)


def _hull(sample: np.ndarray) -> np.ndarray:
    from scipy.spatial import ConvexHull

    return sample[ConvexHull(sample).vertices]


def test_tukey_median_stays_with_the_clean_points_however_far_the_bump():
    rng = np.random.default_rng(7)
    clean = rng.standard_normal((40, 2))
    medians = []
    for s in (5.0, 1e3, 1e6):
        x = clean.copy()
        x[:8] = s / math.sqrt(2)  # eps = 0.2 < 1/3 at distance s along the diagonal
        medians.append(depth_regions(x).median)
        assert np.linalg.norm(x.mean(axis=0)) > 0.2 * s - 1
    assert max(np.linalg.norm(m) for m in medians) < 1.0
    np.testing.assert_allclose(medians[1], medians[2], atol=1e-3)  # the lines towards the bump settle as it leaves


@pytest.mark.parametrize(("call", "words"), [
    (lambda: tukey_depth([[0, 0, 0]], [[1, 2]]), "m-by-2 array"),
    (lambda: tukey_depth([[0, np.nan]], [[1, 2]]), "finite numbers"),
    (lambda: depth_regions([[0, 0], [1, 1], [2, 2]]), "not all on one line"),
    (lambda: depth_regions(np.zeros((500, 2))), "at most 200 points"),
    (lambda: tukey_depth([[0, 0]], "abc"), "pairs of numbers"),
])
def test_bad_input_gets_a_sentence(call, words):
    with pytest.raises(ProblemError) as err:
        call()
    assert words in str(err.value)
