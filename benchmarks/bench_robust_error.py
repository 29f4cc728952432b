"""robust_error along an eps grid next to a plain per-eps formulation, in one run (medians and ratios).

    python benchmarks/bench_robust_error.py [--quick]

Ours: ``robust_error(problem, grid)``: the sparse LP of ``engine.solvers.error_lp`` built once and
re-solved from the last basis at each budget (highspy's dual simplex), every point certified (a repaired plan's
error below, the exact worst-case error of the dual rule above). Peers, both per budget and uncertified:

- cvxpy: the plain program max 1 - sum_x' t_x' over a dense plan per label (n-by-n, the cost matrix masked for
  the ``max`` kind), t_x' >= nu(x', y), rebuilt and solved with HiGHS at every eps;
- linprog: the same sparse LP as ours, handed to ``scipy.optimize.linprog(method="highs")`` afresh at every eps
  (what the warm start saves).

Each timed call starts cold (the engine's curve cache is cleared) in a warm process. Instances: the figure2
preset's 41 budgets in [0, 2], and a seeded 50x10 table (classes along [1, 5], squared cost; ``instance``) on
41 budgets, expected and max kinds. ``max abs diff``: the largest difference of the peers' values from ours
(the peers run at HiGHS's default tolerances, 1e-7).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import cvxpy as cp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Problem, load_preset, robust_error  # noqa: E402
from engine.analyses.robust_error import clear_cache  # noqa: E402
from engine.core.moves import allowed_moves, perturbed_table  # noqa: E402
from engine.solvers.error_lp import solve_error_linprog  # noqa: E402


def instance(n: int, m: int, constraint: str = "expected", seed: int = 0, spread: float = 0.12) -> Problem:
    """m classes along [1, 5], class y's feature a binned N(c_y, spread^2) around a seeded centre c_y, seeded priors,
    squared cost: the robust error climbs from the Bayes error (~0.26 at 50x10) to 1 - max_y mu(y) (~0.81) over
    eps in [0, 0.6] (expected kind) or [0, 3] (max kind), so most of the 41 budgets bind."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(1, 5, n)
    centres, prior = np.sort(rng.uniform(1, 5, m)), rng.dirichlet(np.full(m, 5.0))
    mu = prior[None, :] * np.exp(-((xs[:, None] - centres[None, :]) ** 2) / (2 * spread**2))
    return Problem.from_arrays(mu, positions=xs, metric="squared", constraint=constraint, normalise=True)


def median_seconds(run, repeats: int) -> tuple[float, object]:
    """Median wall time of ``run()`` over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def ours(problem: Problem, grid: np.ndarray):
    clear_cache()
    return robust_error(problem, grid)


def cvxpy_value(problem: Problem, eps: float) -> float:
    """The plain cvxpy program at one budget (label-fixed kinds), solved by HiGHS."""
    n, m, d, mu = problem.n, problem.m, problem.cost, problem.mu
    plans = [cp.Variable((n, n), nonneg=True) for _ in range(m)]
    t = cp.Variable(n)
    constraints = []
    for y, G in enumerate(plans):
        constraints += [cp.sum(G, axis=1) == mu[:, y], t >= cp.sum(G, axis=0)]
        if problem.constraint == "max":
            constraints.append(cp.multiply(G, (d > eps * (1 + 1e-12)).astype(float)) == 0)
    if problem.constraint == "expected":
        constraints.append(sum(cp.sum(cp.multiply(d, G)) for G in plans) <= eps)
    program = cp.Problem(cp.Maximize(1 - cp.sum(t)), constraints)
    program.solve(solver="HIGHS")
    return float(program.value)


def cvxpy_curve(problem: Problem, grid: np.ndarray) -> np.ndarray:
    return np.array([cvxpy_value(problem, e) for e in grid])


def linprog_curve(problem: Problem, grid: np.ndarray) -> np.ndarray:
    """Our sparse LP, rebuilt and solved afresh by scipy's HiGHS at every budget (no warm start, no certificate)."""
    out = []
    for e in grid:
        moves = allowed_moves(problem, float(e))
        raw = solve_error_linprog(moves, float(e))
        out.append(1.0 - perturbed_table(moves, raw.plan).max(axis=1).sum())
    return np.array(out)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    cases = [
        ("figure2 (5x5, expected), 41 budgets in [0, 2]", load_preset("figure2"), np.linspace(0, 2, 41), 11, 5),
        ("50x10 expected, 41 budgets in [0, 1]", instance(50, 10), np.linspace(0, 1, 41), 5, 3),
        ("50x10 max, 41 budgets in [0, 4]", instance(50, 10, "max"), np.linspace(0, 4, 41), 5, 3),
    ]
    if quick:
        cases = [(name, p, grid, 2, 1) for name, p, grid, _, _ in cases]
    ours(load_preset("figure2"), np.linspace(0, 2, 41))  # warm the process: imports, first-call set-up
    cvxpy_value(load_preset("figure2"), 0.5)
    print("| problem | ours (median) | worst status, max gap | cvxpy+HiGHS per eps | ratio | linprog per eps | ratio "
          "| max abs diff |")
    print("|---|---|---|---|---|---|---|---|")
    for name, p, grid, repeats, peer_repeats in cases:
        t_ours, curve = median_seconds(lambda p=p, grid=grid: ours(p, grid), repeats)
        t_cvx, values = median_seconds(lambda p=p, grid=grid: cvxpy_curve(p, grid), peer_repeats)
        t_lin, lin = median_seconds(lambda p=p, grid=grid: linprog_curve(p, grid), peer_repeats)
        diff = max(np.max(np.abs(values - curve.value)), np.max(np.abs(lin - curve.value)))
        print(f"| {name} | {t_ours * 1e3:.1f} ms | {curve.status}, {curve.gap.max():.1e} | {t_cvx * 1e3:.0f} ms | "
              f"{t_cvx / t_ours:.1f}x | {t_lin * 1e3:.0f} ms | {t_lin / t_ours:.1f}x | {diff:.1e} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
