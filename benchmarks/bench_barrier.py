"""The exact rule's central path (engine.solvers.barrier): the sparse Newton step beside the dense one, and whole
solves of joint-constraint tables, side by side in one run.

    .venv/bin/python benchmarks/bench_barrier.py            # steps and solves, 5 repeats (medians)
    .venv/bin/python benchmarks/bench_barrier.py --repeats 9

Steps: one Newton step at the warm start of ``Barrier.solve`` (the dense way: build the whole Jacobian with
``evaluate`` and ``numpy.linalg.solve`` it; ours: ``newton_step``'s sparse system). Solves: ``engine.worst_case``
with cold caches on figure 2 under the joint constraint (the page's hamming and default costs), the dense step
patched in for the "dense" column. BLAS on one thread throughout (as in the app, ui/boot.py). Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import engine  # noqa: E402
from engine.core.moves import allowed_moves  # noqa: E402
from engine.solvers import barrier  # noqa: E402
from engine.solvers.chain import saddle_at  # noqa: E402
from engine.solvers.polish import candidates  # noqa: E402

CASES = (("figure2 joint, hamming", "hamming", 0.55), ("figure2 joint, default cost", None, 0.65))


def problem(metric):
    return engine.load_preset("figure2", constraint="joint", **({"metric": metric} if metric else {}))


def dense_step(self, z, mu, F):
    _, J = self.evaluate(z, mu)
    try:
        return np.linalg.solve(J, -F)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(J, -F, rcond=None)[0]


def median_seconds(f, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_row(name, metric, eps, repeats):
    p = problem(metric)
    s = saddle_at(p, eps)
    moves = allowed_moves(p, eps)
    b = barrier.Barrier(moves, eps, candidates(moves, s.plan, s.q, s.multiplier or 0.0))
    z = b.start(s.plan, s.q, s.multiplier, barrier.MU_WARM)
    F = b.evaluate(z, barrier.MU_WARM, jacobian=False)
    d = median_seconds(lambda: dense_step(b, z, barrier.MU_WARM, F), repeats)
    t = median_seconds(lambda: b.newton_step(z, barrier.MU_WARM, F), repeats)
    print(f"| {name}, eps {eps:g} | {b.k} | {1e3 * d:.1f} | {1e3 * t:.2f} | {d / t:.1f}x |")


def solve_row(name, metric, eps, repeats):
    p, values, sparse_step = problem(metric), {}, barrier.Barrier.newton_step

    def run(step, key):
        barrier.Barrier.newton_step = step
        try:
            engine.clear_cache()
            values[key] = engine.worst_case(p, eps).value
        finally:
            barrier.Barrier.newton_step = sparse_step

    d = median_seconds(lambda: run(dense_step, "dense"), repeats)
    t = median_seconds(lambda: run(sparse_step, "sparse"), repeats)
    print(f"| {name}, eps {eps:g} | {d:.2f} | {t:.2f} | {d / t:.1f}x | {values['dense']:.9f}, "
          f"{values['sparse']:.9f} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1, user_api="blas"):
        print("| one Newton step | candidates k | dense ms | sparse ms | dense / sparse |")
        print("|---|---|---|---|---|")
        for case in CASES:
            step_row(*case, args.repeats)
        print("\n| worst_case, cold caches | dense s | sparse s | dense / sparse | h* (both) |")
        print("|---|---|---|---|---|")
        for case in CASES:
            solve_row(*case, max(1, args.repeats // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
