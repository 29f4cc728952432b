"""Batch rows gain the robust 0-1 error columns when a config asks (``"error": true``; ``engine.batch.error``).

The columns must equal ``engine.robust_error`` on the same problem and grid, come right after ``status``, be
probabilities whatever the units, survive a CSV round trip, and have task ids of their own (a config without the
key keeps its ids, so its finished parts stay valid).
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
import engine.batch.error
from engine.batch.config import load_config
from engine.batch.run import COLUMNS, load_table, make_tasks, run_batch
from engine.errors import ProblemError

CONFIG = {"problems": [{"preset": ["figure2", "stochastic-vs-deterministic"]}], "eps": "0:1.5:4",
          "kinds": ["expected", "max", "joint"], "kappa": 0.5, "error": True, "units": "bits"}
ERROR = ["error", "error_upper", "error_gap", "error_status"]


def test_the_error_columns_are_robust_error_on_each_row(tmp_path):
    s = run_batch(CONFIG, tmp_path, backend="serial", format="csv")
    t = load_table(s.table)
    at = list(t.columns).index("status") + 1
    assert list(t.columns[at:at + 4]) == ERROR and len(t.columns) == len(COLUMNS) + 4
    for (problem, kind), rows in t.groupby(["problem", "kind"], sort=False):
        p = engine.load_preset(problem, constraint=kind, **({"label_cost": 0.5} if kind == "joint" else {}))
        curve = engine.robust_error(p, rows["eps"].to_numpy())
        np.testing.assert_allclose(rows["error"], curve.value, rtol=0, atol=1e-12)  # not converted to bits
        np.testing.assert_allclose(rows["error_upper"], curve.upper, rtol=0, atol=1e-12)
        assert list(rows["error_status"]) == ["verified"] * len(rows) and (rows["error_gap"] <= 1e-9).all()
    assert (t["status"] == "verified").all()


def test_without_the_key_the_table_and_the_task_ids_are_as_before(tmp_path):
    plain = {k: v for k, v in CONFIG.items() if k != "error"}
    only_max = {k: v for k, v in plain.items() if k != "kappa"} | {"kinds": ["max"]}
    t = load_table(run_batch(only_max, tmp_path, backend="serial").table)
    assert list(t.columns) == list(COLUMNS)
    ids = {task.id for task in make_tasks(load_config(plain))[0]}
    assert ids.isdisjoint(task.id for task in make_tasks(load_config(CONFIG))[0])
    assert ids == {task.id for task in make_tasks(load_config(plain | {"error": False}))[0]}


def test_a_failing_error_solve_is_a_failed_task_retried_by_the_next_run(tmp_path, monkeypatch):
    def broken(problem, eps):
        raise RuntimeError("no LP today")

    config = {k: v for k, v in CONFIG.items() if k != "kappa"} | {"problems": [{"preset": "figure2"}],
                                                                   "kinds": ["expected"]}
    monkeypatch.setattr(engine.batch.error, "robust_error", broken)
    first = run_batch(config, tmp_path, backend="serial")
    t = load_table(first.table)
    assert first.failed == 1 and t["error"].isna().all() and set(t["error_status"]) == {"failed"}
    assert all("robust error: RuntimeError: no LP today" in m for m in t["message"])
    monkeypatch.undo()
    again = run_batch(config, tmp_path, backend="serial")
    assert again.done == 1 and again.failed == 0 and not load_table(again.table)["error"].isna().any()


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_key_must_be_true_or_false(value):
    with pytest.raises(ProblemError, match="'error' must be true or false"):
        load_config(CONFIG | {"error": value})

