"""``python -m engine robust-error``, run as a user runs it (a subprocess), and its module's run/text in process.

The JSON carries exactly the documented keys {"eps", "error", "lower", "upper", "status", "rule"} (the rule at the
last eps) and the numbers the Python API gives; bad input exits 2 with one line on stderr starting "error:".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.cli import robust_error as command
from engine.errors import ProblemError

ROOT = Path(__file__).resolve().parents[3]
KEYS = {"eps", "error", "lower", "upper", "status", "rule"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_json_matches_the_api():
    result = run("robust-error", "--preset", "figure2", "--constraint", "max", "--eps", "0:2:5", "--json")
    assert result.returncode == 0 and not result.stderr, result.stderr
    out = json.loads(result.stdout)  # HiGHS's banner must not reach stdout
    assert set(out) == KEYS
    curve = engine.robust_error(engine.load_preset("figure2", constraint="max"), np.linspace(0, 2, 5))
    assert out["eps"] == curve.eps.tolist() and out["status"] == ["verified"] * 5
    np.testing.assert_allclose(out["error"], curve.value, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["upper"], curve.upper, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["rule"], curve.rule, rtol=0, atol=1e-9)
    assert out["error"] == out["lower"] and np.shape(out["rule"]) == (5, 5)


def test_text_shows_the_curve_and_the_rule():
    result = run("robust-error", "--preset", "figure2", "--eps", "0,0.5")
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout and "optimal randomised rule" in result.stdout


@pytest.mark.parametrize("args, words", [
    (["--preset", "figure2", "--eps", "1:0:3"], "below the start"),
    (["--preset", "figure2", "--eps", "-1"], "non-negative"),
    (["--preset", "no-such-preset", "--eps", "0:1:3"], "no-such-preset"),
    (["--preset", "figure2"], "--eps"),
])
def test_bad_input_exits_2_with_one_sentence(args, words):
    result = run("robust-error", *args, "--json")
    assert result.returncode == 2 and not result.stdout
    assert result.stderr.startswith("error:") and words in result.stderr and "Traceback" not in result.stderr


def test_the_module_follows_the_command_protocol():
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    out = command.run(parser.parse_args(["--preset", "figure2", "--eps", "0:2:3"]))
    assert set(out) == KEYS and command.NAME == "robust-error" and command.HELP
    assert "verified" in command.text(out)
    with pytest.raises(ProblemError, match="--eps"):
        command.run(parser.parse_args(["--preset", "figure2", "--eps", "abc"]))
