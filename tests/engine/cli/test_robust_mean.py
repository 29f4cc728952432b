"""``python -m engine robust-mean`` (engine/cli_robust_mean.py), run as a user runs it: its JSON is the Python API's,
its text lists the four estimators, bad input exits 2 with one sentence naming the option and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.context.high_dimensional import robust_mean

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "robust-mean", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_json_is_the_api():
    result = run("--n", "1000", "--eps", "0.1", "--dim", "64", "--shift", "8", "--seed", "3", "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout)
    r = robust_mean(1000, 0.1, 64, 8.0, seed=3)
    assert (out["mean_error"], out["median_error"], out["filter_error"], out["clean_error"]) == (
        r.mean_error, r.median_error, r.filter_error, r.clean_error)
    assert out["corrupted"] == 100 and out["filter_removed"] == {"corrupted": 100, "clean": r.filter_removed_clean}
    assert out["mean_error"] > out["filter_error"]
    assert set(out) == {"mean_error", "median_error", "filter_error", "clean_error", "corrupted", "filter_removed",
                        "filter_rounds", "n", "eps", "dim", "shift", "seed", "status"}  # public: other tools read them


def test_one_dimension_by_default_and_text(capsys):
    assert main(["robust-mean", "--n", "101", "--eps", "0.2", "--shift", "1e6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dim"] == 1 and out["seed"] == 0
    assert out["mean_error"] > 1e5 and out["median_error"] < 1  # the bump drags the mean, not the median
    assert main(["robust-mean", "--n", "101", "--eps", "0.2", "--shift", "1e6"]) == 0
    text = capsys.readouterr().out
    assert "20 of 101 points" in text and "coordinate-wise median" in text and "spectral filter" in text


@pytest.mark.parametrize(("args", "words"), [
    (["--n", "1", "--eps", "0.1", "--shift", "1"], "--n must be at least 2"),
    (["--n", "10.5", "--eps", "0.1", "--shift", "1"], "--n must be a whole number; got 10.5"),
    (["--n", "100", "--eps", "0.5", "--shift", "1"], "--eps must be below 1/2"),
    (["--n", "100", "--eps", "0.1", "--shift", "far"], "--shift must be a number; got 'far'"),
    (["--n", "100", "--eps", "0.1", "--shift", "1", "--dim", "0"], "--dim must be at least 1"),
    (["--n", "100", "--eps", "0.1", "--shift", "1", "--seed", "2.5"], "--seed must be a whole number >= 0"),
    (["--n", "100", "--shift", "1"], "The following arguments are required: --eps"),
])
def test_bad_input_exits_2_with_a_sentence(args, words):
    result = run(*args, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
