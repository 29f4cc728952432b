"""Where a batch's tasks run (``engine.batch.run``): in this process, a pool of local worker processes, or Dask.

Each runner is called as ``runner(solve, todo, workers, backing, emit)``: it calls ``solve(task)`` for every task of
``todo`` (in a worker: ``solve`` and the tasks are pickled) and ``emit(task, rows)`` in this process as each one
finishes, and returns {task id: why it did not finish} for the tasks it could not run.

``local``: a ``concurrent.futures.ProcessPoolExecutor`` of ``workers`` processes from a forkserver that has
imported the engine (and dies with this process: ``engine.batch.worker``); if a worker dies, the pool is rebuilt
and the unfinished tasks resubmitted, at most :data:`POOL_RESTARTS` times. ``dask``: ``client.submit`` and
``as_completed`` on the cluster of ``dask_client``. ``serial``: one task after another, here (debugging).
"""

from __future__ import annotations

import os

from engine.batch.worker import PARENT_VARIABLE, die_with_parent
from engine.errors import ProblemError

POOL_RESTARTS = 3    # rebuilds of a broken local pool before the remaining tasks are left unfinished


def _run_serial(solve, todo, workers, scheduler, emit) -> dict:
    """In this process, one task after another."""
    for t in todo:
        emit(t, solve(t))
    return {}


def _run_local(solve, todo, workers, scheduler, emit) -> dict:
    """A pool of worker processes; rebuilt (at most POOL_RESTARTS times) when a worker dies."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pending, reasons = {t.id: t for t in todo}, {}
    for _ in range(POOL_RESTARTS + 1):
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=_process_context(),
                                   initializer=die_with_parent)
        broken = False
        try:
            futures = {pool.submit(solve, t): t for t in pending.values()}
            for future in as_completed(futures):
                t = futures[future]
                try:
                    out = future.result()
                except BrokenProcessPool:
                    broken, reasons[t.id] = True, "a worker process died (killed, or out of memory)"
                    continue
                except Exception as error:  # noqa: BLE001 - e.g. a task that cannot be pickled
                    reasons[t.id] = f"{type(error).__name__}: {error}"
                    continue
                emit(t, out)
                del pending[t.id]
                reasons.pop(t.id, None)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if not (broken and pending):
            break
    return {tid: reasons.get(tid, "not run") for tid in pending}


def _process_context():
    """forkserver with engine preloaded where there is one (new workers start in milliseconds, and no thread
    of this process, such as the progress bar's, is forked); spawn elsewhere."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The forkserver outlives a killed driver unless told otherwise: engine.batch.worker, imported first in it,
    # makes it (and so every worker, which dies with the forkserver) die with this process (TRADEOFF_BATCH_PARENT).
    os.environ[PARENT_VARIABLE] = str(os.getpid())
    # engine.solvers.reference imports cvxpy (about 2 s): once in the server, not once per worker
    context.set_forkserver_preload(["engine.batch.worker", "engine.batch.run", "engine.batch.pool",
                                    "engine.analyses.worst_case", "engine.solvers.chain", "engine.solvers.reference"])
    return context


def _run_dask(solve, todo, workers, client, emit) -> dict:
    """dask.distributed: ``client.submit`` every task, write each result as it completes."""
    from distributed import as_completed

    futures = {client.submit(solve, t, key=f"tradeoff-batch-{t.id}", pure=False): t for t in todo}
    reasons = {}
    for future in as_completed(futures):
        t = futures[future]
        try:
            out = future.result()
        except Exception as error:  # noqa: BLE001 - KilledWorker, or a worker that cannot import engine
            reasons[t.id] = f"{type(error).__name__}: {error}"
            continue
        finally:
            future.release()
        emit(t, out)
    return reasons


def dask_client(scheduler, workers: int):
    """(client, what to close afterwards): the cluster at an address, a given Client, or a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        return client, [cluster, client]
    if not isinstance(scheduler, str):
        return scheduler, []
    try:
        client = Client(scheduler)
    except (OSError, ValueError, TypeError) as error:
        raise ProblemError(f"Cannot reach the Dask scheduler at {scheduler!r} ({error}).") from None
    return client, [client]


RUNNERS = {"local": _run_local, "dask": _run_dask, "serial": _run_serial}
BACKENDS = tuple(RUNNERS)


MAX_WORKERS_PER_CPU = 2  # more local workers than this per CPU only add memory and switching: capped, and said


def max_workers() -> int:
    """The most local workers a run starts: MAX_WORKERS_PER_CPU per CPU this process may use."""
    return MAX_WORKERS_PER_CPU * default_workers()


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
