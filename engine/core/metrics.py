"""Ground costs d(x, x') on the finite feature alphabet X (docs/design.md, "The problem").

The named costs need a numeric position for each feature value:

.. math::
    \\text{abs}: |x - x'|, \\qquad \\text{squared}: (x - x')^2, \\qquad
    \\text{hamming}: \\mathbb 1\\{x \\ne x'\\}.

A custom cost is any n-by-n matrix that is finite, non-negative and has a zero diagonal (it need not be
a metric: the paper's results hold for any cost). On X x Y the label-fixed kinds use the cost (7),
which forbids label changes; the ``joint`` kind adds a finite price kappa for a label change.
"""

from __future__ import annotations

import os

import numpy as np

from engine.errors import ProblemError
from engine.formats.cells import cell_name
from engine.formats.tables import read_metric_csv

NAMED_METRICS = ("abs", "squared", "hamming")


def metric_or_file(metric):
    """A metric as ``Problem.from_arrays`` takes it: a named metric as given, a CSV cost file (a path, bytes or a
    stream) read into its matrix, anything else (a matrix) as given. The one place that tells the two apart."""
    if isinstance(metric, str) and metric.strip().lower() in NAMED_METRICS:
        return metric
    if isinstance(metric, str | bytes | bytearray | os.PathLike) or hasattr(metric, "read"):
        return read_metric_csv(metric)
    return metric


def named_cost(metric: str, positions: np.ndarray) -> np.ndarray:
    """The n-by-n cost matrix of a named metric at the given positions."""
    x = np.asarray(positions, dtype=float)
    if metric == "hamming":
        return 1.0 - np.eye(len(x))  # by identity of the feature values, not of their positions
    if metric not in ("abs", "squared"):
        raise ProblemError(
            f"Unknown metric {metric!r}: choose one of abs, squared, hamming, or give an n-by-n matrix."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        diff = x[:, None] - x[None, :]
        d = np.abs(diff) if metric == "abs" else diff * diff
    if not np.isfinite(d).all():
        i, j = np.argwhere(~np.isfinite(d))[0]
        raise ProblemError(
            f"The {metric} distance between feature values {i + 1} and {j + 1} (positions {x[i]:g} and {x[j]:g}) "
            "is too large for a float; move the positions closer together."
        )
    return d


def check_custom_cost(cost: object, n: int, positions) -> np.ndarray:
    """Validate a custom cost matrix for n feature values and return it as a float array. A bad entry d[i, j] is
    named as every message names a cell (``engine.formats.cells.cell_name``), as the matrix's CSV file lays it out:
    the header (row 1) lists the feature values x', row i + 2 is x = positions[i]."""
    try:
        d = np.array(cost, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ProblemError("The custom metric must be a table of numbers.") from None
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ProblemError(f"The custom metric must be square; it has shape {_shape(d)}.")
    if d.shape[0] != n:
        raise ProblemError(
            f"The custom metric is {d.shape[0]}-by-{d.shape[0]} but the table has {n} feature values."
        )
    xs = [float(x) for x in positions]

    def cell(i: int, j: int) -> str:
        return cell_name(i + 2, xs[i], f"{xs[j]:g}")

    for (i, j), v in np.ndenumerate(d):
        if not np.isfinite(v):
            raise ProblemError(f"The custom metric's distance at {cell(i, j)} is {v}; it must be finite.")
        if v < 0:
            raise ProblemError(f"The custom metric's distance at {cell(i, j)} is negative ({v:g}).")
    for i in range(n):
        if d[i, i] != 0:
            raise ProblemError(
                f"The custom metric must be zero on its diagonal; the distance at {cell(i, i)} (from x = "
                f"{xs[i]:g} to itself) is {d[i, i]:g}."
            )
    return d


def _shape(a: np.ndarray) -> str:
    return "-by-".join(str(s) for s in a.shape) if a.ndim else "a single number"
