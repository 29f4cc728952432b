"""``python -m engine concentration`` (engine/cli_concentration.py), run as a user runs it: its JSON is the Python
API's, its text names the bound, bad input exits 2 with one sentence naming the option and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.context.concentration import cap_expansion, mean_distance_to_cap, simulate_sphere

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", "concentration", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_json_is_the_api():
    result = run("--dim", "100", "--measure", "0.5", "--delta", "0.2", "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout)
    e = cap_expansion(100, 0.5, 0.2)
    assert out["expansion"] == e.expansion and out["bound"] == e.bound and out["bound_applies"] is True
    assert out["expansion"] >= out["bound"] and out["complement"] == e.complement
    assert out["distance"] == "euclidean (chordal)" and out["status"] == "exact"
    assert out["mean_distance"] == mean_distance_to_cap(100, 0.5)
    assert "monte_carlo" not in out
    assert set(out) == KEYS  # public: other tools read them


KEYS = {"expansion", "complement", "bound", "bound_applies", "shifted_bound", "dim", "measure", "delta", "distance",
        "cap_angle", "expansion_angle", "mean_distance", "gaussian_limit", "notes_scale", "distance_bound", "status"}


def test_below_half_the_notes_bound_is_null_and_the_shifted_one_is_given(capsys):
    assert main(["concentration", "--dim", "50", "--measure", "0.1", "--delta", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["bound"] is None and out["bound_applies"] is False
    assert out["shifted_bound"] == cap_expansion(50, 0.1, 0.5).shifted_bound <= out["expansion"]


def test_monte_carlo_check(capsys):
    args = ["concentration", "--dim", "30", "--measure", "0.3", "--delta", "0.25", "--samples", "5000", "--seed", "4"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == KEYS | {"monte_carlo"}
    mc = out["monte_carlo"]
    assert set(mc) == {"samples", "seed", "in_cap", "in_expansion", "mean_distance", "mean_distance_se",
                       "standard_errors"}
    s = simulate_sphere(30, 0.3, 0.25, samples=5000, seed=4)
    assert (mc["in_cap"], mc["in_expansion"], mc["mean_distance"]) == (s.in_cap, s.in_expansion, s.distance)
    assert max(mc["standard_errors"].values()) <= 4
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "sigma(E_delta)" in text and "bound 1 - 2 exp" in text and "Monte Carlo, 5000 points, seed 4" in text


@pytest.mark.parametrize(("args", "words"), [
    (["--dim", "1", "--measure", "0.5", "--delta", "0.1"], "--dim must be at least 2"),
    (["--dim", "ten", "--measure", "0.5", "--delta", "0.1"], "--dim must be a number; got 'ten'"),
    (["--dim", "10", "--measure", "1.5", "--delta", "0.1"], "--measure must be a probability in [0, 1]; got 1.5"),
    (["--dim", "10", "--measure", "0.5", "--delta", "-2"], "--delta must be non-negative; got -2"),
    (["--dim", "10", "--measure", "0.5", "--delta", "nan"], "--delta must be finite"),
    (["--dim", "10", "--measure", "0.5", "--delta", "0.1", "--seed", "-1"], "--seed must be a whole number >= 0"),
    (["--dim", "10", "--measure", "0.5"], "The following arguments are required: --delta"),
])
def test_bad_input_exits_2_with_a_sentence(args, words):
    result = run(*args, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
