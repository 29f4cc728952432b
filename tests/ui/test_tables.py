"""ui.tables' download tables: built on the click from the page's results, each cell where the page says it is.

The builders replaced frames the views built on every rerun; each is checked against that construction written
the plain way (a row per cell, in loops), on figure2's results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import engine
from engine.analyses.tradeoff import tradeoff_grid
from engine.core.information import to_units
from ui.tables import accuracy_table, long_table, rule_table, safe_csv, surface_table

EPS = np.linspace(0.0, 1.0, 4)


@pytest.fixture(scope="module")
def problem():
    return engine.load_preset("figure2")


@pytest.mark.parametrize("units", ["nats", "bits"])
def test_surface_table_is_the_grid_row_by_row(problem, units):
    g = tradeoff_grid(problem, EPS, EPS[:3])
    plain = pd.DataFrame([(a, r, to_units(g.loss[i, j], units), to_units(g.loss_lower[i, j], units),
                           to_units(g.loss_upper[i, j], units), str(g.loss_status[i, j]))
                          for i, a in enumerate(g.eps_attack) for j, r in enumerate(g.eps_rule)],
                         columns=["eps_attack", "eps_rule", f"loss_{units}", f"loss_lower_{units}",
                                  f"loss_upper_{units}", "status"])
    assert safe_csv(surface_table(g, units)) == safe_csv(plain)


def test_accuracy_table_is_the_error_grid_row_by_row(problem):
    acc = engine.error_grid(problem, EPS, EPS[:2])
    plain = pd.DataFrame([(a, r, 1 - acc.error[i, j]) for i, a in enumerate(acc.eps_attack)
                          for j, r in enumerate(acc.eps_rule)], columns=["eps_attack", "eps_rule", "accuracy"])
    assert safe_csv(accuracy_table(acc)) == safe_csv(plain)


def test_long_and_rule_tables_put_each_cell_at_its_x_and_y(problem):
    w = engine.worst_case(problem, 0.5)
    long = long_table(problem.positions, problem.labels, mu=problem.mu, nu_star=w.nu)
    assert list(long.columns) == ["x", "y", "mu", "nu_star"] and len(long) == problem.n * problem.m
    for row in long.itertuples(index=False):
        i, j = list(problem.positions).index(row.x), list(problem.labels).index(row.y)
        assert row.mu == problem.mu[i, j] and row.nu_star == w.nu[i, j]
    rule = rule_table(w.q, problem.positions, problem.labels)
    assert list(rule.columns) == ["x", *problem.labels]
    np.testing.assert_array_equal(rule.drop(columns="x").to_numpy(), w.q)
    assert rule_table(w.q, problem.positions, problem.labels, index="x, y").columns[0] == "x, y"
