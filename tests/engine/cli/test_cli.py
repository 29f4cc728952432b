"""The command line (docs/design.md, "Command line"), run as a user runs it: ``python -m engine ...`` in a subprocess.

Each command's JSON must carry exactly the documented keys (plus status, units, maximin) and the values
the Python API gives; bad input must give exit status 2 and one line on stderr starting with "error:".
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.analyses.deterministic import deterministic_gap
from engine.analyses.privacy import privacy_curve
from engine.analyses.tradeoff import tradeoff_grid
from engine.cli import main
from engine.context.pixeldp import pixeldp_gaussian
from engine.context.smoothing import smoothing_radius
from engine.context.tsipras import accuracy_frontier, natural_rule_accuracy, robust_rule_accuracy

ROOT = Path(__file__).resolve().parents[3]
EXTRA_KEYS = {"status", "units", "maximin"}
LN2 = math.log(2)


def run(*args: str) -> subprocess.CompletedProcess:
    """``python -m engine ARGS`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def assert_keys(out: dict, documented: set[str]) -> None:
    assert documented <= set(out) <= documented | EXTRA_KEYS, sorted(out)


def test_solve_json_matches_the_api():
    out = run_json("solve", "--preset", "figure2", "--eps", "0.5")
    assert_keys(out, {"h_star", "robust_rule", "worst_case", "certificate"})
    p = engine.load_preset("figure2")
    w, r = engine.worst_case(p, 0.5), engine.robust_rule(p, 0.5)
    assert out["h_star"] == pytest.approx(w.value, abs=1e-9)
    assert np.allclose(out["worst_case"]["nu"], w.nu, atol=1e-9)
    assert np.allclose(out["robust_rule"]["q"], r.q, atol=1e-9)
    assert set(out["certificate"]) == {"lower", "upper", "gap"}
    assert out["certificate"]["upper"] == pytest.approx(w.certificate.upper, abs=1e-9)
    assert (out["status"], out["units"]) == ("verified", "nats")


def test_solve_says_how_exact_the_rule_is_and_where_it_is_not_unique():
    """Issue 13: the rule's proven accuracy and the rows where the minimax rule is not unique, in JSON and text.
    Figure 2 at 0.5 is unique; the binary source at exactly 0.3 (a kink where h* first reaches H(Y)) is not, at
    x = 1."""
    unique = run_json("solve", "--preset", "figure2", "--eps", "0.5")["robust_rule"]
    assert unique["rule_error"] < 1e-9 and unique["not_unique_at"] == [] and unique["not_unique"] == []
    kink = run_json("solve", "--preset", "binary-source", "--eps", "0.3")["robust_rule"]
    assert kink["rule_error"] < 1e-12 and kink["not_unique_at"] == [1.0]
    assert len(kink["not_unique"]) == 1 and kink["not_unique"][0].startswith("The robust rule is not unique at x = 1 ")
    shown = run("solve", "--preset", "binary-source", "--eps", "0.3").stdout
    assert "(proven)" in shown and "not unique at x = 1" in shown


def test_solve_in_bits_divides_by_ln2():
    out = run_json("solve", "--preset", "binary-source", "--eps", "0.1", "--units", "bits")
    w = engine.worst_case(engine.load_preset("binary-source"), 0.1)
    assert out["units"] == "bits"
    assert out["h_star"] == pytest.approx(w.value / LN2, abs=1e-9)
    assert out["certificate"]["gap"] == pytest.approx(w.certificate.gap / LN2, abs=1e-9)


def test_sweep_json_and_tidy_csv(tmp_path):
    path = tmp_path / "grid.csv"
    out = run_json("sweep", "--preset", "figure2", "--eps-rule", "0:2:5", "--eps-attack", "0:1:3",
                   "--units", "bits", "--out", str(path))
    assert_keys(out, {"eps_rule", "eps_attack", "loss", "h_star", "clean", "h_y", "h_y_given_x", "loss_lower",
                      "loss_upper", "loss_status", "clean_lower", "clean_upper", "rule_error", "not_unique"})
    g = tradeoff_grid(engine.load_preset("figure2"), np.linspace(0, 2, 5), np.linspace(0, 1, 3))
    assert np.allclose(out["loss_lower"], g.loss_lower / LN2, atol=1e-9)
    assert np.allclose(out["loss_upper"], g.loss_upper / LN2, atol=1e-9)
    assert out["loss_status"] == [[str(v) for v in row] for row in g.loss_status]
    assert np.allclose(out["clean_lower"], g.clean_lower / LN2) and np.allclose(out["clean_upper"], g.clean_upper / LN2)
    assert out["rule_error"] == pytest.approx(list(g.rule_error / LN2)) and out["not_unique"] == []
    assert np.allclose(out["eps_rule"], g.eps_rule) and np.allclose(out["eps_attack"], g.eps_attack)
    assert np.array(out["loss"]).shape == (3, 5)
    assert np.allclose(out["loss"], g.loss / LN2, atol=1e-9)
    assert np.allclose(out["h_star"], g.h_star / LN2, atol=1e-9)
    assert np.allclose(out["clean"], g.clean / LN2, atol=1e-9)
    assert out["h_y"] == pytest.approx(g.h_y / LN2) and out["h_y_given_x"] == pytest.approx(g.h_y_given_x / LN2)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["eps_attack", "eps_rule", "loss", "units", "loss_lower", "loss_upper", "loss_status"]
    assert len(rows) == 1 + 3 * 5
    table = {(float(a), float(r)): (float(v), float(lo), float(hi), st) for a, r, v, _, lo, hi, st in rows[1:]}
    assert {row[3] for row in rows[1:]} == {"bits"}
    for i, a in enumerate(g.eps_attack):
        for j, r in enumerate(g.eps_rule):
            v, lo, hi, st = table[(a, r)]
            assert v == pytest.approx(g.loss[i, j] / LN2, abs=1e-9)
            assert lo <= v <= hi and st == g.loss_status[i, j] == "verified"


def test_deterministic_json_matches_the_api():
    out = run_json("deterministic", "--preset", "stochastic-vs-deterministic", "--eps", "1")
    assert_keys(out, {"stochastic", "pure_minimax", "pure_maximin", "best_map"})
    p = engine.load_preset("stochastic-vs-deterministic")
    d = deterministic_gap(p, 1.0)
    assert out["stochastic"] == pytest.approx(d.stochastic, abs=1e-9)
    assert out["pure_minimax"] == pytest.approx(d.pure_minimax, abs=1e-9)
    assert out["pure_maximin"] == pytest.approx(d.pure_maximin, abs=1e-9)
    expected_map = [[None if z < 0 else p.positions[z] for z in row] for row in d.best_map]
    assert out["best_map"] == expected_map
    assert out["maximin"] == "exact"


def test_privacy_curve_json_matches_the_api():
    out = run_json("privacy-curve", "--preset", "binary-source", "--eps", "0:0.5:6")
    assert_keys(out, {"eps", "h_star", "leakage"})
    c = privacy_curve(engine.load_preset("binary-source"), np.linspace(0, 0.5, 6))
    assert np.allclose(out["eps"], c.eps)
    assert np.allclose(out["h_star"], c.h_star, atol=1e-9)
    assert np.allclose(out["leakage"], c.leakage, atol=1e-9)


def test_accuracy_json_matches_the_api():
    out = run_json("accuracy", "--p", "0.9", "--eta", "0.3", "--d", "100", "--eps", "0.6", "--points", "101")
    assert_keys(out, {"natural", "robust", "frontier", "bound"})
    natural, robust = natural_rule_accuracy(0.9, 0.3, 100, 0.6), robust_rule_accuracy(0.9, 0.3, 100, 0.6)
    assert out["natural"] == {"standard": natural.standard, "adversarial": natural.adversarial}
    assert out["robust"] == {"standard": robust.standard, "adversarial": robust.adversarial}
    f = accuracy_frontier(0.9, 0.3, 100, 0.6, points=101)
    assert [row["theta"] for row in out["frontier"]] == f.frontier_theta.tolist()
    assert [row["standard"] for row in out["frontier"]] == f.frontier_standard.tolist()
    assert [row["adversarial"] for row in out["frontier"]] == f.frontier_adversarial.tolist()
    assert set(out["frontier"][0]) == {"theta", "a", "b", "standard", "adversarial"}
    assert out["bound"]["applies"] is True
    assert out["bound"]["factor"] == pytest.approx(9.0)
    assert out["bound"]["natural"] == pytest.approx(9.0 * (1 - natural.standard))


def test_certify_json_matches_the_api():
    out = run_json("certify", "--p-a", "0.8", "--p-b", "0.1", "--sigma", "0.5", "--delta", "1e-6")
    assert_keys(out, {"smoothing_radius", "pixeldp_radius"})
    assert out["smoothing_radius"] == smoothing_radius(0.8, 0.1, 0.5)
    assert out["pixeldp_radius"] == pixeldp_gaussian(0.8, 0.1, 0.5, delta=1e-6).radius
    assert 0 < out["pixeldp_radius"] < out["smoothing_radius"]


def test_accuracy_and_certify_text(capsys):
    """In-process (the subprocess tests above cover the way in): the plain-text views."""
    assert main(["accuracy", "--p", "0.3", "--eta", "1", "--d", "2", "--eps", "3", "--points", "11"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[1].split()[0] == "natural" and "does not apply" in text
    assert main(["certify", "--p-a", "0.8", "--p-b", "0.1", "--sigma", "0.5"]) == 0
    text = capsys.readouterr().out
    assert "randomized smoothing" in text and "PixelDP" in text


@pytest.mark.parametrize("argv", [
    ["accuracy", "--p", "0.9", "--eta", "0", "--d", "10", "--eps", "0.1"],
    ["accuracy", "--p", "0.9", "--eta", "0.1", "--d", "2.5", "--eps", "0.1"],
    ["accuracy", "--p", "0.9", "--eta", "0.1", "--d", "10", "--eps", "-1"],
    ["accuracy", "--p", "0.9", "--eta", "0.1", "--d", "10", "--eps", "0.1", "--points", "1"],
    ["accuracy", "--p", "0.9", "--eta", "0.1", "--d", "10", "--eps", "0.1", "--points", "1e7"],
    ["certify", "--p-a", "x", "--p-b", "0.1", "--sigma", "1"],
    ["certify", "--p-a", "0.8", "--p-b", "0.1", "--sigma", "-1"],
    ["certify", "--p-a", "0.8", "--p-b", "0.1", "--sigma", "1", "--delta", "1"],
    ["certify", "--p-a", "0.8", "--sigma", "1"],
])
def test_accuracy_and_certify_bad_input_in_process(argv, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and captured.out == ""


NEGATIVE_CELL = "x,a,b\n0,0.5,-0.1\n1,0.3,0.3\n"
BAD_INPUTS = {
    "unknown preset": ["solve", "--preset", "no-such-preset", "--eps", "1"],
    "negative eps": ["solve", "--preset", "figure2", "--eps", "-1"],
    "bad A:B:N": ["sweep", "--preset", "figure2", "--eps-rule", "0:1", "--eps-attack", "0:1:3"],
    "missing file": ["solve", "--mu", "{tmp}/no-such-file.csv", "--eps", "1"],
    "negative cell": ["solve", "--mu", "{tmp}/negative.csv", "--eps", "1"],
    "deterministic on expected kind": ["deterministic", "--preset", "figure2", "--eps", "1"],
    "unknown command": ["frobnicate"],
    "accuracy: p above 1": ["accuracy", "--p", "1.2", "--eta", "0.3", "--d", "10", "--eps", "0.6"],
    "certify: scores summing above 1": ["certify", "--p-a", "0.7", "--p-b", "0.4", "--sigma", "1"],
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_error_line_and_exit_2(case, tmp_path):
    (tmp_path / "negative.csv").write_text(NEGATIVE_CELL)
    result = run(*(a.format(tmp=tmp_path) for a in BAD_INPUTS[case]))
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_a_batch_with_unfinished_tasks_prints_its_summary_and_exits_3(tmp_path, monkeypatch, capsys):
    """Not bad input (2): the finished work is kept and reported, and the sentence says how to resume."""
    import engine.cli.batch
    from engine.batch.run import BatchSummary

    summary = BatchSummary(tasks=5, done=3, skipped=0, failed=0, unfinished=2, rows=63, statuses={"verified": 63},
                           seconds=1.0, table=str(tmp_path / "results.parquet"), backend="local", workers=2,
                           units="nats", reason="the worker pool broke 3 times")
    monkeypatch.setattr(engine.cli.batch, "run_batch", lambda *args, **kwargs: summary)
    config = tmp_path / "batch.json"
    config.write_text('{"problems": [{"preset": "figure2"}], "eps": [0, 1]}')
    assert main(["batch", str(config), "--out", str(tmp_path / "out"), "--json", "--quiet"]) == 3
    out, err = capsys.readouterr()
    assert json.loads(out)["unfinished"] == 2 and json.loads(out)["done"] == 3
    assert err.startswith("error: 2 of 5 tasks are unfinished (the worker pool broke 3 times); run the same command")
    assert "Traceback" not in err


def test_json_is_strict_an_unproven_bound_is_null():
    """--json prints RFC 8259 JSON (no Infinity or NaN, which strict parsers refuse): the binary source has a rule
    (eps 0.3, where h* reaches H(Y)) whose entries are not proven, so its off-budget losses' upper bounds are
    unbounded, written as null."""
    result = run("sweep", "--preset", "binary-source", "--constraint", "expected",
                 "--eps-rule", "0:0.6:3", "--eps-attack", "0:0.6:3", "--json")
    assert result.returncode == 0, result.stderr

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    out = json.loads(result.stdout, parse_constant=refuse)
    p = engine.load_preset("binary-source", constraint="expected")
    g = engine.tradeoff_grid(p, [0, 0.3, 0.6], [0, 0.3, 0.6])
    uppers = [v for row in g.loss_upper.tolist() for v in row]
    assert not all(map(math.isfinite, uppers))  # the case has unbounded uppers ...
    flat = json.dumps(out)
    assert "null" in flat and "Infinity" not in flat and "NaN" not in flat  # ... written as null
