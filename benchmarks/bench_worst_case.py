"""worst_case next to a plain cvxpy formulation of the same problem, in one run (medians and ratios).

    python benchmarks/bench_worst_case.py [--quick]

Ours: ``engine.worst_case`` (one hand-canonicalised Clarabel solve of (15), its rule read off the
multipliers, both certified exactly). Peers: the plain cvxpy program of (15) (docs/design.md: a dense plan
per label, explicit nu and nu_X, ``-rel_entr``) with Clarabel; and that plus the plain cvxpy program of
(13), which is what a certificate needs. Each timed call starts cold (the engine's cache is cleared) in a
warm process. Targets (issue 2): 5x5 <= 10 ms, 50x10 <= 0.6 s.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Problem, worst_case  # noqa: E402
from engine.core.moves import allowed_moves  # noqa: E402
from engine.solvers.chain import clear_cache  # noqa: E402
from engine.solvers.reference import plan_program, rule_program  # noqa: E402


def instance(n: int, m: int, seed: int = 0) -> Problem:
    """A seeded table with concentrated posteriors (so the budget binds), squared cost on [1, 5]."""
    rng = np.random.default_rng(seed)
    mu = rng.dirichlet(np.full(n, 5.0))[:, None] * rng.dirichlet(np.full(m, 0.3), size=n)
    return Problem.from_arrays(mu, positions=np.linspace(1, 5, n), metric="squared", normalise=True)


def median_seconds(run, repeats: int) -> tuple[float, object]:
    """Median wall time of ``run()`` over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def ours(problem: Problem, eps: float):
    clear_cache()
    return worst_case(problem, eps)


def cvxpy_plan(problem: Problem, eps: float):
    program, _ = plan_program(problem, allowed_moves(problem, eps), eps)
    program.solve(solver="CLARABEL")
    return program.value


def cvxpy_both(problem: Problem, eps: float):
    moves = allowed_moves(problem, eps)
    for build in (plan_program, rule_program):
        program, _ = build(problem, moves, eps)
        program.solve(solver="CLARABEL")
    return program.value


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sizes = [(5, 5, 0.5, 30), (20, 5, 0.5, 10), (50, 10, 0.2, 5)]
    if quick:
        sizes = [(n, m, e, max(2, r // 5)) for n, m, e, r in sizes]
    ours(instance(5, 5), 0.5)  # warm the process: imports, first-call set-up
    cvxpy_plan(instance(5, 5), 0.5)
    print("| size | ours (median) | status, gap | cvxpy (15) | ratio | cvxpy (15)+(13) | ratio | |h* diff| |")
    print("|---|---|---|---|---|---|---|---|")
    for n, m, eps, repeats in sizes:
        p = instance(n, m)
        t_ours, w = median_seconds(lambda p=p, eps=eps: ours(p, eps), repeats)
        t_plan, value = median_seconds(lambda p=p, eps=eps: cvxpy_plan(p, eps), max(2, repeats // 3))
        t_both, _ = median_seconds(lambda p=p, eps=eps: cvxpy_both(p, eps), max(2, repeats // 3))
        print(
            f"| {n}x{m}, eps={eps} | {t_ours * 1e3:.1f} ms | {w.status}, {w.certificate.gap:.1e} | "
            f"{t_plan * 1e3:.1f} ms | {t_plan / t_ours:.1f}x | {t_both * 1e3:.1f} ms | {t_both / t_ours:.1f}x | "
            f"{abs(value - w.value):.1e} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
