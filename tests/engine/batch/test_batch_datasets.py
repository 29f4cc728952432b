"""Batch configs with data sets and CSV files of samples (engine.batch.datasets): binned problems solved along the
grid by the warm-started sweep, every budget certified, and a sentence for each bad source."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.batch.config import load_config
from engine.batch.run import make_tasks, run_batch, task_id
from engine.errors import ProblemError


def test_a_dataset_source_runs_and_is_certified(tmp_path):
    config = {"problems": [{"dataset": "iris", "features": [2, 3], "bins": 6, "cost": "sql2"},
                           {"dataset": "wine", "features": "pca", "bins": 5, "id": "wine-pca"}],
              "eps": "0:1:4", "kinds": ["expected", "max"], "error": True}
    summary = run_batch(config, tmp_path / "out", backend="serial", format="csv")
    assert summary.tasks == 4 and summary.failed == 0 and summary.statuses == {"verified": 16}
    table = engine.batch.run.load_table(summary.table)
    assert set(table["problem"]) == {"iris", "wine-pca"} and set(table["source"]) == {"dataset"}
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=6, cost="sql2")
    rows = table[(table["problem"] == "iris") & (table["kind"] == "expected")]
    want = [engine.worst_case(p, float(e)) for e in rows["eps"]]
    for (_, row), w in zip(rows.iterrows(), want, strict=True):
        assert row["lower"] <= w.certificate.upper + 1e-9 and w.certificate.lower <= row["upper"] + 1e-9
    assert (rows["error"].diff().dropna() >= -1e-9).all()


def test_a_samples_source_and_its_task_ids(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "pts.csv"
    path.write_text("u,v,c\n" + "".join(f"{a:.4f},{b:.4f},{int(a > b)}\n" for a, b in rng.normal(size=(40, 2))))
    config = load_config({"problems": [{"samples": "pts.csv", "label": "c", "bins": 4}], "eps": [0.0, 0.5]},
                         base_dir=tmp_path)
    (bp,) = config.problems
    assert bp.id == "pts" and bp.source == "samples" and bp.problem.binning.samples_used == 40
    tasks, _ = make_tasks(config)
    plain = engine.Problem.from_arrays(bp.problem.mu, bp.problem.positions, bp.problem.labels, bp.problem.cost)
    assert tasks[0].id != task_id(plain, config.eps)  # the sweep's numbers are its own


@pytest.mark.parametrize("entry, words", [
    ({"dataset": "mnist"}, "unknown data set 'mnist'"),
    ({"dataset": ["iris", "wine"], "id": "x"}, "'id' names one problem"),
    ({"dataset": "iris", "bins": 99}, "from 2 to 30"),
    ({"dataset": "iris", "colour": 1}, "unknown key 'colour'"),
    ({"dataset": "iris", "drop_bad_rows": "yes"}, "true or false"),
    ({"samples": "missing.csv"}, "no samples file"),
    ({"samples": 3}, "must be the path"),
])
def test_each_bad_source_gets_a_sentence(tmp_path, entry, words):
    with pytest.raises(ProblemError, match=words):
        load_config({"problems": [entry], "eps": [0.1]}, base_dir=tmp_path)
