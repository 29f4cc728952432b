"""figures.robust_error: the robust 0-1 error curves and the accuracy view of Figure 2, on the engine's ErrorGrid for
the figure2 preset."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analyses.error_grid import error_grid
from figures.robust_error import accuracy_figure2, describe_errors, error_curves
from figures.style import H_STAR_STYLE

EPS = np.linspace(0.0, 2.0, 5)


@pytest.fixture(scope="module")
def grid(figure2):
    return error_grid(figure2, EPS, EPS)


def _named(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_error_curves_show_the_optimum_the_cross_entropy_rule_and_the_clean_rule(grid):
    fig = error_curves(grid, eps=1.0)
    best = _named(fig, "best possible, e*")
    np.testing.assert_allclose(best.y, grid.optimal)
    assert best.line.dash == H_STAR_STYLE["dash"]
    np.testing.assert_allclose(_named(fig, "cross-entropy rule q*_eps").y, np.diag(grid.error))
    np.testing.assert_allclose(_named(fig, "clean Bayes rule").y, grid.clean)
    assert np.all(np.diag(grid.error) >= grid.optimal - 1e-9)
    assert fig.layout.yaxis.range == (0.0, 1.0) and "probability" in fig.layout.yaxis.title.text
    assert any(s.x0 == 1.0 for s in fig.layout.shapes)  # the slider's eps


def test_accuracy_is_one_minus_error(grid):
    fig = error_curves(grid, accuracy=True)
    np.testing.assert_allclose(_named(fig, "best possible, 1 - e*").y, 1 - grid.optimal)
    assert "accuracy" in fig.layout.yaxis.title.text


def test_accuracy_figure2_draws_each_rule_and_the_envelope(grid):
    fig = accuracy_figure2(grid, rules=[1.0])
    rules = [t for t in fig.data if t.name.startswith("rule for eps")]
    assert len(rules) == len(EPS)
    for t in rules:
        assert np.all(np.asarray(t.y) <= 1 - grid.optimal + 1e-9)  # no rule is more accurate than the optimum
    np.testing.assert_allclose(_named(fig, "best possible, 1 - e*").y, 1 - grid.optimal)


def test_a_grid_with_other_attacks_has_no_diagonal(figure2):
    g = error_grid(figure2, [0.0, 1.0], EPS)
    assert not any(t.name == "cross-entropy rule q*_eps" for t in error_curves(g).data)


def test_alt_text(grid):
    text = describe_errors(grid)
    assert "5 cross-entropy-robust rules" in text and f"{grid.bayes_error:.3f}" in text
