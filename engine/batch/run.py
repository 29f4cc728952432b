"""Batch sweeps (issue 7): many problems x kinds x one eps grid, in parallel, resumable, in one tidy table.

    summary = engine.run_batch("docs/batch-example.json", "out/", workers=2)
    python -m engine batch docs/batch-example.json --out out/ [--workers N | --scheduler tcp://HOST:8786]

**Tasks.** The config (``engine.batch.config``) lists problems, kinds and an eps grid. A task is one
(problem, kind) over the whole grid, so everything a problem's budgets share stays in one process. Its id
is a hash of the canonical problem under that kind (``Problem.key``: table, cost, kind, kappa), the grid
and :data:`BATCH_VERSION`: re-runs, machines and backends agree on it, two config entries with the same
problem share a task, and renaming a problem recomputes nothing.

**Carrying bounds along the grid.** The budgets of a task are solved in increasing order. D(eps) grows with
eps for every kind (a larger budget, or more allowed moves under ``max``), so a plan feasible at eps_j is
feasible at every eps_k >= eps_j and its H(Y|X') is a lower bound on h*(eps_k); and any rule's exact loss
L(eps_k, q_j) (``engine.bounds.loss``, one vectorised call over the whole grid per rule) is an upper bound. When
the best carried pair already closes to 1e-6 nats (typically past saturation, and between the distinct
distances of the ``max`` kind, where h* is constant), the budget is reported ``verified`` with method
``carried`` and costs no solve; otherwise ``engine.worst_case`` solves it and its numbers are reported
exactly as ``python -m engine solve`` gives them.

**Robust error.** With ``"error": true`` in the config, each task also runs ``engine.robust_error`` over its grid
and its rows gain the columns of ``engine.batch.error``. Such tasks have their own ids, so a config that asks for
errors recomputes parts written without them.

**Durability.** Workers return rows; the driving process writes each finished task at once as its own
part (``engine.batch.store``: temporary file, fsync, ``os.replace``). A killed worker or driver loses at
most the tasks in flight; a re-run skips every task with a part and rebuilds the table from all parts.

**Backends** (``engine.batch.pool``). ``local``: a ``concurrent.futures.ProcessPoolExecutor`` of ``workers``
processes (forked from a server that has imported the engine; if one dies, the pool is rebuilt and the unfinished
tasks resubmitted, at most ``engine.batch.pool.POOL_RESTARTS`` times). ``dask``: ``dask.distributed`` with
``client.submit`` and ``as_completed`` on the cluster at ``scheduler`` (its workers need ``engine`` importable), or
a ``LocalCluster`` of ``workers`` processes when no address is given. ``serial``: in this process (debugging).
All give identical tables: a task's numbers depend only on the task.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.analyses.worst_case import worst_case_at
from engine.batch.config import BatchConfig, Kind, load_config
from engine.batch.error import ERROR_COLUMNS, error_columns, table_columns
from engine.batch.pool import BACKENDS, MAX_WORKERS_PER_CPU, RUNNERS, dask_client, default_workers, max_workers
from engine.bounds.loss import exact_loss, log_losses
from engine.bounds.result import Certificate
from engine.core.checks import check_eps_values
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.solvers.grid import sweep

BATCH_VERSION = "1"  # part of every task id: change it when the numbers a task produces change
FORMATS = ("parquet", "csv")
COLUMNS = ("problem", "source", "origin", "n", "m", "kind", "kappa", "eps", "units", "h_star", "lower", "upper",
           "gap", "status", "method", "message", "seconds", "task")
KEY = ["problem", "kind", "kappa", "eps"]


@dataclass(frozen=True, eq=False)
class Task:
    """One problem under one kind, over the whole (sorted) eps grid."""

    id: str
    problem: Problem
    eps: np.ndarray
    error: bool = False  # also the robust 0-1 error


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: tasks solved now (``done``), found finished (``skipped``), raised (``failed``), or left."""

    tasks: int
    done: int
    skipped: int
    failed: int
    unfinished: int
    rows: int
    statuses: dict
    seconds: float
    table: str
    backend: str
    workers: int | None
    units: str
    reason: str
    notes: tuple = ()  # what the run changed or repaired (workers capped, damaged parts solved again)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


def task_id(problem: Problem, eps: np.ndarray, error: bool = False) -> str:
    """A deterministic id: the canonical problem (with its kind and kappa), the grid and the batch version (and
    whether the task also computes the robust error; without it, the ids are those of before)."""
    h = hashlib.sha256(f"tradeoff-batch/{BATCH_VERSION}/{problem.key}/".encode())
    h.update(np.ascontiguousarray(eps, dtype=float).tobytes())
    if error:
        h.update(b"/robust-error")
    if getattr(problem, "binning", None) is not None:
        h.update(b"/grid-sweep")  # solved by engine.solvers.grid: its own numbers, within the same certificates
    return h.hexdigest()[:24]


def make_tasks(config: BatchConfig) -> tuple[list[Task], list[dict]]:
    """The distinct tasks, and one listing row per (problem, kind) naming its task (config order)."""
    tasks: dict[str, Task] = {}
    listing = []
    for bp in config.problems:
        for kind in config.kinds:
            p = _under(bp.problem, kind)
            tid = task_id(p, config.eps, config.error)
            tasks.setdefault(tid, Task(tid, p, config.eps, config.error))
            listing.append({"order": len(listing), "problem": bp.id, "source": bp.source, "origin": bp.origin,
                            "n": p.n, "m": p.m, "kind": kind.name,
                            "kappa": np.nan if kind.kappa is None else kind.kappa, "task": tid})
    return list(tasks.values()), listing


def _under(problem: Problem, kind: Kind) -> Problem:
    """The problem under another kind (and kappa)."""
    if problem.constraint == kind.name and (kind.kappa is None or kind.kappa == problem.label_cost):
        return problem
    return problem.replace(constraint=kind.name, label_cost=1.0 if kind.kappa is None else kind.kappa)


# -- the work of one task (runs in a worker) ------------------------------------------------------------
def solve_task(task: Task) -> dict:
    """Every budget of a task; an exception at a budget becomes a ``failed`` row, never a lost task."""
    rows = solve_eps_grid(task.problem, task.eps)
    failed = "error" in rows["method"]
    if task.error:
        columns, raised = error_columns(task.problem, task.eps)
        rows.update(columns)
        if raised:  # the next run retries the task
            rows["message"] = [f"{m}; robust error: {raised}".lstrip("; ") for m in rows["message"]]
        failed = failed or bool(raised)
    return {"task": task.id, "rows": rows, "failed": failed}


def solve_eps_grid(problem: Problem, eps: np.ndarray) -> dict:
    """h* with its certificate at each budget of an increasing grid, carrying bounds forward (module docstring).

    Returns columns (lists): eps, h_star, lower, upper, gap, status, method, message, seconds, in nats.
    """
    if np.ndim(eps) != 1:
        raise ProblemError("The eps grid of a batch task must be a list of increasing budgets.")
    eps = check_eps_values(eps, "A budget of the eps grid")  # finite and >= 0: what the loss kernel needs
    if np.any(np.diff(eps) <= 0):
        raise ProblemError("The eps grid of a batch task must be a list of increasing budgets.")
    if getattr(problem, "binning", None) is not None:
        return sweep_columns(problem, eps)
    cols = {k: [] for k in ("eps", "h_star", "lower", "upper", "gap", "status", "method", "message", "seconds")}
    best_lower, lower_from = -np.inf, None          # the best feasible plan so far and its budget
    upper = np.full(len(eps), np.inf)               # min over the rules so far of L(eps_k, q_j)
    upper_from = np.full(len(eps), np.nan)
    for k, e in enumerate(eps):
        start = time.perf_counter()
        if lower_from is not None and Certificate(best_lower, upper[k]).verified:
            lo, up, status, method = best_lower, float(upper[k]), "verified", "carried"
            message = f"plan from eps = {lower_from:g}, rule from eps = {upper_from[k]:g}"
        else:
            try:
                w = worst_case_at(problem, float(e))
            except Exception as error:  # noqa: BLE001 - one budget's failure is a row, not a lost batch
                lo = up = np.nan
                status, method, message = "failed", "error", f"{type(error).__name__}: {error}"
            else:
                lo, up, status, method, message = w.value, w.certificate.upper, w.status, w.method, w.message
                # w.q is a valid rule (the chain passes only sane_rule's output or the uniform rule) and the grid
                # was checked above: the kernel needs no checks.
                curve = np.asarray(exact_loss(problem, log_losses(w.q), eps), dtype=float)
                better = curve < upper
                upper[better], upper_from[better] = curve[better], e
                if w.value > best_lower:
                    best_lower, lower_from = w.value, e
        for key, value in zip(cols, (float(e), lo, lo, up, up - lo, status, method, message,
                                     time.perf_counter() - start), strict=True):
            cols[key].append(value)
    return cols


def sweep_columns(problem: Problem, eps: np.ndarray) -> dict:
    """``solve_eps_grid``'s columns for a problem binned from samples, by the warm-started grid sweep
    (``engine.solvers.grid``: every budget certified; budgets its carried bounds close are ``carried``)."""
    start = time.perf_counter()
    try:
        saddles = sweep(problem, eps)
    except Exception as error:  # noqa: BLE001 - the task's failure is its rows, not a lost batch
        nan = [np.nan] * len(eps)
        return {"eps": eps.tolist(), "h_star": nan, "lower": nan, "upper": nan, "gap": nan,
                "status": ["failed"] * len(eps), "method": ["error"] * len(eps),
                "message": [f"{type(error).__name__}: {error}"] * len(eps), "seconds": [0.0] * len(eps)}
    share = (time.perf_counter() - start) / len(eps)  # the sweep is one computation: its time, shared out
    c = [s.certificate for s in saddles]
    return {"eps": eps.tolist(), "h_star": [x.lower for x in c], "lower": [x.lower for x in c],
            "upper": [x.upper for x in c], "gap": [x.upper - x.lower for x in c],
            "status": [str(s.status) for s in saddles], "method": [s.method for s in saddles],
            "message": [s.message for s in saddles], "seconds": [share] * len(eps)}


# -- the run ----------------------------------------------------------------------------------------------
def run_batch(config, out, backend: str | None = None, workers: int | None = None, scheduler=None,
              format: str = "parquet", progress: bool = False) -> BatchSummary:
    """Solve every task of ``config`` not already finished in ``out``, then write ``out/results.<format>``.

    ``config``: a BatchConfig, a path to a JSON/TOML file, or a mapping. ``backend``: local (default),
    dask (default when ``scheduler``, an address or a ``distributed.Client``, is given) or serial.
    ``workers``: local processes (default: the CPUs this process may use). ``progress``: a bar on stderr.
    """
    start = time.perf_counter()
    from engine.batch.store import PartStore

    if not isinstance(config, BatchConfig):
        config = load_config(config)
    backend = backend or ("dask" if scheduler is not None else "local")
    if backend not in BACKENDS:
        raise ProblemError(f"Unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}.")
    if format not in FORMATS:
        raise ProblemError(f"Unknown table format {format!r}: choose parquet or csv.")
    if scheduler is not None and backend != "dask":
        raise ProblemError(f"A scheduler address needs the dask backend, not {backend!r}.")
    workers = default_workers() if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ProblemError(f"The number of workers must be a whole number >= 1; got {workers!r}.")
    notes = []
    if workers > max_workers():
        notes.append(f"{workers:,} workers asked for; using {max_workers()}, at most {MAX_WORKERS_PER_CPU} per CPU "
                     f"this process may use (more only add memory: each worker holds its own solver caches)")
        workers = max_workers()
    tasks, listing = make_tasks(config)
    with PartStore(out) as store:  # refuses a folder with foreign files, or one another run is writing into
        store.write_json("config.json", {"batch_version": BATCH_VERSION, "config": config.spec})
        finished = store.finished({t.id: t.eps for t in tasks})
        if store.damaged:
            notes.append(f"{len(store.damaged)} damaged part(s) removed and solved again")
        summary = _run_tasks(config, tasks, listing, store, finished, backend, workers, scheduler, format, progress)
    return BatchSummary(**summary, seconds=time.perf_counter() - start, notes=tuple(notes))


def _run_tasks(config, tasks, listing, store, finished, backend, workers, scheduler, format, progress) -> dict:
    """Solve the unfinished tasks on the backend, write each part as it comes, then the table (the store is locked)."""
    todo = [t for t in tasks if t.id not in finished]
    frames, failed = {}, 0

    backing, owned = scheduler, []
    if backend == "dask" and todo:
        backing, owned = dask_client(scheduler, workers)  # before the bar: a wrong address is one sentence
    bar = _progress(len(tasks), len(tasks) - len(todo), enabled=progress)

    def emit(task: Task, result: dict) -> None:
        nonlocal failed
        store.write(task.id, result["rows"], result["failed"])
        frames[task.id] = result["rows"]
        failed += result["failed"]
        bar.update(1)
        if result["failed"]:
            bar.set_postfix(failed=failed)

    try:
        reasons = RUNNERS[backend](solve_task, todo, workers, backing, emit) if todo else {}
    finally:
        bar.close()
        for thing in reversed(owned):
            thing.close()
    table = _consolidate(store, tasks, listing, frames, config.units, finished, config.error)
    path = store.write_table(table, format)
    statuses = {str(k): int(v) for k, v in table["status"].value_counts().items()}
    first = next(iter(reasons.values()), "")
    return dict(
        tasks=len(tasks), done=len(frames) - failed, skipped=len(tasks) - len(todo), failed=failed,
        unfinished=len(reasons), rows=len(table), statuses=statuses,
        table=str(path), backend=backend, workers=None if backend == "dask" and scheduler is not None else workers,
        units=config.units, reason=first,
    )


def _consolidate(store, tasks, listing, frames, units, finished=None, error: bool = False):
    """The tidy table: one row per (problem, kind, kappa, eps), in config order (``finished``: parts already read;
    ``error``: the config asks for the robust-error columns)."""
    import pandas as pd
    import pyarrow as pa

    from engine.batch.store import ERROR_SCHEMA, PART_SCHEMA
    from engine.core.information import to_units

    schema = ERROR_SCHEMA if error else PART_SCHEMA
    finished = finished or {}
    kept = [finished[t.id] for t in tasks if t.id not in frames and t.id in finished]
    rest = store.read([t.id for t in tasks if t.id not in frames and t.id not in finished], schema)
    stored = pa.concat_tables([*kept, rest]).to_pandas() if kept else rest.to_pandas()
    fresh = [pa.Table.from_pydict({"task": [tid] * len(rows["eps"]), **rows}, schema=schema).to_pandas()
             for tid, rows in frames.items()]
    rows = pd.concat([stored, *fresh], ignore_index=True)
    table = pd.DataFrame(listing).merge(rows, on="task", how="inner")
    table = table.sort_values(["order", "eps"], kind="stable").drop(columns="order")
    for col in ("h_star", "lower", "upper", "gap"):
        table[col] = to_units(table[col].to_numpy(dtype=float), units)
    table["units"] = units
    # The key is unique by construction: the config refuses repeated problem ids, kinds, kappas and budgets, so
    # each listing row (problem, kind, kappa) is distinct and names one task; each task has one part (or fresh
    # rows) with one row per budget. A duplicate would be a bug here, never something to paper over.
    assert not table.duplicated(KEY).any(), "the batch table has two rows with the same (problem, kind, kappa, eps)"
    return table[list(table_columns(COLUMNS, error))].reset_index(drop=True)


def _progress(total: int, initial: int, enabled: bool):
    """A tqdm bar on stderr (disabled: a silent stand-in with the same methods)."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="task", desc="batch", file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, smoothing=0.1)


def load_table(path):
    """Read a results table written by :func:`run_batch` (Parquet or CSV) as a pandas DataFrame."""
    import pandas as pd

    path = Path(path)
    if path.suffix == ".csv":
        numbers = ("kappa", "h_star", "lower", "upper", "gap", *ERROR_COLUMNS[:3])
        return pd.read_csv(path, keep_default_na=False, na_values={c: [""] for c in numbers})
    return pd.read_parquet(path)
