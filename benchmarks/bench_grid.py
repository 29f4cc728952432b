"""Binned data: a whole curve of h* on a grid, certified at every budget, and the 0-1 LP, beside the solvers before
issue 18.

    python benchmarks/bench_grid.py [--quick] [--part=h-star|lp|batch ...]

Problems (``engine.from_samples``, standardised axes, uniform bins, squared Euclidean cost between centres):

- ``iris 20x20x3``: iris's petal length and width, 150 samples, 66 occupied cells of 400 (480,000 moves in the
  dense count n^2 m, 26,400 from the occupied ones): the issue's instance;
- ``blobs 20x20x3``: three seeded Gaussian blobs (60,000 samples kept in a box), 1,132 occupied cells: a stress
  test with nearly every cell an atom (452,800 moves);
- ``wine 30x30x3`` and ``digits 30x30x10``: the first two principal components, through ``batch``.

Budgets: 21 from 0 to 1 (``0:1:21``; 11 for the batch rows). Ours: ``engine.solvers.grid.sweep`` (the warm-started
sweep; what ``engine.data_limits`` and ``batch`` run on binned data) and ``engine.robust_error`` (column
generation from 20,000 moves). Before: ``engine.worst_case`` at each budget (the default chain: the reduced solve,
then the conic form) and the 0-1 LP over every move (``engine.solvers.error_lp.ErrorLP``); for the batch rows the
batch's own per-budget path (``solve_eps_grid`` on the plain problem, bounds carried along the grid). Each timed
run starts with cold caches; medians over the repeats in brackets. A baseline that passes ``CAP`` seconds is
stopped and shown as "> CAP". Target (issue 18): iris 20x20x3's 21-budget curve <= 10 s, every budget verified.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import engine  # noqa: E402
from engine.analyses import robust_error as error_module  # noqa: E402
from engine.batch.run import run_batch, solve_eps_grid  # noqa: E402
from engine.solvers.grid import sweep  # noqa: E402

CAP = float(os.environ.get("BENCH_CAP", 600.0))


def blobs(n: int = 60_000, m: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, m, n)
    angle = 2 * np.pi * y / m
    x = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(size=(n, 2))
    keep = (np.abs(x) < 2.2).all(axis=1)
    return engine.from_samples(x[keep], y[keep], bins=20, cost="sql2")


def problems(quick: bool):
    iris = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=20, cost="sql2")
    out = [("iris 20x20x3", iris, 3)]
    if not quick:
        out.append(("blobs 20x20x3", blobs(), 1))
    return out


def clear():
    engine.clear_cache()
    error_module.clear_cache()


def timed(f, repeats: int = 1):
    times, result = [], None
    for _ in range(repeats):
        clear()
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def capped(steps):
    """Run the callables in order until CAP seconds have passed: (seconds, results, finished?)."""
    clear()
    start, results = time.perf_counter(), []
    for step in steps:
        results.append(step())
        if time.perf_counter() - start > CAP:
            return time.perf_counter() - start, results, False
    return time.perf_counter() - start, results, True


def shown(seconds: float, finished: bool, done: int, total: int) -> str:
    return f"{seconds:8.1f} s" if finished else f"> {seconds:.0f} s ({done}/{total} budgets)"


def h_star_table(quick: bool) -> None:
    eps = np.linspace(0, 1, 21)
    print(f"h*(eps) at 21 budgets from 0 to 1, certified at each (cap {CAP:.0f} s per baseline)")
    print(f"{'problem':16} {'atoms':>6} {'moves':>8} {'ours':>12} {'verified':>9} {'before (chain)':>26} {'ratio':>7}")
    for name, p, repeats in problems(quick):
        seconds, out = timed(lambda p=p: sweep(p, eps), repeats)
        verified = sum(s.status == "verified" for s in out)
        before, results, finished = capped([lambda e=e, p=p: engine.worst_case(p, float(e)) for e in eps])
        worst = max(abs(a.certificate.lower - b.certificate.lower) for a, b in zip(out, results, strict=False))
        atoms = int((p.mu > 0).sum())
        ratio = f"{before / seconds:6.1f}x" if finished else f">{before / seconds:5.1f}x"
        print(f"{name:16} {atoms:6d} {atoms * p.n:8d} {seconds:10.2f} s{'' if repeats == 1 else f' [{repeats}]'}"
              f" {verified:5d}/21 {shown(before, finished, len(results), 21):>26} {ratio:>7}   "
              f"(h* agrees to {worst:.1e})")


def error_table(quick: bool) -> None:
    eps = np.linspace(0, 1, 21)
    print("\nthe 0-1 LP (engine.robust_error) at the same 21 budgets")
    print(f"{'problem':16} {'ours (columns)':>16} {'before (every move)':>22} {'ratio':>7}  status")
    rows = problems(quick) + ([] if quick else [("digits 30x30x10", digits(), 1)])
    for name, p, repeats in rows:
        seconds, curve = timed(lambda p=p: engine.robust_error(p, eps), repeats)
        limit = error_module.COLUMNS_MIN_MOVES
        error_module.COLUMNS_MIN_MOVES = 10**12
        try:
            clear()
            start = time.perf_counter()
            old = engine.robust_error(p, eps) if name.startswith(("iris", "blobs")) else None
            before = time.perf_counter() - start
        finally:
            error_module.COLUMNS_MIN_MOVES = limit
        if old is None:
            print(f"{name:16} {seconds:14.2f} s {'(not run: 646,200 columns)':>22} {'':>7}  {curve.status}")
            continue
        agree = float(np.max(np.abs(old.value - curve.value)))
        print(f"{name:16} {seconds:14.2f} s {before:20.2f} s {before / seconds:6.1f}x  {curve.status} "
              f"(e* agrees to {agree:.1e})")


def digits():
    return engine.from_samples(engine.load_dataset("digits"), features="pca", bins=30, cost="sql2")


def batch_table(quick: bool) -> None:
    print("\nbatch (serial backend), 11 budgets from 0 to 1, expected kind")
    print(f"{'problem':16} {'atoms':>6} {'ours (batch)':>14} {'verified':>9} {'before (per budget)':>26} {'ratio':>7}")
    sources = [("wine 30x30x3", "wine")] + ([] if quick else [("digits 30x30x10", "digits")])
    eps = np.linspace(0, 1, 11)
    for name, dataset in sources:
        config = {"problems": [{"dataset": dataset, "features": "pca", "bins": 30, "cost": "sql2"}], "eps": "0:1:11"}
        with tempfile.TemporaryDirectory() as out:
            clear()
            start = time.perf_counter()
            summary = run_batch(config, out, backend="serial", format="csv")
            seconds = time.perf_counter() - start
        p = engine.from_samples(engine.load_dataset(dataset), features="pca", bins=30, cost="sql2")
        plain = engine.Problem.from_arrays(p.mu, p.positions, p.labels, p.cost)
        # the batch's per-budget path before issue 18 (solve_eps_grid on the plain problem), one budget at a time
        # so that CAP can stop it
        before, results, finished = capped([lambda e=e, plain=plain: solve_eps_grid(plain, np.array([e])) for e in eps])
        verified = sum(r["status"].count("verified") for r in results)
        atoms = int((p.mu > 0).sum())
        ratio = f"{before / seconds:6.1f}x" if finished else f">{before / seconds:5.1f}x"
        print(f"{name:16} {atoms:6d} {seconds:12.1f} s {summary.statuses.get('verified', 0):5d}/11 "
              f"{shown(before, finished, len(results), 11):>26} {ratio:>7}   (before: {verified} verified)")


def main() -> None:
    quick = "--quick" in sys.argv
    parts = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--part=")] or ["h-star", "lp", "batch"]
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    for part in parts:
        {"h-star": h_star_table, "lp": error_table, "batch": batch_table}[part](quick)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
