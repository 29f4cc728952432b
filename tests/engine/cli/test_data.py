"""``python -m engine data``, run as a user runs it (a subprocess), and its module in process: the public keys
{"samples_used", "bins", "separation": {"l2", "linf"}, "eps", "h_star", "robust_error", "models": {NAME: {"loss",
"error"}}} with the numbers the Python API gives, the tidy table, a model's own table, and exit 2 with a sentence
for bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import engine
from engine.cli import build_parser
from engine.cli import data as command
from engine.io.rule_table import grid_table

ROOT = Path(__file__).resolve().parents[3]
KEYS = {"samples_used", "bins", "separation", "eps", "h_star", "robust_error", "models"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_json_has_the_public_keys_and_the_apis_numbers(tmp_path):
    out_csv = tmp_path / "tidy.csv"
    result = run("data", "--dataset", "iris", "--features", "2,3", "--bins", "8", "--eps", "0:0.4:3",
                 "--models", "logistic,knn", "--json", "--out", str(out_csv))
    assert result.returncode == 0 and not result.stderr, result.stderr
    out = json.loads(result.stdout)
    assert KEYS <= set(out) and {"l2", "linf"} <= set(out["separation"])
    assert set(out["models"]) == {"logistic", "knn"} and {"loss", "error"} <= set(out["models"]["knn"])
    assert out["samples_used"] == 150 and out["bins"] == [8, 8] and out["eps"] == [0.0, 0.2, 0.4]
    p = engine.from_samples(engine.load_dataset("iris"), features=[2, 3], bins=8)
    d = engine.data_limits(p, [0.0, 0.2, 0.4], models=["logistic", "knn"])
    np.testing.assert_allclose(out["h_star"], d.h_star, atol=1e-6)
    np.testing.assert_allclose(out["robust_error"], d.robust_error, atol=1e-9)
    np.testing.assert_allclose(out["models"]["knn"]["loss"], d.models["knn"].loss, atol=1e-12)
    assert out["status"] == ["verified"] * 3
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 3 * 3 and {r["rule"] for r in rows} == {"ideal", "logistic", "knn"}
    assert float(rows[0]["loss"]) == out["h_star"][0]


def test_a_csv_of_samples_and_a_models_own_table(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    samples = tmp_path / "s.csv"
    samples.write_text("a,b,kind\n" + "".join(f"{u:.5f},{v:.5f},{'pq'[int(u > 0)]}\n" for u, v in x))
    grid = tmp_path / "grid.csv"
    base = ["data", "--csv", str(samples), "--label", "kind", "--bins", "4", "--cost", "sql2", "--eps", "0,0.5"]
    made = run(*base, "--grid", str(grid), "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["cells"] == 16 and grid.read_text().startswith("cell,a,b,p,q")
    result = run(*base, "--models", "none", "--rule", f"mine={grid}", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    np.testing.assert_allclose(out["models"]["mine"]["loss"], np.log(2))  # the template is uniform


def test_bad_input_exits_2_with_a_sentence(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n3,,y\n")
    cases = [
        (["data", "--dataset", "iris", "--features", "2,9", "--eps", "0:1:3"], "no feature 9"),
        (["data", "--dataset", "iris", "--bins", "40", "--eps", "0:1:3"], "from 2 to 30"),
        (["data", "--dataset", "iris", "--bins", "x", "--eps", "0:1:3"], "--bins must be"),
        (["data", "--csv", str(bad), "--eps", "0:1:3"], "Row 3 has no value in column 'b'"),
        (["data", "--dataset", "iris", "--label", "x", "--eps", "0:1:3"], "--label names the label column"),
        (["data", "--dataset", "iris", "--models", "svm", "--eps", "0:1:3"], "Unknown model 'svm'"),
        (["data", "--dataset", "iris", "--rule", "nofile", "--eps", "0:1:3"], "NAME=FILE"),
        (["data", "--dataset", "iris", "--eps", "1:-1:3"], "eps"),
    ]
    for args, words in cases:
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_text_output_in_process(capsys):
    args = build_parser().parse_args(["data", "--dataset", "wine", "--features", "pca", "--bins", "6",
                                      "--eps", "0,0.3", "--models", "naive_bayes", "--units", "bits"])
    out = command.run(args)
    assert out["units"] == "bits" and out["axes"] == ["PC1", "PC2"]
    text = command.text(out)
    assert "wine (scikit-learn): PC1 and PC2" in text and "naive_bayes" in text and "in bits" in text
    p = engine.from_samples(engine.load_dataset("wine"), features="pca", bins=6)
    assert grid_table(p.binning).count("\n") == p.n + 1
