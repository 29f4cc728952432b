"""Import every module the pages use once, one thread at a time, before any page runs.

Streamlit runs each session's script in a thread of its own. Sessions that start together on a fresh server
import engine/, figures/ and ui/ concurrently, and Python's per-module import locks may then hand one
thread a partially initialised module ("ImportError: cannot import name ... from partially initialized
module"): scripts/load.py found exactly that with six sessions on a cold server. app.py calls
``load_modules()`` first, so the first session imports everything under one lock while the others wait.

It also puts BLAS on one thread for the whole process. The sessions are the server's parallelism; a BLAS pool of
two threads per dense solve (the exact rule's Newton steps, engine.solvers.barrier) on two busy cores made a
650x650 solve 5 to 15 times slower than one thread (0.14-0.41 s against 0.028 s, measured in one run), and a
joint-constraint page took minutes instead of seconds.

And it batches Streamlit's hand-off of elements from the script threads to the event loop (ui/batching.py), and
makes the sessions' script runs take turns (ui/turns.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

from threadpoolctl import threadpool_limits

PACKAGES = ("engine", "figures", "ui")
LAZY = ("scipy.stats", "scipy.special", "cvxpy", "plotly.graph_objects", "plotly.subplots", "pandas")
_LOCK = threading.Lock()
_loaded = False


def load_modules() -> None:
    """Import the app's packages (every module but ``__main__``) and the libraries they import lazily."""
    global _loaded
    if _loaded:
        return
    with _LOCK:
        if _loaded:
            return
        for name in PACKAGES:
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(package.__path__, f"{name}."):  # subpackages too (engine's layers)
                if not info.name.endswith(".__main__"):
                    importlib.import_module(info.name)
        for name in LAZY:
            importlib.import_module(name)
        threadpool_limits(limits=1, user_api="blas")  # process-wide, kept (module docstring)
        from ui import batching, turns

        batching.install()  # one event-loop wake-up per burst of elements (ui/batching.py)
        turns.install()  # one run draws at a time, first come first served; computations step aside (ui/turns.py)
        _loaded = True
