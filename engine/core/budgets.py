"""The one budget-list format of the command line and of batch configs: ``A:B:N`` or ``a,b,c``.

(It lives in core, beside the validators it uses, not in ``engine.formats``, which knows no numbers' meaning.)

``A:B:N`` is N evenly spaced budgets from A to B (numpy.linspace); a comma-separated list is taken as given.
Each budget is a finite number >= 0. A grid whose points collapse (N > 1 points from A to A, or points that
round to the same float) is refused: it would name one budget several times.
"""

from __future__ import annotations

import numpy as np

from engine.core.checks import check_eps, check_eps_values
from engine.errors import ProblemError

MAX_BUDGETS = 10_000


def parse_budgets(value, what: str, distinct: bool = False) -> np.ndarray:
    """Budgets from ``A:B:N``, ``a,b,c``, one number, or a list of numbers (a JSON or TOML config's); ``what``
    names the option in sentences. ``distinct`` also refuses a list naming a budget twice (batch grids)."""
    if not isinstance(value, str):
        values = value if isinstance(value, list | tuple) else [value]
        if not values:
            raise ProblemError(f"{what} is an empty list; give at least one budget.")
        return _listed(values, what, distinct)
    text = value
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ProblemError(f"{what} must look like 'A:B:N' (N budgets from A to B); got {text!r}.")
        a, b = check_eps(parts[0].strip(), f"{what} start"), check_eps(parts[1].strip(), f"{what} stop")
        count = _count(parts[2].strip(), what)
        if b < a:
            raise ProblemError(f"{what}: the stop {b:g} is below the start {a:g}.")
        grid = np.linspace(a, b, count)
        if count > 1 and len(np.unique(grid)) < count:
            raise ProblemError(f"{what}: {count} budgets from {a:g} to {b:g} are not distinct numbers; widen the "
                               f"range or use fewer points.")
        return grid
    return _listed([s.strip() for s in text.split(",") if s.strip()] or [text], what, distinct)


def _listed(values: list, what: str, distinct: bool) -> np.ndarray:
    """Budgets given one by one."""
    if len(values) > MAX_BUDGETS:
        raise ProblemError(f"{what} lists {len(values):,} budgets; at most {MAX_BUDGETS:,} are allowed.")
    grid = check_eps_values(values, what)
    if distinct and len(np.unique(grid)) != len(grid):
        twice = next(e for e in grid if np.count_nonzero(grid == e) > 1)
        raise ProblemError(f"{what} lists the budget {twice:g} twice; each budget must appear once.")
    return grid


def _count(text: str, what: str) -> int:
    """N of A:B:N: a whole number from 1 to MAX_BUDGETS."""
    try:
        count = int(text)
    except ValueError:
        raise ProblemError(f"{what}: the count N must be a whole number; got {text!r}.") from None
    if not 1 <= count <= MAX_BUDGETS:
        raise ProblemError(f"{what}: the count N must be between 1 and {MAX_BUDGETS}; got {count}.")
    return count
