"""Script runs take turns: one session's run draws at a time in a process, in the order they asked, and a
computation (a solve, a cache miss) steps aside while it works.

Streamlit runs every session's script in a thread of its own, and Python runs one thread at a time, switching
every few milliseconds. When a hall of students moves its sliders together, a replica holds dozens of runs at
once, and they share the interpreter: every run advances slowly and all finish late (a move needs about 13 ms of
CPU; twenty runs sharing a core each take about 260 ms). Taking turns, each run draws in one go, so a move waits
only for the runs ahead of it. Two deployments side by side, with and without turns (2 replicas behind HAProxy
each, 200 sessions arriving within 10 s, 5 moves each, three alternating rounds), gave a move p50 of 0.16-0.27 s
with turns against 0.44-1.05 s without, a move p95 of 0.54-0.83 s against 1.63-1.72 s, and a first-load p95 of
0.64-1.17 s against 1.34-1.98 s, for the same server CPU (README).

A run that has to compute (a cache miss of ui/compute.py, a solve under ``ui.budget.solving``) must not keep the
others waiting for seconds: it gives its turn up for the computation (``aside``) and queues for a turn again
(``retake``) only once it holds no lock of the cache. Taking a turn back inside a cached function, while the
cache holds its lock on that function's arguments, could deadlock with a run that has the turn and waits for the
same answer; so ``retake`` does nothing inside a computation (``aside`` counts how deep), and the cached calls
take it after they return (``ui.compute.cached``). A run that never takes its turn back just runs on alongside,
as every run did before. One wait stays: a run that holds the turn and asks for an answer another run is still
computing waits for it with the turn (the cache's lock), so the others wait that long too; the warm-up computes
every preset's answers before a replica answers its health check, so in a hall that is a custom table asked for
twice at once.

Turns are handed over first come, first served (a queue of waiting threads, each woken in order; a plain lock or
semaphore lets a newcomer overtake a woken waiter). ``install()`` wraps ``ScriptRunner._run_script`` (one run, or
a chain of reruns of one session); Streamlit is pinned (requirements.lock) and tests/ui/test_turns.py checks the
method is still there and that served sessions take turns. Idempotent; ``uninstall()`` restores it.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

_ORIGINAL = ScriptRunner._run_script


class Turns:
    """One turn, handed to waiting threads in the order they asked for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._busy = False

    def take(self) -> None:
        """Wait for the turn (first come, first served)."""
        with self._lock:
            if not self._busy:
                self._busy = True
                return
            waiter = threading.Lock()
            waiter.acquire()
            self._waiting.append(waiter)
        waiter.acquire()  # released by give(), which hands the turn over directly

    def give(self) -> None:
        """Hand the turn to the first thread waiting, or free it."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._busy = False

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)


TURNS = Turns()
_local = threading.local()  # this thread: in_run (a script run), held (has the turn), depth (computations)


def _held() -> bool:
    return getattr(_local, "held", False)


def begin_run() -> None:
    """A script run starts: it waits for its turn."""
    TURNS.take()
    _local.held, _local.depth, _local.in_run = True, 0, True


def end_run() -> None:
    """A script run ended (or failed): its turn goes to the next one."""
    _local.in_run = False
    if _held():
        _local.held = False
        TURNS.give()


@contextlib.contextmanager
def aside():
    """A computation: the run gives its turn up while it works (taken back by ``retake``, outside it)."""
    if _held():
        _local.held = False
        TURNS.give()
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def retake() -> None:
    """Queue for the turn again after a computation, unless still inside one (or not in a run at all)."""
    if getattr(_local, "in_run", False) and not _held() and getattr(_local, "depth", 0) == 0:
        TURNS.take()
        _local.held = True


def _run_script(self, rerun_data) -> None:
    begin_run()
    try:
        _ORIGINAL(self, rerun_data)
    finally:
        end_run()


def install() -> None:
    ScriptRunner._run_script = _run_script


def uninstall() -> None:
    ScriptRunner._run_script = _ORIGINAL


def installed() -> bool:
    return ScriptRunner._run_script is _run_script
