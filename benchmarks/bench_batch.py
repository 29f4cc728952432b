"""Batch sweeps in problems per second: a 1,000-problem batch (seeded 10x4 family, 21 eps, expected kind).

    python benchmarks/bench_batch.py [--quick] [--repeats R] [--workers W]

Rows, each timed from a cold start of its own (the engine's cache cleared; new output folder):

- naive loop (the peer): in this process, ``engine.worst_case(p, eps)`` for every problem and budget;
- batch, serial: ``run_batch(backend="serial")``, in this process (bounds carried along the grid, parts);
- batch, local: ``run_batch(workers=W)``, W processes (the default backend);
- batch, Dask: ``run_batch(backend="dask", workers=W)``, a ``LocalCluster`` of W single-threaded processes
  (its start-up and shutdown included);
- resume: the local batch run again into its folder, all tasks already finished.

Each row's time is the median of ``--repeats`` runs (default 1: one run each, which the printout says).
Start-up costs (worker processes importing the engine, a Dask cluster) are inside the times. The table
checks the answers too: the largest |h* difference| from the naive loop (it must stay within the
certificates' 1e-6 nats), and whether the local and Dask tables are identical (bar the timing column).
``--quick``: 100 problems instead of 1,000.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import worst_case  # noqa: E402
from engine.batch.config import load_config  # noqa: E402
from engine.batch.run import load_table, run_batch  # noqa: E402
from engine.solvers.chain import clear_cache  # noqa: E402


def family(count: int) -> dict:
    """The benchmark's config: a seeded Dirichlet(1) family of 10x4 problems, squared cost, 21 budgets."""
    return {"problems": [{"random": "bench", "n": 10, "m": 4, "count": count, "seed": 2021, "concentration": 1.0,
                          "metric": "squared"}], "eps": "0:2:21", "kinds": ["expected"]}


def naive(config: dict, out: Path) -> dict:
    """The loop a user writes first: every problem, every budget, one certified solve each."""
    c = load_config(config)
    h = np.array([[worst_case(bp.problem, e).value for e in c.eps] for bp in c.problems])
    return {"h_star": h}


def batch(config: dict, out: Path, **options) -> dict:
    """run_batch, and its table as an h* array in the naive loop's layout."""
    s = run_batch(config, out, **options)
    table = load_table(s.table)
    return {"summary": s, "table": table, "h_star": table["h_star"].to_numpy().reshape(s.tasks, -1)}


def timed(run, repeats: int, config: dict, root: Path, name: str, **options) -> tuple[float, dict]:
    """Median wall time of ``repeats`` cold runs (each in a fresh folder), and the last result."""
    times, out = [], None
    for r in range(repeats):
        folder = root / f"{name}-{r}"
        shutil.rmtree(folder, ignore_errors=True)
        clear_cache()
        start = time.perf_counter()
        out = run(config, folder, **options)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 problems instead of 1,000")
    parser.add_argument("--repeats", type=int, default=1, help="runs per row (median); default 1")
    parser.add_argument("--workers", type=int, default=2, help="processes for the local and Dask rows")
    args = parser.parse_args(argv)
    count, w = (100 if args.quick else 1000), args.workers
    config = family(count)
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        t_naive, ref = timed(naive, args.repeats, config, root, "naive")
        rows = [("naive loop: worst_case per (problem, eps), in-process", t_naive, ref, "")]
        for label, name, options in (
            ("batch, serial (in-process)", "serial", {"backend": "serial"}),
            (f"batch, local: {w} processes", "local", {"workers": w}),
            (f"batch, Dask LocalCluster: {w} processes", "dask", {"backend": "dask", "workers": w}),
        ):
            t, out = timed(batch, args.repeats, config, root, name, **options)
            rows.append((label, t, out, name))
        local, dask = rows[2][2], rows[3][2]
        clear_cache()
        start = time.perf_counter()
        resumed = run_batch(config, root / "local-0", workers=w)  # the local row's folder: all finished
        t_resume = time.perf_counter() - start

        print(f"{count} problems (10x4, Dirichlet(1), squared cost), 21 eps in [0, 2], expected kind; "
              f"{'median of ' + str(args.repeats) + ' runs' if args.repeats > 1 else 'one run each'}")
        print("| run | seconds | problems/s | vs naive | rows: status | carried rows | max abs h* diff vs naive |")
        print("|---|---|---|---|---|---|---|")
        for label, t, out, name in rows:
            if name:
                s, table = out["summary"], out["table"]
                status = ", ".join(f"{v} {k}" for k, v in s.statuses.items())
                carried = f"{(table['method'] == 'carried').mean():.0%}"
                diff = f"{np.max(np.abs(out['h_star'] - ref['h_star'])):.1e}"
            else:
                status, carried, diff = f"{ref['h_star'].size} solves", "-", "-"
            print(f"| {label} | {t:.1f} | {count / t:.1f} | {t_naive / t:.2f}x | {status} | {carried} | {diff} |")
        print(f"| resume: local again, {resumed.skipped} of {resumed.tasks} tasks finished | {t_resume:.1f} | - | - | "
              f"{resumed.done} solved | - | - |")
        same = local["table"].drop(columns="seconds").equals(dask["table"].drop(columns="seconds"))
        print(f"\nlocal and Dask tables identical (bar seconds): {same}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
