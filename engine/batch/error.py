"""The robust 0-1 error columns of a batch (a config with ``"error": true``; ``engine.batch.run``).

Each task runs ``engine.robust_error`` over its whole grid (docs/design.md, "Robust accuracy": one LP built once and
re-solved along the grid, every budget certified) and its rows gain ``error`` (e*, the attained lower bound),
``error_upper`` (the exact worst-case error of the returned rule), ``error_gap`` and ``error_status``, right after
``status``. They are probabilities: the config's units do not apply.
"""

from __future__ import annotations

import numpy as np

from engine.analyses.robust_error import robust_error
from engine.core.problem import Problem

ERROR_COLUMNS = ("error", "error_upper", "error_gap", "error_status")  # the numeric ones first


def error_columns(problem: Problem, eps: np.ndarray) -> tuple[dict, str]:
    """e*(eps) with its certificate at each budget, and what it raised ("" if nothing): an exception gives NaNs
    and ``failed`` rows (the caller marks the task failed, so the next run retries it)."""
    try:
        curve = robust_error(problem, eps)
    except Exception as error:  # noqa: BLE001 - one analysis's failure is a row, not a lost batch
        nan = [float("nan")] * len(eps)
        columns = {"error": nan, "error_upper": nan, "error_gap": nan, "error_status": ["failed"] * len(eps)}
        return columns, f"{type(error).__name__}: {error}"
    return {"error": curve.value.tolist(), "error_upper": curve.upper.tolist(), "error_gap": curve.gap.tolist(),
            "error_status": [str(s) for s in curve.statuses]}, ""


def table_columns(columns: tuple[str, ...], error: bool) -> tuple[str, ...]:
    """The table's columns with ERROR_COLUMNS after ``status`` when the config asks for errors."""
    if not error:
        return columns
    at = columns.index("status") + 1
    return columns[:at] + ERROR_COLUMNS + columns[at:]
