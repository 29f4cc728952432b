"""Import every module the pages use once, one thread at a time, before any page runs.

Streamlit runs each session's script in a thread of its own. Sessions that start together on a fresh server
import engine/, figures/ and ui/ concurrently, and Python's per-module import locks may then hand one
thread a partially initialised module ("ImportError: cannot import name ... from partially initialized
module"): scripts/load.py found exactly that with six sessions on a cold server. app.py calls
``load_modules()`` first, so the first session imports everything under one lock while the others wait.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

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
        _loaded = True
