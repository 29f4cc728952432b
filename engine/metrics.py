"""Ground costs d(x, x') on the finite feature alphabet X (DESIGN.md §1).

The named costs need a numeric position for each feature value:

.. math::
    \\text{abs}: |x - x'|, \\qquad \\text{squared}: (x - x')^2, \\qquad
    \\text{hamming}: \\mathbb 1\\{x \\ne x'\\}.

A custom cost is any n-by-n matrix that is finite, non-negative and has a zero diagonal (it need not be
a metric: the paper's results hold for any cost). On X x Y the label-fixed kinds use the cost (7),
which forbids label changes; the ``joint`` kind adds a finite price kappa for a label change.
"""

from __future__ import annotations

import numpy as np

from engine.errors import ProblemError

NAMED_METRICS = ("abs", "squared", "hamming")


def named_cost(metric: str, positions: np.ndarray) -> np.ndarray:
    """The n-by-n cost matrix of a named metric at the given positions."""
    x = np.asarray(positions, dtype=float)
    diff = x[:, None] - x[None, :]
    if metric == "abs":
        return np.abs(diff)
    if metric == "squared":
        return diff * diff
    if metric == "hamming":
        return 1.0 - np.eye(len(x))  # by identity of the feature values, not of their positions
    raise ProblemError(
        f"Unknown metric {metric!r}: choose one of abs, squared, hamming, or give an n-by-n matrix."
    )


def check_custom_cost(cost: object, n: int) -> np.ndarray:
    """Validate a custom cost matrix for n feature values and return it as a float array."""
    try:
        d = np.array(cost, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError("The custom metric must be a table of numbers.") from None
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ProblemError(f"The custom metric must be square; it has shape {_shape(d)}.")
    if d.shape[0] != n:
        raise ProblemError(
            f"The custom metric is {d.shape[0]}-by-{d.shape[0]} but the table has {n} feature values."
        )
    for (i, j), v in np.ndenumerate(d):
        if not np.isfinite(v):
            raise ProblemError(f"The custom metric has a non-finite entry {v} in row {i + 1}, column {j + 1}.")
        if v < 0:
            raise ProblemError(f"The custom metric has a negative entry {v:g} in row {i + 1}, column {j + 1}.")
    for i in range(n):
        if d[i, i] != 0:
            raise ProblemError(
                f"The custom metric must be zero on its diagonal; row {i + 1}, column {i + 1} is {d[i, i]:g}."
            )
    return d


def _shape(a: np.ndarray) -> str:
    return "-by-".join(str(s) for s in a.shape) if a.ndim else "a single number"
