"""Issue 15, sizes: limits on the product of sizes are checked before anything is built (engine.core.limits), and
the engine's caches are bounded in bytes (engine.core.cache). Each call runs under a harness-enforced bound."""

from __future__ import annotations

import numpy as np
import pytest
from bounded import within

import engine
from engine.core import limits
from engine.core.cache import bounded_cache, nbytes
from engine.errors import ProblemError


def test_a_million_rows_are_refused_before_the_n_by_n_cost_is_built():
    mu = np.full((10**6, 1), 1e-6)
    with pytest.raises(ProblemError, match=r"^The table has 1,000,000 feature values \(rows\); the engine takes at "
                                           r"most 2,000"):
        within(10, engine.Problem.from_arrays, mu)


def test_too_many_labels_are_refused():
    with pytest.raises(ProblemError, match="201 labels"):
        within(10, engine.Problem.from_arrays, np.full((1, 201), 1 / 201))


@pytest.mark.parametrize("n, m, kind", [(2000, 2, "expected"), (200, 51, "max"), (40, 40, "joint")])
def test_a_solve_beyond_the_move_limit_is_refused_before_its_moves_are_built(n, m, kind):
    p = engine.Problem.from_arrays(np.full((n, m), 1 / (n * m)), constraint=kind)
    assert limits.moves_of(n, m, kind) > limits.MAX_MOVES
    with pytest.raises(ProblemError, match=r"transport moves per budget .*the engine takes at most 2,000,000"):
        within(10, engine.worst_case, p, 0.5)


def test_a_cache_bounded_in_bytes_evicts_the_oldest_entries():
    @bounded_cache(maxsize=100, max_bytes=10_000)
    def block(i):
        return np.zeros(500)  # 4,000 bytes

    for i in range(5):
        block(i)
    info = block.cache_info()
    assert info.currsize == 2 and info.bytes <= 10_000
    assert block(4) is block(4) and block.cache_info().hits >= 1
    big = bounded_cache(maxsize=10, max_bytes=100)(lambda: np.zeros(1000))
    big()
    assert big.cache_info().currsize == 0  # one value above the bound is returned, not kept


def test_nbytes_counts_arrays_in_dataclasses_and_shared_arrays_once():
    w = engine.worst_case(engine.load_preset("figure2"), 0.5)
    assert nbytes(w) >= w.nu.nbytes + w.q.nbytes
    a = np.zeros(1000)
    assert nbytes((a, a, a[:10])) < 2 * a.nbytes


def test_the_solver_cache_is_bounded_in_bytes():
    from engine.solvers.chain import CACHE_BYTES, _solve_cached

    assert _solve_cached.cache_info().max_bytes == CACHE_BYTES
