"""What a solver prints is logged, never shown: captured at the file-descriptor level around each solver call.

SCS and Clarabel are C and Rust libraries: they write to file descriptor 1 (SCS: "ERROR: could not determine
problem status."), so ``--json`` output stopped being JSON; cvxpy's UserWarnings went to descriptor 2, so an error
was no longer one sentence. :func:`solver_output` points descriptors 1 and 2 at a temporary file while the solver
runs, puts them back, and logs what was written (logger ``engine.solvers``, level INFO: silent unless logging is
configured, e.g. ``TRADEOFF_DEBUG=1 python -m engine ...``).

Only in the main thread: descriptors belong to the whole process, and in the app (each session's script runs in a
thread of its own) a redirection would also swallow every other thread's log lines while it lasts. There a
solver's lines only reach the server's log, never a page; the command line and batch workers solve in their main
thread, where they are captured.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading

LOG = logging.getLogger("engine.solvers")
_depth = 0  # nested calls (a solver calling another) redirect once


@contextlib.contextmanager
def solver_output(name: str):
    """Capture descriptors 1 and 2 while the block runs (main thread only; see the module docstring)."""
    global _depth
    if threading.current_thread() is not threading.main_thread() or _depth:
        yield
        return
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:  # no descriptors 1 and 2 (a daemon): nothing to protect
        yield
        return
    _depth += 1
    sink = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after the descriptors
    try:
        _flush()
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        yield
    finally:
        _flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)
        _depth -= 1
        sink.seek(0)
        text = sink.read(1_000_000).decode("utf-8", "replace").strip()
        sink.close()
        if text:
            LOG.info("%s printed: %s", name, text)


def _flush() -> None:
    """Python's own buffers first, so nothing written before (or during) the block lands on the wrong side."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
