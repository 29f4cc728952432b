"""ui/compute.py's cache keys: a grid of budgets hashes as one exact string."""

from __future__ import annotations

import numpy as np
import pytest

from ui import compute


def test_a_grid_of_budgets_is_keyed_exactly():
    grid = tuple(np.linspace(0.0, 2.0, 41).tolist())
    assert compute._budgets(grid) == repr(grid)
    nudged = grid[:-1] + (np.nextafter(2.0, 3.0),)  # one ulp apart: another grid, another key
    assert compute._budgets(nudged) != compute._budgets(grid)
    assert compute._budgets((np.float64(0.5), 1)) == compute._budgets((0.5, 1.0))  # the same numbers


def test_a_tuple_that_is_not_budgets_is_refused():
    with pytest.raises(TypeError):
        compute._budgets(("0.5", None))
