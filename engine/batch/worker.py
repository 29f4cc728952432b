"""Batch worker processes die with the process that started them, also when it is killed (SIGKILL).

The local backend forks its workers from a multiprocessing forkserver. A killed driver runs no clean-up, and the
forkserver (with its workers and the resource tracker, about 340 MB) used to keep running. So, on Linux:

- the driver sets :data:`PARENT_VARIABLE` to its pid before the forkserver starts, and lists this module first in
  the forkserver's preload: imported *in the forkserver* (whose parent is that pid), it asks the kernel for SIGKILL
  when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
- every worker calls :func:`die_with_parent` first (the pool's initializer): it dies when the forkserver dies;
- the resource tracker exits by itself once every process holding its pipe has gone.

Importing this module anywhere else (the app imports every engine module once) does nothing: the variable names
another process, or is not set. Elsewhere than Linux it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PARENT_VARIABLE = "TRADEOFF_BATCH_PARENT"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; exit now if the parent is already gone.
    Returns whether the request was made (False where prctl does not exist)."""
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request: nobody would send the signal
        os._exit(1)
    return True


if os.environ.get(PARENT_VARIABLE) == str(os.getppid()):
    die_with_parent()  # this process is the forkserver of a batch driver (module docstring)
