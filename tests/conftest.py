"""Shared test set-up: import paths, Hypothesis settings profiles and a solver-cache fixture.

Profiles (choose with the environment variable ``HYPOTHESIS_PROFILE``):

- ``ci`` (the default): derandomised, so every run draws the same examples and a failure reproduces
  exactly; no example database; the failing blob is printed.
- ``dev``: random draws (with the database), three times as many examples, for hunting new failures.
- ``quick``: a handful of examples, for a fast smoke run.

Each property test sets its own ``max_examples`` for the ``ci`` profile via ``strategies.examples``, so the
whole solver suite stays well under a minute and a half on two cores.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, Path(__file__).resolve().parent / "engine"):
    if str(path) not in sys.path:  # also works under --import-mode=importlib and plain `pytest`
        sys.path.insert(0, str(path))

# The pytest-xdist workers are the parallelism: BLAS on one thread in each, as in the app (ui/boot.py). Two BLAS
# threads per worker on two cores made the exact rule's dense solves 5-15x slower and timed out AppTest runs.
threadpool_limits(limits=1, user_api="blas")

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", print_blob=True, **_COMMON)
settings.register_profile("quick", derandomize=True, database=None, print_blob=True, max_examples=5, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


@pytest.fixture
def fresh_solver_cache():
    """Clear the solver chain's cache (engine.solvers.chain) before and after a test (injected solvers must not
    leak)."""
    import engine

    engine.clear_cache()
    yield
    engine.clear_cache()
